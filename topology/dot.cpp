#include "topology/dot.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace lpu::topology {
namespace {

// DOT strings need quoting like JSON strings; reuse the JSON escaper.
// Invalid UTF-8 (a name from a binary file) is replaced, never thrown on.
std::string quoted(const std::string& text) {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string chip_level(const Topology& topology, const DotOptions& options) {
    std::string out = "graph topology {\n  label=" + quoted(topology.info().name + ": " +
                                                          std::to_string(topology.chip_count()) + " chips") +
                      ";\n  node [shape=circle, fontsize=10];\n";
    std::map<std::uint32_t, std::vector<ChipId>> by_node;
    for (ChipId id = 0; id < topology.chip_count(); ++id) {
        const auto& chip = topology.chip(id);
        by_node[chip.node.value_or(0)].push_back(id);
    }
    for (const auto& [node, chips] : by_node) {
        const bool cluster = topology.has_nodes();
        if (cluster) out += "  subgraph cluster_node" + std::to_string(node) + " {\n    label=\"node " + std::to_string(node) + "\";\n";
        for (ChipId id : chips) {
            out += (cluster ? "    c" : "  c") + std::to_string(id) + " [label=\"" + std::to_string(id) + "\"" +
                   (topology.chip(id).spare ? ", style=dashed" : "") + "];\n";
        }
        if (cluster) out += "  }\n";
    }
    const bool ports = topology.chip_count() <= options.max_port_labels_chips;
    for (const auto& link : topology.links()) {
        out += "  c" + std::to_string(link.a) + " -- c" + std::to_string(link.b);
        if (ports) {
            out += " [taillabel=\"" + std::to_string(link.port_a) + "\", headlabel=\"" + std::to_string(link.port_b) +
                   "\", fontsize=8]";
        }
        out += ";\n";
    }
    return out + "}\n";
}

// One vertex per group; `group` maps a chip to its node or rack index.
template <typename GroupOf>
std::string condensed(const Topology& topology, const char* level, GroupOf group) {
    std::map<std::uint32_t, std::size_t> chips_in, internal_links;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> between;
    for (const auto& chip : topology.chips()) ++chips_in[group(chip)];
    for (const auto& link : topology.links()) {
        const auto a = group(topology.chip(link.a)), b = group(topology.chip(link.b));
        if (a == b) {
            ++internal_links[a];
        } else {
            ++between[{std::min(a, b), std::max(a, b)}];
        }
    }
    const std::string name = topology.info().name + ": " + std::to_string(topology.chip_count()) +
                             " chips, condensed to one vertex per " + level + " (edge label: links)";
    std::string out = "graph topology {\n  label=" + quoted(name) + ";\n  node [shape=box, fontsize=10];\n";
    for (const auto& [id, count] : chips_in) {
        out += "  g" + std::to_string(id) + " [label=" +
               quoted(std::string(level) + " " + std::to_string(id) + "\n" + std::to_string(count) + " chips, " +
                      std::to_string(internal_links[id]) + " internal links") +
               "];\n";
    }
    for (const auto& [pair, count] : between) {
        out += "  g" + std::to_string(pair.first) + " -- g" + std::to_string(pair.second) + " [label=\"" +
               std::to_string(count) + "\"];\n";
    }
    return out + "}\n";
}

}  // namespace

std::string topology_to_dot(const Topology& topology, const DotOptions& options) {
    if (topology.chip_count() <= options.max_chip_vertices || !topology.has_nodes()) {
        return chip_level(topology, options);
    }
    std::set<std::uint32_t> nodes;
    for (const auto& chip : topology.chips()) nodes.insert(*chip.node);
    if (nodes.size() <= options.max_chip_vertices || !topology.has_racks()) {
        return condensed(topology, "node", [](const Chip& chip) { return *chip.node; });
    }
    return condensed(topology, "rack", [](const Chip& chip) { return *chip.rack; });
}

}  // namespace lpu::topology
