// Run under mpirun by tests/launch/mpi/mpi_run_test.cpp: the collectives executor
// over the MPI transport, one chip per rank, checked exactly (integers).
// All-reduce with every algorithm that can serve it, and all-gather, for
// sizes from one element to an uneven ~1 MiB, with whole messages and with
// tiles. Messages of other ranks arrive both before their receive (taken from
// the mailbox) and after it (received straight into place). Every check runs
// on one transport, back to back with no barrier, so a fast rank sends the
// next check's messages (same tags) while a slow one still receives this
// one's: the transport must match them in order. Prints "ok" on rank 0 and
// exits 0, or names the first wrong element and exits 1.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include <mpi.h>

#include "collectives/algorithms/registry.hpp"
#include "collectives/executor.hpp"
#include "collectives/fabric_timing.hpp"
#include "collectives/selection.hpp"
#include "launch/mpi/mpi_session.hpp"
#include "launch/mpi/mpi_transport.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology_spec.hpp"

using namespace lpu;

namespace {

// What participant `rank` starts with at `index`.
std::int32_t initial(int rank, std::uint64_t index) { return (rank + 1) * static_cast<std::int32_t>(index % 1009 + 1); }

bool check(collectives::CollectiveOp op, const std::string& algorithm, std::uint64_t count, std::uint64_t tile_bytes,
           const launch::mpi::MpiSession& session, const topology::Topology& topology,
           launch::mpi::MpiTransport& transport) {
    const int ranks = session.size(), rank = session.rank();
    collectives::Request request;
    request.op = op;
    request.participants.resize(static_cast<std::size_t>(ranks));
    std::iota(request.participants.begin(), request.participants.end(), 0u);
    request.count = count;
    const collectives::FabricTiming fabric(topology, sim::ChipSpec{});
    if (collectives::find_algorithm(algorithm).unsupported_reason(topology, request)) return true;
    const auto selection = collectives::select_schedule(fabric, request, algorithm);

    std::vector<std::int32_t> data(count);
    for (std::uint64_t i = 0; i < count; ++i) data[i] = initial(rank, i);
    std::vector<std::span<std::int32_t>> buffers(static_cast<std::size_t>(ranks));
    buffers[static_cast<std::size_t>(rank)] = data;
    collectives::ExecuteOptions options;
    options.local_chips = {static_cast<topology::ChipId>(rank)};
    options.tile_bytes = tile_bytes;
    collectives::execute<std::int32_t>(selection.schedule, buffers, transport, options);

    const int sum_of_factors = ranks * (ranks + 1) / 2;
    for (std::uint64_t i = 0; i < count; ++i) {
        std::int32_t want = 0;
        if (op == collectives::CollectiveOp::all_reduce) {
            want = sum_of_factors * initial(0, i);
        } else {
            // All-gather: element i comes from the participant whose block holds it.
            int owner = 0;
            while (!(collectives::block_range(count, static_cast<std::uint64_t>(ranks), static_cast<std::uint64_t>(owner))
                         .end() > i)) {
                ++owner;
            }
            want = initial(owner, i);
        }
        if (data[i] != want) {
            std::fprintf(stderr, "rank %d: %s %s of %llu elements, tiles of %llu bytes: element %llu is %d, not %d\n",
                         rank, collectives::op_name(op).c_str(), selection.schedule.algorithm.c_str(),
                         static_cast<unsigned long long>(count), static_cast<unsigned long long>(tile_bytes),
                         static_cast<unsigned long long>(i), data[i], want);
            return false;
        }
    }
    return true;
}

}  // namespace

int main() {
    launch::mpi::MpiSession session;
    const auto topology = topology::topology_from_spec("fc:" + std::to_string(std::max(session.size(), 2)));
    std::vector<int> rank_of_chip(static_cast<std::size_t>(session.size()));
    std::iota(rank_of_chip.begin(), rank_of_chip.end(), 0);
    launch::mpi::MpiTransport transport(session.comm(), rank_of_chip);
    int ok = 1;
    for (const auto op : {collectives::CollectiveOp::all_reduce, collectives::CollectiveOp::all_gather}) {
        for (const auto& algorithm : collectives::all_algorithms()) {
            for (const std::uint64_t count : {std::uint64_t{1}, std::uint64_t{1000}, std::uint64_t{262147}}) {
                for (const std::uint64_t tile_bytes : {count * 4, std::uint64_t{4096}}) {
                    ok &= check(op, algorithm->name(), count, tile_bytes, session, topology, transport) ? 1 : 0;
                }
            }
        }
    }
    if (transport.pending() != 0) {
        std::fprintf(stderr, "rank %d: %zu messages were never received\n", session.rank(), transport.pending());
        ok = 0;
    }
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, session.comm());
    if (session.rank() == 0 && ok) std::printf("ok\n");
    return ok ? 0 : 1;
}
