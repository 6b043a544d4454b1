#pragma once
// The Unicode classes that byte-level BPE pre-tokenizers split on: letters
// (\p{L}), numbers (\p{N}), whitespace (\s, the White_Space property) and
// everything else (punctuation, symbols, emoji, marks, controls, unassigned).
// The table is generated from the Unicode Character Database by
// scripts/gen-unicode-classes (unicode_classes_data.cpp).
#include <cstdint>
#include <span>

namespace lpu::model::unicode {

enum class CodePointClass : std::uint8_t { Other, Letter, Number, Whitespace };

// The class of every code point from `first` up to the next range's first.
struct ClassRange {
    char32_t first;
    CodePointClass code_point_class;
};

// Sorted by first, starting at U+0000 (defined in unicode_classes_data.cpp).
std::span<const ClassRange> class_ranges();

// Other for values past U+10FFFF.
CodePointClass class_of(char32_t code_point);

}  // namespace lpu::model::unicode
