#pragma once
// Whether a model fits the SRAM of a number of chips, decided from byte counts
// alone before anything is allocated, so the refusal can say how many bytes are
// missing and how many chips it would take.
#include <cstdint>
#include <string>

#include "sim/chip/chip_spec.hpp"

namespace lpu::chip {

struct SramFit {
    std::int64_t needed_bytes = 0;
    std::int64_t chips = 1;
    std::int64_t usable_bytes_per_chip = 0;  // sram_bytes minus the per-chip reserve
    std::int64_t available_bytes = 0;        // chips x usable_bytes_per_chip
    std::int64_t missing_bytes = 0;          // 0 when it fits
    std::int64_t min_chips = 1;              // ceil(needed / usable per chip), >= 1

    bool fits() const { return missing_bytes == 0; }
};

// `needed_bytes` >= 0 spread over `chips` >= 1 chips of `spec`, each keeping
// `reserved_bytes_per_chip` (e.g. activations and receive buffers) for itself.
// Throws lpu::Error on negative sizes or when the reserve alone fills a chip.
SramFit check_fit(std::int64_t needed_bytes, const sim::ChipSpec& spec, std::int64_t chips = 1,
                  std::int64_t reserved_bytes_per_chip = 0);

// The refusal: "<what> needs N bytes of SRAM but C chip(s) of 'spec' offer A
// (short by M bytes); it needs at least K chips".
std::string describe_misfit(const SramFit& fit, const std::string& what,
                            const std::string& spec_name);

// Throws lpu::Error with describe_misfit's message unless it fits.
void require_fit(std::int64_t needed_bytes, const sim::ChipSpec& spec, std::int64_t chips,
                 const std::string& what, std::int64_t reserved_bytes_per_chip = 0);

}  // namespace lpu::chip
