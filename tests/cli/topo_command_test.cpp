// `lpu topo` end to end through the real binary.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/skip.hpp"

namespace lpu::test {
namespace {

class TopoDir {
public:
    TopoDir() : path_(std::filesystem::temp_directory_path() / ("lpu-topo-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(path_);
    }
    ~TopoDir() { std::filesystem::remove_all(path_); }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

nlohmann::json topo_json(const std::string& arguments) {
    const auto result = run_lpu("topo " + arguments + " --json");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(result.out);
}

}  // namespace

TEST_CASE("lpu topo: text summary", "[launch][topo]") {
    const auto result = run_lpu("topo torus:4x4x4");
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.find("chips:      64") != std::string::npos);
    CHECK(result.out.find("diameter:   6 hops") != std::string::npos);
    CHECK(result.out.find("bisection:  32 links") != std::string::npos);
}

TEST_CASE("lpu topo --json: the required fields, byte-identical across runs", "[launch][topo]") {
    const auto json = topo_json("dragonfly:145");
    CHECK(json["chips"] == 10'440);
    CHECK(json["links"] == 145 * 324 + 145 * 72);
    CHECK(json["racks"] == 145);
    CHECK(json["diameter_hops"].get<int>() > 1);
    CHECK(json["avg_hops"].get<double>() > 1.0);
    CHECK(run_lpu("topo ring:9 --json").out == run_lpu("topo ring:9 --json").out);
}

TEST_CASE("lpu topo --route prints minimal and indirect routes", "[launch][topo]") {
    const auto json = topo_json("fc:4 --route 0,1");
    CHECK(json["routes"]["minimal_hops"] == 1);
    CHECK(json["routes"]["minimal"].size() == 1);
    CHECK(json["routes"]["indirect"].size() == 2);
    const auto text = run_lpu("topo ring:6 --route 0,2");
    REQUIRE(text.exit_code == 0);
    CHECK(text.out.find("minimal   2 hops: 0 -(p0>p1)-> 1 -(p0>p1)-> 2") != std::string::npos);
    CHECK(text.out.find("indirect  4 hops") != std::string::npos);
    CHECK(run_lpu("topo ring:6 --route 0,9").exit_code == 2);
    CHECK(run_lpu("topo ring:6 --route 0").exit_code == 2);
}

TEST_CASE("lpu topo --save writes files that load back identically", "[launch][topo]") {
    TopoDir dir;
    for (const char* name : {"t.json", "t.topo.bin"}) {
        const auto path = dir.file(name);
        REQUIRE(run_lpu("topo dragonfly:2,spare --save " + path).exit_code == 0);
        CHECK(topo_json(path) == topo_json("dragonfly:2,spare"));
    }
    CHECK(topo_json(lpu::test::source_dir().string() + "/examples/topologies/bowtie.json")["chips"] == 6);
}

TEST_CASE("lpu topo: malformed topologies give error: and exit 2", "[launch][topo]") {
    TopoDir dir;
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir.file(name)) << text;
        return dir.file(name);
    };
    const std::pair<std::string, std::string> cases[] = {
        {write("bad.json", "{\"chips\": 2, "), "bad JSON"},
        {write("budget.json", R"({"chips": 2, "links": [{"a": 0, "b": 1, "port_a": 20}]})"), "port budget exceeded"},
        {write("twice.json", R"({"chips": 3, "links": [{"a": 0, "b": 1, "port_a": 1}, {"a": 0, "b": 2, "port_a": 1}]})"),
         "used twice"},
        {write("dangling.json", R"({"chips": 2, "links": [[0, 1], [1, 4]]})"), "dangling"},
        {write("self.json", R"({"chips": 2, "links": [[0, 1], [1, 1]]})"), "to itself"},
        {write("split.json", R"({"chips": 4, "links": [[0, 1], [2, 3]]})"), "unreachable"},
        {write("bad.topo.bin", "not capnp"), "not a Cap'n Proto message"},
        {"torus:4x", "not a whole number"},
        {"nosuch.json", "no such file"},
    };
    for (const auto& [spec, message] : cases) {
        const auto result = run_lpu("topo " + spec);
        INFO(spec << ": " << result.err);
        CHECK(result.exit_code == 2);
        CHECK(result.err.rfind("error: ", 0) == 0);
        CHECK(result.err.find(message) != std::string::npos);
    }
}

TEST_CASE("lpu topo --dot output is accepted by Graphviz", "[launch][topo]") {
    if (run_shell("command -v dot").exit_code != 0) LPU_SKIP("Graphviz dot is not installed");
    TopoDir dir;
    for (const char* spec : {"torus:3x3", "dragonfly:1,spare", "dragonfly:4"}) {
        const auto dot = dir.file("t.dot");
        REQUIRE(run_lpu(std::string("topo ") + spec + " --dot " + dot).exit_code == 0);
        const auto rendered = run_shell("dot -Tsvg " + dot + " -o " + dir.file("t.svg"));
        INFO(spec << ": " << rendered.err);
        CHECK(rendered.exit_code == 0);
        CHECK(std::filesystem::file_size(dir.file("t.svg")) > 0);
    }
}

}  // namespace lpu::test
