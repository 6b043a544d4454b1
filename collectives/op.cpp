#include "collectives/op.hpp"

#include <string>

#include "base/error.hpp"

namespace lpu::collectives {

std::string op_name(CollectiveOp op) {
    switch (op) {
        case CollectiveOp::all_reduce: return "allreduce";
        case CollectiveOp::all_gather: return "allgather";
        case CollectiveOp::reduce_scatter: return "reducescatter";
        case CollectiveOp::broadcast: return "broadcast";
        case CollectiveOp::reduce: return "reduce";
        case CollectiveOp::all_to_all: return "alltoall";
        case CollectiveOp::point_to_point: return "p2p";
    }
    throw Error("unknown collective op " + std::to_string(static_cast<int>(op)));
}

std::vector<CollectiveOp> all_ops() {
    return {CollectiveOp::all_reduce, CollectiveOp::all_gather, CollectiveOp::reduce_scatter, CollectiveOp::broadcast,
            CollectiveOp::reduce,     CollectiveOp::all_to_all, CollectiveOp::point_to_point};
}

CollectiveOp parse_op(const std::string& name) {
    std::string bare = name;
    std::erase(bare, '_');
    std::string accepted;
    for (auto op : all_ops()) {
        if (op_name(op) == bare) return op;
        accepted += (accepted.empty() ? "" : ", ") + op_name(op);
    }
    throw Error("unknown collective op '" + name + "' (accepted: " + accepted + ")");
}

double bus_bandwidth_factor(CollectiveOp op, std::size_t participants) {
    const double n = static_cast<double>(participants);
    switch (op) {
        case CollectiveOp::all_reduce: return 2.0 * (n - 1.0) / n;
        case CollectiveOp::all_gather:
        case CollectiveOp::reduce_scatter:
        case CollectiveOp::all_to_all: return (n - 1.0) / n;
        case CollectiveOp::broadcast:
        case CollectiveOp::reduce:
        case CollectiveOp::point_to_point: return 1.0;
    }
    throw Error("unknown collective op " + std::to_string(static_cast<int>(op)));
}

bool op_reduces(CollectiveOp op) {
    return op == CollectiveOp::all_reduce || op == CollectiveOp::reduce_scatter || op == CollectiveOp::reduce;
}

}  // namespace lpu::collectives
