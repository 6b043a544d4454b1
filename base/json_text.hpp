#pragma once
// JSON as text, for output and for reports between processes: always valid
// UTF-8. Strings taken from files (a model's general.name, a plan's buffer
// names) may hold any bytes, and nlohmann's dump() throws on invalid UTF-8;
// here every invalid sequence becomes U+FFFD instead, as base/utf8.hpp's
// valid_utf8 does for generated text.
#include <string>

#include <nlohmann/json.hpp>

namespace lpu {

// `indent` as nlohmann's dump(): -1 for one line, else spaces per level.
inline std::string json_text(const nlohmann::json& value, int indent = -1) {
    return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace lpu
