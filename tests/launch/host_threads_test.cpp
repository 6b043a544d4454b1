// Which processes of a run split a host's cores (launch/host_threads.hpp):
// those holding chips of one pipeline stage compute at the same time, those
// holding different stages of a batch-1 pipeline take turns, and with
// micro-batches every stage is busy at once.
#include <catch2/catch.hpp>

#include <vector>

#include "launch/host_threads.hpp"
#include "launch/rank_placement.hpp"

namespace lpu::launch {
namespace {

// A plan with only what the placement looks at: the grid and every chip's
// role, chips in plan order (replica, then stage, then TP rank).
plan::Plan grid_plan(std::uint32_t tp, std::uint32_t pp, std::uint32_t micro_batches = 1, std::uint32_t replicas = 1) {
    plan::Plan plan;
    plan.grid.tp = tp;
    plan.grid.pp = pp;
    plan.grid.micro_batches = micro_batches;
    plan.grid.replicas = replicas;
    for (std::uint32_t replica = 0; replica < replicas; ++replica) {
        for (std::uint32_t stage = 0; stage < pp; ++stage) {
            for (std::uint32_t rank = 0; rank < tp; ++rank) {
                plan::ChipProgram chip;
                chip.chip = static_cast<topology::ChipId>(plan.chips.size());
                chip.role.tp_rank = rank;
                chip.role.pp_stage = stage;
                plan.chips.push_back(chip);
            }
        }
    }
    return plan;
}

// processes_computing_with for every rank, the ranks placed as a run places them.
std::vector<int> sharing_by_rank(const plan::Plan& plan, const std::vector<int>& rank_hosts) {
    const RankOfChip placement = place_chips_on_ranks(plan, rank_hosts);
    std::vector<int> sharing;
    for (int rank = 0; rank < static_cast<int>(rank_hosts.size()); ++rank) {
        sharing.push_back(processes_computing_with(plan, placement, rank_hosts, rank));
    }
    return sharing;
}

}  // namespace

TEST_CASE("host threads: a TP group split over the ranks of one host splits its cores", "[launch][transport]") {
    // tp 4 x pp 1 on 2 ranks: chips 0-1 and 2-3, all of stage 0.
    CHECK(sharing_by_rank(grid_plan(4, 1), {0, 0}) == std::vector<int>{2, 2});
    CHECK(sharing_by_rank(grid_plan(4, 1), {0, 0, 0, 0}) == std::vector<int>{4, 4, 4, 4});
}

TEST_CASE("host threads: pipeline stages on separate ranks take turns and keep every core", "[launch][transport]") {
    // tp 4 x pp 2 on 2 ranks: rank 0 has stage 0, rank 1 stage 1.
    CHECK(sharing_by_rank(grid_plan(4, 2), {0, 0}) == std::vector<int>{1, 1});
    // tp 4 x pp 2 on 4 ranks: two ranks per stage.
    CHECK(sharing_by_rank(grid_plan(4, 2), {0, 0, 0, 0}) == std::vector<int>{2, 2, 2, 2});
    // tp 1 x pp 3 on 2 ranks: rank 0 has stage 0, rank 1 stages 1-2 (no TP group to keep whole).
    CHECK(sharing_by_rank(grid_plan(1, 3), {0, 0}) == std::vector<int>{1, 1});
}

TEST_CASE("host threads: with micro-batches every stage computes at once", "[launch][transport]") {
    CHECK(sharing_by_rank(grid_plan(4, 2, 2), {0, 0}) == std::vector<int>{2, 2});
    CHECK(sharing_by_rank(grid_plan(1, 4, 4), {0, 0, 0, 0}) == std::vector<int>{4, 4, 4, 4});
}

TEST_CASE("host threads: only processes of the same host are counted", "[launch][transport]") {
    // tp 4 x pp 1 on 4 ranks, two per host.
    CHECK(sharing_by_rank(grid_plan(4, 1), {0, 0, 1, 1}) == std::vector<int>{2, 2, 2, 2});
    // Micro-batches, one rank per host: nobody to share with.
    CHECK(sharing_by_rank(grid_plan(2, 2, 2), {0, 1}) == std::vector<int>{1, 1});
    // A rank of another host (the TCP coordinator, host -1, holds no chips) is never counted.
    const plan::Plan plan = grid_plan(4, 2);
    const RankOfChip placement{{1, 1, 1, 1, 2, 2, 2, 2}};
    CHECK(processes_computing_with(plan, placement, {-1, 0, 0}, 1) == 1);
    CHECK(processes_computing_with(plan, placement, {-1, 0, 0}, 2) == 1);
}

TEST_CASE("host threads: replicas compute their same stages at once", "[launch][transport]") {
    // 2 replicas of tp 1 x pp 2 on 4 ranks: ranks 0 and 2 hold stage 0, ranks 1 and 3 stage 1.
    CHECK(sharing_by_rank(grid_plan(1, 2, 1, 2), {0, 0, 0, 0}) == std::vector<int>{2, 2, 2, 2});
}

}  // namespace lpu::launch

TEST_CASE("host threads: a process bound to fewer cores uses what it was given", "[launch][transport]") {
    CHECK(lpu::launch::kernel_threads(2, 2, 1) == 2);  // free to use both cores, takes turns: all of them
    CHECK(lpu::launch::kernel_threads(2, 2, 2) == 1);  // two computing at once split them
    CHECK(lpu::launch::kernel_threads(8, 8, 3) == 2);
    CHECK(lpu::launch::kernel_threads(2, 1, 1) == 1);  // bound to one core (mpirun's default for 2 ranks)
    CHECK(lpu::launch::kernel_threads(16, 4, 2) == 4);  // the binder split the cores already
    CHECK(lpu::launch::kernel_threads(1, 1, 4) == 1);
}
