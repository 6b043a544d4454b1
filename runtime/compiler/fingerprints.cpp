#include "runtime/compiler/fingerprints.hpp"

#include <cstring>

#include <nlohmann/json.hpp>

#include "runtime/kernels/dtype.hpp"
#include "topology/topology_io.hpp"

namespace lpu::compiler {
namespace {

// FNV-1a over 8-byte words (a fast, stable hash; not cryptographic: it tells
// files apart, it does not defend against forgery).
class Hasher {
public:
    void add(const void* data, std::size_t size) {
        const auto* bytes = static_cast<const unsigned char*>(data);
        std::size_t i = 0;
        for (; i + 8 <= size; i += 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, bytes + i, 8);
            mix(word);
        }
        for (; i < size; ++i) mix(bytes[i]);
        mix(size);
    }
    void add(const std::string& text) { add(text.data(), text.size()); }
    std::uint64_t value() const { return state_; }

private:
    void mix(std::uint64_t word) {
        state_ ^= word;
        state_ *= 0x100000001b3ULL;
    }
    std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

// Empty for a dense model, so that its fingerprint (and its plan files) stay as they were.
std::string experts_text(const model::ModelConfig& c) {
    if (!c.is_mixture_of_experts()) return "";
    std::string text = " experts ";
    return text.append(std::to_string(c.experts)).append("/").append(std::to_string(c.active_experts));
}

// What Llama 3.1 and Qwen2 add to the llama block; empty for a plain llama
// model, so that its fingerprint stays as it was.
std::string variant_text(const model::ModelConfig& c) {
    std::string text;
    if (c.architecture != model::Architecture::Llama) text.append(" ").append(model::architecture_name(c.architecture));
    if (c.rope_pairing == kernels::RopePairing::Halves) text.append(" rope-halves");
    if (c.rope_freq_scale != 1.0f) text.append(" rope-scale ").append(std::to_string(c.rope_freq_scale));
    if (c.rope_freq_factors) text.append(" rope-factors");
    if (c.qkv_bias) text.append(" qkv-bias");
    return text;
}

// Empty for a model whose matrices all have weight_dtype, so that its
// fingerprint (and its plan files) stay as they were; else every exception.
std::string overrides_text(const model::ModelConfig& c) {
    std::string text;
    for (const auto& entry : c.weight_type_overrides) {
        text.append(" ").append(std::to_string(static_cast<int>(entry.tensor))).append("@");
        text.append(std::to_string(entry.layer)).append("=").append(kernels::dtype_name(entry.dtype));
    }
    return text;
}

std::string describe(const model::ModelConfig& c) {
    return c.name + " dim " + std::to_string(c.dim) + " layers " + std::to_string(c.n_layers) + " heads " +
           std::to_string(c.n_heads) + "/" + std::to_string(c.n_kv_heads) + " hidden " + std::to_string(c.hidden_dim) +
           " vocab " + std::to_string(c.vocab_size) + " " + model::weight_types_text(c) + experts_text(c) +
           variant_text(c);
}

// The hash covers the shape and the weights, not the names: the same model
// as GGUF and as a llama2.c checkpoint runs the same plans.
std::string shape_text(const model::ModelConfig& c) {
    return std::to_string(c.dim) + " " + std::to_string(c.n_layers) + " " + std::to_string(c.n_heads) + " " +
           std::to_string(c.n_kv_heads) + " " + std::to_string(c.hidden_dim) + " " + std::to_string(c.vocab_size) +
           " " + std::to_string(c.context_length) + " " + kernels::dtype_name(c.weight_dtype) + " " +
           std::to_string(c.rms_norm_eps) + " " + std::to_string(c.rope_theta) + (c.tied_output ? " tied" : "") +
           experts_text(c) + variant_text(c) + overrides_text(c);
}

}  // namespace

plan::ModelFingerprint shape_fingerprint(const model::ModelConfig& config) {
    Hasher hasher;
    hasher.add(shape_text(config));
    return {hasher.value(), describe(config)};
}

plan::ModelFingerprint model_fingerprint(const model::ModelFile& file) {
    Hasher hasher;
    hasher.add(shape_text(file.config()));
    for (const model::TensorView* tensor : model::tensor_list(file.weights())) {
        hasher.add(tensor->data, tensor->size_bytes());
    }
    return {hasher.value(), describe(file.config())};
}

plan::SystemFingerprint system_fingerprint(const topology::Topology& topology, const std::string& topology_name,
                                           const sim::ChipSpec& spec) {
    Hasher hasher;
    hasher.add(topology::topology_to_json_text(topology));
    hasher.add(sim::to_json(spec).dump());
    return {topology_name, spec.name, hasher.value()};
}

}  // namespace lpu::compiler
