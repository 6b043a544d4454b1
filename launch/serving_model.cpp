#include "launch/serving_model.hpp"

#include <filesystem>

#include "launch/inprocess/in_process_model.hpp"
#include "launch/mpi/mpi_serve.hpp"
#include "launch/mpi/mpi_session.hpp"
#include "launch/tcp/tcp_serve.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/vocabulary_file.hpp"

namespace lpu::launch {

void with_serving_model(const ServingRequest& request, const std::function<void(const ServingModel&)>& serve) {
    const auto file = model::open_model(request.model_path);
    const model::Tokenizer tokenizer = model::make_tokenizer(
        model::vocabulary_of(*file, request.model_path, request.tokenizer_path), request.model_path);
    const std::string name = std::filesystem::path(request.model_path).stem().string();
    const auto serve_placed = [&](engine::LanguageModel& model, const std::string& grid) {
        serve({model, tokenizer, name, grid});
    };
    if (!request.workers.empty()) {
        tcp::serve_with_workers(*file, request.workers, request.system, request.liveness, serve_placed);
    } else if (mpi::launched_by_mpi()) {
        mpi::serve_under_mpi(*file, {request.system, request.liveness, request.print_placement}, serve_placed);
    } else {
        inprocess::InProcessModel placed = inprocess::in_process_model(*file, request.system);
        serve_placed(*placed.model, placed.grid);
    }
}

}  // namespace lpu::launch
