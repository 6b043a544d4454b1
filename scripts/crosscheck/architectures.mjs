// llama.cpp's greedy tokens for each variant of architectures.sh, compared with lpu's.
//   node architectures.mjs --variants v.jsonl --steps N [--store FILE]
// Each line of v.jsonl: {name, flags, gguf, prompt: ids, lpu: lpu's greedy tokens}.
import fs from "node:fs";
import path from "node:path";
import {pathToFileURL} from "node:url";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs, []));
const modules = path.join(process.env.LPU_NPM_TOOLS, "node_modules");
const {getLlama, LlamaLogLevel} = await import(pathToFileURL(path.join(modules, "node-llama-cpp/dist/index.js")).href);
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const steps = Number(args.steps);

let failures = 0;
const stored = [];
for (const line of fs.readFileSync(args.variants, "utf8").trim().split("\n")) {
  const variant = JSON.parse(line);
  const model = await llama.loadModel({modelPath: variant.gguf});
  const context = await model.createContext({contextSize: 256, batchSize: 256});
  const tokens = [];
  for await (const token of context.getSequence().evaluate(variant.prompt, {temperature: 0})) {
    tokens.push(token);
    if (tokens.length >= steps) break;
  }
  await context.dispose();
  await model.dispose();
  let agree = 0;
  while (agree < steps && tokens[agree] === variant.lpu[agree]) ++agree;
  if (agree < steps) failures++;
  console.log(`  ${variant.name.padEnd(28)} ${agree === steps ? "same" : "DIFFERENT"}: ${agree} of ${steps} greedy ` +
              `tokens as llama.cpp's (lpu model synth ${variant.flags || "(defaults)"})`);
  if (agree < steps) console.log(`    llama.cpp ${JSON.stringify(tokens)}\n    lpu       ${JSON.stringify(variant.lpu)}`);
  stored.push({name: variant.name, flags: variant.flags, prompt: variant.prompt, llama_cpp: tokens});
}
if (args.store) fs.writeFileSync(args.store, JSON.stringify(stored, null, 1) + "\n");
process.exit(failures ? 1 : 0);
