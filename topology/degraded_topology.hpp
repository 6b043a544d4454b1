#pragma once
// A system with one chip or one link out of service, as a topology of its own:
// the whole topology rebuilt without the failed part. Every placement, route
// and alignment tree computed on it then avoids the part by construction, and
// none of them has to know that failures exist.
//
// A Topology numbers its chips densely, so removing a chip renumbers the chips
// after it; `original_chip` maps each chip back to its id in the whole system,
// the one users and reports name. Removing a link keeps every chip id (link ids
// after it shift). Either way the shape's promises no longer hold, so the
// degraded topology has no grid extents and no symmetry claim (TopologyInfo),
// and algorithms that need them fall back to the general ones.
#include <vector>

#include "topology/topology.hpp"

namespace lpu::topology {

struct DegradedTopology {
    Topology topology;
    std::vector<ChipId> original_chip;  // per chip of `topology`: its id in the whole system

    // The id in `topology` of a chip of the whole system; lpu::Error for the failed chip.
    ChipId degraded_id(ChipId original) const;
};

// Every link between chips a and b (more than one where the wiring has parallel
// links). lpu::Error when a chip does not exist or the two have no link.
std::vector<LinkId> links_between(const Topology& topology, ChipId a, ChipId b);

// The topology without `chip` and its links. lpu::Error when the chip does not
// exist, or when the chips left are not connected (naming one cut off).
DegradedTopology without_chip(const Topology& topology, ChipId chip);

// The topology without every link between a and b (links_between). lpu::Error
// as links_between, or when the system falls apart without them.
DegradedTopology without_link(const Topology& topology, ChipId a, ChipId b);

}  // namespace lpu::topology
