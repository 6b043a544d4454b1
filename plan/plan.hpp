#pragma once
// The multi-chip program IR (DESIGN.md "Plan"): for each chip, its share of the
// model (role), its SRAM buffers and an ordered list of instructions, each at a
// scheduled local cycle. A Plan is plain data: the compiler builds it, the
// runtime and the simulator execute it, plan/plan_io.hpp stores it, and
// plan/validation.hpp checks every rule a plan must satisfy.
//
// Cycles in the plan are the base schedule; position-dependent durations
// (attention over the KV cache) are added by plan/retime.hpp before each step.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "plan/fingerprint.hpp"
#include "topology/topology.hpp"

namespace lpu::plan {

// The format this build writes and reads (stored in plan files and checked on load).
// 2: position cost per 1024 positions; 3: rope pairing, biases; 4: each compute names its sequence;
// 5: mixture-of-experts layers as route and expert_matmul ops (before: a top-k the runtime could not run)
constexpr std::uint32_t plan_format_version = 5;

using BufferId = std::uint32_t;  // index into ChipProgram::buffers

// The largest cycle count a plan may hold in any field (a cycle, a duration, a
// pad, a flight time): 2^48 cycles, three days at 900 MHz, where the largest
// compiled steps take milliseconds. Validation refuses more, so sums of a
// step's cycles and of many steps stay far inside 64 bits.
constexpr std::int64_t max_plan_cycles = std::int64_t{1} << 48;

// A half-open index range [first, last), e.g. of layers or heads.
struct IndexRange {
    std::uint32_t first = 0;
    std::uint32_t last = 0;
    bool operator==(const IndexRange&) const = default;
};

// The most sequences one decode step carries: the compiler's bound, and the
// reader's, so that a plan file cannot ask for per-sequence state of any size.
inline constexpr std::uint32_t max_batch = 1024;

// The parallel decomposition the plan was compiled for.
struct Grid {
    std::uint32_t tp = 1;              // tensor-parallel degree
    std::uint32_t pp = 1;              // pipeline stages
    std::uint32_t batch = 1;           // sequences per decode step, at most max_batch
    std::uint32_t micro_batches = 1;   // pipeline micro-batches per step
    // Data-parallel copies of the tp x pp grid on disjoint chips, each serving
    // its own `batch` sequences: chips[replica * tp * pp + stage * tp + rank].
    std::uint32_t replicas = 1;
    bool operator==(const Grid&) const = default;
};

// Which part of the model a chip holds.
struct ChipRole {
    std::uint32_t tp_rank = 0;
    std::uint32_t pp_stage = 0;
    IndexRange layers;          // transformer layers of this pipeline stage
    IndexRange heads;           // query heads
    IndexRange kv_heads;        // key/value heads (may be shared by several ranks under GQA)
    IndexRange hidden_columns;  // MLP hidden columns (gate/up columns, down rows)
    IndexRange vocab;           // vocabulary rows of the embedding and LM head
    bool operator==(const ChipRole&) const = default;
};

enum class BufferUse : std::uint8_t { weights, kv, activation, receive };
constexpr std::uint32_t buffer_use_count = 4;
static_assert(static_cast<std::uint32_t>(BufferUse::receive) + 1 == buffer_use_count);
const char* buffer_use_name(BufferUse use);

// A region of one chip's SRAM. Buffers are disjoint unless both are marked
// reusable (the compiler reuses a region for values whose lifetimes do not overlap).
struct Buffer {
    std::string name;
    BufferUse use = BufferUse::activation;
    std::int64_t sram_offset_bytes = 0;
    std::int64_t size_bytes = 0;
    bool reusable = false;
    bool operator==(const Buffer&) const = default;
};

// What each op computes, with its shape fields: runtime/compiler/lowering.hpp.
enum class OpKind : std::uint8_t { embed, rmsnorm, matmul, rope, attention, swiglu, add, lm_head, route, expert_matmul };
constexpr std::uint32_t op_kind_count = 10;
static_assert(static_cast<std::uint32_t>(OpKind::expert_matmul) + 1 == op_kind_count);
const char* op_kind_name(OpKind op);

struct Compute {
    OpKind op = OpKind::matmul;
    std::vector<std::int64_t> shape;  // op-specific dimensions, e.g. {rows, cols} of a matmul
    std::vector<BufferId> inputs;
    std::vector<BufferId> outputs;
    std::int64_t cycles = 0;               // duration independent of the sequence position
    // Position-dependent cost (attention): cycles_per_1024_positions x
    // (position + 1) / 1024 more cycles, rounded down (see position_cycles).
    // Fixed point, because a shard's attention often costs a fraction of a
    // cycle per position, which whole cycles would round away.
    std::int64_t cycles_per_1024_positions = 0;
    // The sequence of the batch this op works for (< Grid::batch): its
    // position is that sequence's, so the slots of a batch may each be at
    // their own position (continuous batching).
    std::uint32_t sequence = 0;
    bool operator==(const Compute&) const = default;
};

// One side of a point-to-point transfer. A Send on chip A with peer B matches the
// Recv on chip B with peer A and the same tag.
struct Transfer {
    topology::ChipId peer = 0;
    std::uint64_t tag = 0;
    std::int64_t bytes = 0;
    std::vector<topology::ChannelId> route;  // directed channels from the sender to the receiver
    BufferId buffer = 0;                     // read by a Send, written by a Recv
    std::int64_t offset_bytes = 0;           // where in the buffer
    // Cycles from the Send until the last byte has arrived (hops, serialisation
    // and the fabric's skew guard); the Recv is scheduled no earlier than the
    // Send plus the larger of this and the plan's transfer_latency_cycles.
    std::int64_t flight_cycles = 0;
    bool operator==(const Transfer&) const = default;
};
struct Send : Transfer {
    bool operator==(const Send&) const = default;
};
struct Recv : Transfer {
    bool operator==(const Recv&) const = default;
};

// This chip's part in a collective schedule (collectives/ owns the schedule).
struct Collective {
    std::uint32_t schedule = 0;  // which collective schedule of the compiled program
    std::uint32_t rank = 0;      // this chip's rank in it
    bool operator==(const Collective&) const = default;
};

// A compile-time deskew point: the chip idles for pad_cycles so that drift
// accumulated since the last alignment stays within the fabric's budget.
struct Deskew {
    std::int64_t pad_cycles = 0;
    bool operator==(const Deskew&) const = default;
};

// A deskew whose pad the fabric measures at run time, up to max_pad_cycles.
struct RuntimeDeskew {
    std::int64_t max_pad_cycles = 0;
    bool operator==(const RuntimeDeskew&) const = default;
};

// A barrier every chip of the plan reaches with the same id.
struct Sync {
    std::uint32_t barrier = 0;
    bool operator==(const Sync&) const = default;
};

using InstructionBody = std::variant<Compute, Send, Recv, Collective, Deskew, RuntimeDeskew, Sync>;

struct Instruction {
    std::int64_t cycle = 0;  // scheduled local cycle of the chip
    InstructionBody body;
    bool operator==(const Instruction&) const = default;
};

struct ChipProgram {
    topology::ChipId chip = 0;  // the chip in the system's topology
    ChipRole role;
    std::vector<Buffer> buffers;
    std::vector<Instruction> instructions;
    bool operator==(const ChipProgram&) const = default;
};

struct Plan {
    std::uint32_t format_version = plan_format_version;
    ModelFingerprint model;
    SystemFingerprint system;
    Grid grid;
    std::int64_t sram_bytes = 0;               // SRAM of every chip the plan was compiled for
    std::int64_t transfer_latency_cycles = 0;  // a Recv is never scheduled earlier than its Send plus this
    std::int64_t context_positions = 0;        // positions of the KV cache (0: the plan holds none)
    std::vector<ChipProgram> chips;
    bool operator==(const Plan&) const = default;
};

// How long an instruction keeps its chip busy: a Compute its cycles (without
// the position-dependent part, see retime), a deskew its pad; transfers take
// no time of their chip. And when it ends: cycle + duration.
std::int64_t instruction_duration(const InstructionBody& body);
// A Compute's whole duration at `position` (0-based): cycles +
// floor(cycles_per_1024_positions x (position + 1) / 1024). Throws lpu::Error
// when that overflows 64 bits.
std::int64_t compute_cycles_at(const Compute& compute, std::int64_t position);
std::int64_t instruction_end_cycle(const Instruction& instruction);

// Cycles a Recv waits after its Send: max(plan.transfer_latency_cycles, transfer.flight_cycles).
std::int64_t arrival_latency_cycles(const Plan& plan, const Transfer& transfer);

}  // namespace lpu::plan
