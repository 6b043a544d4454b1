// `lpu bench collectives`: time a collective on the emulated fabric (the
// schedule's cost through the link model) and run it for real in this
// process, per message size; nccl-tests' algbw / busbw definitions.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/json_text.hpp"
#include "base/progress_bar.hpp"
#include "cli/commands.hpp"
#include "collectives/algorithms/registry.hpp"
#include "collectives/executor.hpp"
#include "collectives/selection.hpp"
#include "launch/inprocess/in_process_transport.hpp"
#include "sim/chip/chip_spec.hpp"
#include "topology/topology_spec.hpp"

namespace lpu::cli {
namespace {

using namespace lpu::collectives;

struct BenchOptions {
    std::string op = "allreduce";
    std::string algo = "auto";
    std::string topology = "fc:8";
    std::string spec = sim::default_chip_spec_name();
    std::size_t chips = 0;
    std::string bytes = "1M";
    bool explain = false;
    bool json = false;
    bool skip_host = false;
    bool quiet = false;
};

// Host memory the real execution may use; beyond it, --skip-host.
constexpr std::uint64_t max_host_bytes = std::uint64_t{8} << 30;

// "4096", "64K", "1MiB", "2G": binary multiples (K = KiB = 1024).
std::uint64_t parse_size(const std::string& text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    const std::string suffix = text.substr(digits);
    std::uint64_t unit = 0;
    if (suffix.empty()) unit = 1;
    if (suffix == "K" || suffix == "KiB") unit = std::uint64_t{1} << 10;
    if (suffix == "M" || suffix == "MiB") unit = std::uint64_t{1} << 20;
    if (suffix == "G" || suffix == "GiB") unit = std::uint64_t{1} << 30;
    require(digits > 0 && digits <= 12 && unit != 0,
            "--bytes: '" + text + "' is not a size (a number with an optional K, M, G, KiB, MiB or GiB suffix)");
    const std::uint64_t value = std::stoull(text.substr(0, digits)) * unit;
    require(value > 0 && value <= (std::uint64_t{1} << 40), "--bytes: '" + text + "' must be between 1 byte and 1 TiB");
    return value;
}

std::vector<std::uint64_t> parse_sizes(const std::string& list) {
    std::vector<std::uint64_t> sizes;
    std::size_t begin = 0;
    while (true) {
        const std::size_t comma = list.find(',', begin);
        sizes.push_back(parse_size(list.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin)));
        if (comma == std::string::npos) return sizes;
        begin = comma + 1;
    }
}

// Runs the schedule on float buffers in this process; the host time in seconds.
double host_seconds(const Schedule& schedule) {
    std::vector<std::vector<float>> storage(schedule.participants.size());
    std::vector<std::span<float>> buffers;
    for (std::size_t i = 0; i < storage.size(); ++i) {
        storage[i].assign(schedule.buffer_elements, static_cast<float>(i + 1));
        buffers.emplace_back(storage[i]);
    }
    ExecuteOptions options;
    options.threads = std::max(1u, std::thread::hardware_concurrency());
    launch::inprocess::InProcessTransport transport;
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

void run_bench(const BenchOptions& options) {
    const CollectiveOp op = parse_op(options.op);
    if (options.algo != "auto") find_algorithm(options.algo);
    const auto topology = topology::topology_from_spec(options.topology);
    const FabricTiming fabric(topology, sim::load_chip_spec(options.spec));
    const std::size_t chips = options.chips == 0 ? topology.chip_count() : options.chips;
    require(chips <= topology.chip_count(), "--chips " + std::to_string(chips) + ": the topology has only " +
                                                std::to_string(topology.chip_count()) + " chips");
    Request request;
    request.op = op;
    request.participants.resize(chips);
    std::iota(request.participants.begin(), request.participants.end(), topology::ChipId{0});
    const auto sizes = parse_sizes(options.bytes);
    for (auto bytes : sizes) {
        require(bytes % sizeof(float) == 0, "--bytes: " + std::to_string(bytes) +
                                                " is not a whole number of 4-byte float elements");
        const std::uint64_t host_bytes = buffer_elements_for(op, bytes / sizeof(float), chips) * sizeof(float) * chips;
        require(options.skip_host || host_bytes <= max_host_bytes,
                "--bytes " + std::to_string(bytes) + " on " + std::to_string(chips) + " chips needs " +
                    std::to_string(host_bytes >> 20) + " MiB of host memory (limit " +
                    std::to_string(max_host_bytes >> 20) + " MiB): pass --skip-host to time it on the fabric only");
    }

    nlohmann::json results = nlohmann::json::array();
    if (!options.json) {
        std::printf("%s on %s, %zu chips\n%14s  %-16s %6s %14s %11s %11s %12s\n", op_name(op).c_str(),
                    options.topology.c_str(), chips, "bytes", "algo", "steps", "emulated_us", "algbw_GB/s",
                    "busbw_GB/s", "host_us");
    }
    // Building and timing schedules over thousands of chips takes a while: say
    // which one is under way (on a terminal only, so piped output stays a table).
    const std::size_t candidates = options.algo == "auto" ? all_algorithms().size() : 1;
    ProgressBar progress(stderr, sizes.size() * candidates, !options.quiet && isatty(fileno(stderr)) != 0);
    std::size_t tried = 0;
    for (auto bytes : sizes) {
        request.count = bytes / sizeof(float);
        const Selection selection = select_schedule(fabric, request, options.algo, [&](const std::string& algorithm) {
            progress.update(tried++, algorithm + " for " + std::to_string(bytes) + " bytes on " +
                                         std::to_string(chips) + " chips");
        });
        progress.clear();
        const double emulated_s = static_cast<double>(selection.emulated_ps) / 1e12;
        const double algbw_gbps = emulated_s > 0 ? static_cast<double>(bytes) / emulated_s / 1e9 : 0.0;
        const double busbw_gbps = algbw_gbps * bus_bandwidth_factor(op, chips);
        nlohmann::json row = {{"bytes", bytes},
                              {"op", op_name(op)},
                              {"algo", selection.schedule.algorithm},
                              {"chips", chips},
                              {"steps", selection.schedule.steps.size()},
                              {"emulated_us", emulated_s * 1e6},
                              {"algbw_gbps", algbw_gbps},
                              {"busbw_gbps", busbw_gbps},
                              {"host_us", nullptr}};
        if (!options.skip_host) row["host_us"] = host_seconds(selection.schedule) * 1e6;
        if (options.explain && options.json) row["candidates"] = candidates_json(selection);
        if (options.explain && !options.json) std::printf("%s", explain(selection).c_str());
        if (!options.json) {
            char host[32] = "-";
            if (!options.skip_host) std::snprintf(host, sizeof host, "%.1f", row["host_us"].get<double>());
            std::printf("%14llu  %-16s %6zu %14.3f %11.3f %11.3f %12s\n", static_cast<unsigned long long>(bytes),
                        selection.schedule.algorithm.c_str(), selection.schedule.steps.size(), emulated_s * 1e6,
                        algbw_gbps, busbw_gbps, host);
        }
        results.push_back(row);
    }
    if (options.json) std::cout << json_text(results, 2) << "\n";
}

}  // namespace

void add_bench_command(CLI::App& app) {
    auto* bench = app.add_subcommand("bench", "Benchmarks on the emulated fabric");
    bench->require_subcommand(1);
    auto options = std::make_shared<BenchOptions>();
    auto* command = bench->add_subcommand(
        "collectives", "Time a collective on the emulated fabric and run it for real in this process");
    command->add_option("--op", options->op, "allreduce, allgather, reducescatter, broadcast, reduce, alltoall, p2p")
        ->capture_default_str();
    command->add_option("--algo", options->algo, "ring, direct, halving_doubling, torus, hierarchical or auto")
        ->capture_default_str();
    command->add_option("--topology", options->topology, topology::topology_spec_help())->capture_default_str();
    command->add_option("--spec", options->spec, "chip spec: a preset name or a spec file")->capture_default_str();
    command->add_option("--chips", options->chips, "participants: the first N chips (0 = all)")->capture_default_str();
    command->add_option("--bytes", options->bytes, "message sizes, e.g. 4K,1M,64MiB")->capture_default_str();
    command->add_flag("--explain", options->explain, "show every candidate algorithm and its time");
    command->add_flag("--json", options->json, "print a JSON list, one object per size");
    command->add_flag("--skip-host", options->skip_host, "time on the fabric only; no real execution");
    command->add_flag("-q,--quiet", options->quiet, "no progress line while schedules are built (shown on a terminal)");
    command->callback([options] { run_bench(*options); });
}

}  // namespace lpu::cli
