#include "base/printf_text.hpp"

#include <cstdarg>
#include <cstdio>

namespace lpu {

std::string printf_text(const char* format, ...) {
    std::va_list arguments;
    va_start(arguments, format);
    std::va_list again;
    va_copy(again, arguments);
    const int length = std::vsnprintf(nullptr, 0, format, arguments);
    va_end(arguments);
    std::string text(length > 0 ? static_cast<std::size_t>(length) : 0, '\0');
    // vsnprintf writes a terminating NUL: the string's own one, past size(), takes it.
    if (length > 0) std::vsnprintf(text.data(), text.size() + 1, format, again);
    va_end(again);
    return text;
}

}  // namespace lpu
