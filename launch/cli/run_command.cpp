// `lpu run`: generate text with a real model on emulated LPUs.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "launch/cli/commands.hpp"
#include "launch/cli/plan_setup.hpp"
#include "launch/transport/in_process_transport.hpp"
#include "runtime/engine/generator.hpp"
#include "runtime/engine/plan_model.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/tokenizer.hpp"
#include "sim/chip_spec.hpp"

namespace lpu::cli {
namespace {

struct RunOptions {
    std::string model_path;
    std::string tokenizer_path;
    SystemOptions system;
    bool json = false;
    engine::GenerationOptions generation;
};

model::TokenizerData tokenizer_for(const model::ModelFile& file, const RunOptions& options) {
    if (!options.tokenizer_path.empty()) {
        return model::read_llama2c_tokenizer(options.tokenizer_path, file.config().vocab_size);
    }
    auto data = file.tokenizer();
    require(data.has_value(), "'" + options.model_path + "' holds no tokenizer: pass --tokenizer FILE (llama2.c tokenizer.bin)");
    return *data;
}

nlohmann::json sram_json(const chip::SramArena& sram) {
    nlohmann::json usage = {{"capacity_bytes", sram.capacity_bytes()}, {"used_bytes", sram.used_bytes()}};
    for (auto use : {chip::SramUse::Weights, chip::SramUse::KvCache, chip::SramUse::Activations}) {
        usage[chip::sram_use_name(use) + "_bytes"] = sram.used_bytes(use);
    }
    return usage;
}

// The emulated chips a run used, for its report.
struct RunChips {
    std::vector<const chip::EmulatedChip*> chips;
    std::string grid;  // "tp 2 x pp 4 on fc:8", or "1 chip"
};

// The first sequence's fields at the top (what a batch of one prints), every
// sequence under "sequences" when there are several.
nlohmann::json to_json(const std::vector<engine::GenerationResult>& results, const RunChips& run) {
    const auto& result = results.front();
    const auto& stats = result.stats;
    nlohmann::json sram = nlohmann::json::array();
    for (const auto* chip : run.chips) sram.push_back(sram_json(chip->sram()));
    nlohmann::json out = {
        {"prompt_tokens", result.prompt_tokens},
        {"tokens", result.tokens},
        {"text", result.text},
        {"stopped_at_eos", result.stopped_at_eos},
        {"stats",
         {{"positions", stats.positions},
          {"host_seconds", stats.host_seconds},
          {"host_tokens_per_second", stats.host_tokens_per_second()},
          {"emulated_cycles", stats.emulated_cycles},
          {"emulated_us_per_token", stats.emulated_us_per_token()},
          {"emulated_tokens_per_second", stats.emulated_tokens_per_second()},
          {"batch", stats.batch},
          {"clock_hz", stats.clock_hz},
          {"chips", run.chips.size()},
          {"grid", run.grid},
          {"sram", run.chips.size() == 1 ? sram.front() : sram}}},
    };
    if (results.size() > 1) {
        out["sequences"] = nlohmann::json::array();
        for (const auto& sequence : results) {
            out["sequences"].push_back(
                {{"tokens", sequence.tokens}, {"text", sequence.text}, {"stopped_at_eos", sequence.stopped_at_eos}});
        }
    }
    return out;
}

void print_summary(const engine::GenerationResult& result, const RunChips& run) {
    const auto& stats = result.stats;
    std::int64_t fullest = 0, emptiest = run.chips.front()->sram().used_bytes();
    for (const auto* chip : run.chips) {
        fullest = std::max(fullest, chip->sram().used_bytes());
        emptiest = std::min(emptiest, chip->sram().used_bytes());
    }
    std::fprintf(stderr,
                 "lpu run: %d tokens (%d positions) | host %.1f tokens/s | emulated %.2f us/token "
                 "on %s at %.0f MHz | SRAM per chip %.2f-%.2f of %.1f MB\n",
                 static_cast<int>(result.tokens.size()), stats.positions, stats.host_tokens_per_second(),
                 stats.emulated_us_per_token(), run.grid.c_str(), stats.clock_hz / 1e6, emptiest / 1e6, fullest / 1e6,
                 run.chips.front()->sram().capacity_bytes() / 1e6);
    if (stats.batch > 1) {
        std::fprintf(stderr, "lpu run: batch of %d sequences | emulated throughput %.0f tokens/s (all sequences)\n",
                     stats.batch, stats.emulated_tokens_per_second());
    }
}

void generate_and_report(engine::LanguageModel& language_model, const model::Tokenizer& tokenizer,
                         const RunOptions& options, const std::function<RunChips()>& chips) {
    const auto stream = [&](std::string_view piece) {
        std::fwrite(piece.data(), 1, piece.size(), stdout);
        std::fflush(stdout);
    };
    const bool streaming = !options.json && language_model.batch_size() == 1;
    const auto results = engine::generate_batch(language_model, tokenizer, options.generation,
                                                streaming ? stream : std::function<void(std::string_view)>{});
    if (options.json) {
        std::cout << to_json(results, chips()).dump(2) << "\n";
    } else if (streaming) {
        std::fputc('\n', stdout);
    } else {
        for (std::size_t b = 0; b < results.size(); ++b) {
            std::printf("--- sequence %zu (seed %llu)\n%s\n", b,
                        static_cast<unsigned long long>(options.generation.sampling.seed + b), results[b].text.c_str());
        }
    }
    std::fflush(stdout);
    print_summary(results.front(), chips());
}

void run(const RunOptions& options) {
    const auto file = model::open_model(options.model_path);
    const model::Tokenizer tokenizer(tokenizer_for(*file, options));
    if (!wants_plan(options.system)) {
        const auto spec = sim::load_chip_spec(options.system.spec);
        engine::SingleChipModel chip_model(*file, spec, options.system.compile.positions);
        generate_and_report(chip_model, tokenizer, options, [&] { return RunChips{{&chip_model.chip()}, "1 chip"}; });
        return;
    }
    PreparedPlan prepared = prepare_plan(*file, options.system);
    const auto& grid = prepared.plan.grid;
    const std::string grid_name = "tp " + std::to_string(grid.tp) + " x pp " + std::to_string(grid.pp) + " on " +
                                  prepared.plan.system.topology;
    launch::InProcessTransport transport;
    engine::PlanModel plan_model(std::move(prepared.plan), *file, prepared.spec, transport);
    generate_and_report(plan_model, tokenizer, options, [&] {
        RunChips run{{}, grid_name};
        for (const auto& runner : plan_model.chips()) run.chips.push_back(&runner->chip());
        return run;
    });
}

}  // namespace

void add_run_command(CLI::App& app) {
    auto options = std::make_shared<RunOptions>();
    auto* run_app = app.add_subcommand("run", "Generate text with a model on emulated LPUs");
    run_app->add_option("-m,--model", options->model_path, "Model file: GGUF or llama2.c checkpoint")
        ->required()
        ->check(CLI::ExistingFile);
    run_app->add_option("--tokenizer", options->tokenizer_path,
                        "llama2.c tokenizer.bin (required for llama2.c checkpoints)")
        ->check(CLI::ExistingFile);
    run_app->add_option("-p,--prompt", options->generation.prompt, "Text to start from");
    run_app->add_option("-n,--steps", options->generation.steps,
                        "Positions to process, prompt included (0 = the whole context)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    run_app->add_option("-t,--temperature", options->generation.sampling.temperature, "0 = greedy")
        ->capture_default_str();
    run_app->add_option("--top-p", options->generation.sampling.top_p, "Nucleus sampling mass, in (0, 1]")
        ->capture_default_str();
    run_app->add_option("--top-k", options->generation.sampling.top_k, "Sample among the k most likely (0 = all)")
        ->capture_default_str();
    run_app->add_option("-s,--seed", options->generation.sampling.seed, "Sampling seed")->capture_default_str();
    add_chip_options(*run_app, options->system);
    add_partition_options(*run_app, options->system);
    run_app->add_option("--plan", options->system.plan_path, "Run a plan compiled by `lpu compile`")
        ->check(CLI::ExistingFile);
    run_app->add_flag("--json", options->json, "Print tokens, text and stats as one JSON object");
    run_app->footer(
        "Example:\n  lpu run --model ../shared/models/stories260K.gguf --temperature 0 --steps 256\n"
        "  lpu run --model stories260K.bin --tokenizer tok512.bin --prompt \"Once upon a time\" --steps 64\n"
        "  lpu run --model ../shared/models/stories260K.gguf --temperature 0 --tp 4 --pp 2");
    run_app->callback([options] {
        engine::validate(options->generation.sampling);
        run(*options);
    });
}

}  // namespace lpu::cli
