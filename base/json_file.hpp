#pragma once
// A JSON document read from a file the user named.
#include <string>

#include <nlohmann/json.hpp>

namespace lpu {

// The parsed contents of `path`. Throws lpu::Error naming the file when it
// cannot be read or is not valid JSON.
nlohmann::json read_json_file(const std::string& path);

}  // namespace lpu
