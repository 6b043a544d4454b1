#include "topology/topology_report.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "topology/builders.hpp"

using namespace lpu::topology;

TEST_CASE("topology report: the summary as text and as JSON", "[topology][report]") {
    const Topology r = ring(8);
    const std::string text = topology_report(r, "ring:8", {});
    CHECK_THAT(text, Catch::StartsWith("topology:   ring:8\nchips:      8\nlinks:      8 full duplex (16 directed channels)\n"));
    CHECK_THAT(text, Catch::Contains("diameter:   4 hops\n"));

    TopologyReportOptions as_json;
    as_json.json = true;
    const auto json = nlohmann::json::parse(topology_report(r, "ring:8", as_json));
    CHECK(json["name"] == "ring:8");
    CHECK(json["chips"] == 8);
    CHECK(json["diameter_hops"] == 4);
    CHECK_FALSE(json.contains("routes"));
}

TEST_CASE("topology report: routes between two chips replace the summary in text", "[topology][report]") {
    const Topology r = ring(8);
    TopologyReportOptions options;
    options.route = ChipPair{0, 2};
    const std::string text = topology_report(r, "ring:8", options);
    CHECK_THAT(text, Catch::StartsWith("routes 0 -> 2: 1 minimal,"));
    CHECK_THAT(text, Catch::Contains("  minimal   2 hops: 0 -("));
    CHECK_THAT(text, !Catch::Contains("chips:"));

    options.json = true;
    const auto json = nlohmann::json::parse(topology_report(r, "ring:8", options));
    CHECK(json["routes"]["minimal_hops"] == 2);
    CHECK(json["chips"] == 8);
}
