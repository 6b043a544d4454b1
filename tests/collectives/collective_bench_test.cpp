#include "collectives/collective_bench.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

#include "base/error.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/collectives/mailbox_transport.hpp"
#include "topology/builders.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::collectives {
namespace {

BenchRequest request_of(std::vector<std::uint64_t> sizes) {
    BenchRequest request;
    request.topology_name = "fc:4";
    request.sizes_bytes = std::move(sizes);
    return request;
}

TEST_CASE("collective bench: one row per size, timed on the fabric and run on the host", "[collectives][bench]") {
    const topology::Topology topology = topology::fully_connected(4);
    const FabricTiming fabric(topology, sim::chip_spec_preset("tsp-v1"));
    BenchRequest request = request_of({4096, 65536});
    request.json = true;
    request.explain = true;
    std::ostringstream out;
    run_collective_bench(fabric, request, [] { return std::make_unique<testing::MailboxTransport>(); }, out);
    const auto rows = nlohmann::json::parse(out.str());
    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["bytes"] == 4096);
    CHECK(rows[0]["chips"] == 4);
    CHECK(rows[0]["op"] == "allreduce");
    CHECK(rows[0]["host_us"].get<double>() > 0.0);
    CHECK(rows[1]["emulated_us"].get<double>() > rows[0]["emulated_us"].get<double>());
    CHECK_FALSE(rows[0]["candidates"].empty());
}

TEST_CASE("collective bench: a table without the host column when it is skipped", "[collectives][bench]") {
    const topology::Topology topology = topology::fully_connected(4);
    const FabricTiming fabric(topology, sim::chip_spec_preset("tsp-v1"));
    BenchRequest request = request_of({1024});
    request.skip_host = true;
    request.chips = 2;
    std::ostringstream out;
    run_collective_bench(fabric, request, {}, out);
    CHECK_THAT(out.str(), Catch::StartsWith("allreduce on fc:4, 2 chips\n"));
    CHECK_THAT(out.str(), Catch::EndsWith("            -\n"));
}

TEST_CASE("collective bench: requests the fabric cannot serve are input errors", "[collectives][bench]") {
    const topology::Topology topology = topology::fully_connected(4);
    const FabricTiming fabric(topology, sim::chip_spec_preset("tsp-v1"));
    std::ostringstream out;
    BenchRequest too_many = request_of({1024});
    too_many.chips = 5;
    CHECK_THROWS_WITH(run_collective_bench(fabric, too_many, {}, out), "--chips 5: the topology has only 4 chips");
    CHECK_THROWS_AS(run_collective_bench(fabric, request_of({6}), {}, out), Error);
    BenchRequest huge = request_of({std::uint64_t{1} << 40});
    CHECK_THROWS_WITH(run_collective_bench(fabric, huge, {}, out), Catch::Contains("pass --skip-host"));
    CHECK(out.str().empty());
}

TEST_CASE("collective bench: a schedule's staging counts toward host memory", "[collectives][bench][alltoall]") {
    const auto topology = topology::topology_from_spec("torus:4x4");
    const FabricTiming fabric(topology, sim::chip_spec_preset("tsp-v1"));
    // 160 MiB per chip: the alltoall layout (input + slots) takes 5 GiB over
    // 16 chips, under the limit; the torus schedule's two staging areas double it.
    BenchRequest staged = request_of({std::uint64_t{160} << 20});
    staged.op = CollectiveOp::all_to_all;
    staged.algorithm = "torus";
    std::ostringstream out;
    CHECK_THROWS_WITH(run_collective_bench(fabric, staged, {}, out), Catch::Contains("pass --skip-host"));
    staged.skip_host = true;
    run_collective_bench(fabric, staged, {}, out);
    CHECK_THAT(out.str(), Catch::Contains("torus"));
}

}  // namespace
}  // namespace lpu::collectives
