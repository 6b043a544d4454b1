#pragma once
// A half-open range [begin, end) of indices (heads, rows, columns, layers), and
// the one rule the partitioner uses to divide a count into contiguous parts.
#include <cstdint>
#include <optional>
#include <string>

namespace lpu::compiler {

struct IndexRange {
    std::int64_t begin = 0;
    std::int64_t end = 0;

    std::int64_t size() const { return end - begin; }
    bool contains(std::int64_t index) const { return index >= begin && index < end; }
    bool operator==(const IndexRange&) const = default;
};

// Part `part` of `parts` contiguous parts of [0, count), every boundary a
// multiple of `granule`, as even as possible: count / granule units split as
// [units * part / parts, units * (part + 1) / parts). Throws lpu::Error (naming
// `what`) when count is not a whole number of granules or there are fewer units
// than parts (some part would be empty).
IndexRange split_range(std::int64_t count, int parts, int part, std::int64_t granule, const char* what);

// Why split_range cannot divide `count` into `parts` (>= 1) parts: the message
// it would throw, or nullopt when every part can be made.
std::optional<std::string> split_refusal(std::int64_t count, int parts, std::int64_t granule, const char* what);

}  // namespace lpu::compiler
