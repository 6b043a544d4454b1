#include "launch/run_report.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "base/error.hpp"
#include "base/json_text.hpp"
#include "base/printf_text.hpp"
#include "base/utf8.hpp"
#include "launch/run_fabric.hpp"

namespace lpu::launch {
namespace {

// A sequence's text and tokens. Tokens are exact; the text is their bytes, which
// a model can end halfway through a character (or produce byte tokens that make
// no character): JSON needs UTF-8, so invalid parts show as U+FFFD and
// "text_replaced_invalid_utf8" says it happened.
void add_text(nlohmann::json& out, const engine::GenerationResult& result) {
    const ValidUtf8 text = valid_utf8(result.text);
    out["tokens"] = result.tokens;
    out["text"] = text.text;
    out["text_replaced_invalid_utf8"] = text.replaced;
    out["stopped_at_eos"] = result.stopped_at_eos;
}

engine::ExpertLoad expert_load(const RunChips& run) {
    engine::ExpertLoad load;
    for (const auto& chip : run.chips) engine::merge(load, chip.expert_load);
    return load;
}

nlohmann::json expert_load_json(const engine::ExpertLoad& load) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& [layer, tokens] : load) layers.push_back({{"layer", layer}, {"tokens", tokens}});
    return layers;
}

engine::ExpertLoad expert_load_from_json(const nlohmann::json& layers) {
    engine::ExpertLoad load;
    for (const auto& layer : layers) {
        load[layer.at("layer").get<int>()] = layer.at("tokens").get<std::vector<std::int64_t>>();
    }
    return load;
}

// "tokens per expert (all layers) 40 36 ..., busiest 1.25x the mean".
std::string expert_load_summary(const engine::ExpertLoad& load) {
    std::vector<std::int64_t> total;
    for (const auto& [layer, tokens] : load) {
        total.resize(std::max(total.size(), tokens.size()));
        for (std::size_t e = 0; e < tokens.size(); ++e) total[e] += tokens[e];
    }
    std::string text = "tokens per expert (all layers)";
    std::int64_t sum = 0, busiest = 0;
    for (std::int64_t tokens : total) {
        text.append(" ").append(std::to_string(tokens));
        sum += tokens;
        busiest = std::max(busiest, tokens);
    }
    return text + printf_text(", busiest %.2fx the mean",
                              sum > 0 ? static_cast<double>(busiest) * static_cast<double>(total.size()) /
                                            static_cast<double>(sum)
                                      : 0.0);
}

// The first sequence's fields at the top (what a batch of one prints), every
// sequence under "sequences" when there are several.
nlohmann::json to_json(const std::vector<engine::GenerationResult>& results, const RunChips& run) {
    const auto& result = results.front();
    const auto& stats = result.stats;
    nlohmann::json sram = nlohmann::json::array(), cycles = nlohmann::json::array();
    for (const auto& chip : run.chips) {
        sram.push_back(chip.sram);
        cycles.push_back(chip.cycles);
    }
    nlohmann::json out = {
        {"prompt_tokens", result.prompt_tokens},
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
          {"sram", run.chips.size() == 1 ? sram.front() : sram},
          {"cycles", run.chips.size() == 1 ? cycles.front() : cycles}}},
    };
    add_text(out, result);
    if (run.fabric) out["stats"]["fabric"] = launch::fabric_json(*run.fabric);
    if (const auto load = expert_load(run); !load.empty()) out["stats"]["expert_load"] = expert_load_json(load);
    if (!result.top_logits.empty()) {
        // Per position [[token, logit], ...], highest first.
        nlohmann::json positions = nlohmann::json::array();
        for (const auto& highest : result.top_logits) {
            nlohmann::json pairs = nlohmann::json::array();
            for (const auto& entry : highest) pairs.push_back({entry.token, entry.logit});
            positions.push_back(std::move(pairs));
        }
        out["top_logits"] = std::move(positions);
    }
    if (results.size() > 1) {
        out["sequences"] = nlohmann::json::array();
        for (const auto& sequence : results) {
            nlohmann::json entry = nlohmann::json::object();
            add_text(entry, sequence);
            out["sequences"].push_back(std::move(entry));
        }
    }
    return out;
}

void print_summary(const engine::GenerationResult& result, const RunChips& run) {
    const auto& stats = result.stats;
    std::int64_t fullest = 0, emptiest = run.chips.front().used_bytes;
    for (const auto& chip : run.chips) {
        fullest = std::max(fullest, chip.used_bytes);
        emptiest = std::min(emptiest, chip.used_bytes);
    }
    std::fprintf(stderr,
                 "lpu run: %d tokens (%d positions) | host %.1f tokens/s | emulated %.2f us/token "
                 "on %s at %.0f MHz | SRAM per chip %.2f-%.2f of %.1f MB\n",
                 static_cast<int>(result.tokens.size()), stats.positions, stats.host_tokens_per_second(),
                 stats.emulated_us_per_token(), run.grid.c_str(), stats.clock_hz / 1e6, emptiest / 1e6, fullest / 1e6,
                 run.chips.front().capacity_bytes / 1e6);
    if (stats.batch > 1) {
        std::fprintf(stderr, "lpu run: batch of %d sequences | emulated throughput %.0f tokens/s (all sequences)\n",
                     stats.batch, stats.emulated_tokens_per_second());
    }
    if (run.fabric) std::fprintf(stderr, "lpu run: %s\n", launch::fabric_summary(*run.fabric).c_str());
    if (const auto load = expert_load(run); !load.empty()) {
        std::fprintf(stderr, "lpu run: mixture of experts: %s\n", expert_load_summary(load).c_str());
    }
}

}  // namespace

std::string grid_name(const plan::Plan& plan) {
    return "tp " + std::to_string(plan.grid.tp) + " x pp " + std::to_string(plan.grid.pp) + " on " +
           plan.system.topology;
}

ChipReport chip_report(const chip::EmulatedChip& chip, const engine::ExpertLoad& expert_load) {
    const chip::SramArena& sram = chip.sram();
    nlohmann::json usage = {{"capacity_bytes", sram.capacity_bytes()}, {"used_bytes", sram.used_bytes()}};
    for (auto use : {chip::SramUse::Weights, chip::SramUse::KvCache, chip::SramUse::Activations,
                     chip::SramUse::ReceiveBuffers}) {
        usage[chip::sram_use_name(use) + "_bytes"] = sram.used_bytes(use);
    }
    nlohmann::json cycles = {{"total", chip.cycles().total_cycles()}};
    for (auto kind : {chip::OpKind::Matmul, chip::OpKind::Vector, chip::OpKind::Attention, chip::OpKind::Transfer,
                      chip::OpKind::Stall}) {
        cycles[chip::op_kind_name(kind)] = chip.cycles().total_cycles(kind);
    }
    return {sram.used_bytes(), sram.capacity_bytes(), usage, cycles, expert_load};
}

ChipReport chip_report(const engine::ChipRunner& runner) {
    return chip_report(runner.chip(), runner.program().role.tp_rank == 0 ? runner.expert_load() : engine::ExpertLoad{});
}

nlohmann::json process_report(const std::vector<ChipReport>& chips, const std::optional<sim::FabricFigures>& fabric) {
    nlohmann::json report = {{"chips", nlohmann::json::array()}};
    for (const ChipReport& chip : chips) {
        report["chips"].push_back({{"used", chip.used_bytes},
                                   {"capacity", chip.capacity_bytes},
                                   {"sram", chip.sram},
                                   {"cycles", chip.cycles},
                                   {"expert_load", expert_load_json(chip.expert_load)}});
    }
    if (fabric) report["fabric"] = fabric_json(*fabric);
    return report;
}

void add_process_report(RunChips& run, const nlohmann::json& report) {
    try {
        for (const auto& chip : report.at("chips")) {
            run.chips.push_back({chip.at("used").get<std::int64_t>(), chip.at("capacity").get<std::int64_t>(),
                                 chip.at("sram"), chip.at("cycles"), expert_load_from_json(chip.at("expert_load"))});
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("the chips of a process's report: ") + e.what());
    }
    if (report.contains("fabric")) {
        const sim::FabricFigures figures = fabric_from_json(report.at("fabric"));
        run.fabric = run.fabric ? sim::merge(*run.fabric, figures) : figures;
    }
}

std::function<void(std::string_view)> text_stream(const ReportOptions& options, int batch) {
    if (options.json || batch != 1) return {};
    return [](std::string_view piece) {
        std::fwrite(piece.data(), 1, piece.size(), stdout);
        std::fflush(stdout);
    };
}

void print_report(const std::vector<engine::GenerationResult>& results, const RunChips& chips,
                  const ReportOptions& options) {
    if (options.json) {
        std::cout << json_text(to_json(results, chips), 2) << "\n";
    } else if (results.size() == 1) {
        std::fputc('\n', stdout);  // after the streamed text
    } else {
        for (std::size_t b = 0; b < results.size(); ++b) {
            std::printf("--- sequence %zu (seed %llu)\n%s\n", b, static_cast<unsigned long long>(options.seed + b),
                        results[b].text.c_str());
        }
    }
    std::fflush(stdout);
    print_summary(results.front(), chips);
}

}  // namespace lpu::launch
