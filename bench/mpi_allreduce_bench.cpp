// The project's all-reduce over the MPI transport against MPI_Allreduce, on
// the same ranks and sizes, timed in the same run. Run it under mpirun:
//
//   mpirun -n 4 build/release/bench/mpi_allreduce_bench [--sizes 4K,64K,1M,16M,64M] [--repeats 5]
//
// Each rank holds one emulated chip (chip r on rank r) of a fully connected
// group; the schedule is the one auto-selection picks on the fabric model
// (the same schedule the compiler lowers). Rank 0 prints, per size, the best
// host time of each and their ratio (ours / MPI's); goal: <= 1.25 from 1 MiB.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <mpi.h>

#include "collectives/executor.hpp"
#include "collectives/selection.hpp"
#include "launch/mpi/mpi_session.hpp"
#include "launch/mpi/mpi_transport.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology_spec.hpp"

using namespace lpu;

namespace {

std::uint64_t parse_size(const std::string& text) {
    const char unit = text.empty() ? ' ' : text.back();
    const std::uint64_t scale = unit == 'K' ? 1024 : unit == 'M' ? 1024 * 1024 : 1;
    return std::stoull(scale == 1 ? text : text.substr(0, text.size() - 1)) * scale;
}

template <class F>
double best_seconds(const launch::mpi::MpiSession& session, int repeats, F&& run) {
    double best = 1e30;
    for (int r = 0; r < repeats; ++r) {
        MPI_Barrier(session.comm());
        const auto start = std::chrono::steady_clock::now();
        run();
        double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        MPI_Allreduce(MPI_IN_PLACE, &elapsed, 1, MPI_DOUBLE, MPI_MAX, session.comm());  // the slowest rank
        best = std::min(best, elapsed);
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"MPI-transport all-reduce vs MPI_Allreduce (run under mpirun)"};
    std::vector<std::string> sizes = {"4K", "64K", "1M", "16M", "64M"};
    int repeats = 5;
    app.add_option("--sizes", sizes, "Bytes per all-reduce (K, M suffixes)")->delimiter(',')->capture_default_str();
    app.add_option("--repeats", repeats, "Timed runs per size (best is kept)")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    launch::mpi::MpiSession session;
    const int ranks = session.size();
    const auto topology = topology::topology_from_spec("fc:" + std::to_string(std::max(ranks, 2)));
    const collectives::FabricTiming fabric(topology, sim::ChipSpec{});
    std::vector<int> rank_of_chip(static_cast<std::size_t>(std::max(ranks, 2)));
    std::iota(rank_of_chip.begin(), rank_of_chip.end(), 0);
    if (session.rank() == 0) {
        std::printf("%d ranks | %-10s %12s %12s %8s  %s\n", ranks, "bytes", "ours ms", "MPI ms", "ratio", "algorithm");
    }
    for (const auto& text : sizes) {
        const std::uint64_t bytes = parse_size(text);
        collectives::Request request;
        request.participants.resize(static_cast<std::size_t>(ranks));
        std::iota(request.participants.begin(), request.participants.end(), 0u);
        request.count = std::max<std::uint64_t>(bytes / sizeof(float), 1);
        const auto selection = collectives::select_schedule(fabric, request);

        std::vector<float> data(request.count, 1.0f + static_cast<float>(session.rank()));
        std::vector<std::span<float>> buffers(static_cast<std::size_t>(ranks));
        buffers[static_cast<std::size_t>(session.rank())] = data;
        collectives::ExecuteOptions options;
        options.local_chips = {static_cast<topology::ChipId>(session.rank())};
        options.tile_bytes = std::max<std::uint64_t>(bytes, 1);  // one message per transfer: MPI is the fabric
        // A rank may receive two executions' messages before it takes them (back to back, no barrier).
        launch::mpi::MpiTransport transport(session.comm(), rank_of_chip,
                                           launch::RemoteMailbox::kDefaultLimitBytes + 2 * bytes);
        const double ours = best_seconds(session, repeats, [&] {
            collectives::execute<float>(selection.schedule, buffers, transport, options);
        });
        const double theirs = best_seconds(session, repeats, [&] {
            MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(data.size()), MPI_FLOAT, MPI_SUM, session.comm());
        });
        if (session.rank() == 0) {
            std::printf("%d ranks | %-10llu %12.3f %12.3f %8.2f  %s\n", ranks, static_cast<unsigned long long>(bytes),
                        ours * 1e3, theirs * 1e3, ours / theirs, selection.schedule.algorithm.c_str());
            std::fflush(stdout);
        }
    }
    return 0;
}
