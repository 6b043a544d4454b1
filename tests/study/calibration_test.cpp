// lpu calibrate's library: the measurements table refuses bad rows by name,
// and a fit recovers a spec value the simulator itself generated the
// measurements with, from a search range that does not start at it.
#include <cmath>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "study/calibration.hpp"
#include "study/measurements.hpp"
#include "tests/support/paths.hpp"

namespace lpu::study {
namespace {

const std::string header = "model,dtype,context,chips,topology,batch,metric,value,source\n";

}  // namespace

TEST_CASE("measurements: quoted sources, comments and every column", "[study][calibration]") {
    const auto rows = parse_measurements(header + "# a comment\n"
                                                  "llama2-70b,int8,4096,576,dragonfly:8,1,tokens_per_second_per_user,"
                                                  "185,\"LLMPerf, Jan 2024\"\n",
                                         "t.csv");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].source == "LLMPerf, Jan 2024");
    CHECK(rows[0].chips == 576);
    CHECK(rows[0].metric == Metric::tokens_per_second_per_user);
}

TEST_CASE("measurements: bad rows are errors naming the row", "[study][calibration]") {
    const std::string good = "llama2-70b,int8,4096,576,dragonfly:8,1,tokens_per_second_per_user,185,x\n";
    CHECK_THROWS_WITH(parse_measurements("model,dtype,context,topology,batch,metric,value,source\n" + good, "t.csv"),
                      Catch::Contains("t.csv: missing column 'chips'"));
    CHECK_THROWS_WITH(parse_measurements(header + good + "llama9-1b,int8,4096,576,,1,tokens_per_second_per_user,1,x\n",
                                         "t.csv"),
                      Catch::Contains("t.csv row 2: model 'llama9-1b' is neither a model preset"));
    CHECK_THROWS_WITH(parse_measurements(header + good + good.substr(0, good.find(",185")) + ",0,x\n", "t.csv"),
                      Catch::Contains("t.csv row 2: value must be positive"));
    CHECK_THROWS_WITH(parse_measurements(header + "llama2-70b,int8,4096,576,,1,tokens_per_hour,1,x\n", "t.csv"),
                      Catch::Contains("t.csv row 1: unknown metric 'tokens_per_hour'"));
    CHECK_THROWS_WITH(parse_measurements(header + "llama2-70b,int8,4096,five,,1,tokens_per_second_per_user,1,x\n",
                                         "t.csv"),
                      Catch::Contains("t.csv row 1: chips must be a whole number"));
}

TEST_CASE("calibration: a model that does not fit its chips is an error naming the row", "[study][calibration]") {
    const auto rows = parse_measurements(header + "llama2-70b,int8,4096,8,,1,tokens_per_second_per_user,185,x\n", "t.csv");
    CHECK_THROWS_WITH(calibrate(rows, {parse_fit_field("mxm_weight_install_bytes_per_cycle=100:10000")},
                                sim::ChipSpec{}, "fitted"),
                      Catch::Contains("row 1 (llama2-70b, 8 chips): the model does not fit its chips"));
}

TEST_CASE("calibration: --fit names a numeric spec field and a range", "[study][calibration]") {
    CHECK(parse_fit_field("link_latency_mean_cycles=300:900").high == 900.0);
    CHECK_THROWS_WITH(parse_fit_field("warp_factor=1:2"), Catch::Contains("not a numeric chip spec field"));
    CHECK_THROWS_WITH(parse_fit_field("link_latency_mean_cycles=900:300"), Catch::Contains("0 < LOW < HIGH"));
    CHECK_THROWS_WITH(parse_fit_field("link_latency_mean_cycles"), Catch::Contains("NAME=LOW:HIGH"));
}

TEST_CASE("calibration recovers the install rate the measurements were simulated with", "[study][calibration]") {
    LPU_REQUIRE_SHARED_MODEL(model, "stories260K.gguf");
    sim::ChipSpec truth;
    truth.mxm_weight_install_bytes_per_cycle = 1'700;
    std::vector<Measurement> rows;
    for (std::int64_t chips : {1, 4}) {
        Measurement m;
        m.row = rows.size() + 1;
        m.model = model;
        m.context = 256;
        m.chips = chips;
        m.value = 1.0;
        m.value = predict_measurement(m, truth);
        rows.push_back(m);
    }
    const auto field = parse_fit_field("mxm_weight_install_bytes_per_cycle=100:40000");
    const auto first = calibrate(rows, {field}, sim::ChipSpec{}, "fitted");
    CHECK(first.values[0] == Approx(1'700).epsilon(0.02));
    CHECK(first.spec.name == "fitted");
    for (const auto& row : first.rows) {
        CHECK(std::abs(row.relative_error) < 0.01);
        REQUIRE(row.leave_one_out_error.has_value());
        CHECK(std::abs(*row.leave_one_out_error) < 0.02);
    }
    // Deterministic: the same fit again gives the same bits.
    CHECK(calibrate(rows, {field}, sim::ChipSpec{}, "fitted").values == first.values);
}

}  // namespace lpu::study
