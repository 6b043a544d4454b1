// `lpu model`: model file tools. `lpu model synth` writes a synthetic model
// (llama or qwen2 architecture, seeded random weights, a SentencePiece-style or
// byte-level BPE vocabulary or one copied from a file) of any shape as GGUF;
// `info`, `quantize`, `tokenize` and `chat-prompt` have files of their own.
#include <cctype>
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "cli/commands.hpp"
#include "cli/model_info_command.hpp"
#include "cli/model_quantize_command.hpp"
#include "cli/model_tokenize_command.hpp"
#include "runtime/kernels/dtype.hpp"
#include "runtime/model/synthetic_model.hpp"

namespace lpu::cli {
namespace {

struct SynthOptions {
    std::string preset = "tiny";
    model::SyntheticShape flags;  // only the fields whose flag was given are used
    std::string dtype = "f32";
    bool tied = false;
    std::string arch = "llama";
    std::string tokenizer;  // spm or bpe; the architecture's default when empty
    std::string output_path;
};

// Options whose value, when given, overrides the preset's field.
struct ShapeFlags {
    CLI::Option* dim;
    CLI::Option* layers;
    CLI::Option* heads;
    CLI::Option* kv_heads;
    CLI::Option* hidden;
    CLI::Option* vocab;
    CLI::Option* context;
    CLI::Option* dtype;
    CLI::Option* seed;
    CLI::Option* tied;
    CLI::Option* vocab_from;
};

std::string file_dtype_names() {
    std::string names;
    for (const auto dtype : kernels::kFileDTypes) {
        std::string name = kernels::dtype_name(dtype);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        names += (names.empty() ? "" : ", ") + name;
    }
    return names;
}

kernels::DType parse_dtype(const std::string& name) {
    const auto dtype = kernels::dtype_from_name(name);
    require(dtype.has_value(), "--dtype '" + name + "' is not one of " + file_dtype_names());
    return *dtype;
}

model::SyntheticShape resolve_shape(const SynthOptions& options, const ShapeFlags& given) {
    model::SyntheticShape shape = model::synthetic_preset(options.preset);
    const auto& flags = options.flags;
    if (given.dim->count() > 0) shape.dim = flags.dim;
    if (given.layers->count() > 0) shape.n_layers = flags.n_layers;
    if (given.heads->count() > 0) shape.n_heads = flags.n_heads;
    if (given.kv_heads->count() > 0) shape.n_kv_heads = flags.n_kv_heads;
    if (given.hidden->count() > 0) shape.hidden_dim = flags.hidden_dim;
    if (given.vocab->count() > 0) shape.vocab_size = flags.vocab_size;
    if (given.context->count() > 0) shape.context_length = flags.context_length;
    if (given.dtype->count() > 0) shape.dtype = parse_dtype(options.dtype);
    if (given.seed->count() > 0) shape.seed = flags.seed;
    if (given.tied->count() > 0) shape.tied_output = options.tied;
    require(options.arch == "llama" || options.arch == "qwen2", "--arch '" + options.arch + "' is not llama or qwen2");
    shape.architecture = options.arch == "qwen2" ? model::Architecture::Qwen2 : model::Architecture::Llama;
    const std::string tokenizer = !options.tokenizer.empty() ? options.tokenizer : options.arch == "qwen2" ? "bpe" : "spm";
    require(tokenizer == "spm" || tokenizer == "bpe", "--tokenizer '" + tokenizer + "' is not spm or bpe");
    shape.tokenizer = tokenizer == "bpe" ? model::TokenizerModel::BytePairs : model::TokenizerModel::SentencePiece;
    shape.vocabulary_from = flags.vocabulary_from;
    shape.rope_freqs = flags.rope_freqs;
    shape.rope_scale_linear = flags.rope_scale_linear;
    shape.experts = flags.experts;
    shape.experts_used = flags.experts_used;
    require(given.vocab_from->count() == 0 || given.vocab->count() == 0,
            "--vocab-from sets the vocabulary size; do not give --vocab too");
    return shape;
}

void synthesize(const SynthOptions& options, const ShapeFlags& given) {
    const auto shape = resolve_shape(options, given);
    const std::uint64_t size_bytes = model::write_synthetic_model(shape, options.output_path);
    std::fprintf(stderr, "lpu model synth: %s\n",
                 model::synthetic_model_summary(shape, options.output_path, size_bytes).c_str());
}

void add_synth_command(CLI::App& model_app) {
    auto options = std::make_shared<SynthOptions>();
    auto given = std::make_shared<ShapeFlags>();
    auto* synth = model_app.add_subcommand("synth", "Write a synthetic Llama model (seeded random weights) as GGUF");
    std::string preset_names;
    for (const auto& name : model::synthetic_preset_names()) preset_names += (preset_names.empty() ? "" : ", ") + name;
    synth->add_option("--preset", options->preset, "Named shape: " + preset_names + "; flags below override it")
        ->capture_default_str();
    auto& flags = options->flags;
    given->dim = synth->add_option("--dim", flags.dim, "Embedding width");
    given->layers = synth->add_option("--layers", flags.n_layers, "Transformer blocks");
    given->heads = synth->add_option("--heads", flags.n_heads, "Query heads");
    given->kv_heads = synth->add_option("--kv-heads", flags.n_kv_heads, "Key/value heads (fewer than heads: GQA)");
    given->hidden = synth->add_option("--hidden", flags.hidden_dim, "SwiGLU inner width");
    given->vocab = synth->add_option("--vocab", flags.vocab_size, "Vocabulary size (at least 259)");
    given->context = synth->add_option("--context", flags.context_length, "Context length");
    given->dtype = synth->add_option("--dtype", options->dtype,
                                     "Weight type: " + file_dtype_names() + " (norms stay f32; K-quants need widths of 256s)");
    given->seed = synth->add_option("--seed", flags.seed, "Seed of the weights: same seed, same model");
    given->tied = synth->add_flag("--tied,!--untied", options->tied,
                                  "Share the token embedding as the output layer (--untied: separate output.weight)");
    synth->add_option("--arch", options->arch, "Architecture: llama, or qwen2 (q/k/v biases, RoPE on halves)")
        ->capture_default_str();
    synth->add_option("--tokenizer", options->tokenizer,
                      "Vocabulary: spm (SentencePiece-style with byte pieces; llama's default) or bpe (byte-level BPE "
                      "with ChatML control tokens and template; qwen2's default)");
    given->vocab_from = synth->add_option("--vocab-from", flags.vocabulary_from,
                                          "Copy the vocabulary (and chat template) of this GGUF file, e.g. a vocab-only "
                                          "file from `lpu model import-tokenizer`; sets the vocabulary size")
                            ->check(CLI::ExistingFile);
    synth->add_flag("--rope-freqs", flags.rope_freqs,
                    "Write a rope_freqs tensor (Llama 3.1's long-context RoPE frequency factors)");
    synth->add_option("--rope-scale", flags.rope_scale_linear, "Linear RoPE scaling factor (rope.scaling.type linear)");
    synth->add_option("--experts", flags.experts,
                      "Experts per layer: above 1, a mixture of experts as llama.cpp writes Mixtral (ffn_gate_inp, "
                      "ffn_*_exps; --hidden is each expert's width)")
        ->capture_default_str();
    synth->add_option("--experts-used", flags.experts_used, "Experts each token is routed to (top-k)")
        ->capture_default_str();
    synth->add_option("-o,--output", options->output_path, "GGUF file to write")->required();
    synth->footer(
        "Without flags it writes the \"tiny\" preset (dim 64, 2 layers, 4 heads, 2 KV heads, hidden 192,\n"
        "vocab 512, context 256, f32, seed 1). The same shape and seed at every --dtype is one model at\n"
        "several precisions.\n"
        "Examples:\n  lpu model synth --preset compiler-test --dtype q8_0 -o compiler-test-q8.gguf\n"
        "  lpu model synth --arch qwen2 --vocab 1024 -o qwen2-tiny.gguf\n"
        "  lpu model synth --rope-freqs --tokenizer bpe -o llama31-style.gguf\n"
        "  lpu model synth --dim 512 --layers 4 --hidden 512 --experts 8 --experts-used 2 -o mixtral-style.gguf\n"
        "  lpu model synth --arch qwen2 --vocab-from qwen-vocab.gguf -o qwen2-real-vocab.gguf");
    synth->callback([options, given] { synthesize(*options, *given); });
}

}  // namespace

void add_model_command(CLI::App& app) {
    auto* model_app = app.add_subcommand("model", "Model file tools: synthesize, inspect, quantise, tokenize");
    model_app->require_subcommand(1);
    add_synth_command(*model_app);
    add_model_info_command(*model_app);
    add_model_quantize_command(*model_app);
    add_model_tokenize_commands(*model_app);
    add_model_chat_prompt_command(*model_app);
}

}  // namespace lpu::cli
