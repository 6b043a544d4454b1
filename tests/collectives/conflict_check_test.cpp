// The conflict checker: a hand-made conflicting schedule is rejected with the
// channel and both transfers; a sequenced one passes.
#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "collectives/conflict_check.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/builders.hpp"
#include "topology/routing.hpp"

namespace lpu::collectives {

TEST_CASE("two transfers over one channel at once are rejected", "[collectives][conflict]") {
    // Chips 0 -> 2 and 1 -> 2 on a 4-ring: both routes end on channel 1 -> 2;
    // 20 KB each keeps the channel busy ~1.4 us, longer than one hop's latency.
    const auto ring = topology::ring(4);
    const FabricTiming fabric(ring, sim::ChipSpec{});
    const auto via_1 = topology::minimal_routes(ring, 0, 2);
    const topology::Route* through_1 = nullptr;
    for (const auto& route : via_1) {
        if (route.chips[1] == 1) through_1 = &route;
    }
    REQUIRE(through_1 != nullptr);
    const auto last_hop = topology::minimal_routes(ring, 1, 2)[0].channels;
    Schedule schedule;
    schedule.algorithm = "hand-made";
    schedule.participants = {0, 1, 2};
    schedule.count = schedule.buffer_elements = 10000;
    schedule.steps.push_back(Step{{Transfer{0, 2, 0, 0, 5000, TransferKind::copy, through_1->channels},
                                   Transfer{1, 2, 5000, 5000, 5000, TransferKind::copy, last_hop}}});
    validate(schedule, ring);  // well formed: the problem is timing only
    const auto timing = time_schedule(schedule, fabric);
    const auto conflict = find_channel_conflict(schedule, timing, fabric);
    REQUIRE(conflict.has_value());
    CHECK(conflict->channel == last_hop[0]);
    CHECK(conflict->first.transfer == 1);  // starts on the channel at once; transfer 0 one hop later
    CHECK(conflict->second.transfer == 0);
    CHECK_THROWS_WITH(check_conflict_free(schedule, timing, fabric),
                      Catch::Contains("channel " + std::to_string(last_hop[0])) && Catch::Contains("chip 1 -> chip 2") &&
                          Catch::Contains("step 0 transfer 0") && Catch::Contains("step 0 transfer 1"));

    SECTION("the same transfers in two steps pass") {
        schedule.steps.push_back(Step{{schedule.steps[0].transfers[1]}});
        schedule.steps[0].transfers.pop_back();
        CHECK_NOTHROW(time_and_check(schedule, fabric));
    }
}

}  // namespace lpu::collectives
