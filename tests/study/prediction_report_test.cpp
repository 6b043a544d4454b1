// What `lpu sim` and `lpu sweep` report for a plan that is not in lockstep:
// the verdict with its first violation, and no figures (the compiler emits no
// such plan, so the report is built by hand here).
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

#include "sim/chip/chip_spec.hpp"
#include "study/prediction_report.hpp"
#include "study/sweep_table.hpp"

namespace lpu::study {
namespace {

SimPrediction prediction_not_in_lockstep() {
    SimPrediction prediction;
    prediction.config.name = "shape";
    prediction.model_source = "preset shape";
    prediction.spec = sim::chip_spec_preset("tsp-v1");
    prediction.topology = "fc:8";
    prediction.context_positions = 256;
    prediction.grid = {4, 2, 1, 1, 1};
    prediction.chips = 8;
    sim::PlanLockstepVerdict verdict;
    verdict.windows = {{0, 3, false, 4096, 40000}, {253, 3, true, 200000000, 200036000}};
    verdict.transfers = 3642;
    verdict.overwritten = 522;
    verdict.first_violation = "positions 0-2 after the alignment settles: transfer 3 (chip 1 -> 0) overwritten by "
                              "transfer 9 85088 ps (77 cycles) before it was read";
    prediction.lockstep = verdict;
    return prediction;
}

}  // namespace

TEST_CASE("sim report: a plan not in lockstep gives its first violation and no figures", "[launch][sim]") {
    const SimPrediction prediction = prediction_not_in_lockstep();
    CHECK_FALSE(prediction.predicted());

    const std::string text = prediction_text(prediction);
    CHECK(text.find("plan:    NOT in lockstep: 2 x 3 steps (positions 0-2 after the alignment settles, positions "
                    "253-255 before the next correction), 3642 transfers, 522 violations (0 late, 522 overwritten); "
                    "first, at positions 0-2") != std::string::npos);
    CHECK(text.find("no prediction: ") != std::string::npos);
    CHECK(text.find("decode:") == std::string::npos);
    CHECK(text.find("tokens/s") == std::string::npos);

    const auto json = prediction_json(prediction);
    CHECK(json.at("fits") == true);
    CHECK(json.at("lockstep").at("in_lockstep") == false);
    CHECK(json.at("lockstep").at("overwritten_transfers") == 522);
    CHECK(json.at("lockstep").at("first_violation").get<std::string>().find("overwritten by transfer 9") !=
          std::string::npos);
    CHECK_FALSE(json.contains("decode"));
    CHECK_FALSE(json.contains("energy"));
}

TEST_CASE("sweep row: a plan not in lockstep is in_lockstep 0, without figures", "[launch][sweep]") {
    const SimPrediction prediction = prediction_not_in_lockstep();
    const SweepPoint point{8, 0, 0, 1, "fc:8", 1, 256};
    const std::string header = sweep_csv_header();
    const std::string row = sweep_csv_row({point, 8, prediction});
    // fits = 1, in_lockstep = 0, then no grid and no figures, and the verdict as the note.
    CHECK(header.find(",fits,in_lockstep,chips,") != std::string::npos);
    CHECK(row.find(",8,1,0,,,,,") != std::string::npos);
    CHECK(row.find("\"NOT in lockstep: 2 x 3 steps (") != std::string::npos);
    CHECK(std::count(row.begin(), row.end(), ',') >= std::count(header.begin(), header.end(), ','));
}

}  // namespace lpu::study
