#pragma once
// Checks for flag values with messages people can read: CLI11's own
// PositiveNumber and NonNegativeNumber answer a word with a range of 300 digits.
#include <cerrno>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>

namespace lpu::cli {

namespace detail {
inline CLI::Validator number_at_least(double minimum, bool inclusive, const std::string& what) {
    return CLI::Validator(
        [=](std::string& input) -> std::string {
            char* end = nullptr;
            errno = 0;
            const double value = std::strtod(input.c_str(), &end);
            const bool number = !input.empty() && end == input.c_str() + input.size() && errno == 0;
            if (number && (inclusive ? value >= minimum : value > minimum)) return {};
            return "must be " + what + ", got '" + input + "'";
        },
        what);
}
}  // namespace detail

inline const CLI::Validator positive_number = detail::number_at_least(0.0, false, "a positive number");
inline const CLI::Validator non_negative_number = detail::number_at_least(0.0, true, "a number >= 0");

}  // namespace lpu::cli
