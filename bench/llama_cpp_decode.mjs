// llama.cpp's host decode speed on a GGUF file, for bench/llama_cpp_decode.sh:
//   node llama_cpp_decode.mjs MODEL.gguf TOKENS THREADS
// Evaluates BOS, then TOKENS tokens one at a time (each the greedy pick of the
// previous step, as `lpu run --temperature 0` decodes), and prints the decode
// tokens per second as JSON: {"tokens_per_second": ...}. The first step (BOS)
// is not timed, as lpu's isn't either once weights are in memory.
import path from "node:path";
import {pathToFileURL} from "node:url";

const [modelPath, tokensText, threadsText] = process.argv.slice(2);
const tools = process.env.LPU_NPM_TOOLS;
if (!modelPath || !tokensText || !threadsText || !tools) {
    throw new Error("usage: LPU_NPM_TOOLS=... node llama_cpp_decode.mjs MODEL.gguf TOKENS THREADS");
}
// node-llama-cpp is ESM-only and ESM ignores NODE_PATH: import it by path.
const {getLlama} = await import(pathToFileURL(path.join(tools, "node_modules/node-llama-cpp/dist/index.js")).href);
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath});
const tokens = Number(tokensText);
const threads = Number(threadsText);
const context = await model.createContext({contextSize: tokens + 64, threads: {ideal: threads, min: threads}});
const sequence = context.getSequence();
const greedy = async (token) => {
    const [output] = await sequence.controlledEvaluate([[token, {generateNext: {token: true, options: {temperature: 0}}}]]);
    return output.next.token;
};
let token = await greedy(model.tokens.bos ?? 1);
const start = process.hrtime.bigint();
for (let i = 0; i < tokens; ++i) token = await greedy(token);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({tokens_per_second: tokens / seconds}));
await context.dispose();
await model.dispose();
