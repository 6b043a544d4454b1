#include "runtime/compiler/weight_slice.hpp"

#include <cstring>
#include <string>

#include "base/error.hpp"

namespace lpu::compiler {
namespace {

std::string range_text(IndexRange range) {
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "[" + std::string.
    std::string text = "[";
    text += std::to_string(range.begin);
    text += ", ";
    text += std::to_string(range.end);
    text += ")";
    return text;
}

void require_range(IndexRange range, std::int64_t count, const char* what) {
    require(range.begin >= 0 && range.begin < range.end && range.end <= count,
            std::string("weight slice: ") + what + " range " + range_text(range) + " is empty or outside [0, " +
                std::to_string(count) + ")");
}

void require_columns(const kernels::Matrix& w, IndexRange columns) {
    kernels::validate_matrix(w, "weight slice source");
    require_range(columns, w.cols, "column");
    const std::int64_t block = kernels::block_shape(w.dtype).values;
    require(columns.begin % block == 0 && columns.end % block == 0, [&] {
        return "weight slice: " + kernels::dtype_name(w.dtype) + " column range " + range_text(columns) +
               " does not fall on " + std::to_string(block) + "-column block boundaries";
    });
}

void require_capacity(std::span<std::byte> out, std::size_t needed_bytes) {
    require(out.size() >= needed_bytes, "weight slice: buffer of " + std::to_string(out.size()) +
                                            " bytes is smaller than the " + std::to_string(needed_bytes) +
                                            " bytes the slice needs");
}

}  // namespace

std::size_t row_slice_bytes(const kernels::Matrix& w, IndexRange rows) {
    kernels::validate_matrix(w, "weight slice source");
    require_range(rows, w.rows, "row");
    return w.row_bytes() * static_cast<std::size_t>(rows.size());
}

std::size_t column_slice_bytes(const kernels::Matrix& w, IndexRange columns) {
    require_columns(w, columns);
    return kernels::dtype_bytes(w.dtype, static_cast<std::size_t>(columns.size())) * static_cast<std::size_t>(w.rows);
}

kernels::Matrix slice_rows(const kernels::Matrix& w, IndexRange rows, std::span<std::byte> out) {
    const std::size_t needed_bytes = row_slice_bytes(w, rows);
    require_capacity(out, needed_bytes);
    // Rows are contiguous in row-major storage: one copy.
    std::memcpy(out.data(), w.row(rows.begin), needed_bytes);
    return {w.dtype, rows.size(), w.cols, out.data()};
}

kernels::Matrix slice_columns(const kernels::Matrix& w, IndexRange columns, std::span<std::byte> out) {
    const std::size_t needed_bytes = column_slice_bytes(w, columns);
    require_capacity(out, needed_bytes);
    // Block-aligned, so the byte offset of a column is dtype_bytes of its index.
    const std::size_t skip_bytes = kernels::dtype_bytes(w.dtype, static_cast<std::size_t>(columns.begin));
    const std::size_t slice_row_bytes = kernels::dtype_bytes(w.dtype, static_cast<std::size_t>(columns.size()));
    for (std::int64_t r = 0; r < w.rows; ++r) {
        std::memcpy(out.data() + static_cast<std::size_t>(r) * slice_row_bytes, w.row(r) + skip_bytes, slice_row_bytes);
    }
    return {w.dtype, w.rows, columns.size(), out.data()};
}

}  // namespace lpu::compiler
