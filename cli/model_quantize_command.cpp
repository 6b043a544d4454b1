// `lpu model quantize`: parsing, help and the summary line; the work is
// runtime/model/model_quantizer.hpp, the per-tensor types quantize_recipe.hpp.
#include "cli/model_quantize_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "base/progress_bar.hpp"
#include "runtime/model/model_quantizer.hpp"

namespace lpu::cli {
namespace {

struct QuantizeCommandOptions {
    std::string input_path;
    std::string output_path;
    std::string type;
    bool allow_requantize = false;
};

std::string recipe_names() {
    std::string names;
    for (const auto& name : model::quantize_recipe_names()) names += (names.empty() ? "" : "|") + name;
    return names;
}

void quantize(const QuantizeCommandOptions& options) {
    const model::QuantizeOptions quantize_options{model::quantize_recipe(options.type), options.allow_requantize};
    const bool show_progress = isatty(fileno(stderr)) != 0;
    std::unique_ptr<ProgressBar> bar;
    const auto summary = model::quantize_model_file(
        options.input_path, options.output_path, quantize_options,
        [&](std::size_t done, std::size_t total, const std::string& tensor) {
            if (!bar) bar = std::make_unique<ProgressBar>(stderr, total, show_progress);
            bar->update(done, tensor);
        });
    if (bar) bar->finish();
    std::string types;
    for (const auto& [dtype, count] : summary.matrices_by_type) {
        types += (types.empty() ? "" : ", ") + std::to_string(count) + " " + kernels::dtype_name(dtype);
    }
    const double bits_per_weight =
        summary.weights > 0 ? 8.0 * static_cast<double>(summary.weight_bytes) / static_cast<double>(summary.weights) : 0.0;
    std::fprintf(stderr, "lpu model quantize: wrote %s (%llu bytes, from %llu): %s, matrices %s, %.2f bits per weight\n",
                 options.output_path.c_str(), static_cast<unsigned long long>(summary.output_bytes),
                 static_cast<unsigned long long>(summary.input_bytes), options.type.c_str(), types.c_str(),
                 bits_per_weight);
}

}  // namespace

void add_model_quantize_command(CLI::App& model_app) {
    auto options = std::make_shared<QuantizeCommandOptions>();
    auto* command = model_app.add_subcommand("quantize", "Write a GGUF model with its weight matrices quantised");
    command->add_option("input", options->input_path, "GGUF model to read (F32, F16 or BF16 weights, best)")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_option("output", options->output_path, "GGUF file to write")->required();
    command->add_option("--type", options->type, "Target: " + recipe_names())->required();
    command->add_flag("--allow-requantize", options->allow_requantize,
                      "Also requantise matrices the input already holds quantised (two roundings)");
    command->footer(
        "q4_k_m and q5_k_m follow llama.cpp's default mixes: the base K-quant for most matrices, Q6_K for the\n"
        "output and for attn_v and ffn_down of the first and last eighth of the layers and every third one\n"
        "between. The other types put every matrix (embedding and output included) in that one type.\n"
        "Rows that do not split into a type's blocks fall back as llama.cpp does (e.g. Q4_K -> Q5_0).\n"
        "Norms stay F32, metadata and tokenizer are copied. Same input, same bytes out (any LPU_THREADS).\n"
        "Example:\n"
        "  lpu model synth --dim 512 --layers 4 --heads 8 --kv-heads 4 --hidden 1536 -o model-f32.gguf\n"
        "  lpu model quantize model-f32.gguf model-q4_k_m.gguf --type q4_k_m");
    command->callback([options] { quantize(*options); });
}

}  // namespace lpu::cli
