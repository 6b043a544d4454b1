// lpu's numerics on quantised models against llama.cpp's (node-llama-cpp):
//   node numerics.mjs LPU_BINARY WORK_DIR OUT.json
// For each seed, `lpu model synth` writes an F32 model whose widths are whole
// K-quant super-blocks, and `lpu model quantize` writes it in every type; then
// a Mixtral-shaped mixture of experts (8 experts, 2 per token) at F32 and Q8_0
// (issue 18: the router and the experts against llama.cpp's). Both
// engines then run the same teacher-forced tokens (BOS, then 63 seeded ids),
// one position at a time, and give the logits predicting each next token.
// llama.cpp runs with an F32 KV cache and without flash attention, so both
// sides attend in F32 (its defaults keep K and V in F16). Per type and seed it
// reports: positions where llama.cpp's top-2 margin exceeds 1e-2, how many of
// them lpu's top-1 matches, and the relative RMS difference of all logits.
// OUT.json records llama.cpp's side (top-1 and top-2 with logits per position)
// with the shape, seeds and tokens, so tests/runtime/engine/llama_numerics_test.cpp
// checks lpu against it without npm. Exit 1 when any top-1 disagrees.
import {execFileSync} from "node:child_process";
import {writeFileSync} from "node:fs";
import path from "node:path";
import {pathToFileURL} from "node:url";

const [lpu, work, outPath] = process.argv.slice(2);
const tools = process.env.LPU_NPM_TOOLS;
if (!lpu || !work || !outPath || !tools) {
    throw new Error("usage: LPU_NPM_TOOLS=... node numerics.mjs LPU_BINARY WORK_DIR OUT.json");
}
// node-llama-cpp is ESM-only and ESM ignores NODE_PATH: import it by path.
const {getLlama} = await import(pathToFileURL(path.join(tools, "node_modules/node-llama-cpp/dist/index.js")).href);

const shape = {dim: 256, layers: 2, heads: 4, kv_heads: 2, hidden: 768, vocab: 512, context: 128};
const seeds = [1, 2, 3];
const types = ["q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k", "q4_k_m", "q5_k_m"];
const moeShape = {dim: 512, layers: 4, heads: 8, kv_heads: 4, hidden: 512, vocab: 512, context: 128, experts: 8,
                  experts_used: 2};
const moeTypes = ["f32", "q8_0"];
const positions = 64;
const marginThreshold = 1e-2;

// BOS, then ids from the synthetic vocabulary's printable pieces (259 and up),
// drawn by a small LCG so the sequence is the same everywhere.
function forcedTokens(seed) {
    let state = BigInt(seed) * 0x9E3779B97F4A7C15n & 0xFFFFFFFFFFFFFFFFn;
    const tokens = [1];
    while (tokens.length < positions) {
        state = (state * 6364136223846793005n + 1442695040888963407n) & 0xFFFFFFFFFFFFFFFFn;
        tokens.push(259 + Number((state >> 33n) % BigInt(shape.vocab - 259)));
    }
    return tokens;
}

function run(args) {
    return execFileSync(lpu, args, {encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"]});
}

function lpuLogits(model, tokens) {
    const report = JSON.parse(run(["run", "--model", model, "--forced-tokens", tokens.join(","),
                                   "--top-logits", String(shape.vocab), "--json"]));
    return report.top_logits.map((pairs) => {
        const row = new Array(shape.vocab).fill(0);
        for (const [token, logit] of pairs) row[token] = logit;
        return row;
    });
}

const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
async function llamaLogits(modelPath, tokens) {
    const model = await llama.loadModel({modelPath});
    const context = await model.createContext({contextSize: tokens.length + 64, threads: 2, flashAttention: false,
                                               experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32"});
    const sequence = context.getSequence();
    const rows = [];
    for (const token of tokens) {
        const [output] = await sequence.controlledEvaluate([[token, {generateNext: {logits: true}}]]);
        const row = new Array(shape.vocab).fill(0);
        for (const [id, logit] of output.next.logits) row[id] = logit;
        rows.push(row);
    }
    await context.dispose();
    await model.dispose();
    return rows;
}

function topTwo(row) {
    let first = 0, second = 1;
    if (row[second] > row[first]) [first, second] = [second, first];
    for (let i = 2; i < row.length; ++i) {
        if (row[i] > row[first]) [first, second] = [i, first];
        else if (row[i] > row[second]) second = i;
    }
    return [first, second];
}

const round = (x) => Number(x.toPrecision(7));
const results = {
    source: "llama.cpp (node-llama-cpp 3.22.1, CPU, F32 KV cache, no flash attention), scripts/crosscheck/numerics.mjs",
    shape, margin_threshold: marginThreshold, runs: [],
};
let failures = 0;
console.log("type     seed  compared  top-1 agree  relative RMS");
// Every type of `model_shape` for each seed; a run's record names its shape
// when it is not the default one.
async function checkTypes(modelShape, modelSeeds, modelTypes, name) {
    for (const seed of modelSeeds) {
        const f32 = path.join(work, `${name}-seed${seed}-f32.gguf`);
        const synth = ["model", "synth", "--dim", String(modelShape.dim), "--layers", String(modelShape.layers),
                       "--heads", String(modelShape.heads), "--kv-heads", String(modelShape.kv_heads),
                       "--hidden", String(modelShape.hidden), "--vocab", String(modelShape.vocab),
                       "--context", String(modelShape.context), "--seed", String(seed), "-o", f32];
        if (modelShape.experts) synth.push("--experts", String(modelShape.experts), "--experts-used", String(modelShape.experts_used));
        run(synth);
        const tokens = forcedTokens(seed);
        for (const type of modelTypes) {
            const model = type === "f32" ? f32 : path.join(work, `${name}-seed${seed}-${type}.gguf`);
            if (type !== "f32") run(["model", "quantize", f32, model, "--type", type]);
            const theirs = await llamaLogits(model, tokens);
            const ours = lpuLogits(model, tokens);
            let compared = 0, agreed = 0, difference = 0, norm = 0;
            const llamaPositions = [];
            theirs.forEach((row, p) => {
                const [first, second] = topTwo(row);
                const margin = row[first] - row[second];
                if (margin > marginThreshold) {
                    ++compared;
                    if (topTwo(ours[p])[0] === first) ++agreed;
                }
                row.forEach((logit, i) => {
                    difference += (ours[p][i] - logit) ** 2;
                    norm += logit ** 2;
                });
                llamaPositions.push([first, round(row[first]), second, round(row[second])]);
            });
            const relativeRms = Math.sqrt(difference / norm);
            failures += compared - agreed;
            console.log(`${(name === "dense" ? type : `${name} ${type}`).padEnd(8)} ${String(seed).padStart(4)}  ` +
                        `${String(compared).padStart(8)}  ${String(agreed).padStart(11)}  ` +
                        `${relativeRms.toExponential(1).padStart(12)}`);
            const record = {type, seed, tokens, compared, agreed, relative_rms: Number(relativeRms.toPrecision(3)),
                            llama_top2: llamaPositions};
            if (modelShape !== shape) record.shape = modelShape;
            results.runs.push(record);
        }
    }
}
await checkTypes(shape, seeds, types, "dense");
await checkTypes(moeShape, [1], moeTypes, "moe");
writeFileSync(outPath, JSON.stringify(results) + "\n");
if (failures > 0) {
    console.log(`numerics: ${failures} position(s) where lpu's top-1 differs from llama.cpp's`);
    process.exit(1);
}
console.log("numerics: lpu's top-1 matches llama.cpp's at every position with a margin above " + marginThreshold);
