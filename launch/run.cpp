#include "launch/run.hpp"

#include <functional>
#include <utility>

#include "launch/inprocess/in_process_transport.hpp"
#include "launch/mpi/mpi_run.hpp"
#include "launch/mpi/mpi_session.hpp"
#include "launch/run_fabric.hpp"
#include "launch/tcp/tcp_run.hpp"
#include "runtime/engine/plan_model.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/tokenizer.hpp"
#include "runtime/model/vocabulary_file.hpp"
#include "sim/chip/chip_spec.hpp"
#include "sim/fabric/plan_fabric.hpp"

namespace lpu::launch {
namespace {

// `chips` reports on the run once it is done, given the positions it ran.
void generate_and_report(engine::LanguageModel& language_model, const model::Tokenizer& tokenizer,
                         const RunRequest& request, const std::function<RunChips(int)>& chips) {
    const auto results = engine::generate_batch(language_model, tokenizer, request.generation,
                                                text_stream(request.report, language_model.batch_size()));
    print_report(results, chips(results.front().stats.positions), request.report);
}

}  // namespace

void run_model(const RunRequest& request) {
    const auto file = model::open_model(request.model_path);
    const model::Tokenizer tokenizer = model::make_tokenizer(
        model::vocabulary_of(*file, request.model_path, request.tokenizer_path), request.model_path);
    if (!request.workers.empty()) {
        tcp::run_with_workers(*file, tokenizer, request.workers, request.system, request.generation, request.report,
                              request.fabric_seed, request.liveness);
        return;
    }
    if (mpi::launched_by_mpi()) {
        mpi::run_under_mpi(*file, tokenizer,
                           {request.system, request.generation, request.report, request.print_placement,
                            request.fabric_seed, request.liveness});
        return;
    }
    if (!wants_plan(request.system)) {
        const auto spec = sim::load_chip_spec(request.system.spec);
        engine::SingleChipModel chip_model(*file, spec, request.system.compile.positions);
        generate_and_report(chip_model, tokenizer, request,
                            [&](int) { return RunChips{{chip_report(chip_model.chip(), chip_model.expert_load())}, "1 chip", {}}; });
        return;
    }
    PreparedPlan prepared = prepare_plan(*file, request.system);
    const std::string grid = grid_name(prepared.plan);
    inprocess::InProcessTransport transport;
    engine::PlanModel plan_model(std::move(prepared.plan), *file, prepared.spec, transport);
    generate_and_report(plan_model, tokenizer, request, [&](int positions) {
        RunChips run{{}, grid, {}};
        for (const auto& runner : plan_model.chips()) run.chips.push_back(chip_report(*runner));
        if (positions > 0) {
            run.fabric = sim::plan_fabric_figures(plan_model.plan(), *prepared.topology, prepared.spec,
                                                  run_fabric_config(request.fabric_seed, positions));
        }
        return run;
    });
}

}  // namespace lpu::launch
