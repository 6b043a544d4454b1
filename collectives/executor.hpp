#pragma once
// Runs a Schedule with real buffers over a Transport.
//
// Per step: every local chip first posts the sends of the step, then the
// receives are applied in transfer order (copy, or dst = dst + src), which is
// the fixed fold order of schedule.hpp: the result is bitwise the same
// whatever the transport, thread count or tiling. Consecutive reductions into
// one region (a direct reduce-scatter's n-1 sources) are folded in a single
// pass over it, each element still as ((dst + src1) + src2) + ...
//
// Tiling: when a schedule is offset-preserving (every collective but
// alltoall), element e's result depends only on element e of the inputs, so
// the executor runs the whole schedule on one tile of elements at a time —
// the tile of every buffer stays in cache across the steps — and tiles run
// on several threads at once. Each tile's messages have their own tags.
#include <cstdint>
#include <span>
#include <vector>

#include "collectives/schedule.hpp"
#include "collectives/transport.hpp"

namespace lpu::collectives {

struct ExecuteOptions {
    // Of each buffer: long enough runs for the hardware prefetchers, small
    // enough that the tiles of 8 buffers (1 MiB) stay in a 2 MiB L2. 32 KiB
    // ran the 8-chip 64 MiB all-reduce of bench/collectives_bench markedly slower.
    std::uint64_t tile_bytes = std::uint64_t{128} << 10;
    unsigned threads = 1;
    // The participants this process holds; empty means all of them.
    std::vector<ChipId> local_chips;
};

// buffers[i] is participant i's buffer (buffer_elements elements); entries of
// chips that are not local are ignored. T is float, std::int32_t or
// std::int64_t. Throws lpu::InternalError on a size mismatch (a bug in the caller)
// and lpu::Error on a transport failure.
template <class T>
void execute(const Schedule& schedule, const std::vector<std::span<T>>& buffers, Transport& transport,
             const ExecuteOptions& options = {});

}  // namespace lpu::collectives
