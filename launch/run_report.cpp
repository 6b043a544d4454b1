#include "launch/run_report.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "base/error.hpp"
#include "base/json_text.hpp"
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
}

}  // namespace

std::string grid_name(const plan::Plan& plan) {
    return "tp " + std::to_string(plan.grid.tp) + " x pp " + std::to_string(plan.grid.pp) + " on " +
           plan.system.topology;
}

ChipReport chip_report(const chip::EmulatedChip& chip) {
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
    return {sram.used_bytes(), sram.capacity_bytes(), usage, cycles};
}

nlohmann::json process_report(const std::vector<ChipReport>& chips, const std::optional<sim::FabricFigures>& fabric) {
    nlohmann::json report = {{"chips", nlohmann::json::array()}};
    for (const ChipReport& chip : chips) {
        report["chips"].push_back({{"used", chip.used_bytes},
                                   {"capacity", chip.capacity_bytes},
                                   {"sram", chip.sram},
                                   {"cycles", chip.cycles}});
    }
    if (fabric) report["fabric"] = fabric_json(*fabric);
    return report;
}

void add_process_report(RunChips& run, const nlohmann::json& report) {
    try {
        for (const auto& chip : report.at("chips")) {
            run.chips.push_back({chip.at("used").get<std::int64_t>(), chip.at("capacity").get<std::int64_t>(),
                                 chip.at("sram"), chip.at("cycles")});
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
