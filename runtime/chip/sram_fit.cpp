#include "runtime/chip/sram_fit.hpp"

#include <algorithm>
#include <limits>

#include "base/error.hpp"

namespace lpu::chip {

SramFit check_fit(std::int64_t needed_bytes, const sim::ChipSpec& spec, std::int64_t chips,
                  std::int64_t reserved_bytes_per_chip) {
    require(needed_bytes >= 0, "SRAM fit: needed bytes must be >= 0, got " +
                                   std::to_string(needed_bytes));
    require(chips >= 1, "SRAM fit: chip count must be >= 1, got " + std::to_string(chips));
    require(reserved_bytes_per_chip >= 0 && reserved_bytes_per_chip < spec.sram_bytes,
            "SRAM fit: per-chip reserve of " + std::to_string(reserved_bytes_per_chip) +
                " bytes leaves nothing of the " + std::to_string(spec.sram_bytes) +
                " bytes of a chip");
    SramFit fit;
    fit.needed_bytes = needed_bytes;
    fit.chips = chips;
    fit.usable_bytes_per_chip = spec.sram_bytes - reserved_bytes_per_chip;
    std::int64_t available = 0;
    fit.available_bytes = __builtin_mul_overflow(chips, fit.usable_bytes_per_chip, &available)
                              ? std::numeric_limits<std::int64_t>::max()
                              : available;
    fit.missing_bytes = needed_bytes > fit.available_bytes ? needed_bytes - fit.available_bytes : 0;
    fit.min_chips = std::max<std::int64_t>(
        1, needed_bytes / fit.usable_bytes_per_chip +
               (needed_bytes % fit.usable_bytes_per_chip != 0 ? 1 : 0));
    return fit;
}

std::string describe_misfit(const SramFit& fit, const std::string& what,
                            const std::string& spec_name) {
    return what + " needs " + std::to_string(fit.needed_bytes) + " bytes of SRAM but " +
           std::to_string(fit.chips) + (fit.chips == 1 ? " chip" : " chips") + " of '" + spec_name +
           "' offer " + std::to_string(fit.available_bytes) + " (short by " +
           std::to_string(fit.missing_bytes) + " bytes); it needs at least " +
           std::to_string(fit.min_chips) + " chips";
}

void require_fit(std::int64_t needed_bytes, const sim::ChipSpec& spec, std::int64_t chips,
                 const std::string& what, std::int64_t reserved_bytes_per_chip) {
    const SramFit fit = check_fit(needed_bytes, spec, chips, reserved_bytes_per_chip);
    require(fit.fits(), describe_misfit(fit, what, spec.name));
}

}  // namespace lpu::chip
