#pragma once
// `lpu bench collectives`: per message size, the collective's schedule chosen
// (or named) and timed on the emulated fabric, and optionally run for real on
// float buffers in this process; nccl-tests' algbw / busbw definitions.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "collectives/fabric_timing.hpp"
#include "collectives/op.hpp"
#include "collectives/transport.hpp"

namespace lpu::collectives {

struct BenchRequest {
    CollectiveOp op = CollectiveOp::all_reduce;
    std::string algorithm = "auto";   // a registry name, or auto: the fastest
    std::string topology_name;        // shown in the table's title
    std::size_t chips = 0;            // the first N chips take part (0: all)
    std::vector<std::uint64_t> sizes_bytes;
    bool explain = false;             // every candidate algorithm with its time
    bool json = false;                // one JSON list, one object per size
    bool skip_host = false;           // time on the fabric only
    bool progress = false;            // a progress line on stderr while schedules are built
};

// Host memory the real execution may use; beyond it, skip_host.
inline constexpr std::uint64_t max_bench_host_bytes = std::uint64_t{8} << 30;

// A fresh transport for one real execution of a schedule whose chips all run here.
using MakeTransport = std::function<std::unique_ptr<Transport>()>;

// Runs the benchmark and writes its table (or JSON) to `out`. Throws lpu::Error
// when the request does not suit the fabric (more chips than it has, sizes
// that are no whole number of floats or need too much host memory).
void run_collective_bench(const FabricTiming& fabric, const BenchRequest& request, const MakeTransport& make_transport,
                          std::ostream& out);

}  // namespace lpu::collectives
