#include "topology/topology_spec.hpp"

#include <charconv>
#include <filesystem>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "topology/builders.hpp"
#include "topology/dragonfly.hpp"
#include "topology/topology_io.hpp"

namespace lpu::topology {
namespace {

[[noreturn]] void bad_spec(const std::string& spec, const std::string& problem) {
    throw Error("bad topology spec '" + spec + "': " + problem + " (accepted: " + topology_spec_help() + ")");
}

std::uint32_t parse_count(const std::string& spec, std::string_view text) {
    std::uint32_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        bad_spec(spec, std::string("count '").append(text).append("' is not a whole number"));
    }
    return value;
}

std::vector<std::uint32_t> parse_extents(const std::string& spec, std::string_view text) {
    std::vector<std::uint32_t> extents;
    std::size_t start = 0;
    while (true) {
        const std::size_t x = text.find('x', start);
        extents.push_back(parse_count(spec, text.substr(start, x == std::string_view::npos ? x : x - start)));
        if (x == std::string_view::npos) break;
        start = x + 1;
    }
    if (extents.size() < 2 || extents.size() > 3) bad_spec(spec, "expected 2 or 3 extents, like 4x4 or 4x4x4");
    return extents;
}

Topology parse_dragonfly(const std::string& spec, std::string_view arguments) {
    DragonflyOptions options;
    const std::size_t comma = arguments.find(',');
    if (comma != std::string_view::npos) {
        if (arguments.substr(comma + 1) != "spare") bad_spec(spec, "the only dragonfly option is ',spare'");
        options.spare_node = true;
        arguments = arguments.substr(0, comma);
    }
    options.racks = parse_count(spec, arguments);
    return dragonfly(options);
}

}  // namespace

const char* topology_spec_help() {
    return "fc:N, ring:N, torus:AxB[xC], mesh:AxB[xC], dragonfly:RACKS[,spare], or a .json/.topo.bin file";
}

Topology topology_from_spec(const std::string& spec) {
    const std::size_t colon = spec.find(':');
    if (colon != std::string::npos) {
        const std::string_view family = std::string_view(spec).substr(0, colon);
        const std::string_view arguments = std::string_view(spec).substr(colon + 1);
        if (family == "fc") return fully_connected(parse_count(spec, arguments));
        if (family == "ring") return ring(parse_count(spec, arguments));
        if (family == "torus") return torus(parse_extents(spec, arguments));
        if (family == "mesh") return mesh(parse_extents(spec, arguments));
        if (family == "dragonfly") return parse_dragonfly(spec, arguments);
    }
    std::error_code error;
    if (std::filesystem::exists(spec, error)) return load_topology_file(spec);
    bad_spec(spec, "not a known shape and no such file");
}

}  // namespace lpu::topology
