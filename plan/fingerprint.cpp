#include "plan/fingerprint.hpp"

#include <cstdio>

#include "base/error.hpp"
#include "plan/plan.hpp"

namespace lpu::plan {
namespace {

std::string hex(std::uint64_t value) {
    char text[19];
    std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(value));
    return text;
}

std::string describe(const ModelFingerprint& model) { return "'" + model.description + "' (hash " + hex(model.hash) + ")"; }

std::string describe(const SystemFingerprint& system) {
    return "topology '" + system.topology + "' with chip spec '" + system.chip_spec + "' (hash " + hex(system.hash) + ")";
}

}  // namespace

void check_fingerprint(const Plan& plan, const ModelFingerprint& model, const SystemFingerprint& system) {
    // Hashes decide; names are for people (a renamed file is the same model).
    require(plan.model.hash == model.hash,
            "plan was compiled for model " + describe(plan.model) + ", this is model " + describe(model));
    require(plan.system.hash == system.hash,
            "plan was compiled for system " + describe(plan.system) + ", this is system " + describe(system));
}

}  // namespace lpu::plan
