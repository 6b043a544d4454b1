#include "launch/serving_model.hpp"

#include <filesystem>

#include "launch/inprocess/in_process_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/vocabulary_file.hpp"

namespace lpu::launch {

void with_serving_model(const ServingRequest& request, const std::function<void(const ServingModel&)>& serve) {
    const auto file = model::open_model(request.model_path);
    const model::Tokenizer tokenizer = model::make_tokenizer(
        model::vocabulary_of(*file, request.model_path, request.tokenizer_path), request.model_path);
    inprocess::InProcessModel placed = inprocess::in_process_model(*file, request.system);
    serve({*placed.model, tokenizer, std::filesystem::path(request.model_path).stem().string(), placed.grid});
}

}  // namespace lpu::launch
