// lpu calibrate from the command line: a bad measurements file is one
// `error: ...` line naming the row, exit 2; a good one prints the fit.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu::test {
namespace {

const std::string header = "model,dtype,context,chips,topology,batch,metric,value,source\n";
const std::string fit = " --fit mxm_weight_install_bytes_per_cycle=100:10000 -q";

std::string csv_file(const std::string& text) {
    const auto path = unique_temp_path("calibrate", ".csv");
    std::ofstream(path) << text;
    return path.string();
}

void check_refused(const std::string& text, const std::string& expected) {
    const auto path = csv_file(text);
    const auto result = run_lpu("calibrate " + path + fit);
    INFO(result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.rfind("error: ", 0) == 0);
    CHECK(result.err.find(expected) != std::string::npos);
    std::filesystem::remove(path);
}

}  // namespace

TEST_CASE("lpu calibrate: bad measurements are exit 2 naming the row", "[cli][calibrate]") {
    const std::string row = "llama2-70b,int8,4096,576,dragonfly:8,1,tokens_per_second_per_user,185,x\n";
    check_refused("model,dtype,context,topology,batch,metric,value,source\n", "missing column 'chips'");
    check_refused(header + row + "llama9-1b,int8,4096,576,,1,tokens_per_second_per_user,10,x\n",
                  "row 2: model 'llama9-1b' is neither a model preset");
    check_refused(header + "llama2-70b,int8,4096,8,,1,tokens_per_second_per_user,185,x\n",
                  "row 1 (llama2-70b, 8 chips): the model does not fit its chips");
    check_refused(header + "llama2-70b,int8,4096,576,,1,tokens_per_second_per_user,-3,x\n",
                  "row 1: value must be positive");
}

TEST_CASE("lpu calibrate --json -o: the fit, its rows and the spec file", "[cli][calibrate]") {
    LPU_REQUIRE_SHARED_MODEL(model, "stories260K.gguf");
    const auto path = csv_file(header + model + ",,256,1,,1,tokens_per_second_per_user,20000,test\n");
    const auto spec = unique_temp_path("calibrated", ".json");
    const auto result = run_lpu("calibrate " + path + fit + " --json -o " + spec.string());
    REQUIRE(result.exit_code == 0);
    const auto out = nlohmann::json::parse(result.out);
    const double rate = out["fitted"]["mxm_weight_install_bytes_per_cycle"]["value"];
    CHECK(rate >= 100.0);
    CHECK(rate <= 10000.0);
    CHECK(out["rows"].size() == 1);
    CHECK(out["rows"][0]["leave_one_out_error"].is_null());  // one row: nothing to leave out
    const auto written = nlohmann::json::parse(std::ifstream(spec));
    CHECK(written["mxm_weight_install_bytes_per_cycle"] == std::llround(rate));
    std::filesystem::remove(path);
    std::filesystem::remove(spec);
}

}  // namespace lpu::test
