#include "topology/topology_report.hpp"

#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "base/printf_text.hpp"
#include "topology/metrics.hpp"

namespace lpu::topology {
namespace {

struct Hierarchy {
    std::size_t racks = 0;
    std::size_t nodes = 0;
    std::size_t spare_chips = 0;
};

Hierarchy hierarchy_of(const Topology& topology) {
    std::set<std::uint32_t> racks, nodes;
    Hierarchy hierarchy;
    for (const auto& chip : topology.chips()) {
        if (chip.rack) racks.insert(*chip.rack);
        if (chip.node) nodes.insert(*chip.node);
        hierarchy.spare_chips += chip.spare;
    }
    hierarchy.racks = racks.size();
    hierarchy.nodes = nodes.size();
    return hierarchy;
}

nlohmann::json route_to_json(const Route& route) {
    return {{"hops", route.hops()}, {"chips", route.chips}, {"channels", route.channels}};
}

std::string route_to_text(const Topology& topology, const Route& route) {
    std::string text = std::to_string(route.hops()) + " hops: " + std::to_string(route.chips.front());
    for (std::size_t i = 0; i < route.channels.size(); ++i) {
        const auto& link = topology.link(channel_link(route.channels[i]));
        const bool forward = channel_direction(route.channels[i]) == Direction::a_to_b;
        text += " -(p" + std::to_string(forward ? link.port_a : link.port_b) + ">p" +
                std::to_string(forward ? link.port_b : link.port_a) + ")-> " + std::to_string(route.chips[i + 1]);
    }
    return text;
}

struct Routes {
    ChipPair pair;
    std::vector<Route> minimal;
    std::vector<Route> indirect;
};

nlohmann::json routes_json(const Routes& routes) {
    nlohmann::json out = {{"source", routes.pair.source},
                          {"destination", routes.pair.destination},
                          {"minimal_hops", routes.minimal.front().hops()},
                          {"minimal", nlohmann::json::array()},
                          {"indirect", nlohmann::json::array()}};
    for (const auto& route : routes.minimal) out["minimal"].push_back(route_to_json(route));
    for (const auto& route : routes.indirect) out["indirect"].push_back(route_to_json(route));
    return out;
}

std::string routes_text(const Topology& topology, const Routes& routes, std::size_t max_routes) {
    std::string text = printf_text("routes %u -> %u: %zu minimal, %zu one-hop-indirect (at most %zu each)\n",
                                   routes.pair.source, routes.pair.destination, routes.minimal.size(),
                                   routes.indirect.size(), max_routes);
    for (const auto& route : routes.minimal) text += "  minimal   " + route_to_text(topology, route) + "\n";
    for (const auto& route : routes.indirect) text += "  indirect  " + route_to_text(topology, route) + "\n";
    return text;
}

std::string summary_text(const std::string& name, const TopologyMetrics& metrics, const Hierarchy& hierarchy) {
    std::string text = printf_text("topology:   %s\n", name.c_str());
    text += printf_text("chips:      %zu", metrics.chips);
    if (hierarchy.racks) {
        text += printf_text(" (%zu racks, %zu nodes, %zu spare chips)", hierarchy.racks, hierarchy.nodes,
                            hierarchy.spare_chips);
    }
    text += printf_text("\nlinks:      %zu full duplex (%zu directed channels)\n", metrics.links, metrics.links * 2);
    text += printf_text("ports:      %zu used of %zu\n", metrics.ports_used, metrics.ports_total);
    text += printf_text("diameter:   %u hops\n", metrics.diameter_hops);
    text += printf_text("avg hops:   %.4f\n", metrics.avg_hops);
    text += printf_text("bisection:  %zu links (estimate: fewest links across the halvings tried)\n",
                        metrics.bisection_links);
    text += printf_text("distances:  %s, %zu BFS sources\n", to_string(metrics.distance_method), metrics.bfs_sources);
    return text;
}

nlohmann::json summary_json(const std::string& name, const TopologyMetrics& metrics, const Hierarchy& hierarchy) {
    return {
        {"name", name},
        {"chips", metrics.chips},
        {"links", metrics.links},
        {"channels", metrics.links * 2},
        {"ports_used", metrics.ports_used},
        {"ports_total", metrics.ports_total},
        {"racks", hierarchy.racks},
        {"nodes", hierarchy.nodes},
        {"spare_chips", hierarchy.spare_chips},
        {"diameter_hops", metrics.diameter_hops},
        {"avg_hops", metrics.avg_hops},
        {"bisection_links", metrics.bisection_links},
        {"distance_method", to_string(metrics.distance_method)},
        {"bfs_sources", metrics.bfs_sources},
    };
}

}  // namespace

std::string topology_report(const Topology& topology, const std::string& name, const TopologyReportOptions& options) {
    const TopologyMetrics metrics = compute_metrics(topology);
    const Hierarchy hierarchy = hierarchy_of(topology);
    std::optional<Routes> routes;
    if (options.route) {
        const auto [source, destination] = *options.route;
        routes = Routes{*options.route, minimal_routes(topology, source, destination, options.max_routes),
                        indirect_routes(topology, source, destination, options.max_routes)};
    }
    if (options.json) {
        nlohmann::json out = summary_json(name, metrics, hierarchy);
        if (routes) out["routes"] = routes_json(*routes);
        return json_text(out, 2) + "\n";
    }
    return routes ? routes_text(topology, *routes, options.max_routes) : summary_text(name, metrics, hierarchy);
}

}  // namespace lpu::topology
