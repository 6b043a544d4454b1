// `lpu topo SPEC`: build or load a topology, validate it, and report its
// size, distances and bisection (topology/topology_report.hpp); optionally
// write DOT, save it, show routes.
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "base/output_file.hpp"
#include "cli/commands.hpp"
#include "topology/dot.hpp"
#include "topology/topology_io.hpp"
#include "topology/topology_report.hpp"
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

void run_topo(const TopoOptions& options) {
    const Topology topology = topology_from_spec(options.spec);
    if (!options.dot_path.empty()) write_file(options.dot_path, topology_to_dot(topology));
    if (!options.save_path.empty()) save_topology_file(topology, options.save_path);
    TopologyReportOptions report;
    if (!options.route.empty()) report.route = parse_route(options.route);
    report.max_routes = options.max_routes;
    report.json = options.json;
    // A file without a name is shown by the spec it was given as.
    const std::string name = topology.info().name.empty() ? options.spec : topology.info().name;
    std::cout << topology_report(topology, name, report);
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
