#include "collectives/collective_bench.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <span>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/json_text.hpp"
#include "base/printf_text.hpp"
#include "base/progress_bar.hpp"
#include "collectives/algorithms/registry.hpp"
#include "collectives/executor.hpp"
#include "collectives/selection.hpp"

namespace lpu::collectives {
namespace {

// Runs the schedule on float buffers in this process; the host time in seconds.
double host_seconds(const Schedule& schedule, Transport& transport) {
    std::vector<std::vector<float>> storage(schedule.participants.size());
    std::vector<std::span<float>> buffers;
    for (std::size_t i = 0; i < storage.size(); ++i) {
        storage[i].assign(schedule.buffer_elements, static_cast<float>(i + 1));
        buffers.emplace_back(storage[i]);
    }
    ExecuteOptions options;
    options.threads = std::max(1u, std::thread::hardware_concurrency());
    const auto start = std::chrono::steady_clock::now();
    execute<float>(schedule, buffers, transport, options);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    return elapsed.count();
}

nlohmann::json candidates_json(const Selection& selection) {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t i = 0; i < selection.candidates.size(); ++i) {
        const auto& row = selection.candidates[i];
        nlohmann::json entry = {{"algo", row.algorithm}, {"chosen", i == selection.chosen}};
        if (row.emulated_ps) {
            entry["emulated_us"] = static_cast<double>(*row.emulated_ps) / 1e6;
            entry["steps"] = row.steps;
        } else {
            entry["unsupported"] = row.reason;
        }
        rows.push_back(entry);
    }
    return rows;
}

// The real execution's float buffers must fit the host memory limit.
void require_host_fits(const BenchRequest& request, std::uint64_t bytes, std::size_t chips,
                       std::uint64_t buffer_elements) {
    const std::uint64_t host_bytes = buffer_elements * sizeof(float) * chips;
    require(request.skip_host || host_bytes <= max_bench_host_bytes,
            "--bytes " + std::to_string(bytes) + " on " + std::to_string(chips) + " chips needs " +
                std::to_string(host_bytes >> 20) + " MiB of host memory (limit " +
                std::to_string(max_bench_host_bytes >> 20) + " MiB): pass --skip-host to time it on the fabric only");
}

// The chips must exist; every size must be whole floats and its layout fit
// host memory (checked before any schedule is built; the staging of the
// chosen schedule is checked once it is known).
void check_request(const BenchRequest& request, std::size_t chips, std::size_t topology_chips) {
    require(chips <= topology_chips, "--chips " + std::to_string(chips) + ": the topology has only " +
                                         std::to_string(topology_chips) + " chips");
    for (auto bytes : request.sizes_bytes) {
        require(bytes % sizeof(float) == 0, "--bytes: " + std::to_string(bytes) +
                                                " is not a whole number of 4-byte float elements");
        require_host_fits(request, bytes, chips, buffer_elements_for(request.op, bytes / sizeof(float), chips));
    }
}

}  // namespace

void run_collective_bench(const FabricTiming& fabric, const BenchRequest& request, const MakeTransport& make_transport,
                          std::ostream& out) {
    const std::size_t topology_chips = fabric.topology().chip_count();
    const std::size_t chips = request.chips == 0 ? topology_chips : request.chips;
    check_request(request, chips, topology_chips);
    Request collective;
    collective.op = request.op;
    collective.participants.resize(chips);
    std::iota(collective.participants.begin(), collective.participants.end(), topology::ChipId{0});

    nlohmann::json results = nlohmann::json::array();
    if (!request.json) {
        out << printf_text("%s on %s, %zu chips\n%14s  %-16s %6s %14s %11s %11s %12s\n", op_name(request.op).c_str(),
                           request.topology_name.c_str(), chips, "bytes", "algo", "steps", "emulated_us",
                           "algbw_GB/s", "busbw_GB/s", "host_us");
    }
    // Building and timing schedules over thousands of chips takes a while: say
    // which one is under way.
    const std::size_t candidates = request.algorithm == "auto" ? all_algorithms().size() : 1;
    ProgressBar progress(stderr, request.sizes_bytes.size() * candidates, request.progress);
    std::size_t tried = 0;
    for (auto bytes : request.sizes_bytes) {
        collective.count = bytes / sizeof(float);
        const Selection selection =
            select_schedule(fabric, collective, request.algorithm, [&](const std::string& algorithm) {
                progress.update(tried++, algorithm + " for " + std::to_string(bytes) + " bytes on " +
                                             std::to_string(chips) + " chips");
            });
        progress.clear();
        const double emulated_s = static_cast<double>(selection.emulated_ps) / 1e12;
        const double algbw_gbps = emulated_s > 0 ? static_cast<double>(bytes) / emulated_s / 1e9 : 0.0;
        const double busbw_gbps = algbw_gbps * bus_bandwidth_factor(request.op, chips);
        nlohmann::json row = {{"bytes", bytes},
                              {"op", op_name(request.op)},
                              {"algo", selection.schedule.algorithm},
                              {"chips", chips},
                              {"steps", selection.schedule.steps.size()},
                              {"emulated_us", emulated_s * 1e6},
                              {"algbw_gbps", algbw_gbps},
                              {"busbw_gbps", busbw_gbps},
                              {"host_us", nullptr}};
        require_host_fits(request, bytes, chips, selection.schedule.buffer_elements);
        if (!request.skip_host) row["host_us"] = host_seconds(selection.schedule, *make_transport()) * 1e6;
        if (request.explain && request.json) row["candidates"] = candidates_json(selection);
        if (request.explain && !request.json) out << explain(selection);
        if (!request.json) {
            const std::string host = request.skip_host ? "-" : printf_text("%.1f", row["host_us"].get<double>());
            out << printf_text("%14llu  %-16s %6zu %14.3f %11.3f %11.3f %12s\n", static_cast<unsigned long long>(bytes),
                               selection.schedule.algorithm.c_str(), selection.schedule.steps.size(), emulated_s * 1e6,
                               algbw_gbps, busbw_gbps, host.c_str());
        }
        results.push_back(row);
    }
    if (request.json) out << json_text(results, 2) << "\n";
}

}  // namespace lpu::collectives
