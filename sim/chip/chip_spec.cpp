#include "sim/chip/chip_spec.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "sim/chip/calibrated_fields.hpp"

namespace lpu::sim {
namespace {

// One table drives validation, loading and saving, so the three never disagree
// about which fields exist or what range each may take.
struct IntegerField {
    const char* key;
    std::int64_t ChipSpec::*member;
    std::int64_t min;
    std::int64_t max;
};
struct RealField {
    const char* key;
    double ChipSpec::*member;
    double min;
    double max;
};

// Upper bounds are generous sanity limits: they stop typos (and giant arena
// reservations) long before they constrain a real design.
constexpr std::int64_t kMaxSramBytes = std::int64_t{1} << 40;  // 1 TiB
constexpr std::int64_t kMaxLatencyCycles = 1'000'000'000;

const IntegerField kIntegerFields[] = {
    {"clock_hz", &ChipSpec::clock_hz, 1'000'000, 100'000'000'000},
    {"sram_bytes", &ChipSpec::sram_bytes, 1, kMaxSramBytes},
    {"sram_bytes_per_second", &ChipSpec::sram_bytes_per_second, 1, 10'000'000'000'000'000},
    {"sram_latency_cycles", &ChipSpec::sram_latency_cycles, 0, kMaxLatencyCycles},
    {"mxm_planes", &ChipSpec::mxm_planes, 1, 1024},
    {"mxm_plane_dim", &ChipSpec::mxm_plane_dim, 1, 65'536},
    {"int8_macs_per_cycle", &ChipSpec::int8_macs_per_cycle, 1, 1'000'000'000'000},
    {"fp16_macs_per_cycle", &ChipSpec::fp16_macs_per_cycle, 1, 1'000'000'000'000},
    {"fp8_macs_per_cycle", &ChipSpec::fp8_macs_per_cycle, 0, 1'000'000'000'000},
    {"mxm_latency_cycles", &ChipSpec::mxm_latency_cycles, 0, kMaxLatencyCycles},
    {"mxm_weight_install_bytes_per_cycle", &ChipSpec::mxm_weight_install_bytes_per_cycle, 0, 1'000'000'000'000},
    {"vector_lanes", &ChipSpec::vector_lanes, 1, 65'536},
    {"vector_alus_per_lane", &ChipSpec::vector_alus_per_lane, 1, 65'536},
    {"vector_bytes", &ChipSpec::vector_bytes, 1, 65'536},
    {"vector_latency_cycles", &ChipSpec::vector_latency_cycles, 0, kMaxLatencyCycles},
    {"c2c_ports", &ChipSpec::c2c_ports, 0, 1024},
    {"c2c_lanes_per_port", &ChipSpec::c2c_lanes_per_port, 1, 1024},
    {"c2c_lane_bits_per_second", &ChipSpec::c2c_lane_bits_per_second, 1, 10'000'000'000'000},
    {"c2c_encoding_payload_bits", &ChipSpec::c2c_encoding_payload_bits, 1, 1 << 20},
    {"c2c_encoding_line_bits", &ChipSpec::c2c_encoding_line_bits, 1, 1 << 20},
    {"link_latency_mean_cycles", &ChipSpec::link_latency_mean_cycles, 0, kMaxLatencyCycles},
    {"host_link_bytes_per_second", &ChipSpec::host_link_bytes_per_second, 1,
     10'000'000'000'000},
};

const RealField kRealFields[] = {
    {"link_latency_stddev_cycles", &ChipSpec::link_latency_stddev_cycles, 0.0, 1e9},
    {"power_max_watts", &ChipSpec::power_max_watts, 1e-3, 1e6},
    {"power_tdp_watts", &ChipSpec::power_tdp_watts, 1e-3, 1e6},
    {"power_average_watts", &ChipSpec::power_average_watts, 1e-3, 1e6},
};

constexpr std::size_t kMaxSpecFileBytes = 1 << 20;

std::string join_preset_names() {
    std::string names;
    for (const auto& name : chip_spec_preset_names()) {
        if (!names.empty()) names += ", ";
        names += name;
    }
    return names;
}

std::string out_of_range(const char* key, const std::string& value, const std::string& min,
                         const std::string& max) {
    return std::string("chip spec field '") + key + "' = " + value + " is out of range [" + min +
           ", " + max + "]";
}

std::int64_t read_integer(const nlohmann::json& value, const IntegerField& field,
                          const std::string& origin) {
    const std::string where = origin + ": field '" + field.key + "'";
    if (value.is_number_unsigned()) {
        const auto raw = value.get<std::uint64_t>();
        require(raw <= static_cast<std::uint64_t>(field.max),
                where + " = " + std::to_string(raw) + " is above its maximum " +
                    std::to_string(field.max));
        return static_cast<std::int64_t>(raw);
    }
    if (value.is_number_integer()) return value.get<std::int64_t>();
    if (value.is_number_float()) {
        // Accept 2.3e8-style literals, but only when they are whole numbers in range.
        const double raw = value.get<double>();
        require(std::nearbyint(raw) == raw, where + " must be a whole number, got " + value.dump());
        require(raw >= static_cast<double>(field.min) && raw <= static_cast<double>(field.max),
                where + " = " + value.dump() + " is out of range [" + std::to_string(field.min) +
                    ", " + std::to_string(field.max) + "]");
        return static_cast<std::int64_t>(raw);
    }
    throw Error(where + " must be an integer, got " + value.dump());
}

double read_real(const nlohmann::json& value, const RealField& field, const std::string& origin) {
    require(value.is_number(), origin + ": field '" + field.key + "' must be a number, got " +
                                   value.dump());
    return value.get<double>();
}

nlohmann::json parse_spec_file(const std::string& path) {
    std::error_code error;
    const auto size_bytes = std::filesystem::file_size(path, error);
    require(!error, "cannot read chip spec file '" + path + "': " + error.message());
    require(size_bytes <= kMaxSpecFileBytes,
            "chip spec file '" + path + "' is " + std::to_string(size_bytes) +
                " bytes; a spec file is at most " + std::to_string(kMaxSpecFileBytes));
    std::ifstream in(path, std::ios::binary);
    require(in.good(), "cannot open chip spec file '" + path + "'");
    std::stringstream text;
    text << in.rdbuf();
    try {
        return nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {  // syntax, or a number out of range
        throw Error("chip spec file '" + path + "' is not valid JSON: " + e.what());
    }
}

}  // namespace

std::vector<std::string> chip_spec_preset_names() { return {"tsp-v1-calibrated", "tsp-v1", "tsp-v1-1ghz"}; }

std::string default_chip_spec_name() { return chip_spec_preset_names().front(); }

ChipSpec chip_spec_preset(const std::string& name) {
    if (name == "tsp-v1") return ChipSpec{};
    if (name == "tsp-v1-calibrated") {
        ChipSpec spec;
        spec.name = name;
        spec.mxm_weight_install_bytes_per_cycle = calibrated::mxm_weight_install_bytes_per_cycle;
        return spec;
    }
    if (name == "tsp-v1-1ghz") {
        ChipSpec spec;
        spec.name = name;
        spec.clock_hz = 1'000'000'000;
        // The paper's derived on-chip bandwidth at 1 GHz: ~55 TiB/s.
        spec.sram_bytes_per_second = 55 * (std::int64_t{1} << 40);
        return spec;
    }
    throw Error("unknown chip spec preset '" + name + "' (known: " + join_preset_names() + ")");
}

void validate(const ChipSpec& spec) {
    require(!spec.name.empty(), "chip spec field 'name' must not be empty");
    for (const auto& field : kIntegerFields) {
        const std::int64_t value = spec.*field.member;
        require(value >= field.min && value <= field.max,
                out_of_range(field.key, std::to_string(value), std::to_string(field.min),
                             std::to_string(field.max)));
    }
    for (const auto& field : kRealFields) {
        const double value = spec.*field.member;
        require(value >= field.min && value <= field.max,  // also refuses NaN
                out_of_range(field.key, std::to_string(value), std::to_string(field.min),
                             std::to_string(field.max)));
    }
    require(spec.sram_bytes >= spec.vector_bytes,
            "chip spec field 'sram_bytes' = " + std::to_string(spec.sram_bytes) +
                " is smaller than one vector (vector_bytes = " + std::to_string(spec.vector_bytes) +
                ")");
    require(spec.c2c_encoding_payload_bits <= spec.c2c_encoding_line_bits,
            "chip spec field 'c2c_encoding_payload_bits' = " +
                std::to_string(spec.c2c_encoding_payload_bits) +
                " exceeds 'c2c_encoding_line_bits' = " + std::to_string(spec.c2c_encoding_line_bits));
    require(spec.link_bytes_per_second() >= 1,
            "chip spec field 'c2c_lane_bits_per_second' = " +
                std::to_string(spec.c2c_lane_bits_per_second) +
                " gives links of less than one byte per second");
    require(spec.power_tdp_watts <= spec.power_max_watts,
            "chip spec field 'power_tdp_watts' exceeds 'power_max_watts'");
    require(spec.power_average_watts <= spec.power_max_watts,
            "chip spec field 'power_average_watts' exceeds 'power_max_watts'");
}

ChipSpec chip_spec_from_json(const nlohmann::json& document, const std::string& origin) {
    require(document.is_object(), origin + ": a chip spec must be a JSON object");
    std::string base = "tsp-v1";
    if (document.contains("base")) {
        const auto& value = document.at("base");
        require(value.is_string(), origin + ": field 'base' must be a preset name string");
        base = value.get<std::string>();
    }
    ChipSpec spec = chip_spec_preset(base);
    for (const auto& [key, value] : document.items()) {
        if (key == "base") continue;
        if (key == "name") {
            require(value.is_string(), origin + ": field 'name' must be a string");
            spec.name = value.get<std::string>();
            continue;
        }
        bool known = false;
        for (const auto& field : kIntegerFields) {
            if (key != field.key) continue;
            spec.*field.member = read_integer(value, field, origin);
            known = true;
        }
        for (const auto& field : kRealFields) {
            if (key != field.key) continue;
            spec.*field.member = read_real(value, field, origin);
            known = true;
        }
        require(known, origin + ": unknown chip spec field '" + key + "'");
    }
    try {
        validate(spec);
    } catch (const Error& e) {
        throw Error(origin + ": " + e.what());
    }
    return spec;
}

ChipSpec load_chip_spec(const std::string& name_or_path) {
    for (const auto& name : chip_spec_preset_names()) {
        if (name == name_or_path) return chip_spec_preset(name);
    }
    std::error_code error;  // a name the file system refuses (too long) is no file either
    require(std::filesystem::exists(name_or_path, error),
            "chip spec '" + name_or_path + "' is neither a preset (" + join_preset_names() +
                ") nor an existing file");
    return chip_spec_from_json(parse_spec_file(name_or_path), name_or_path);
}

nlohmann::json to_json(const ChipSpec& spec) {
    nlohmann::json document;
    document["name"] = spec.name;
    for (const auto& field : kIntegerFields) document[field.key] = spec.*field.member;
    for (const auto& field : kRealFields) document[field.key] = spec.*field.member;
    return document;
}

}  // namespace lpu::sim
