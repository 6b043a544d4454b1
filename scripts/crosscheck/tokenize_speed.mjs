// llama.cpp's CPU time to tokenize one long text (node-llama-cpp on a vocab-only GGUF),
// best of 3, in milliseconds: the baseline tokenize.sh sets lpu's time against.
//   node tokenize_speed.mjs GGUF TEXT.json     (TEXT.json: a JSON array of one string)
import fs from "node:fs";
import path from "node:path";
import {pathToFileURL} from "node:url";

const [gguf, textFile] = process.argv.slice(2);
const modules = path.join(process.env.LPU_NPM_TOOLS, "node_modules");
const {getLlama, LlamaLogLevel} = await import(pathToFileURL(path.join(modules, "node-llama-cpp/dist/index.js")).href);
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath: gguf, vocabOnly: true});
const text = JSON.parse(fs.readFileSync(textFile, "utf8"))[0];
let best = Infinity;
for (let run = 0; run < 3; ++run) {
  const start = process.cpuUsage();
  model.tokenize(text, false);
  const used = process.cpuUsage(start);
  best = Math.min(best, (used.user + used.system) / 1e3);
}
console.log(best.toFixed(0));
