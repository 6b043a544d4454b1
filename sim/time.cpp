#include "sim/time.hpp"

#include <cmath>
#include <string>

#include "base/error.hpp"

namespace lpu::sim {

std::int64_t seconds_to_ps(double seconds) {
    // 9.2e6 s (106 days) is where int64 picoseconds end.
    require(std::isfinite(seconds) && seconds >= 0.0 && seconds <= 9.0e6,
            "a duration must be between 0 and 9e6 seconds, got " + std::to_string(seconds));
    return std::llround(seconds * static_cast<double>(ps_per_second));
}

}  // namespace lpu::sim
