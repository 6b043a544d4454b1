#include "base/json_file.hpp"

#include <fstream>

#include "base/error.hpp"

namespace lpu {

nlohmann::json read_json_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    require(in.good(), "cannot read '" + path + "'");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error("'" + path + "' is not valid JSON: " + e.what());
    }
}

}  // namespace lpu
