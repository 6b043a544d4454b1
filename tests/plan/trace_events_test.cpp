#include "plan/trace_events.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "base/error.hpp"
#include "tests/plan/sample_plan.hpp"

using Catch::Matchers::Contains;
namespace plan = lpu::plan;
using nlohmann::json;

namespace {

// The trace as a file would hold it, parsed back.
json trace_of(const plan::TraceOptions& options) {
    return json::parse(plan::trace_events(plan::testing::sample_plan(), options).dump());
}

std::vector<json> events_with_phase(const json& trace, const std::string& phase) {
    std::vector<json> events;
    for (const auto& event : trace.at("traceEvents")) {
        if (event.at("ph") == phase) events.push_back(event);
    }
    return events;
}

}  // namespace

TEST_CASE("the trace names a process per chip and has the trace-event envelope", "[plan][trace]") {
    const auto trace = trace_of({});
    CHECK(trace.at("displayTimeUnit") == "ns");
    std::map<std::int64_t, std::string> process_names;
    for (const auto& event : events_with_phase(trace, "M")) {
        if (event.at("name") == "process_name") process_names[event.at("pid")] = event.at("args").at("name");
    }
    CHECK(process_names == std::map<std::int64_t, std::string>{{1, "chip 0 (tp 0, stage 0)"}, {2, "chip 1 (tp 1, stage 0)"}});
}

TEST_CASE("every slice of the trace has a time, a duration and a track", "[plan][trace]") {
    plan::TraceOptions options;
    options.clock_hz = 1e9;  // one cycle is one nanosecond
    const auto trace = trace_of(options);
    const auto slices = events_with_phase(trace, "X");
    // 4 computes, 2 sends, 2 recvs, a deskew and a runtime deskew.
    REQUIRE(slices.size() == 10);
    for (const auto& slice : slices) {
        CHECK(slice.at("ts").is_number());
        CHECK(slice.at("dur").is_number());
        CHECK(slice.at("pid").is_number_integer());
        CHECK(slice.at("tid").is_number_integer());
        CHECK(slice.at("name").is_string());
    }
    // Chip 0's attention, retimed for position 0: cycle 10, 54 cycles.
    const auto attention = std::find_if(slices.begin(), slices.end(), [](const json& e) { return e.at("name") == "attention"; });
    REQUIRE(attention != slices.end());
    CHECK(attention->at("pid") == 1);
    CHECK(attention->at("ts").get<double>() == Approx(0.010));
    CHECK(attention->at("dur").get<double>() == Approx(0.054));
    CHECK(attention->at("args").at("cycles") == 54);
    CHECK(attention->at("args").at("shape") == json::array({4, 16}));
    CHECK(events_with_phase(trace, "i").size() == 3);  // the collective and two syncs
}

TEST_CASE("every send starts a flow that its recv finishes", "[plan][trace]") {
    plan::TraceOptions options;
    options.clock_hz = 1e9;
    options.position = 99;
    const auto trace = trace_of(options);
    const auto starts = events_with_phase(trace, "s");
    const auto finishes = events_with_phase(trace, "f");
    REQUIRE(starts.size() == 2);
    REQUIRE(finishes.size() == 2);
    std::map<std::int64_t, json> start_by_id;
    for (const auto& start : starts) CHECK(start_by_id.emplace(start.at("id"), start).second);
    for (const auto& finish : finishes) {
        REQUIRE(start_by_id.contains(finish.at("id")));
        const auto& start = start_by_id.at(finish.at("id"));
        CHECK(finish.at("bp") == "e");
        CHECK(finish.at("pid") != start.at("pid"));
        CHECK(finish.at("ts").get<double>() > start.at("ts").get<double>());
    }
    // Chip 0 sends at cycle 460 at position 99 (retime_test); chip 1 receives at 560.
    const auto& from_chip0 = start_by_id.begin()->second;
    CHECK(from_chip0.at("pid") == 1);
    CHECK(from_chip0.at("ts").get<double>() == Approx(0.460));
}

TEST_CASE("a chip filter keeps only those chips and the flows between them", "[plan][trace]") {
    plan::TraceOptions options;
    options.chips = {1};
    const auto trace = trace_of(options);
    for (const auto& event : trace.at("traceEvents")) CHECK(event.at("pid") == 2);
    CHECK(events_with_phase(trace, "s").empty());
    CHECK(events_with_phase(trace, "f").empty());
    CHECK_FALSE(events_with_phase(trace, "X").empty());
}

TEST_CASE("the trace refuses unknown chips, bad clocks and negative positions", "[plan][trace]") {
    const auto sample = plan::testing::sample_plan();
    plan::TraceOptions options;
    options.chips = {0, 5};
    CHECK_THROWS_WITH(plan::trace_events(sample, options), Contains("chip 5 is not a chip of the plan"));
    options = {};
    options.clock_hz = 0;
    CHECK_THROWS_AS(plan::trace_events(sample, options), lpu::Error);
    options = {};
    options.position = -1;
    CHECK_THROWS_AS(plan::trace_events(sample, options), lpu::Error);
}
