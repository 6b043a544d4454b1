// Decode benchmark: host tokens/s of a ~110M-parameter synthetic Llama (dim 768,
// 12 layers, 12 heads, hidden 2048, vocab 32000) in F32, F16 and Q8_0, against
// the physical limit measured in the same run: a decode step reads every weight
// once, so tokens/s can be at most (memory copy bandwidth / weight bytes per token).
//
//   decode_bench [--tokens N] [--dtypes f32,f16,q8_0]
//   decode_bench --model FILE.gguf [--tokens N]   (any model file instead, e.g.
//                                                 for bench/llama_cpp_decode.sh)
//
// The model runs on one emulated chip whose SRAM is raised to hold it (the F32
// model is 440 MB, twice a real chip): this measures the host, not the LPU.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/memory_bandwidth.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"

using namespace lpu;

namespace {

struct DecodeResult {
    double tokens_per_second = 0.0;
    std::int64_t weight_bytes_per_token = 0;
};

// Bytes of every matrix a decode step multiplies by (the embedding contributes one row).
std::int64_t weight_bytes_per_token(const model::ModelWeights& weights) {
    std::int64_t total = static_cast<std::int64_t>(weights.output.size_bytes());
    for (const auto& layer : weights.layers) {
        for (const auto* matrix : {&layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.w_gate, &layer.w_up, &layer.w_down}) {
            total += static_cast<std::int64_t>(matrix->size_bytes());
        }
    }
    return total;
}

DecodeResult run_decode(const model::ModelFile& file, int tokens) {
    auto spec = sim::chip_spec_preset("tsp-v1");
    spec.name = "tsp-v1-with-4GB-sram";
    spec.sram_bytes = 4'000'000'000;
    engine::SingleChipModel chip_model(file, spec, tokens + 2);
    chip_model.forward(1, 0);  // warm-up: first touch of every SRAM page
    chip_model.forward(2, 1);
    const auto start = std::chrono::steady_clock::now();
    for (int position = 2; position < tokens + 2; ++position) chip_model.forward(position % 256 + 3, position);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return {tokens / seconds, weight_bytes_per_token(file.weights())};
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Decode tokens/s of a 110M-parameter synthetic model against the memory-bandwidth bound"};
    int tokens = 32;
    std::vector<std::string> dtypes = {"f32", "f16", "q8_0"};
    std::string model_path;
    app.add_option("--tokens", tokens, "Decode steps timed per model")->capture_default_str()->check(CLI::Range(1, 1000));
    auto* dtypes_option = app.add_option("--dtypes", dtypes, "Weight types to run")->delimiter(',')->capture_default_str();
    app.add_option("--model", model_path, "Time this model file instead of the synthetic 110M ones")
        ->check(CLI::ExistingFile)
        ->excludes(dtypes_option);
    CLI11_PARSE(app, argc, argv);

    const double bandwidth = bench::memcpy_bytes_per_s();
    std::printf("memory copy bandwidth: %.2f GB/s (bytes copied per second, best of several)\n", bandwidth / 1e9);
    std::printf("%-6s %14s %14s %14s %8s\n", "dtype", "MB/token", "tokens/s", "bound tok/s", "ratio");
    const auto print_row = [&](const std::string& name, const DecodeResult& result) {
        const double bound = bandwidth / static_cast<double>(result.weight_bytes_per_token);
        std::printf("%-6s %14.1f %14.2f %14.2f %8.3f\n", name.c_str(), result.weight_bytes_per_token / 1e6,
                    result.tokens_per_second, bound, result.tokens_per_second / bound);
        std::fflush(stdout);
    };
    if (!model_path.empty()) {
        const auto file = model::open_model(model_path);
        print_row(model::weight_types_text(file->config()), run_decode(*file, tokens));
        return 0;
    }

    const auto dir = std::filesystem::temp_directory_path() / "lpu-decode-bench";
    std::filesystem::create_directories(dir);
    for (const auto& name : dtypes) {
        if (name != "f32" && name != "f16" && name != "q8_0") {
            std::fprintf(stderr, "error: unknown dtype '%s' (f32, f16, q8_0)\n", name.c_str());
            return 2;
        }
        auto shape = model::synthetic_preset("bench-110m");
        shape.context_length = tokens + 2;
        shape.dtype = name == "f32" ? kernels::DType::F32 : name == "f16" ? kernels::DType::F16 : kernels::DType::Q8_0;
        const auto path = (dir / ("bench-110m-" + name + ".gguf")).string();
        model::write_synthetic_model(shape, path);
        const auto result = run_decode(*model::open_model(path), tokens);
        std::filesystem::remove(path);
        print_row(name, result);
    }
    return 0;
}
