#include "launch/plan_setup.hpp"

#include <map>

#include "base/error.hpp"
#include "plan/plan_io.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::cli {

void add_chip_options(CLI::App& command, SystemOptions& options) {
    command.add_option("--spec", options.spec, "Chip spec: a preset name or a JSON file")->capture_default_str();
    command.add_option("--context", options.compile.positions,
                       "KV-cache positions to reserve in SRAM (0 = the model's context length)")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
}

void add_partition_options(CLI::App& command, SystemOptions& options) {
    command.add_option("--tp", options.compile.tp, "Tensor-parallel degree (with --pp)")->check(CLI::PositiveNumber);
    command.add_option("--pp", options.compile.pp, "Pipeline stages (with --tp)")->check(CLI::PositiveNumber);
    command.add_option("--chips", options.compile.chips,
                       "Chips to use: the grid with the lowest token latency that fits SRAM")
        ->check(CLI::PositiveNumber);
    command
        .add_option("--replicas", options.compile.replicas,
                    "Data-parallel copies of the grid, each on its own chips serving its own batch; --chips is then "
                    "the total (auto = the fewest replicas the model can be split over)")
        ->transform(CLI::Transformer(std::map<std::string, int>{{"auto", 0}}))
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    command.add_option("--topology", options.topology,
                       "System wiring: fc:N, ring:N, torus:AxB[xC], mesh:..., dragonfly:R, or a topology file "
                       "(default: fc:N up to 8 chips, else a Dragonfly)");
    command.add_option("--batch", options.compile.batch,
                       "Sequences per decode step, pipelined through the stages (same prompt, seeds seed+i)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    command.add_option("--collective", options.compile.collective_algorithm,
                       "All-reduce algorithm for tensor parallelism (auto = fastest on the fabric model)")
        ->capture_default_str();
}

bool wants_plan(const SystemOptions& options) {
    return options.compile.tp > 0 || options.compile.pp > 0 || options.compile.chips > 0 ||
           options.compile.batch > 1 || options.compile.replicas != 1 || !options.topology.empty() ||
           !options.plan_path.empty();
}

namespace {

int chip_count(const compiler::CompileOptions& options) {
    if (options.tp > 0 || options.pp > 0) {
        return std::max(options.tp, 1) * std::max(options.pp, 1) * std::max(options.replicas, 1);
    }
    return std::max(options.chips, 1);
}

}  // namespace

std::string topology_spec_for(const SystemOptions& options) {
    return options.topology.empty() ? compiler::default_topology_spec(chip_count(options.compile)) : options.topology;
}

PreparedPlan prepare_plan(const model::ModelFile& file, const SystemOptions& options) {
    PreparedPlan prepared{{}, sim::load_chip_spec(options.spec), nullptr};
    if (!options.plan_path.empty()) {
        require(options.compile.tp == 0 && options.compile.pp == 0 && options.compile.chips == 0 &&
                    options.compile.batch == 1,
                "--plan fixes the partition and the batch: drop --tp, --pp, --chips and --batch");
        prepared.plan = plan::load_plan(options.plan_path);
        require(options.compile.positions == 0 || options.compile.positions == prepared.plan.context_positions,
                "the plan holds a KV cache of " + std::to_string(prepared.plan.context_positions) +
                    " positions: drop --context or compile a new plan");
        const std::string topology_name = options.topology.empty() ? prepared.plan.system.topology : options.topology;
        prepared.topology = std::make_unique<topology::Topology>(topology::topology_from_spec(topology_name));
        plan::check_fingerprint(prepared.plan, compiler::model_fingerprint(file),
                                compiler::system_fingerprint(*prepared.topology, topology_name, prepared.spec));
        return prepared;
    }
    const std::string topology_name = topology_spec_for(options);
    prepared.topology = std::make_unique<topology::Topology>(topology::topology_from_spec(topology_name));
    prepared.plan = compiler::compile_plan(file.config(), compiler::model_fingerprint(file),
                                           {prepared.topology.get(), topology_name, &prepared.spec}, options.compile);
    return prepared;
}

}  // namespace lpu::cli
