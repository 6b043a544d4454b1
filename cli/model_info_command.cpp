// `lpu model info`: opens a GGUF or llama2.c file with the same validation the
// runtime uses, then prints its config, vocabulary summary and tensors (name,
// dtype, shape, bytes) as text or JSON.
#include "cli/model_info_command.hpp"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "base/json_text.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::cli {
namespace {

struct ModelInfoOptions {
    std::string model_path;
    bool json = false;
};

std::string shape_text(const model::TensorView& view) {
    if (view.rows == 1) return "[" + std::to_string(view.cols) + "]";
    return "[" + std::to_string(view.rows) + " x " + std::to_string(view.cols) + "]";
}

struct Totals {
    std::int64_t parameters = 0;
    std::uint64_t bytes = 0;
};

Totals totals_of(const model::ModelWeights& weights) {
    Totals totals;
    for (const auto* view : model::tensor_list(weights)) {
        totals.parameters += view->elements();
        totals.bytes += view->size_bytes();
    }
    return totals;
}

// "RoPE on halves, q/k/v biases, ...": what the model adds to the llama block.
std::string variant_text(const model::ModelConfig& c) {
    std::string text = c.rope_pairing == kernels::RopePairing::Halves ? "RoPE on halves" : "RoPE on adjacent pairs";
    if (c.rope_freq_factors) text += ", rope_freqs factors";
    if (c.rope_freq_scale != 1.0f) text += ", linear RoPE scale " + std::to_string(c.rope_freq_scale);
    if (c.qkv_bias) text += ", q/k/v biases";
    return text;
}

nlohmann::json config_json(const model::ModelConfig& config) {
    return {{"name", config.name},
            {"architecture", model::architecture_name(config.architecture)},
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
            {"vocab_size", config.vocab_size},
            {"context_length", config.context_length},
            {"rms_norm_eps", config.rms_norm_eps},
            {"rope_theta", config.rope_theta},
            {"tied_output", config.tied_output},
            {"weight_dtype", kernels::dtype_name(config.weight_dtype)}};
}

void print_json(const model::ModelFile& file, const std::string& path) {
    nlohmann::json tensors = nlohmann::json::array();
    for (const auto* view : model::tensor_list(file.weights())) {
        tensors.push_back({{"name", view->name},
                           {"dtype", kernels::dtype_name(view->dtype)},
                           {"rows", view->rows},
                           {"cols", view->cols},
                           {"bytes", view->size_bytes()}});
    }
    nlohmann::json vocabulary = nullptr;
    if (const auto tokenizer = file.tokenizer()) {
        vocabulary = {{"tokens", tokenizer->pieces.size()},
                      {"model", model::tokenizer_model_name(tokenizer->model)},
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
    // Model names and paths are not guaranteed UTF-8: replace rather than throw.
    std::cout << json_text(out, 2) << "\n";
}

void print_text(const model::ModelFile& file, const std::string& path) {
    const auto& c = file.config();
    const Totals totals = totals_of(file.weights());
    std::ostringstream out;
    out << "model       " << c.name << " (" << file.format() << ", " << path << ")\n"
        << "arch        " << model::architecture_name(c.architecture) << ": " << variant_text(c) << "\n"
        << "shape       dim " << c.dim << ", hidden_dim " << c.hidden_dim << ", layers " << c.n_layers << ", heads "
        << c.n_heads << ", kv_heads " << c.n_kv_heads << ", head_dim " << c.head_dim() << "\n"
        << "vocab       " << c.vocab_size << " tokens, context " << c.context_length << " positions\n"
        << "numerics    rms_norm_eps " << c.rms_norm_eps << ", rope_theta " << c.rope_theta << ", weights "
        << model::weight_types_text(c) << ", output " << (c.tied_output ? "tied to the embedding" : "separate")
        << "\n";
    if (const auto tokenizer = file.tokenizer()) {
        out << "tokenizer   " << model::tokenizer_model_name(tokenizer->model) << " ("
            << (tokenizer->model == model::TokenizerModel::BytePairs
                    ? "byte-level BPE, pre-tokenizer " + tokenizer->pre_tokenizer + ", " +
                          std::to_string(tokenizer->merges.size()) + " merges"
                    : std::string("SentencePiece"))
            << "), " << tokenizer->pieces.size() << " pieces, bos " << tokenizer->bos_id << ", eos "
            << tokenizer->eos_id << ", chat template " << (tokenizer->chat_template.empty() ? "none" : "yes") << "\n";
    } else {
        out << "tokenizer   none in the file (pass a llama2.c tokenizer.bin to `lpu run --tokenizer`)\n";
    }
    out << "parameters  " << totals.parameters << " (" << totals.bytes << " bytes)\n\n";

    const auto tensors = model::tensor_list(file.weights());
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
    std::cout << out.str();
}

void run_model_info(const ModelInfoOptions& options) {
    const auto file = model::open_model(options.model_path);
    if (options.json) {
        print_json(*file, options.model_path);
    } else {
        print_text(*file, options.model_path);
    }
}

}  // namespace

void add_model_info_command(CLI::App& model_app) {
    auto options = std::make_shared<ModelInfoOptions>();
    auto* info = model_app.add_subcommand("info",
                                          "Validate a model file (GGUF or llama2.c) and print its config and "
                                          "tensors");
    info->add_option("--model,-m", options->model_path, "Model file (.gguf or llama2.c .bin)")->required();
    info->add_flag("--json", options->json, "Print JSON (config, vocabulary, tensors) instead of text");
    info->callback([options] { run_model_info(*options); });
}

}  // namespace lpu::cli
