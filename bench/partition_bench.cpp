// Host speed of partitioned runs: tokens/s of a model split over 8 emulated
// chips in this process (each chip its own shard, SRAM arena and messages
// through the in-process transport) against the same model on ONE chip,
// measured in the same run. Goal: ratio >= 0.5.
//
//   partition_bench [--tokens N] [--model PATH]
//
// Models: the given file (default ../shared/models/stories260K.gguf, when
// present) and the ~110M synthetic model in F32. Grids: tp 8 (the most
// messages: 11 all-reduces per token), tp 2 x pp 4, and what `--chips 8` picks.
// Chips get 4 GB of SRAM so that the 110M model also fits one chip.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "launch/inprocess/in_process_transport.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/engine/plan_model.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology_spec.hpp"

using namespace lpu;

namespace {

sim::ChipSpec large_chip() {
    auto spec = sim::chip_spec_preset("tsp-v1");
    spec.name = "tsp-v1-with-4GB-sram";
    spec.sram_bytes = 4'000'000'000;
    return spec;
}

// Decode tokens/s over `tokens` positions after two warm-up steps.
double tokens_per_second(engine::LanguageModel& model, int tokens) {
    model.forward(1, 0);
    model.forward(2, 1);
    const auto start = std::chrono::steady_clock::now();
    for (int position = 2; position < tokens + 2; ++position) model.forward(position % 200 + 3, position);
    return tokens / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double partitioned(const model::ModelFile& file, const sim::ChipSpec& spec, int tp, int pp, int tokens,
                   std::string& grid) {
    const auto topology = topology::topology_from_spec("fc:8");
    compiler::CompileOptions options;
    options.tp = tp;
    options.pp = pp;
    options.chips = tp == 0 ? 8 : 0;
    options.positions = tokens + 2;
    auto plan = compiler::compile_plan(file.config(), compiler::model_fingerprint(file), {&topology, "fc:8", &spec},
                                       options);
    grid = "tp " + std::to_string(plan.grid.tp) + " x pp " + std::to_string(plan.grid.pp);
    launch::inprocess::InProcessTransport transport;
    engine::PlanModel model(std::move(plan), file, spec, transport);
    return tokens_per_second(model, tokens);
}

void compare(const std::string& label, const std::string& path, int tokens) {
    const auto file = model::open_model(path);
    const auto spec = large_chip();
    engine::SingleChipModel one_chip(*file, spec, tokens + 2);
    const double baseline = tokens_per_second(one_chip, tokens);
    std::printf("%-14s one chip: %10.1f tokens/s\n", label.c_str(), baseline);
    const std::vector<std::pair<int, int>> grids = {{8, 1}, {2, 4}, {0, 0}};
    for (const auto& [tp, pp] : grids) {
        std::string grid;
        const double rate = partitioned(*file, spec, tp, pp, tokens, grid);
        std::printf("%-14s %-8s %s: %10.1f tokens/s  ratio %.3f\n", label.c_str(), tp == 0 ? "--chips 8" : "", grid.c_str(),
                    rate, rate / baseline);
        std::fflush(stdout);
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Host tokens/s of a model on 8 in-process chips against one chip"};
    int tokens = 64;
    std::string model_path = "../shared/models/stories260K.gguf";
    app.add_option("--tokens", tokens, "Decode steps timed per run")->capture_default_str()->check(CLI::Range(1, 400));
    app.add_option("--model", model_path, "A small model to compare (skipped when missing)")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    try {
        if (std::filesystem::exists(model_path)) compare("stories260K", model_path, tokens);
        const auto path = std::filesystem::temp_directory_path() / "lpu-partition-bench-110m.gguf";
        auto shape = model::synthetic_preset("bench-110m");
        shape.context_length = tokens + 2;
        model::write_synthetic_model(shape, path.string());
        compare("110M F32", path.string(), std::min(tokens, 16));
        std::filesystem::remove(path);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
    return 0;
}
