#pragma once
// What `lpu run` prints once generation is done: the text (streamed for one
// sequence, per sequence for a batch) or one JSON object, and a summary line
// on stderr with the grid, speeds and every chip's SRAM use (and in JSON each
// chip's cycle account), and for a plan
// the fabric figures of the steps it ran (launch/run_fabric.hpp).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/plan.hpp"
#include "runtime/chip/emulated_chip.hpp"
#include "runtime/engine/chip_runner.hpp"
#include "runtime/engine/expert_load.hpp"
#include "runtime/engine/generator.hpp"
#include "sim/fabric/plan_fabric.hpp"

namespace lpu::launch {

// One chip's SRAM use and cycle account, as the report shows them.
struct ChipReport {
    std::int64_t used_bytes = 0;
    std::int64_t capacity_bytes = 0;
    nlohmann::json sram;    // capacity, used, and bytes per use
    nlohmann::json cycles;  // the run's cycles: total, and per kind (matmul, ..., transfer, stall)
    engine::ExpertLoad expert_load;  // a mixture of experts' routing, counted once per layer
};
ChipReport chip_report(const chip::EmulatedChip& chip, const engine::ExpertLoad& expert_load = {});
// A chip of a plan: its stage's expert load on TP rank 0 only (every rank routes the same tokens).
ChipReport chip_report(const engine::ChipRunner& runner);

// "tp 2 x pp 4 on fc:8": the grid and system a plan runs on, for reports.
std::string grid_name(const plan::Plan& plan);

struct RunChips {
    std::vector<ChipReport> chips;
    std::string grid;  // "tp 2 x pp 4 on fc:8", or "1 chip"
    std::optional<sim::FabricFigures> fabric;  // runs of a plan
};

// One process's share of a run spread over processes, as it travels to rank
// 0: its chips' SRAM use and cycle accounts and, after a fabric run, its
// fabric figures.
nlohmann::json process_report(const std::vector<ChipReport>& chips, const std::optional<sim::FabricFigures>& fabric);
// Adds a process's share to `run`: its chips after those already there, its
// fabric figures merged. Throws lpu::Error naming what is malformed.
void add_process_report(RunChips& run, const nlohmann::json& report);

struct ReportOptions {
    bool json = false;
    std::uint64_t seed = 0;  // sequence b was sampled with seed + b
};

// Where streamed text goes while generating (stdout), for one sequence without --json.
std::function<void(std::string_view)> text_stream(const ReportOptions& options, int batch);

void print_report(const std::vector<engine::GenerationResult>& results, const RunChips& chips,
                  const ReportOptions& options);

}  // namespace lpu::launch
