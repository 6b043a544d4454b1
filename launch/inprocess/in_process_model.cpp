#include "launch/inprocess/in_process_model.hpp"

#include "launch/run_report.hpp"
#include "runtime/engine/plan_model.hpp"
#include "runtime/engine/single_chip_model.hpp"

namespace lpu::launch::inprocess {

InProcessModel in_process_model(const model::ModelFile& file, const SystemOptions& options) {
    InProcessModel result;
    if (!wants_plan(options)) {
        result.model = std::make_unique<engine::SingleChipModel>(file, sim::load_chip_spec(options.spec),
                                                                 options.compile.positions);
        result.grid = "1 chip";
        return result;
    }
    PreparedPlan prepared = prepare_plan(file, options);
    result.grid = grid_name(prepared.plan);
    result.transport = std::make_unique<InProcessTransport>();
    result.model = std::make_unique<engine::PlanModel>(std::move(prepared.plan), file, prepared.spec, *result.transport);
    return result;
}

}  // namespace lpu::launch::inprocess
