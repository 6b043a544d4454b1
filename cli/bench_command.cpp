// `lpu bench collectives`: time a collective on the emulated fabric (the
// schedule's cost through the link model) and run it for real in this
// process, per message size (collectives/collective_bench.hpp).
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "cli/commands.hpp"
#include "collectives/algorithms/registry.hpp"
#include "collectives/collective_bench.hpp"
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

void run_bench(const BenchOptions& options) {
    BenchRequest request;
    request.op = parse_op(options.op);
    if (options.algo != "auto") find_algorithm(options.algo);
    request.algorithm = options.algo;
    const auto topology = topology::topology_from_spec(options.topology);
    const FabricTiming fabric(topology, sim::load_chip_spec(options.spec));
    request.topology_name = options.topology;
    request.chips = options.chips;
    request.sizes_bytes = parse_sizes(options.bytes);
    request.explain = options.explain;
    request.json = options.json;
    request.skip_host = options.skip_host;
    // On a terminal only, so piped output stays a table.
    request.progress = !options.quiet && isatty(fileno(stderr)) != 0;
    run_collective_bench(fabric, request, [] { return std::make_unique<launch::inprocess::InProcessTransport>(); },
                         std::cout);
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
