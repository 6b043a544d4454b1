// The JSON form of topology/topology_io.hpp.
#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "topology/topology_io.hpp"
#include "topology/validation.hpp"

namespace lpu::topology {
namespace {

using nlohmann::json;

constexpr int json_format_version = 1;
constexpr const char* json_format_name = "lpu-topology";

// Error context: the file and the place inside it ("links[3].port_a").
struct Where {
    const std::string& origin;
    std::string path;
    Where at(const std::string& key) const { return {origin, path.empty() ? key : path + "." + key}; }
    Where at(std::size_t index) const { return {origin, path + "[" + std::to_string(index) + "]"}; }
    [[noreturn]] void fail(const std::string& problem) const {
        throw Error("topology file '" + origin + "': " + (path.empty() ? "" : path + ": ") + problem);
    }
};

void require_keys(const json& object, const Where& where, std::initializer_list<const char*> allowed) {
    if (!object.is_object()) where.fail("expected an object");
    for (const auto& item : object.items()) {
        if (std::none_of(allowed.begin(), allowed.end(), [&](const char* key) { return item.key() == key; })) {
            where.fail("unknown key '" + item.key() + "'");
        }
    }
}

std::uint64_t as_unsigned(const json& value, const Where& where, std::uint64_t max) {
    if (!value.is_number_unsigned()) where.fail("expected a non-negative integer, got " + value.dump());
    const auto number = value.get<std::uint64_t>();
    if (number > max) where.fail("value " + std::to_string(number) + " is above the limit " + std::to_string(max));
    return number;
}

std::int64_t as_positive(const json& value, const Where& where) {
    if (!value.is_number_integer() || value.get<std::int64_t>() <= 0) {
        where.fail("expected a positive integer, got " + value.dump());
    }
    return value.get<std::int64_t>();
}

std::vector<std::uint32_t> as_index_list(const json& value, const Where& where) {
    if (!value.is_array()) where.fail("expected a list of non-negative integers");
    std::vector<std::uint32_t> list;
    for (std::size_t i = 0; i < value.size(); ++i) {
        list.push_back(static_cast<std::uint32_t>(as_unsigned(value[i], where.at(i), UINT32_MAX)));
    }
    return list;
}

std::vector<Chip> read_chips(const json& root, const Where& where) {
    PortIndex default_ports = default_ports_per_chip;
    if (root.contains("ports_per_chip")) {
        default_ports = static_cast<PortIndex>(as_unsigned(root["ports_per_chip"], where.at("ports_per_chip"), max_ports_per_chip));
    }
    if (!root.contains("chips")) where.fail("missing key 'chips'");
    const json& chips = root["chips"];
    const Where chips_where = where.at("chips");
    if (chips.is_number()) {
        const auto count = as_unsigned(chips, chips_where, max_chips);
        return std::vector<Chip>(count, Chip{default_ports, {}, {}, false});
    }
    if (!chips.is_array()) chips_where.fail("expected a chip count or a list of chips");
    if (chips.size() > max_chips) chips_where.fail("more than " + std::to_string(max_chips) + " chips");
    std::vector<Chip> result;
    for (std::size_t i = 0; i < chips.size(); ++i) {
        const Where at = chips_where.at(i);
        require_keys(chips[i], at, {"ports", "node", "rack", "spare"});
        Chip chip{default_ports, {}, {}, false};
        if (chips[i].contains("ports")) {
            chip.port_count = static_cast<PortIndex>(as_unsigned(chips[i]["ports"], at.at("ports"), max_ports_per_chip));
        }
        if (chips[i].contains("node")) chip.node = static_cast<std::uint32_t>(as_unsigned(chips[i]["node"], at.at("node"), UINT32_MAX - 1));
        if (chips[i].contains("rack")) chip.rack = static_cast<std::uint32_t>(as_unsigned(chips[i]["rack"], at.at("rack"), UINT32_MAX - 1));
        if (chips[i].contains("spare")) {
            if (!chips[i]["spare"].is_boolean()) at.at("spare").fail("expected true or false");
            chip.spare = chips[i]["spare"].get<bool>();
        }
        result.push_back(chip);
    }
    return result;
}

// A link as written: ports may be missing until assign_ports fills them.
struct LinkDraft {
    Link link;
    bool has_port_a = false;
    bool has_port_b = false;
};

LinkDraft read_link(const json& value, const Where& at) {
    LinkDraft draft;
    if (value.is_array()) {
        if (value.size() != 2) at.fail("a link list must be [a, b]");
        draft.link.a = static_cast<ChipId>(as_unsigned(value[0], at.at(0), UINT32_MAX));
        draft.link.b = static_cast<ChipId>(as_unsigned(value[1], at.at(1), UINT32_MAX));
        return draft;
    }
    require_keys(value, at, {"a", "b", "port_a", "port_b", "latency_ps", "bandwidth_bytes_per_s"});
    for (const char* key : {"a", "b"}) {
        if (!value.contains(key)) at.fail(std::string("missing key '") + key + "'");
    }
    draft.link.a = static_cast<ChipId>(as_unsigned(value["a"], at.at("a"), UINT32_MAX));
    draft.link.b = static_cast<ChipId>(as_unsigned(value["b"], at.at("b"), UINT32_MAX));
    if ((draft.has_port_a = value.contains("port_a"))) {
        draft.link.port_a = static_cast<PortIndex>(as_unsigned(value["port_a"], at.at("port_a"), UINT16_MAX));
    }
    if ((draft.has_port_b = value.contains("port_b"))) {
        draft.link.port_b = static_cast<PortIndex>(as_unsigned(value["port_b"], at.at("port_b"), UINT16_MAX));
    }
    if (value.contains("latency_ps")) draft.link.latency_ps = as_positive(value["latency_ps"], at.at("latency_ps"));
    if (value.contains("bandwidth_bytes_per_s")) {
        draft.link.bandwidth_bytes_per_s = as_positive(value["bandwidth_bytes_per_s"], at.at("bandwidth_bytes_per_s"));
    }
    return draft;
}

// Gives every omitted port the lowest port of its chip that no link names
// explicitly and no earlier link took. Chips must exist (checked first, so
// the dangling-link message is the one a user sees).
void assign_ports(std::vector<LinkDraft>& drafts, const std::vector<Chip>& chips, const std::string& origin) {
    std::vector<std::vector<bool>> taken(chips.size());
    auto mark = [&](ChipId chip, PortIndex port) {
        auto& ports = taken[chip];
        if (port >= ports.size()) ports.resize(std::max<std::size_t>(port + 1, chips[chip].port_count), false);
        ports[port] = true;
    };
    for (const auto& draft : drafts) {
        if (draft.has_port_a && draft.link.a < chips.size()) mark(draft.link.a, draft.link.port_a);
        if (draft.has_port_b && draft.link.b < chips.size()) mark(draft.link.b, draft.link.port_b);
    }
    auto next_free = [&](std::size_t index, ChipId chip) {
        require(chip < chips.size(), "topology file '" + origin + "': link " + std::to_string(index) + " names chip " +
                                         std::to_string(chip) + ", but the topology has " +
                                         std::to_string(chips.size()) + " chips: dangling link");
        auto& ports = taken[chip];
        ports.resize(std::max<std::size_t>(ports.size(), chips[chip].port_count), false);
        for (PortIndex port = 0; port < chips[chip].port_count; ++port) {
            if (!ports[port]) {
                ports[port] = true;
                return port;
            }
        }
        throw Error("topology file '" + origin + "': port budget exceeded: link " + std::to_string(index) +
                    " needs a free port on chip " + std::to_string(chip) + ", but all its " +
                    std::to_string(chips[chip].port_count) + " ports are in use");
    };
    for (std::size_t index = 0; index < drafts.size(); ++index) {
        auto& draft = drafts[index];
        if (!draft.has_port_a) draft.link.port_a = next_free(index, draft.link.a);
        if (!draft.has_port_b) draft.link.port_b = next_free(index, draft.link.b);
    }
}

std::vector<Link> read_links(const json& root, const std::vector<Chip>& chips, const Where& where) {
    if (!root.contains("links")) where.fail("missing key 'links'");
    const json& links = root["links"];
    if (!links.is_array()) where.at("links").fail("expected a list of links");
    std::vector<LinkDraft> drafts;
    for (std::size_t i = 0; i < links.size(); ++i) drafts.push_back(read_link(links[i], where.at("links").at(i)));
    assign_ports(drafts, chips, where.origin);
    std::vector<Link> result;
    result.reserve(drafts.size());
    for (const auto& draft : drafts) result.push_back(draft.link);
    return result;
}

Topology from_json(const json& root, const std::string& origin) {
    const Where where{origin, ""};
    require_keys(root, where,
                 {"format", "version", "name", "ports_per_chip", "chips", "links", "grid_dims", "representative_chips"});
    if (root.contains("format") && root["format"] != json_format_name) {
        where.at("format").fail(std::string("expected \"") + json_format_name + "\", got " + root["format"].dump());
    }
    if (root.contains("version") && root["version"] != json_format_version) {
        where.at("version").fail("unsupported version " + root["version"].dump() + ", this build reads version " +
                                 std::to_string(json_format_version));
    }
    TopologyInfo info;
    if (root.contains("name")) {
        if (!root["name"].is_string()) where.at("name").fail("expected a string");
        info.name = root["name"].get<std::string>();
    }
    if (root.contains("grid_dims")) info.grid_dims = as_index_list(root["grid_dims"], where.at("grid_dims"));
    if (root.contains("representative_chips")) {
        info.representative_chips = as_index_list(root["representative_chips"], where.at("representative_chips"));
    }
    auto chips = read_chips(root, where);
    auto links = read_links(root, chips, where);
    try {
        return Topology(std::move(chips), std::move(links), std::move(info));
    } catch (const Error& e) {
        throw Error("topology file '" + origin + "': " + e.what());
    }
}

json chip_to_json(const Chip& chip) {
    json value = {{"ports", chip.port_count}};
    if (chip.node) value["node"] = *chip.node;
    if (chip.rack) value["rack"] = *chip.rack;
    if (chip.spare) value["spare"] = true;
    return value;
}

json link_to_json(const Link& link) {
    json value = {{"a", link.a}, {"port_a", link.port_a}, {"b", link.b}, {"port_b", link.port_b}};
    if (link.latency_ps) value["latency_ps"] = *link.latency_ps;
    if (link.bandwidth_bytes_per_s) value["bandwidth_bytes_per_s"] = *link.bandwidth_bytes_per_s;
    return value;
}

// One element per line: readable and diffable even for 80,000 links.
template <typename Items, typename ToJson>
void write_list(std::string& out, const char* key, const Items& items, ToJson to_json, bool last) {
    out += std::string("  \"") + key + "\": [";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ",\n    " : "\n    ") + to_json(items[i]).dump();
    out += items.empty() ? "]" : "\n  ]";
    out += last ? "\n" : ",\n";
}

}  // namespace

Topology topology_from_json_text(std::string_view text, const std::string& origin) {
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error("topology file '" + origin + "': bad JSON at byte " + std::to_string(e.byte) + ": " + e.what());
    } catch (const json::exception& e) {  // a number out of range
        throw Error("topology file '" + origin + "': bad JSON: " + e.what());
    }
    return from_json(root, origin);
}

std::string topology_to_json_text(const Topology& topology) {
    const auto& info = topology.info();
    std::string out = "{\n";
    out += "  \"format\": " + json(json_format_name).dump() + ",\n";
    out += "  \"version\": " + std::to_string(json_format_version) + ",\n";
    out += "  \"name\": " + json(info.name).dump(-1, ' ', false, json::error_handler_t::replace) + ",\n";
    if (!info.grid_dims.empty()) out += "  \"grid_dims\": " + json(info.grid_dims).dump() + ",\n";
    if (!info.representative_chips.empty()) {
        out += "  \"representative_chips\": " + json(info.representative_chips).dump() + ",\n";
    }
    write_list(out, "chips", topology.chips(), chip_to_json, false);
    write_list(out, "links", topology.links(), link_to_json, true);
    out += "}\n";
    return out;
}

}  // namespace lpu::topology
