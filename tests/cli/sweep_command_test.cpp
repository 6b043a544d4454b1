// `lpu sweep` end to end through the real binary: one CSV row per point, the
// same bytes on a second run, refusals as rows, SVG plots, bad input exit 2.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/run_command.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu::test {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Field `index` of a CSV line without quoted fields before it.
std::string field(const std::string& line, std::size_t index) {
    std::size_t begin = 0;
    for (std::size_t i = 0; i < index; ++i) begin = line.find(',', begin) + 1;
    return line.substr(begin, line.find(',', begin) - begin);
}

std::size_t column(const std::string& header, const std::string& name) {
    const auto names = [&] {
        std::vector<std::string> all;
        std::istringstream in(header);
        for (std::string cell; std::getline(in, cell, ',');) all.push_back(cell);
        return all;
    }();
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) return i;
    }
    FAIL("no column " << name);
    return 0;
}

}  // namespace

TEST_CASE("lpu sweep writes one row per point, refusals included, and the same CSV twice", "[launch][sweep]") {
    const auto first = unique_temp_path("sweep-a");
    const auto second = unique_temp_path("sweep-b");
    const std::string sweep = "sweep --model-preset llama2-7b --chips 4,64,128 --batch 1,2 --context 512 -q --out ";
    const auto run = run_lpu(sweep + first.string());
    REQUIRE(run.exit_code == 0);
    CHECK(run.err.empty());  // -q: no progress
    const std::string csv = read_file(first / "sweep.csv");
    const auto lines = lines_of(csv);
    REQUIRE(lines.size() == 1 + 3 * 2);
    const std::string& header = lines[0];
    const std::size_t fits = column(header, "fits"), chips = column(header, "chips");
    const std::size_t asked = column(header, "chips_asked"), batch = column(header, "batch");
    const std::size_t needed = column(header, "chips_needed"), per_user = column(header, "tokens_per_s_per_user");
    const std::size_t aggregate = column(header, "tokens_per_s_aggregate");
    for (std::size_t i = 1; i < lines.size(); ++i) {
        CAPTURE(lines[i]);
        const bool small = field(lines[i], asked) == "4";
        CHECK(field(lines[i], fits) == (small ? "0" : "1"));  // 7B needs more than 4 chips
        CHECK(std::stoi(field(lines[i], needed)) > 4);
        if (small) {
            CHECK(lines[i].find("needs at least") != std::string::npos);  // the reason is in the row
            continue;
        }
        CHECK(field(lines[i], chips) == field(lines[i], asked));
        CHECK(std::stod(field(lines[i], per_user)) > 0.0);
        // A step serves every sequence of the batch at once.
        const double ratio = std::stod(field(lines[i], aggregate)) / std::stod(field(lines[i], per_user));
        CHECK(ratio >= (field(lines[i], batch) == "2" ? 1.5 : 1.0) - 1e-9);
    }
    for (const char* plot : {"latency.svg", "throughput.svg", "chips_needed.svg"}) {
        CAPTURE(plot);
        CHECK(read_file(first / plot).find("<svg") != std::string::npos);
    }

    REQUIRE(run_lpu(sweep + second.string() + " --no-plots").exit_code == 0);
    CHECK(read_file(second / "sweep.csv") == csv);
    CHECK_FALSE(std::filesystem::exists(second / "latency.svg"));
    std::filesystem::remove_all(first);
    std::filesystem::remove_all(second);
}

TEST_CASE("lpu sweep over tp x pp with replicas, and a point with no grid is a row", "[launch][sweep]") {
    const auto out = unique_temp_path("sweep-grid");
    const auto run = run_lpu("sweep --model-preset llama2-7b --tp 8,64 --pp 8 --replicas 1,2 --context 256 "
                             "--topology dragonfly:2 --no-plots -q --out " + out.string());
    REQUIRE(run.exit_code == 0);
    const auto lines = lines_of(read_file(out / "sweep.csv"));
    REQUIRE(lines.size() == 1 + 2 * 2);
    const std::size_t chips = column(lines[0], "chips"), replicas = column(lines[0], "replicas");
    const std::size_t fits = column(lines[0], "fits");
    // Order: replicas, then tp x pp.
    CHECK(field(lines[1], chips) == "64");
    CHECK(field(lines[2], fits) == "0");  // tp 64 x pp 8 = 512 chips: more than 2 racks hold
    CHECK(field(lines[3], chips) == "128");
    CHECK(field(lines[3], replicas) == "2");
    CHECK(field(lines[4], fits) == "0");
    std::filesystem::remove_all(out);
}

TEST_CASE("lpu sweep: bad input is exit 2 with one error line", "[launch][sweep]") {
    const auto out = unique_temp_path("sweep-bad");
    for (const std::string& arguments : {std::string("--model-preset llama2-7b"),  // no chips nor grid
                                         std::string("--model-preset llama2-7b --chips 8 --tp 2 --pp 4"),
                                         std::string("--model-preset llama2-7b --chips 8 --replicas two"),
                                         std::string("--model-preset nope --chips 8"),
                                         std::string("--chips 8")}) {
        CAPTURE(arguments);
        const auto result = run_lpu("sweep " + arguments + " -q --no-plots --out " + out.string());
        CHECK(result.exit_code == 2);
        CHECK(result.err.rfind("error: ", 0) == 0);
    }
    std::filesystem::remove_all(out);
}

}  // namespace lpu::test
