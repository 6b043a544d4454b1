// Speed of the simulator: one decode step of a compiled plan timed for time
// alone (plan/retime.hpp, what `lpu sim` and `lpu sweep` run), on Llama-2 70B
// (INT8, tp 16 x pp 36 = 576 chips per replica) with 1 to 18 data-parallel
// replicas on the 10,440-chip Dragonfly (18 replicas = 10,368 chips), and on
// Llama-3.1 405B across all 10,440 chips (tp 90 x pp 116, 8192 positions).
//
// An event is one instruction placed in time (a compute, a send, a receive,
// a deskew). The cost should grow about linearly with the events: the
// nanoseconds per event stay about flat as the system grows. Each step is
// timed 3 times, the fastest kept; compile time is printed apart.
// Usage: sim_bench [--quick]  (--quick: up to 4 replicas, no 405B)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "plan/retime.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/model/model_presets.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology_spec.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::size_t instruction_count(const lpu::plan::Plan& plan) {
    std::size_t count = 0;
    for (const auto& chip : plan.chips) count += chip.instructions.size();
    return count;
}

void measure(const char* preset, const lpu::compiler::CompileOptions& options, const lpu::topology::Topology& topology,
             const std::string& topology_name, const lpu::sim::ChipSpec& spec) {
    using namespace lpu;
    auto config = model::model_preset(preset).config;
    config.weight_dtype = model::weight_dtype_from_name("int8");
    const auto compile_start = Clock::now();
    const plan::Plan plan =
        compiler::compile_plan(config, compiler::shape_fingerprint(config), {&topology, topology_name, &spec}, options);
    const double compile_seconds = seconds_since(compile_start);
    const plan::Retimer retimer(plan);
    double best = 1e30;
    std::int64_t cycles = 0;
    for (int run = 0; run < 3; ++run) {
        const auto start = Clock::now();
        cycles = retimer.timing(plan.context_positions - 1).end_cycle();
        best = std::min(best, seconds_since(start));
    }
    const auto events = static_cast<double>(instruction_count(plan));
    std::printf("%-14s tp %3u x pp %3u x %2u replicas = %5zu chips | compile %6.1f s | %9.0f events | step %6.3f s | "
                "%5.1f M events/s | %5.1f ns/event | %9lld cycles\n",
                preset, plan.grid.tp, plan.grid.pp, plan.grid.replicas, plan.chips.size(), compile_seconds, events, best,
                events / best / 1e6, best / events * 1e9, static_cast<long long>(cycles));
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace lpu;
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const std::string topology_name = "dragonfly:145";
    const auto topology = topology::topology_from_spec(topology_name);
    const auto spec = sim::chip_spec_preset("tsp-v1");
    std::printf("one decode step at the last position, timed for time alone on %s (%zu chips)\n",
                topology_name.c_str(), topology.chip_count());
    for (int replicas : {1, 2, 4, 9, 18}) {
        if (quick && replicas > 4) break;
        compiler::CompileOptions options;
        options.tp = 16;
        options.pp = 36;
        options.replicas = replicas;
        measure("llama2-70b", options, topology, topology_name, spec);
    }
    if (quick) return 0;
    compiler::CompileOptions whole;
    whole.tp = 90;
    whole.pp = 116;
    whole.positions = 8192;
    measure("llama3.1-405b", whole, topology, topology_name, spec);
    return 0;
}
