// All-to-all (MoE dispatch and combine): every algorithm that implements it,
// for 2..16 participants in the grid orders and shapes it accepts, executed
// with real buffers, equals a scalar reference bit for bit; its schedules are
// conflict-free on the topologies; the fabric model's times rank the
// algorithms as grid_all_to_all.hpp says.
#include <bit>
#include <cstring>

#include <catch2/catch.hpp>

#include "collectives/algorithms/registry.hpp"
#include "collectives/conflict_check.hpp"
#include "collectives/executor.hpp"
#include "collectives/selection.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/collectives/mailbox_transport.hpp"
#include "tests/collectives/test_participants.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::collectives::testing {
namespace {

const char* const all_to_all_algorithms[] = {"direct", "torus", "hierarchical"};

// A topology and participants for `algorithm` with n participants, or nothing
// when its shape rules them out (a torus needs a whole grid; the Dragonfly
// levels need racks x nodes x chips to multiply to n).
struct Setup {
    std::string topology;
    std::vector<topology::ChipId> participants;
};

std::optional<Setup> setup_for(const std::string& algorithm, std::size_t n) {
    if (algorithm == "direct") return Setup{"fc:16", first_chips(n)};
    if (algorithm == "torus") {
        if (n == 16) return Setup{"mesh:2x2x4", first_chips(n)};  // three phases
        for (std::size_t rows = 4; rows >= 2; --rows) {
            if (n % rows == 0 && n / rows >= 2) {
                return Setup{"mesh:" + std::to_string(rows) + "x" + std::to_string(n / rows), first_chips(n)};
            }
        }
        return Setup{"mesh:1x" + std::to_string(n), first_chips(n)};
    }
    for (std::size_t racks : {2u, 1u}) {
        for (std::size_t nodes : {2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 1u}) {
            if (n % (racks * nodes) != 0 || n / (racks * nodes) > 8) continue;
            Setup setup{"dragonfly:2", {}};
            for (std::size_t r = 0; r < racks; ++r) {
                for (std::size_t v = 0; v < nodes; ++v) {
                    for (std::size_t c = 0; c < n / (racks * nodes); ++c) {
                        setup.participants.push_back(static_cast<topology::ChipId>(r * 72 + v * 8 + c));
                    }
                }
            }
            return setup;
        }
    }
    return std::nullopt;
}

// Distinct bit patterns per (participant, element), NaN payloads included:
// a copy that goes astray or converts through arithmetic shows.
std::vector<std::vector<float>> inputs(std::size_t n, std::uint64_t buffer_elements) {
    std::vector<std::vector<float>> buffers(n, std::vector<float>(buffer_elements));
    for (std::size_t i = 0; i < n; ++i) {
        for (std::uint64_t e = 0; e < buffer_elements; ++e) {
            buffers[i][e] = std::bit_cast<float>(static_cast<std::uint32_t>(0x7f800001u + i * 0x10000u + e));
        }
    }
    return buffers;
}

// The scalar reference: input block j of participant i lands at the start of
// output slot i of participant j; returns how many elements differ in bits.
std::size_t wrong_elements(const std::vector<std::vector<float>>& in, const std::vector<std::vector<float>>& out,
                           std::uint64_t count) {
    const std::size_t n = in.size();
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            const auto block = block_range(count, n, j);
            const auto slot = all_to_all_slot(count, n, i);
            for (std::uint64_t k = 0; k < block.count; ++k) {
                wrong += std::bit_cast<std::uint32_t>(out[j][slot.offset + k]) !=
                         std::bit_cast<std::uint32_t>(in[i][block.offset + k]);
            }
        }
    }
    return wrong;
}

std::vector<std::vector<float>> run(const Schedule& schedule, std::vector<std::vector<float>> buffers) {
    std::vector<std::span<float>> spans(buffers.begin(), buffers.end());
    MailboxTransport transport;
    execute<float>(schedule, spans, transport);
    CHECK(transport.pending() == 0);
    return buffers;
}

}  // namespace

TEST_CASE("all-to-all equals the scalar reference bit for bit, 2..16 participants", "[collectives][alltoall]") {
    std::size_t executed = 0;
    for (const std::string algorithm : all_to_all_algorithms) {
        for (std::size_t n = 2; n <= 16; ++n) {
            auto setup = setup_for(algorithm, n);
            if (!setup) continue;
            const auto topology = topology::topology_from_spec(setup->topology);
            // Hierarchical takes participants in any order; the others keep chip order.
            const bool shuffled = algorithm == "hierarchical" && n % 2 == 1;
            if (shuffled) std::reverse(setup->participants.begin(), setup->participants.end());
            for (std::uint64_t count : {std::uint64_t{1}, n - 1, 4 * n, 13 * n + 5}) {
                if (count == 0) continue;
                INFO(algorithm << " on " << setup->topology << " n " << n << " count " << count);
                const Request request{CollectiveOp::all_to_all, setup->participants, count, 4};
                const auto schedule = find_algorithm(algorithm).build(topology, request);
                CHECK_NOTHROW(validate(schedule, topology));
                const auto in = inputs(n, schedule.buffer_elements);
                CHECK(wrong_elements(in, run(schedule, in), count) == 0);
                ++executed;
            }
        }
    }
    CHECK(executed > 100);
}

TEST_CASE("combine after dispatch brings every slot home", "[collectives][alltoall]") {
    // With n dividing count the output slots are laid out as the input blocks:
    // the same all-to-all run on the dispatched slots is the MoE combine.
    const auto topology = topology::topology_from_spec("torus:4x4");
    const std::uint64_t count = 16 * 24;
    for (const std::string algorithm : {"direct", "torus"}) {
        INFO(algorithm);
        const Request request{CollectiveOp::all_to_all, first_chips(16), count, 4};
        const auto schedule = find_algorithm(algorithm).build(topology, request);
        const auto in = inputs(16, schedule.buffer_elements);
        auto dispatched = run(schedule, in);
        for (auto& buffer : dispatched) std::memmove(buffer.data(), buffer.data() + count, count * sizeof(float));
        const auto combined = run(schedule, dispatched);
        for (std::size_t i = 0; i < 16; ++i) {
            CHECK(std::memcmp(combined[i].data() + count, in[i].data(), count * sizeof(float)) == 0);
        }
    }
}

TEST_CASE("all-to-all schedules are conflict-free on fc:8, torus:4x4 and dragonfly:2", "[collectives][alltoall]") {
    const sim::ChipSpec spec;
    const std::pair<const char*, std::size_t> cases[] = {
        {"fc:8", 8}, {"torus:4x4", 16}, {"dragonfly:2", 16}, {"dragonfly:2", 144}};
    std::size_t checked = 0;
    for (const auto& [spec_text, n] : cases) {
        const auto topology = topology::topology_from_spec(spec_text);
        const FabricTiming fabric(topology, spec);
        for (const std::string algorithm : all_to_all_algorithms) {
            for (std::uint64_t count : {std::uint64_t{n}, std::uint64_t{1000 * n + 3}}) {
                const Request request{CollectiveOp::all_to_all, first_chips(n), count, 4};
                if (find_algorithm(algorithm).unsupported_reason(topology, request)) continue;
                INFO(algorithm << " on " << spec_text << " n " << n << " count " << count);
                const auto schedule = find_algorithm(algorithm).build(topology, request);
                CHECK_NOTHROW(validate(schedule, topology));
                const auto timing = time_and_check(schedule, fabric);
                CHECK(timing.total_ps > 0);
                ++checked;
            }
        }
    }
    CHECK(checked == 2 * (1 + 2 + 2 + 2));  // fc: direct; torus: direct, torus; dragonfly: direct, hierarchical
}

TEST_CASE("all-to-all timing: line exchanges win small messages, direct large ones", "[collectives][alltoall]") {
    const sim::ChipSpec spec;
    const auto torus = topology::topology_from_spec("torus:4x4");
    const FabricTiming fabric(torus, spec);
    const auto time = [&](const std::string& algorithm, std::uint64_t count) {
        const Request request{CollectiveOp::all_to_all, first_chips(16), count, 4};
        const auto schedule = find_algorithm(algorithm).build(torus, request);
        return time_and_check(schedule, fabric).total_ps;
    };
    // A 320-byte vector per pair: latency-bound.
    CHECK(time("torus", 16 * 80) < time("direct", 16 * 80));
    // The direct schedule is never faster than its link-bound floor: the
    // busiest chip sends 15 blocks over 4 links.
    const std::uint64_t large = 16 * 65536;
    const std::int64_t block_wire_ps = fabric.serialisation_ps(0, 65536 * 4);
    CHECK(time("direct", large) >= 15 * block_wire_ps / 4);
    const auto chosen = select_schedule(fabric, {CollectiveOp::all_to_all, first_chips(16), 16 * 80, 4});
    CHECK(chosen.schedule.algorithm == "torus");
}

TEST_CASE("hierarchical all-to-all refuses uneven nodes, with the reason", "[collectives][alltoall]") {
    const auto dragonfly = topology::topology_from_spec("dragonfly:1");
    const Request uneven{CollectiveOp::all_to_all, first_chips(11), 64, 4};  // 8 chips of node 0, 3 of node 1
    CHECK(*find_algorithm("hierarchical").unsupported_reason(dragonfly, uneven) ==
          "the nodes take part with different chip counts");
    const auto torus = topology::topology_from_spec("torus:4x4");
    const Request part{CollectiveOp::all_to_all, first_chips(8), 64, 4};
    CHECK(find_algorithm("torus").unsupported_reason(torus, part).has_value());
}

}  // namespace lpu::collectives::testing
