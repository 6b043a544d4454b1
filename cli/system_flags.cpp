#include "cli/system_flags.hpp"

#include <map>
#include <string>

#include "cli/flag_checks.hpp"

namespace lpu::cli {

void add_chip_options(CLI::App& command, launch::SystemOptions& options) {
    command.add_option("--spec", options.spec, "Chip spec: a preset name or a JSON file")->capture_default_str();
    command.add_option("--context", options.compile.positions,
                       "KV-cache positions to reserve in SRAM (0 = the model's context length)")
        ->capture_default_str()
        ->check(non_negative_number);
}

void add_grid_options(CLI::App& command, launch::SystemOptions& options) {
    command.add_option("--tp", options.compile.tp, "Tensor-parallel degree (with --pp)")->check(positive_number);
    command.add_option("--pp", options.compile.pp, "Pipeline stages (with --tp)")->check(positive_number);
    command.add_option("--chips", options.compile.chips,
                       "Chips to use: the grid with the lowest token latency that fits SRAM")
        ->check(positive_number);
    command
        .add_option("--replicas", options.compile.replicas,
                    "Data-parallel copies of the grid, each on its own chips serving its own batch; --chips is then "
                    "the total (auto = the fewest replicas the model can be split over)")
        ->transform(CLI::Transformer(std::map<std::string, int>{{"auto", 0}}))
        ->check(non_negative_number)
        ->capture_default_str();
    command.add_option("--topology", options.topology,
                       "System wiring: fc:N, ring:N, torus:AxB[xC], mesh:..., dragonfly:R, or a topology file "
                       "(default: fc:N up to 8 chips, else a Dragonfly)");
    command.add_option("--collective", options.compile.collective_algorithm,
                       "All-reduce algorithm for tensor parallelism (auto = fastest on the fabric model)")
        ->capture_default_str();
}

void add_partition_options(CLI::App& command, launch::SystemOptions& options) {
    add_grid_options(command, options);
    command.add_option("--batch", options.compile.batch,
                       "Sequences per decode step, pipelined through the stages (same prompt, seeds seed+i)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
}

}  // namespace lpu::cli
