#pragma once
// How the residual x crosses from one pipeline stage to the next.
//
// After a stage's last all-reduce every TP rank holds the same x. Sending it
// whole, rank r to rank r of the next stage, puts tp copies of it on the
// cables between the two stages' groups, which on a Dragonfly are few (a node
// reaches another node over a handful of global links). Scattered, rank r
// sends only block r of x and the next stage all-gathers the blocks over its
// own (node-local) links: tp-fold fewer bytes between stages for one more
// collective (what Megatron-LM does with its pipeline messages). For small
// activations the all-gather costs more than it saves, so the compiler times
// both on the fabric model and takes the faster.
#include <cstdint>
#include <vector>

#include "collectives/fabric_timing.hpp"
#include "topology/topology.hpp"

namespace lpu::compiler {

enum class StageHop { whole, scattered };

// One message per TP rank, rank r's over routes[r] (the routes the
// scheduler gives its transfers, PlanScheduler::route).
using HopRoutes = std::vector<std::vector<topology::ChannelId>>;

// Picoseconds until the last of the messages has arrived, rank r's carrying
// bytes_of_rank[r]. Messages that share a channel stream through it one after
// another: each pays the serialisation of every message on its most shared channel.
std::int64_t stage_hop_ps(const collectives::FabricTiming& fabric, const HopRoutes& routes,
                          const std::vector<std::int64_t>& bytes_of_rank);

// The faster way to move `elements` floats from one stage's ranks to the
// next's (rank r to rank r, over routes[r]), given what an all-gather of them
// takes in the next stage.
StageHop choose_stage_hop(const collectives::FabricTiming& fabric, const HopRoutes& routes, std::int64_t elements,
                          std::int64_t all_gather_ps);

}  // namespace lpu::compiler
