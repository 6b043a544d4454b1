#pragma once
// ChipSpec: every figure of one emulated LPU that the time model, the fabric,
// the compiler and the runtime need. The default preset "tsp-v1" is built from
// ../shared/reference/hardware.md (GroqChip / TSP v1, ISCA 2020 and the product
// sheet); each field says where its default comes from. Figures marked
// "assumed" are not published: they are calibration knobs, overridable in a
// spec file like every other field.
//
// Spec file format (JSON): an object whose keys are the field names below, any
// subset of them, plus "base": the preset the file starts from (default
// "tsp-v1"). Unknown keys, wrong types and out-of-range values are refused with
// an lpu::Error naming the key. See examples/specs/.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace lpu::sim {

struct ChipSpec {
    std::string name = "tsp-v1";

    // --- clock and memory ---------------------------------------------------
    std::int64_t clock_hz = 900'000'000;  // 900 MHz nominal [P]
    // "230 MB (220 MiB)" [P]: we take the vendor's decimal 230e6 bytes (219.3 MiB),
    // the smaller reading, so a plan that fits here fits the real part; it is also
    // the figure behind "69 GB of INT8 weights -> ~300 chips".
    std::int64_t sram_bytes = 230'000'000;
    std::int64_t sram_bytes_per_second = 80'000'000'000'000;  // 80 TB/s vendor figure [P]
    std::int64_t sram_latency_cycles = 16;  // assumed: read-to-write of one SRAM copy

    // --- matrix unit (MXM) --------------------------------------------------
    std::int64_t mxm_planes = 4;        // 4 planes ... [S]
    std::int64_t mxm_plane_dim = 320;   // ... of 320x320 MACs [S]
    // 4 x 320 x 320 = 409,600 MACs/cycle = 737 TOPS at 900 MHz; the vendor's
    // "750 TOPS INT8" [P] is this figure rounded up.
    std::int64_t int8_macs_per_cycle = 409'600;
    // FP16 at 1/4 of the INT8 rate: 184 TFLOPS (press: 188) [S].
    std::int64_t fp16_macs_per_cycle = 102'400;
    std::int64_t fp8_macs_per_cycle = 0;  // 0 = no FP8 mode (TSP v1 has none)
    std::int64_t mxm_latency_cycles = 64;  // assumed: weights in, first result out

    // --- vector unit (VXM) and the data unit ---------------------------------
    std::int64_t vector_lanes = 320;         // 320 lanes [S]
    std::int64_t vector_alus_per_lane = 16;  // 5,120 ALUs = 16 per lane x 320 [S]
    std::int64_t vector_bytes = 320;         // one vector = 320 bytes; also the C2C unit [S]
    std::int64_t vector_latency_cycles = 24;  // assumed: operands in, result out

    // --- chip-to-chip links (RealScale) -----------------------------------------
    std::int64_t c2c_ports = 16;                             // 16 links per chip [S]
    std::int64_t c2c_lanes_per_port = 4;                     // x 4 lanes [S]
    std::int64_t c2c_lane_bits_per_second = 30'000'000'000;  // 30 Gb/s per lane [P]
    // Line code, assumed 64b/66b (the usual code at this lane rate): 4 x 30 Gb/s
    // x 64/66 / 8 = 14.5 GB/s per direction, inside the published ~14-15 GB/s.
    std::int64_t c2c_encoding_payload_bits = 64;
    std::int64_t c2c_encoding_line_bits = 66;
    std::int64_t link_latency_mean_cycles = 216;  // measured ~216 cycles [S]
    double link_latency_stddev_cycles = 2.75;     // measured 2.6-2.9 cycles [S]

    // --- host link ---------------------------------------------------------------
    // PCIe Gen4 x16 [S]: 16 lanes x 16 GT/s x 128/130 / 8 bytes.
    std::int64_t host_link_bytes_per_second = 31'507'692'307;

    // --- power [S] --------------------------------------------------------------
    double power_max_watts = 300.0;
    double power_tdp_watts = 215.0;
    double power_average_watts = 185.0;

    // --- derived figures ---------------------------------------------------------
    std::int64_t vector_alus() const { return vector_lanes * vector_alus_per_lane; }
    double sram_bytes_per_cycle() const {
        return static_cast<double>(sram_bytes_per_second) / static_cast<double>(clock_hz);
    }
    // Usable payload bytes per second of one link in one direction.
    std::int64_t link_bytes_per_second() const {
        return c2c_lanes_per_port * c2c_lane_bits_per_second / c2c_encoding_line_bits *
               c2c_encoding_payload_bits / 8;
    }
    double int8_ops_per_second() const {
        return 2.0 * static_cast<double>(int8_macs_per_cycle) * static_cast<double>(clock_hz);
    }
    double fp16_flops_per_second() const {
        return 2.0 * static_cast<double>(fp16_macs_per_cycle) * static_cast<double>(clock_hz);
    }

    bool operator==(const ChipSpec&) const = default;
};

// The names chip_spec_preset accepts, default first.
std::vector<std::string> chip_spec_preset_names();

// A built-in spec: "tsp-v1" (the default above) or "tsp-v1-1ghz" (the same chip
// at the 1 GHz of the ISCA 2020 paper, with that paper's ~55 TiB/s SRAM
// bandwidth). Throws lpu::Error for any other name, listing the valid ones.
ChipSpec chip_spec_preset(const std::string& name);

// Throws lpu::Error naming the first field that is out of range.
void validate(const ChipSpec& spec);

// A spec from parsed JSON in the spec file format; `origin` names the source in
// error messages. The result is validated.
ChipSpec chip_spec_from_json(const nlohmann::json& document, const std::string& origin);

// `name_or_path` is a preset name or the path of a spec file.
ChipSpec load_chip_spec(const std::string& name_or_path);

// Every field, in the spec file format (loading it back gives the same spec).
// Callers include <nlohmann/json.hpp> to use the result.
nlohmann::json to_json(const ChipSpec& spec);

}  // namespace lpu::sim
