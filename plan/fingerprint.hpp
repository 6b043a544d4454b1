#pragma once
// What a plan was compiled for. A plan is only valid for the exact model and
// system it was compiled against; check_fingerprint refuses any other.
#include <cstdint>
#include <string>

namespace lpu::plan {

struct Plan;

struct ModelFingerprint {
    std::uint64_t hash = 0;   // hash of the model's shape and weights
    std::string description;  // human form, e.g. "stories260K dim 64 layers 5 heads 8/4 hidden 172 vocab 512 f32"
    bool operator==(const ModelFingerprint&) const = default;
};

struct SystemFingerprint {
    std::string topology;   // topology spec or name, e.g. "ring:8"
    std::string chip_spec;  // chip spec name, e.g. "tsp"
    std::uint64_t hash = 0; // hash of the full topology and chip spec
    bool operator==(const SystemFingerprint&) const = default;
};

// Throws lpu::Error naming the first difference, e.g. "plan was compiled for
// model X, this is model Y".
void check_fingerprint(const Plan& plan, const ModelFingerprint& model, const SystemFingerprint& system);

}  // namespace lpu::plan
