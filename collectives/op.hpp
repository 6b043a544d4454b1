#pragma once
// The collective operations, their command-line names and the nccl-tests
// "bus bandwidth" factor of each (busbw = algbw x factor).
#include <cstddef>
#include <string>
#include <vector>

namespace lpu::collectives {

enum class CollectiveOp {
    all_reduce,
    all_gather,
    reduce_scatter,
    broadcast,
    reduce,
    all_to_all,
    point_to_point,
};

// "allreduce", "allgather", "reducescatter", "broadcast", "reduce", "alltoall", "p2p".
std::string op_name(CollectiveOp op);
std::vector<CollectiveOp> all_ops();
// Also takes the names spelt with underscores (all_to_all, all_reduce), as
// NCCL and the issues write them. Throws lpu::Error naming the text and the
// accepted names.
CollectiveOp parse_op(const std::string& name);

// nccl-tests definitions: 2(n-1)/n for all-reduce; (n-1)/n for all-gather,
// reduce-scatter and all-to-all; 1 for broadcast, reduce and point-to-point.
double bus_bandwidth_factor(CollectiveOp op, std::size_t participants);

// True when the op folds values together (so its schedules hold reductions).
bool op_reduces(CollectiveOp op);

}  // namespace lpu::collectives
