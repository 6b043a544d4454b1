#include "runtime/model/unicode_classes.hpp"

#include <algorithm>
#include <array>

namespace lpu::model::unicode {
namespace {

// ASCII is most of what tokenizers see: a direct table for it.
std::array<CodePointClass, 128> ascii_classes() {
    std::array<CodePointClass, 128> classes{};
    const auto ranges = class_ranges();
    for (char32_t c = 0; c < 128; ++c) {
        const auto range = std::upper_bound(ranges.begin(), ranges.end(), c,
                                            [](char32_t value, const ClassRange& r) { return value < r.first; });
        classes[c] = std::prev(range)->code_point_class;
    }
    return classes;
}

}  // namespace

CodePointClass class_of(char32_t code_point) {
    static const std::array<CodePointClass, 128> ascii = ascii_classes();
    if (code_point < 128) return ascii[code_point];
    if (code_point > 0x10FFFF) return CodePointClass::Other;
    const auto ranges = class_ranges();
    const auto range = std::upper_bound(ranges.begin(), ranges.end(), code_point,
                                        [](char32_t value, const ClassRange& r) { return value < r.first; });
    return std::prev(range)->code_point_class;
}

}  // namespace lpu::model::unicode
