#include "plan/validation.hpp"

#include <algorithm>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <variant>

#include "base/error.hpp"
#include "plan/transfer_matching.hpp"

namespace lpu::plan {
namespace {

std::string chip_name(const ChipProgram& program) { return "chip " + std::to_string(program.chip); }

void validate_header(const Plan& plan) {
    require(plan.format_version == plan_format_version,
            "plan format version " + std::to_string(plan.format_version) + " is not supported, this build reads version " +
                std::to_string(plan_format_version));
    const Grid& grid = plan.grid;
    require(grid.tp >= 1 && grid.pp >= 1 && grid.batch >= 1 && grid.micro_batches >= 1 && grid.replicas >= 1,
            "plan grid: tp, pp, batch, micro_batches and replicas must be at least 1");
    require(grid.batch <= max_batch, "plan grid: batch " + std::to_string(grid.batch) + " exceeds the most, " +
                                         std::to_string(max_batch) + " sequences");
    require(grid.micro_batches <= grid.batch, "plan grid: micro_batches " + std::to_string(grid.micro_batches) +
                                                  " exceeds batch " + std::to_string(grid.batch));
    require(static_cast<std::uint64_t>(grid.tp) * grid.pp * grid.replicas == plan.chips.size(), [&] {
        std::string message = "plan grid tp " + std::to_string(grid.tp) + " x pp " + std::to_string(grid.pp);
        if (grid.replicas > 1) message.append(" x ").append(std::to_string(grid.replicas)).append(" replicas");
        return message.append(" needs that many chips, the plan has ").append(std::to_string(plan.chips.size()));
    });
    require(plan.sram_bytes > 0, "plan sram_bytes must be positive, got " + std::to_string(plan.sram_bytes));
    require(plan.transfer_latency_cycles >= 0 && plan.transfer_latency_cycles <= max_plan_cycles,
            "plan transfer_latency_cycles must be between 0 and 2^48, got " +
                std::to_string(plan.transfer_latency_cycles));
    require(plan.context_positions >= 0,
            "plan context_positions must be non-negative, got " + std::to_string(plan.context_positions));
}

void validate_range(const ChipProgram& program, const char* field, const IndexRange& range) {
    require(range.first <= range.last, chip_name(program) + " role " + field + ": range [" + std::to_string(range.first) +
                                           ", " + std::to_string(range.last) + ") is reversed");
}

void validate_role(const Plan& plan, const ChipProgram& program) {
    const ChipRole& role = program.role;
    require(role.tp_rank < plan.grid.tp, chip_name(program) + " role tp_rank " + std::to_string(role.tp_rank) +
                                             " is outside tp " + std::to_string(plan.grid.tp));
    require(role.pp_stage < plan.grid.pp, chip_name(program) + " role pp_stage " + std::to_string(role.pp_stage) +
                                              " is outside pp " + std::to_string(plan.grid.pp));
    validate_range(program, "layers", role.layers);
    validate_range(program, "heads", role.heads);
    validate_range(program, "kv_heads", role.kv_heads);
    validate_range(program, "hidden_columns", role.hidden_columns);
    validate_range(program, "vocab", role.vocab);
}

std::string buffer_name(const ChipProgram& program, BufferId id) {
    const Buffer& buffer = program.buffers[id];
    return chip_name(program) + " buffer " + std::to_string(id) + " '" + buffer.name + "' (" + buffer_use_name(buffer.use) + ")";
}

void validate_buffers(const Plan& plan, const ChipProgram& program) {
    for (BufferId id = 0; id < program.buffers.size(); ++id) {
        const Buffer& buffer = program.buffers[id];
        require(buffer.size_bytes > 0, buffer_name(program, id) + ": size_bytes must be positive, got " +
                                           std::to_string(buffer.size_bytes));
        // Compared without adding, so absurd values cannot overflow.
        require(buffer.sram_offset_bytes >= 0 && buffer.sram_offset_bytes <= plan.sram_bytes &&
                    buffer.size_bytes <= plan.sram_bytes - buffer.sram_offset_bytes,
                buffer_name(program, id) + ": [" + std::to_string(buffer.sram_offset_bytes) + ", +" +
                    std::to_string(buffer.size_bytes) + ") lies outside SRAM of " + std::to_string(plan.sram_bytes) + " bytes");
    }
    // Sweep by offset: a buffer overlaps an earlier one exactly when it starts
    // before the furthest end seen so far; only two reusable buffers may overlap.
    std::vector<BufferId> by_offset(program.buffers.size());
    std::iota(by_offset.begin(), by_offset.end(), BufferId{0});
    std::stable_sort(by_offset.begin(), by_offset.end(), [&](BufferId a, BufferId b) {
        return program.buffers[a].sram_offset_bytes < program.buffers[b].sram_offset_bytes;
    });
    const auto end_of = [&](BufferId id) { return program.buffers[id].sram_offset_bytes + program.buffers[id].size_bytes; };
    std::optional<BufferId> furthest_any;
    std::optional<BufferId> furthest_exclusive;
    for (BufferId id : by_offset) {
        const Buffer& buffer = program.buffers[id];
        const auto overlaps = [&](std::optional<BufferId> other) {
            return other && end_of(*other) > buffer.sram_offset_bytes;
        };
        const std::optional<BufferId> clash = overlaps(furthest_exclusive)                    ? furthest_exclusive
                                              : !buffer.reusable && overlaps(furthest_any) ? furthest_any
                                                                                            : std::nullopt;
        require(!clash, buffer_name(program, id) + " overlaps " + (clash ? buffer_name(program, *clash) : "") +
                            " in SRAM and they are not both reusable");
        if (!furthest_any || end_of(id) > end_of(*furthest_any)) furthest_any = id;
        if (!buffer.reusable && (!furthest_exclusive || end_of(id) > end_of(*furthest_exclusive))) furthest_exclusive = id;
    }
}

void validate_instruction(const Plan& plan, std::size_t chip, std::size_t index) {
    const ChipProgram& program = plan.chips[chip];
    const Instruction& instruction = program.instructions[index];
    const Compute* compute = std::get_if<Compute>(&instruction.body);
    const std::string where =
        describe(plan, {chip, index}) + (compute ? std::string(" (") + op_kind_name(compute->op) + ")" : std::string());
    const auto require_buffer = [&](BufferId id, const char* field) {
        require(id < program.buffers.size(), where + ": " + field + " buffer " + std::to_string(id) + " does not exist (chip has " +
                                                 std::to_string(program.buffers.size()) + " buffers)");
    };
    const auto require_non_negative = [&](std::int64_t value, const char* field) {
        require(value >= 0, where + ": " + field + " must be non-negative, got " + std::to_string(value));
    };
    // A cycle count: non-negative and at most max_plan_cycles.
    const auto require_cycles = [&](std::int64_t value, const char* field) {
        require(value >= 0 && value <= max_plan_cycles,
                where + ": " + field + " must be between 0 and 2^48 cycles, got " + std::to_string(value));
    };
    require_cycles(instruction.cycle, "cycle");
    if (index > 0) {
        const std::int64_t previous = program.instructions[index - 1].cycle;
        require(instruction.cycle >= previous, where + ": cycle " + std::to_string(instruction.cycle) +
                                                   " is before the previous instruction's cycle " + std::to_string(previous));
    }
    std::visit(
        [&](const auto& body) {
            using Body = std::decay_t<decltype(body)>;
            if constexpr (std::is_same_v<Body, Compute>) {
                require(static_cast<std::uint32_t>(body.op) < op_kind_count,
                        where + ": unknown op kind " + std::to_string(static_cast<unsigned>(body.op)));
                require_cycles(body.cycles, "cycles");
                require_cycles(body.cycles_per_1024_positions, "cycles_per_1024_positions");
                require(body.sequence < plan.grid.batch, where + ": sequence " + std::to_string(body.sequence) +
                                                             " is outside the batch of " + std::to_string(plan.grid.batch));
                for (BufferId id : body.inputs) require_buffer(id, "input");
                for (BufferId id : body.outputs) require_buffer(id, "output");
            } else if constexpr (std::is_same_v<Body, Send> || std::is_same_v<Body, Recv>) {
                require(body.bytes > 0, where + ": transfer bytes must be positive, got " + std::to_string(body.bytes));
                require_non_negative(body.offset_bytes, "offset_bytes");
                require_cycles(body.flight_cycles, "flight_cycles");
                require_buffer(body.buffer, "transfer");
                const Buffer& buffer = program.buffers[body.buffer];
                require(body.bytes <= buffer.size_bytes - body.offset_bytes,
                        where + ": transfer of " + std::to_string(body.bytes) + " bytes at offset " +
                            std::to_string(body.offset_bytes) + " does not fit " + buffer_name(program, body.buffer) +
                            " of " + std::to_string(buffer.size_bytes) + " bytes");
            } else if constexpr (std::is_same_v<Body, Deskew>) {
                require_cycles(body.pad_cycles, "pad_cycles");
            } else if constexpr (std::is_same_v<Body, RuntimeDeskew>) {
                require_cycles(body.max_pad_cycles, "max_pad_cycles");
            }
        },
        instruction.body);
}

void validate_transfers(const Plan& plan) {
    for (const MatchedTransfer& pair : match_transfers(plan)) {
        const Instruction& send = plan.chips[pair.send.chip].instructions[pair.send.instruction];
        const Instruction& recv = plan.chips[pair.recv.chip].instructions[pair.recv.instruction];
        const std::int64_t send_bytes = std::get<Send>(send.body).bytes;
        const std::int64_t recv_bytes = std::get<Recv>(recv.body).bytes;
        require(send_bytes == recv_bytes, describe(plan, pair.recv) + ": recv of " + std::to_string(recv_bytes) +
                                              " bytes does not match the " + std::to_string(send_bytes) + " bytes sent by " +
                                              describe(plan, pair.send));
        // Both are validated non-negative, so the subtraction cannot overflow.
        const std::int64_t latency = arrival_latency_cycles(plan, std::get<Recv>(recv.body));
        require(recv.cycle - latency >= send.cycle,
                describe(plan, pair.recv) + ": recv at cycle " + std::to_string(recv.cycle) + " is earlier than the send at cycle " +
                    std::to_string(send.cycle) + " (" + describe(plan, pair.send) + ") plus the transfer latency of " +
                    std::to_string(latency) + " cycles");
    }
}

}  // namespace

void validate(const Plan& plan) {
    validate_header(plan);
    std::set<topology::ChipId> chip_ids;
    for (std::size_t chip = 0; chip < plan.chips.size(); ++chip) {
        const ChipProgram& program = plan.chips[chip];
        require(chip_ids.insert(program.chip).second, "plan lists chip " + std::to_string(program.chip) + " twice");
        validate_role(plan, program);
        validate_buffers(plan, program);
        for (std::size_t index = 0; index < program.instructions.size(); ++index) validate_instruction(plan, chip, index);
    }
    validate_transfers(plan);
}

}  // namespace lpu::plan
