// A lower bound on the time to first token with the prompt pipelined through
// the stages: on one chip nothing overlaps, across stages the tokens overlap,
// and each token still waits for the one before it on every chip.
#include <catch2/catch.hpp>

#include <string>

#include "base/error.hpp"
#include "plan/retime.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "runtime/compiler/prefill_timing.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/support/model_shapes.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::compiler {
namespace {

struct Compiled {
    topology::Topology topology;
    sim::ChipSpec spec = sim::chip_spec_preset("tsp-v1");
    plan::Plan plan;

    Compiled(int tp, int pp, const std::string& topology_spec) : topology(topology::topology_from_spec(topology_spec)) {
        CompileOptions options;
        options.tp = tp;
        options.pp = pp;
        options.positions = 64;
        const model::ModelConfig config = test::stories260k_config();
        plan = compile_plan(config, shape_fingerprint(config), {&topology, topology_spec, &spec}, options);
    }

    std::int64_t pipelined(std::int64_t prompt_tokens) const {
        return prefill_cycles(plan, plan::Retimer(plan), prompt_tokens).pipelined_lower_bound;
    }

    std::int64_t sequential(std::int64_t prompt_tokens) const {
        const plan::Retimer retimer(plan);
        std::int64_t cycles = 0;
        for (std::int64_t position = 0; position < prompt_tokens; ++position) cycles += retimer.step_end_cycle(position);
        return cycles;
    }
};

}  // namespace

TEST_CASE("a one-token prompt takes one step", "[compiler][prefill]") {
    const Compiled compiled(2, 2, "fc:4");
    CHECK(compiled.pipelined(1) == plan::Retimer(compiled.plan).step_end_cycle(0));
}

TEST_CASE("on one chip prompt tokens cannot overlap", "[compiler][prefill]") {
    const Compiled compiled(1, 1, "fc:4");
    CHECK(compiled.pipelined(16) == compiled.sequential(16));
}

TEST_CASE("prompt tokens overlap across pipeline stages", "[compiler][prefill]") {
    const Compiled compiled(1, 5, "fc:5");
    const plan::Retimer retimer(compiled.plan);
    const std::int64_t prompt = 16, pipelined = compiled.pipelined(prompt), sequential = compiled.sequential(prompt);
    CAPTURE(pipelined, sequential);
    // Five stages of one layer each: about (1 + 15 / 5) latencies instead of 16.
    CHECK(pipelined < sequential / 2);
    // Never faster than the last token's own step after the first's entry.
    CHECK(pipelined >= retimer.step_end_cycle(prompt - 1));
    // Each further token enters after the one before it.
    CHECK(compiled.pipelined(prompt - 1) < pipelined);
}

TEST_CASE("tensor-parallel ranks of one stage take one token at a time", "[compiler][prefill]") {
    const Compiled compiled(4, 1, "fc:4");
    // One stage: every chip takes part in the whole step, so no overlap.
    CHECK(compiled.pipelined(8) == compiled.sequential(8));
}

TEST_CASE("a prompt outside the plan's context is refused", "[compiler][prefill]") {
    const Compiled compiled(1, 2, "fc:4");
    CHECK_THROWS_AS(compiled.pipelined(0), Error);
    CHECK_THROWS_AS(compiled.pipelined(65), Error);
    CHECK_NOTHROW(compiled.pipelined(64));
}

}  // namespace lpu::compiler
