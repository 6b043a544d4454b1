// The schedule form: block splitting and the validator's rules.
#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "collectives/schedule.hpp"
#include "topology/builders.hpp"
#include "topology/routing.hpp"

namespace lpu::collectives {
namespace {

Schedule two_chip_schedule(const topology::Topology& ring) {
    Schedule schedule;
    schedule.participants = {0, 1};
    schedule.count = 8;
    schedule.buffer_elements = 8;
    schedule.steps.push_back(
        Step{{Transfer{0, 1, 0, 0, 4, TransferKind::reduce, topology::minimal_routes(ring, 0, 1)[0].channels}}});
    return schedule;
}

}  // namespace

TEST_CASE("block_range splits any count into nearly equal blocks", "[collectives][schedule]") {
    CHECK(block_range(10, 4, 0) == ElementRange{0, 3});
    CHECK(block_range(10, 4, 1) == ElementRange{3, 3});
    CHECK(block_range(10, 4, 2) == ElementRange{6, 2});
    CHECK(block_range(10, 4, 3) == ElementRange{8, 2});
    CHECK(block_range(1, 3, 2) == ElementRange{1, 0});
    CHECK(sub_block(ElementRange{100, 5}, 2, 1) == ElementRange{103, 2});
    CHECK_THROWS_AS(block_range(10, 4, 4), InternalError);
}

TEST_CASE("validate accepts a good schedule and names what is wrong in bad ones", "[collectives][schedule]") {
    const auto ring = topology::ring(4);
    auto schedule = two_chip_schedule(ring);
    CHECK_NOTHROW(validate(schedule, ring));

    SECTION("range past the buffer") {
        schedule.steps[0].transfers[0].dst_offset = 6;
        CHECK_THROWS_WITH(validate(schedule, ring), Catch::Contains("dst_offset 6") && Catch::Contains("step 0 transfer 0"));
    }
    SECTION("route that does not reach dst") {
        schedule.steps[0].transfers[0].dst = 1;
        schedule.steps[0].transfers[0].route = topology::minimal_routes(ring, 0, 3)[0].channels;
        CHECK_THROWS_WITH(validate(schedule, ring), Catch::Contains("route ends at chip 3"));
    }
    SECTION("chip that does not take part") {
        schedule.steps[0].transfers[0].dst = 2;
        CHECK_THROWS_WITH(validate(schedule, ring), Catch::Contains("chip 2 does not take part"));
    }
    SECTION("a step writing what it sends") {
        auto back = schedule.steps[0].transfers[0];
        back.src = 1;
        back.dst = 0;
        back.src_offset = back.dst_offset = 2;  // chip 1 reads [2,6) while transfer 0 writes [0,4) there
        back.route = topology::minimal_routes(ring, 1, 0)[0].channels;
        schedule.steps[0].transfers.push_back(back);
        CHECK_THROWS_WITH(validate(schedule, ring),
                          Catch::Contains("on chip 0, transfer 1 writes elements that transfer 0 of the same step reads"));
    }
    SECTION("two copies into one region") {
        auto twin = schedule.steps[0].transfers[0];
        twin.kind = TransferKind::copy;
        twin.src_offset = 4;
        twin.dst_offset = 2;
        schedule.steps[0].transfers.push_back(twin);
        CHECK_THROWS_WITH(validate(schedule, ring), Catch::Contains("one of them is a copy"));
    }
}

}  // namespace lpu::collectives
