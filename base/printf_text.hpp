#pragma once
// printf formatting into a std::string, for reports built as text and printed
// (or tested) by their callers: the same bytes printf would write.
#include <string>

namespace lpu {

std::string printf_text(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace lpu
