// `lpu topo SPEC`: build or load a topology, validate it, and report its
// size, distances and bisection; optionally write DOT, save it, show routes.
#include <cstdio>
#include <iostream>
#include <memory>
#include <set>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/json_text.hpp"
#include "base/output_file.hpp"
#include "cli/commands.hpp"
#include "topology/dot.hpp"
#include "topology/metrics.hpp"
#include "topology/routing.hpp"
#include "topology/topology_io.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::cli {
namespace {

using namespace lpu::topology;

struct TopoOptions {
    std::string spec;
    std::string dot_path;
    std::string save_path;
    std::string route;
    std::size_t max_routes = default_max_routes;
    bool json = false;
};

struct ChipPair {
    ChipId source = 0;
    ChipId destination = 0;
};

ChipPair parse_route(const std::string& text) {
    const std::size_t comma = text.find(',');
    require(comma != std::string::npos, "--route expects A,B (two chip ids), got '" + text + "'");
    auto chip = [&](const std::string& part) {
        require(!part.empty() && part.find_first_not_of("0123456789") == std::string::npos && part.size() <= 9,
                "--route expects A,B (two chip ids), got '" + text + "'");
        return static_cast<ChipId>(std::stoul(part));
    };
    return {chip(text.substr(0, comma)), chip(text.substr(comma + 1))};
}

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

// A file without a name is shown by the spec it was given as.
std::string display_name(const Topology& topology, const TopoOptions& options) {
    return topology.info().name.empty() ? options.spec : topology.info().name;
}

void print_summary(const std::string& name, const TopologyMetrics& metrics, const Hierarchy& hierarchy) {
    std::printf("topology:   %s\n", name.c_str());
    std::printf("chips:      %zu", metrics.chips);
    if (hierarchy.racks) std::printf(" (%zu racks, %zu nodes, %zu spare chips)", hierarchy.racks, hierarchy.nodes, hierarchy.spare_chips);
    std::printf("\nlinks:      %zu full duplex (%zu directed channels)\n", metrics.links, metrics.links * 2);
    std::printf("ports:      %zu used of %zu\n", metrics.ports_used, metrics.ports_total);
    std::printf("diameter:   %u hops\n", metrics.diameter_hops);
    std::printf("avg hops:   %.4f\n", metrics.avg_hops);
    std::printf("bisection:  %zu links (estimate: fewest links across the halvings tried)\n", metrics.bisection_links);
    std::printf("distances:  %s, %zu BFS sources\n", to_string(metrics.distance_method), metrics.bfs_sources);
}

void run_topo(const TopoOptions& options) {
    const Topology topology = topology_from_spec(options.spec);
    const TopologyMetrics metrics = compute_metrics(topology);
    const Hierarchy hierarchy = hierarchy_of(topology);

    if (!options.dot_path.empty()) {
        write_file(options.dot_path, topology_to_dot(topology));
    }
    if (!options.save_path.empty()) save_topology_file(topology, options.save_path);

    nlohmann::json routes;
    if (!options.route.empty()) {
        const auto [source, destination] = parse_route(options.route);
        const auto minimal = minimal_routes(topology, source, destination, options.max_routes);
        const auto indirect = indirect_routes(topology, source, destination, options.max_routes);
        if (options.json) {
            routes = {{"source", source}, {"destination", destination}, {"minimal_hops", minimal.front().hops()},
                      {"minimal", nlohmann::json::array()}, {"indirect", nlohmann::json::array()}};
            for (const auto& route : minimal) routes["minimal"].push_back(route_to_json(route));
            for (const auto& route : indirect) routes["indirect"].push_back(route_to_json(route));
        } else {
            std::printf("routes %u -> %u: %zu minimal, %zu one-hop-indirect (at most %zu each)\n", source, destination,
                        minimal.size(), indirect.size(), options.max_routes);
            for (const auto& route : minimal) std::printf("  minimal   %s\n", route_to_text(topology, route).c_str());
            for (const auto& route : indirect) std::printf("  indirect  %s\n", route_to_text(topology, route).c_str());
        }
    }

    if (options.json) {
        nlohmann::json out = {
            {"name", display_name(topology, options)},
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
        if (!routes.is_null()) out["routes"] = routes;
        std::cout << json_text(out, 2) << "\n";
    } else if (options.route.empty()) {
        print_summary(display_name(topology, options), metrics, hierarchy);
    }
}

}  // namespace

void add_topo_command(CLI::App& app) {
    auto options = std::make_shared<TopoOptions>();
    auto* topo = app.add_subcommand("topo", "Build or load a topology, validate it and report chips, links, "
                                            "diameter, average hops and bisection");
    topo->add_option("spec", options->spec, std::string("Topology: ") + topology_spec_help())->required();
    topo->add_option("--dot", options->dot_path,
                     "Write Graphviz DOT here (over 256 chips: condensed to one vertex per node or rack)");
    topo->add_option("--save", options->save_path, "Write the topology file (.json or .topo.bin)");
    topo->add_option("--route", options->route, "Show minimal and one-hop-indirect routes between chips A,B");
    topo->add_option("--max-routes", options->max_routes, "At most this many routes of each kind")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
    topo->add_flag("--json", options->json, "Print JSON (chips, links, diameter_hops, avg_hops, ...) instead of text");
    topo->callback([options] { run_topo(*options); });
}

}  // namespace lpu::cli
