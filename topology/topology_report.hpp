#pragma once
// `lpu topo`: what a topology is (chips, racks and nodes, links, ports,
// diameter, average hops, bisection) and, between two chips, its minimal and
// one-hop-indirect routes; as text or JSON.
#include <cstddef>
#include <optional>
#include <string>

#include "topology/routing.hpp"
#include "topology/topology.hpp"

namespace lpu::topology {

struct ChipPair {
    ChipId source = 0;
    ChipId destination = 0;
};

struct TopologyReportOptions {
    std::optional<ChipPair> route;  // show the routes between these chips
    std::size_t max_routes = default_max_routes;  // of each kind
    bool json = false;
};

// The report of `topology`, shown as `name`. As text, a report with routes
// lists only them; as JSON, the routes are one more field.
std::string topology_report(const Topology& topology, const std::string& name, const TopologyReportOptions& options);

}  // namespace lpu::topology
