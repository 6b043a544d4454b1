#include "runtime/compiler/index_range.hpp"

#include <string>

#include "base/error.hpp"

namespace lpu::compiler {

std::optional<std::string> split_refusal(std::int64_t count, int parts, std::int64_t granule, const char* what) {
    if (granule < 1 || count < 1 || count % granule != 0) {
        return std::string(what) + ": " + std::to_string(count) + " is not a whole number of " +
               std::to_string(granule) + "-element granules";
    }
    const std::int64_t units = count / granule;
    if (units < parts) {
        return std::string(what) + ": " + std::to_string(count) + " in granules of " + std::to_string(granule) +
               " gives " + std::to_string(units) + " unit(s), fewer than the " + std::to_string(parts) +
               " parts asked for";
    }
    return std::nullopt;
}

IndexRange split_range(std::int64_t count, int parts, int part, std::int64_t granule, const char* what) {
    require(parts >= 1 && part >= 0 && part < parts,
            std::string(what) + ": part " + std::to_string(part) + " of " + std::to_string(parts) + " does not exist");
    if (auto refusal = split_refusal(count, parts, granule, what)) throw Error(*refusal);
    const std::int64_t units = count / granule;
    return {units * part / parts * granule, units * (part + 1) / parts * granule};
}

}  // namespace lpu::compiler
