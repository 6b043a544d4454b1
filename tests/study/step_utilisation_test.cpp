// How busy a step keeps chips and links (study/step_utilisation.hpp), on
// compiled stories260K-shaped plans.
#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "collectives/fabric_timing.hpp"
#include "plan/retime.hpp"
#include "runtime/compiler/compile.hpp"
#include "runtime/compiler/fingerprints.hpp"
#include "sim/chip/chip_spec.hpp"
#include "study/step_utilisation.hpp"
#include "tests/support/model_shapes.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::study {
namespace {

struct Studied {
    topology::Topology topology;
    sim::ChipSpec spec = sim::chip_spec_preset("tsp-v1");
    plan::Plan plan;
    StepUtilisation busy;
    std::int64_t latency = 0;

    Studied(int tp, const std::string& topology_spec, std::int64_t position)
        : topology(topology::topology_from_spec(topology_spec)) {
        compiler::CompileOptions options;
        options.tp = tp;
        options.pp = 1;
        options.positions = 64;
        const model::ModelConfig config = test::stories260k_config();
        plan = compiler::compile_plan(config, compiler::shape_fingerprint(config), {&topology, topology_spec, &spec},
                                      options);
        const plan::StepTiming timing = plan::Retimer(plan).timing(position);
        latency = timing.end_cycle();
        busy = step_utilisation(plan, timing, position, collectives::FabricTiming(topology, spec), spec);
    }

    // The bytes the report says the chip streamed through SRAM.
    double sram_bytes(std::size_t chip) const {
        return busy.chips[chip].sram_bandwidth * static_cast<double>(latency) *
               static_cast<double>(spec.sram_bytes_per_second) / static_cast<double>(spec.clock_hz);
    }

    std::int64_t buffer_bytes(std::size_t chip, plan::BufferUse use) const {
        std::int64_t bytes = 0;
        for (const plan::Buffer& buffer : plan.chips[chip].buffers) bytes += buffer.use == use ? buffer.size_bytes : 0;
        return bytes;
    }

    // What a chip must stream at `position`: each weight once, except one row
    // of its share of the embedding table (F32 rows of dim 64), the KV cache
    // up to the position, and the bytes it sends and receives.
    double expected_sram_bytes(std::size_t chip, std::int64_t position) const {
        const plan::ChipProgram& program = plan.chips[chip];
        std::int64_t table = 0, transfers = 0;
        for (const plan::Buffer& buffer : program.buffers) table += buffer.name == "token_embedding" ? buffer.size_bytes : 0;
        for (const plan::Instruction& instruction : program.instructions) {
            if (const auto* send = std::get_if<plan::Send>(&instruction.body)) transfers += send->bytes;
            if (const auto* recv = std::get_if<plan::Recv>(&instruction.body)) transfers += recv->bytes;
        }
        const std::int64_t kv = buffer_bytes(chip, plan::BufferUse::kv) / plan.context_positions * (position + 1);
        return static_cast<double>(buffer_bytes(chip, plan::BufferUse::weights) - table + 64 * 4 + kv + transfers);
    }
};

}  // namespace

TEST_CASE("step utilisation: one chip streams its weights and the KV cache read so far", "[launch][sim]") {
    const Studied first(1, "fc:2", 0), last(1, "fc:2", 63);
    REQUIRE(first.busy.chips.size() == 1);
    CHECK(first.busy.links.empty());
    CHECK(first.sram_bytes(0) == Approx(first.expected_sram_bytes(0, 0)).epsilon(1e-9));
    // Attention reads one more cached position per step: all 64 at the last.
    CHECK(last.sram_bytes(0) == Approx(last.expected_sram_bytes(0, 63)).epsilon(1e-9));
    CHECK(last.sram_bytes(0) > first.sram_bytes(0));
    for (const Studied* studied : {&first, &last}) {
        const ChipUtilisation& chip = studied->busy.chips[0];
        CHECK(chip.matrix_unit > 0.0);
        CHECK(chip.vector_unit > 0.0);
        CHECK(chip.matrix_unit + chip.vector_unit <= 1.0);
        CHECK(studied->busy.matrix_unit.max == chip.matrix_unit);
        CHECK(studied->busy.matrix_unit.mean == chip.matrix_unit);
    }
}

TEST_CASE("step utilisation: tensor parallelism keeps both directions of the link busy for a while", "[launch][sim]") {
    const Studied studied(2, "fc:2", 10);
    REQUIRE(studied.busy.chips.size() == 2);
    REQUIRE(studied.busy.links.size() == 2);
    CHECK(studied.busy.links[0].from == studied.busy.links[1].to);
    CHECK(studied.busy.links[0].to == studied.busy.links[1].from);
    for (const LinkUtilisation& link : studied.busy.links) {
        CHECK(link.busy_cycles > 0);
        CHECK(link.utilisation == Approx(static_cast<double>(link.busy_cycles) / static_cast<double>(studied.latency)));
        CHECK(link.utilisation < 1.0);
    }
    CHECK(studied.busy.link.max >= studied.busy.link.mean);
    // A chip also streams the bytes it sends and receives.
    for (std::size_t chip = 0; chip < 2; ++chip) {
        CHECK(studied.sram_bytes(chip) == Approx(studied.expected_sram_bytes(chip, 10)).epsilon(1e-9));
    }
}

}  // namespace lpu::study
