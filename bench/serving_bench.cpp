// Continuous batching against one request at a time (issue 17): the same
// requests through the batch scheduler (runtime/engine/batch_scheduler.hpp)
// on a plan of --max-batch B slots and on a plan of 1 slot, in one process,
// measured in the same run. Prints, per round, the aggregate host tokens/s of
// both and their ratio, and the emulated aggregate tokens/s of both (the
// plan's cycles of the steps that ran); then the median and spread of the
// ratios. Rounds alternate the two so that the machine's drift hits both.
//
//   serving_bench [--model PATH] [--max-batch B] [--requests N] [--max-tokens T] [--rounds R] [--tp N --pp N]
//
// Without --model it writes the 110M synthetic model (Q8_0, `lpu model synth
// --preset bench-110m --dtype q8_0`) to a temporary folder. Both plans are
// tp 2 x pp 2 unless --tp/--pp say otherwise: on one chip the emulated
// system runs a batch's sequences one after another (no gain to expect);
// with pipeline stages they overlap.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "launch/inprocess/in_process_model.hpp"
#include "runtime/engine/batch_scheduler.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "runtime/model/tokenizer.hpp"
#include "runtime/model/vocabulary_file.hpp"

namespace {

using namespace lpu;

struct Options {
    std::string model;
    int max_batch = 8;
    int requests = 32;
    int max_tokens = 32;
    int rounds = 3;
    int tp = 2, pp = 2;
};

struct Measured {
    double host_tokens_per_second = 0.0;
    double emulated_tokens_per_second = 0.0;
};

// `count` requests of 8 prompt tokens each (distinct, so no two sequences are
// alike), greedy, through EOS, all submitted at once.
Measured serve_requests(engine::LanguageModel& model, const model::Tokenizer& tokenizer, const Options& options) {
    engine::BatchScheduler scheduler(model, tokenizer, options.requests);
    const int vocab = model.config().vocab_size;
    for (int r = 0; r < options.requests; ++r) {
        engine::SequenceRequest request;
        for (int t = 0; t < 8; ++t) request.prompt_tokens.push_back((r * 131 + t * 17 + 3) % vocab);
        request.max_tokens = options.max_tokens;
        request.sampling.temperature = 0.0f;
        request.ignore_eos = true;
        scheduler.submit(std::move(request), {});
    }
    scheduler.stop(/*cancel_running=*/false);
    const auto start = std::chrono::steady_clock::now();
    scheduler.run();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const engine::BatchStats stats = scheduler.stats();
    const auto tokens = static_cast<double>(stats.completion_tokens);
    return {tokens / seconds, tokens / stats.emulated_seconds};
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    CLI::App app("Continuous batching (--max-batch B slots) against one slot: aggregate host and emulated tokens/s");
    app.add_option("--model", options.model, "Model file (default: the 110M synthetic model, Q8_0, made here)");
    app.add_option("--max-batch", options.max_batch, "Batch slots of the batched plan")->capture_default_str();
    app.add_option("--requests", options.requests, "Requests per run, all submitted at once")->capture_default_str();
    app.add_option("--max-tokens", options.max_tokens, "Completion tokens of each request")->capture_default_str();
    app.add_option("--rounds", options.rounds, "Rounds (each runs both)")->capture_default_str();
    app.add_option("--tp", options.tp, "Tensor-parallel degree of both plans")->capture_default_str();
    app.add_option("--pp", options.pp, "Pipeline stages of both plans")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    try {
        namespace fs = std::filesystem;
        const fs::path scratch = fs::temp_directory_path() / ("serving-bench-" + std::to_string(::getpid()));
        if (options.model.empty()) {
            fs::create_directories(scratch);
            model::SyntheticShape shape = model::synthetic_preset("bench-110m");
            shape.dtype = kernels::DType::Q8_0;
            options.model = (scratch / "bench-110m-q8_0.gguf").string();
            std::fprintf(stderr, "serving_bench: writing the 110M synthetic model (Q8_0) to %s\n", options.model.c_str());
            model::write_synthetic_model(shape, options.model);
        }
        const auto file = model::open_model(options.model);
        const model::Tokenizer tokenizer =
            model::make_tokenizer(model::vocabulary_of(*file, options.model, ""), options.model);
        const auto placed = [&](int batch) {
            launch::SystemOptions system;
            system.compile.tp = options.tp;
            system.compile.pp = options.pp;
            system.compile.batch = batch;
            system.compile.positions = 8 + options.max_tokens;
            return launch::inprocess::in_process_model(*file, system);
        };
        launch::inprocess::InProcessModel one = placed(1), batched = placed(options.max_batch);
        std::printf("%d requests x %d tokens (8-token prompts), greedy, %s, one process\n", options.requests,
                    options.max_tokens, batched.grid.c_str());
        std::printf("%-6s %14s %14s %8s   %18s %18s %8s\n", "round", "host tok/s B=1", "host tok/s B", "ratio",
                    "emulated tok/s B=1", "emulated tok/s B", "ratio");
        std::vector<double> host_ratios, emulated_ratios;
        for (int round = 1; round <= options.rounds; ++round) {
            const Measured single = serve_requests(*one.model, tokenizer, options);
            const Measured many = serve_requests(*batched.model, tokenizer, options);
            host_ratios.push_back(many.host_tokens_per_second / single.host_tokens_per_second);
            emulated_ratios.push_back(many.emulated_tokens_per_second / single.emulated_tokens_per_second);
            std::printf("%-6d %14.1f %14.1f %8.2f   %18.0f %18.0f %8.2f\n", round, single.host_tokens_per_second,
                        many.host_tokens_per_second, host_ratios.back(), single.emulated_tokens_per_second,
                        many.emulated_tokens_per_second, emulated_ratios.back());
            std::fflush(stdout);
        }
        const auto [host_low, host_high] = std::minmax_element(host_ratios.begin(), host_ratios.end());
        const auto [emulated_low, emulated_high] = std::minmax_element(emulated_ratios.begin(), emulated_ratios.end());
        std::printf("B=%d / B=1: host %.2f [%.2f-%.2f], emulated %.2f [%.2f-%.2f]\n", options.max_batch,
                    median(host_ratios), *host_low, *host_high, median(emulated_ratios), *emulated_low, *emulated_high);
        fs::remove_all(scratch);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "serving_bench: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
