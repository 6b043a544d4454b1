#pragma once
// The fingerprints a plan carries (plan/fingerprint.hpp): of the model (its
// shape and every weight byte, so a retrained file with the same shape is
// another model) and of the system (topology and chip spec).
#include <string>

#include "plan/fingerprint.hpp"
#include "runtime/model/model_config.hpp"
#include "runtime/model/model_file.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology.hpp"

namespace lpu::compiler {

plan::ModelFingerprint model_fingerprint(const model::ModelFile& file);
// A model known by its shape only (no weights: the simulator's case).
plan::ModelFingerprint shape_fingerprint(const model::ModelConfig& config);

// `topology_name` is how the user named it (a spec such as "ring:8", or a file).
plan::SystemFingerprint system_fingerprint(const topology::Topology& topology, const std::string& topology_name,
                                           const sim::ChipSpec& spec);

}  // namespace lpu::compiler
