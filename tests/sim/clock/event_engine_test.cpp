#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "sim/clock/event_engine.hpp"

namespace lpu::sim {

TEST_CASE("EventEngine: events run by time, then in the order they were scheduled", "[sim][event_engine]") {
    EventEngine engine;
    std::vector<std::string> log;
    engine.schedule_at(300, [&](EventEngine&) { log.push_back("c@300"); });
    engine.schedule_at(100, [&](EventEngine&) { log.push_back("a@100"); });
    engine.schedule_at(100, [&](EventEngine&) { log.push_back("b@100"); });
    engine.schedule_at(200, [&](EventEngine& e) {
        log.push_back("d@200");
        // Scheduled later, at the same time as c: runs after it.
        e.schedule_after(100, [&](EventEngine& inner) { log.push_back("e@" + std::to_string(inner.now_ps())); });
    });
    engine.run();
    CHECK(log == std::vector<std::string>{"a@100", "b@100", "d@200", "c@300", "e@300"});
    CHECK(engine.now_ps() == 300);
    CHECK(engine.events_run() == 5);
    CHECK(engine.pending() == 0);
}

TEST_CASE("EventEngine: run_until stops at a time; the past cannot be scheduled", "[sim][event_engine]") {
    EventEngine engine;
    int ran = 0;
    for (int i = 1; i <= 10; ++i) engine.schedule_at(i * 10, [&](EventEngine&) { ++ran; });
    engine.run_until(55);
    CHECK(ran == 5);
    CHECK(engine.now_ps() == 55);
    CHECK(engine.pending() == 5);
    CHECK_THROWS_AS(engine.schedule_at(54, [](EventEngine&) {}), InternalError);
    CHECK_THROWS_AS(engine.schedule_after(-1, [](EventEngine&) {}), InternalError);
    CHECK_THROWS_AS(engine.run_until(10), InternalError);
    CHECK(engine.step());
    CHECK(ran == 6);
}

}  // namespace lpu::sim
