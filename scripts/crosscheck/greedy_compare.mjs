// Compares lpu's greedy tokens with llama.cpp's (node-llama-cpp) on the same model: from
// BOS, as many tokens as lpu generated, at temperature 0. With --store FILE it writes what
// the Catch2 suite checks without npm: the model's name and sha256, and llama.cpp's tokens.
//   node greedy_compare.mjs --model m.gguf --lpu run.json [--store FILE]
// run.json is `lpu run --model m.gguf --temperature 0 --steps N --json`.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {pathToFileURL} from "node:url";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs, []));
const modules = path.join(process.env.LPU_NPM_TOOLS, "node_modules");
const load = (name) => import(pathToFileURL(path.join(modules, name, JSON.parse(
  fs.readFileSync(path.join(modules, name, "package.json"))).exports?.["."]?.import ?? "dist/index.js")).href);

const lpu = JSON.parse(fs.readFileSync(args.lpu, "utf8"));
const count = lpu.stats.positions;
const {getLlama, LlamaLogLevel} = await load("node-llama-cpp");
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath: args.model});
const context = await model.createContext({contextSize: count + 1, batchSize: count + 1, threads: 1});
const judge = [];
for await (const token of context.getSequence().evaluate([model.tokens.bos], {temperature: 0})) {
  judge.push(token);
  if (judge.length === count || token === model.tokens.eos) break;
}
await llama.dispose();

// lpu leaves a final EOS out of its tokens (stopped_at_eos says it came).
const ours = lpu.stopped_at_eos ? [...lpu.tokens, model.tokens.eos] : lpu.tokens;
const first = judge.findIndex((token, i) => token !== ours[i]);
const name = path.basename(args.model);
if (first === -1 && ours.length === judge.length) {
  console.log(`  ${name}: ${judge.length} greedy tokens, all equal to llama.cpp's`);
} else {
  const at = first === -1 ? Math.min(ours.length, judge.length) : first;
  console.log(`  ${name}: FAILED at token ${at}: lpu ${ours[at]}, llama.cpp ${judge[at]} ` +
              `(${ours.length} and ${judge.length} tokens)`);
  process.exitCode = 1;
}
if (args.store) {
  const sha256 = crypto.createHash("sha256").update(fs.readFileSync(args.model)).digest("hex");
  const stored = {model: name, sha256, judge: "llama.cpp (node-llama-cpp 3.22.1), greedy from BOS",
                  positions: count, tokens: judge};
  // One field a line, the tokens on one.
  const lines = Object.entries(stored).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  fs.mkdirSync(path.dirname(args.store), {recursive: true});
  fs.writeFileSync(args.store, `{\n${lines.join(",\n")}\n}\n`);
  console.log(`  stored ${args.store}`);
}
