#pragma once
// Parameters of the alignment protocol (sim/clock/clock_fabric.hpp) and the defaults
// derived from the drift budget.
//
// Drift budget: crystals within +-P ppm of nominal (P = 100 by default: the top
// of the ordinary crystal range in hardware.md) that wander as a random walk of
// W ppm/sqrt(s) (default 0.01: about 0.6 ppm rms over an hour, a crystal
// following a data-centre's temperature). Two chips then differ by up to 2P =
// 200 ppm: 0.18 cycles per 1000 cycles, 180,000 cycles per second at 900 MHz.
// Offset corrections alone would have to come every S / (2P * 1e-6 * f)
// seconds (0.09 ms for S = 16 cycles); so, like a PLL, each child also trims
// its HAC's rate from the error it measures, and the correction period is set
// by what the rate trim cannot follow: wander and measurement noise.
//
// Error per tree hop, in cycles (sigma_L = link jitter, 2.75 cycles measured;
// every noise term at its 6-sigma bound, which the bounded normal of
// sim/random.hpp makes a hard bound per message):
//   latency estimate      L = 6 sigma_L / sqrt(2 n)   (n echoes, half a round trip each)
//   one correction        B = 6 sigma_L / sqrt(m)     (mean of m messages)
//   offset + rate noise   1 + L + 3 B                 (offset error B; the rate trim, set
//                                                      from two noisy offsets, adds 2 B)
//   parent's own steps    x 1 / (1 - g)               (seen through the rate loop, gain g = 1/2)
//   wander                2 * 6 W sqrt(T) 1e-6 f T    (both chips' walk over one period T)
//   SAC within an epoch   E * 2P * 1e-6               (the SAC counts raw cycles between DESKEWs)
// Defaults: n = 16, m = 4 -> noise part (1 + 2.9 + 24.8) / (1 - 1/2) = 57 cycles;
// T is chosen so the wander term is at most a quarter of that (0.26 s for W =
// 0.01, at most 10 s); E is the largest power of two with E * 2P * 1e-6 <= 1
// cycle (4096 for P = 100), so SAC drift stays under a cycle. A chip at depth d
// is then within d * hop bound of the root, two chips within the sum of theirs.
#include <cstdint>
#include <optional>

#include "sim/chip/chip_spec.hpp"
#include "sim/chip/link_model.hpp"
#include "topology/topology.hpp"

namespace lpu::sim {

struct DriftBudget {
    double crystal_ppm = 100.0;            // crystals uniform in +-crystal_ppm
    double wander_ppm_per_sqrt_s = 0.01;   // random walk of each crystal's offset
};

struct AlignmentParams {
    std::int64_t epoch_cycles = 4096;                   // HAC epoch (wrap) length
    std::int64_t correction_period_cycles = 234'000'000;  // T, in root HAC cycles
    std::int32_t echo_count = 16;                       // n
    std::int32_t correction_messages = 4;               // m per correction
    std::int64_t message_spacing_cycles = 256;          // between messages of a burst
    // A chip at depth d sends round k's corrections when its HAC reaches
    // start + k * T + d * level_delay: after its own correction has landed.
    std::int64_t level_delay_cycles = 4096;
    std::int64_t start_cycles = 65'536;                 // round 0 (after the echoes)
    int rate_gain_shift = 1;                            // g = 2^-shift
    topology::ChipId root = 0;                          // BFS tree from here
};

// Throws lpu::Error naming the first field out of range.
void validate(const AlignmentParams& params);

// The defaults above for a given chip, link and drift budget.
AlignmentParams derive_alignment_params(const ChipSpec& spec, const LinkTiming& link, const DriftBudget& budget);

// Fields set by hand over the derived defaults (the flags of `lpu fabric`);
// each one left empty keeps its derived value.
struct AlignmentOverrides {
    std::optional<double> correction_period_s;  // seconds of the chip's nominal clock
    std::optional<std::int64_t> epoch_cycles;
    std::optional<topology::ChipId> root;
    std::optional<std::int32_t> echo_count;
    std::optional<std::int32_t> correction_messages;
};

// derive_alignment_params for the spec's own link, then the overrides,
// validated (lpu::Error naming the first field out of range).
AlignmentParams alignment_params_with(const ChipSpec& spec, const DriftBudget& budget,
                                      const AlignmentOverrides& overrides);

// The per-hop error bound of the header comment, in cycles.
double hop_error_bound_cycles(const AlignmentParams& params, const ChipSpec& spec, const LinkTiming& link,
                              const DriftBudget& budget);

}  // namespace lpu::sim
