#include "runtime/model/model_info.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"

namespace lpu::model {
namespace {

// Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "[" + std::to_string(...).
std::string shape_text(const TensorView& view) {
    std::string text = "[";
    if (view.rows != 1) text.append(std::to_string(view.rows)).append(" x ");
    return text.append(std::to_string(view.cols)).append("]");
}

struct Totals {
    std::int64_t parameters = 0;
    std::uint64_t bytes = 0;
};

Totals totals_of(const ModelWeights& weights) {
    Totals totals;
    for (const auto* view : tensor_list(weights)) {
        totals.parameters += view->elements();
        totals.bytes += view->size_bytes();
    }
    return totals;
}

// "RoPE on halves, q/k/v biases, ...": what the model adds to the llama block.
std::string variant_text(const ModelConfig& c) {
    std::string text = c.rope_pairing == kernels::RopePairing::Halves ? "RoPE on halves" : "RoPE on adjacent pairs";
    if (c.rope_freq_factors) text += ", rope_freqs factors";
    if (c.rope_freq_scale != 1.0f) text += ", linear RoPE scale " + std::to_string(c.rope_freq_scale);
    if (c.qkv_bias) text += ", q/k/v biases";
    return text;
}

nlohmann::json config_json(const ModelConfig& config) {
    return {{"name", config.name},
            {"architecture", architecture_name(config.architecture)},
            {"rope_pairing", config.rope_pairing == kernels::RopePairing::Halves ? "halves" : "adjacent"},
            {"rope_freq_scale", config.rope_freq_scale},
            {"rope_freq_factors", config.rope_freq_factors},
            {"qkv_bias", config.qkv_bias},
            {"dim", config.dim},
            {"hidden_dim", config.hidden_dim},
            {"n_layers", config.n_layers},
            {"n_heads", config.n_heads},
            {"n_kv_heads", config.n_kv_heads},
            {"head_dim", config.head_dim()},
            {"experts", config.experts},
            {"experts_used", config.active_experts},
            {"vocab_size", config.vocab_size},
            {"context_length", config.context_length},
            {"rms_norm_eps", config.rms_norm_eps},
            {"rope_theta", config.rope_theta},
            {"tied_output", config.tied_output},
            {"weight_dtype", kernels::dtype_name(config.weight_dtype)}};
}

nlohmann::json info_json(const ModelFile& file, const std::string& path) {
    nlohmann::json tensors = nlohmann::json::array();
    for (const auto* view : tensor_list(file.weights())) {
        tensors.push_back({{"name", view->name},
                           {"dtype", kernels::dtype_name(view->dtype)},
                           {"rows", view->rows},
                           {"cols", view->cols},
                           {"bytes", view->size_bytes()}});
    }
    nlohmann::json vocabulary = nullptr;
    if (const auto tokenizer = file.tokenizer()) {
        vocabulary = {{"tokens", tokenizer->pieces.size()},
                      {"model", tokenizer_model_name(tokenizer->model)},
                      {"pre_tokenizer", tokenizer->pre_tokenizer},
                      {"merges", tokenizer->merges.size()},
                      {"chat_template", !tokenizer->chat_template.empty()},
                      {"bos_id", tokenizer->bos_id},
                      {"eos_id", tokenizer->eos_id},
                      {"add_bos", tokenizer->add_bos},
                      {"add_space_prefix", tokenizer->add_space_prefix}};
    }
    const Totals totals = totals_of(file.weights());
    const nlohmann::json out = {{"path", path},
                                {"format", file.format()},
                                {"config", config_json(file.config())},
                                {"vocabulary", vocabulary},
                                {"parameters", totals.parameters},
                                {"weight_bytes", totals.bytes},
                                {"tensors", tensors}};
    return out;
}

}  // namespace

std::string model_info_text(const ModelFile& file, const std::string& path) {
    const auto& c = file.config();
    const Totals totals = totals_of(file.weights());
    std::ostringstream out;
    out << "model       " << c.name << " (" << file.format() << ", " << path << ")\n"
        << "arch        " << architecture_name(c.architecture) << ": " << variant_text(c) << "\n"
        << "shape       dim " << c.dim << ", hidden_dim " << c.hidden_dim << ", layers " << c.n_layers << ", heads "
        << c.n_heads << ", kv_heads " << c.n_kv_heads << ", head_dim " << c.head_dim()
        << (c.is_mixture_of_experts() ? ", experts " + std::to_string(c.experts) + " (" +
                                            std::to_string(c.active_experts) + " per token)"
                                      : std::string())
        << "\n"
        << "vocab       " << c.vocab_size << " tokens, context " << c.context_length << " positions\n"
        << "numerics    rms_norm_eps " << c.rms_norm_eps << ", rope_theta " << c.rope_theta << ", weights "
        << weight_types_text(c) << ", output " << (c.tied_output ? "tied to the embedding" : "separate")
        << "\n";
    if (const auto tokenizer = file.tokenizer()) {
        out << "tokenizer   " << tokenizer_model_name(tokenizer->model) << " ("
            << (tokenizer->model == TokenizerModel::BytePairs
                    ? "byte-level BPE, pre-tokenizer " + tokenizer->pre_tokenizer + ", " +
                          std::to_string(tokenizer->merges.size()) + " merges"
                    : std::string("SentencePiece"))
            << "), " << tokenizer->pieces.size() << " pieces, bos " << tokenizer->bos_id << ", eos "
            << tokenizer->eos_id << ", chat template " << (tokenizer->chat_template.empty() ? "none" : "yes") << "\n";
    } else {
        out << "tokenizer   none in the file (pass a llama2.c tokenizer.bin to `lpu run --tokenizer`)\n";
    }
    out << "parameters  " << totals.parameters << " (" << totals.bytes << " bytes)\n\n";

    const auto tensors = tensor_list(file.weights());
    std::size_t name_width = 4;
    for (const auto* view : tensors) name_width = std::max(name_width, view->name.size());
    out << std::left << std::setw(static_cast<int>(name_width)) << "name"
        << "  " << std::setw(5) << "dtype"
        << "  " << std::setw(14) << "shape"
        << "  "
        << "bytes\n";
    for (const auto* view : tensors) {
        out << std::left << std::setw(static_cast<int>(name_width)) << view->name << "  " << std::setw(5)
            << kernels::dtype_name(view->dtype) << "  " << std::setw(14) << shape_text(*view) << "  "
            << view->size_bytes() << "\n";
    }
    return out.str();
}

std::string model_info_json(const ModelFile& file, const std::string& path) {
    // Model names and paths are not guaranteed UTF-8: replace rather than throw.
    return json_text(info_json(file, path), 2) + "\n";
}

}  // namespace lpu::model
