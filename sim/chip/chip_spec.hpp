#pragma once
// ChipSpec: every figure of one emulated LPU that the time model, the fabric,
// the compiler and the runtime need. The preset "tsp-v1" is built from the
// published figures (GroqChip / TSP v1: ISCA 2020, ISCA 2022 and the product
// sheet); each field carries its source tag: [P] primary source, [S] secondary,
// [D] derived by arithmetic, [assumed] not published (a knob to calibrate).
// examples/specs/README.md lists every field with its tag. Every field is
// overridable in a spec file.
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
    // How fast the matrix unit takes in weights that are used once (a batch-1
    // matrix-vector product), in bytes per cycle for the whole chip (all planes
    // together) [not published: fitted]. Per chip, not per plane, because the
    // compiler gives every product the whole unit and nothing published says how
    // installs share the planes; one number is what measurements can pin down.
    // 0 = installs never limit a product (they hide behind compute and streaming).
    std::int64_t mxm_weight_install_bytes_per_cycle = 0;

    // --- vector unit (VXM) and the data unit ---------------------------------
    std::int64_t vector_lanes = 320;         // 320 lanes [S]
    std::int64_t vector_alus_per_lane = 16;  // 5,120 ALUs = 16 per lane x 320 [S]
    std::int64_t vector_bytes = 320;         // one vector = 320 bytes; also the C2C unit [S]
    std::int64_t vector_latency_cycles = 24;  // assumed: operands in, result out

    // --- chip-to-chip links (RealScale) -----------------------------------------
    std::int64_t c2c_ports = 16;                             // 16 links per chip [S]
    std::int64_t c2c_lanes_per_port = 4;                     // x 4 lanes [S]
    // Lanes run at 25 Gb/s as deployed (30 Gb/s is the maximum) [S, ISCA'22].
    std::int64_t c2c_lane_bits_per_second = 25'000'000'000;
    // Framing: a 320-byte vector travels as a 328-byte frame [S], so the payload
    // is 2560 of every 2624 bits: 4 x 25 Gb/s x 320/328 / 8 = 12.2 GB/s per
    // direction [D].
    std::int64_t c2c_encoding_payload_bits = 2560;
    std::int64_t c2c_encoding_line_bits = 2624;
    // One pipelined hop: 722 ns [S, ISCA'22's all-reduce analysis] = 650 cycles
    // at 900 MHz [D]. (The ~216 cycles of ISCA'22 Table 2 are the HAC's reading,
    // the latency modulo the HAC period, not a hop.)
    std::int64_t link_latency_mean_cycles = 650;
    double link_latency_stddev_cycles = 2.75;  // HAC-measured spread 2.6-2.9 cycles [S]

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
// The preset commands use when no --spec is given.
std::string default_chip_spec_name();

// A built-in spec: "tsp-v1" (the published figures above), "tsp-v1-calibrated"
// (the default: tsp-v1 with the unpublished weight-install rate fitted by
// `lpu calibrate` to the published Llama-2 70B figures, see calibrated_fields.hpp)
// or "tsp-v1-1ghz" (tsp-v1 at the 1 GHz of the ISCA 2020 paper, with that
// paper's ~55 TiB/s SRAM bandwidth). Throws lpu::Error for any other name,
// listing the valid ones.
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
