// `lpu model info`: opens a GGUF or llama2.c file with the same validation the
// runtime uses, then prints its config, vocabulary summary and tensors (name,
// dtype, shape, bytes) as text or JSON (runtime/model/model_info.hpp).
#include "cli/model_info_command.hpp"

#include <iostream>
#include <memory>
#include <string>

#include "runtime/model/model_info.hpp"

namespace lpu::cli {
namespace {

struct ModelInfoOptions {
    std::string model_path;
    bool json = false;
};

void run_model_info(const ModelInfoOptions& options) {
    const auto file = model::open_model(options.model_path);
    std::cout << (options.json ? model::model_info_json(*file, options.model_path)
                               : model::model_info_text(*file, options.model_path));
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
