#include "plan/plan_io.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <type_traits>
#include <variant>
#include <vector>

#include "base/error.hpp"
#include "base/mapped_file.hpp"
#include "base/output_file.hpp"
#include "plan/validation.hpp"
#include "schema/plan.capnp.h"

namespace lpu::plan {
namespace {

// Tells a plan file from any other file before Cap'n Proto sees it.
constexpr std::string_view plan_magic{"LPUPLAN\0", 8};

// Enums are stored by number: the schema's order must stay the plan's order.
static_assert(static_cast<std::uint16_t>(schema::BufferUse::RECEIVE) == static_cast<std::uint16_t>(BufferUse::receive));
static_assert(static_cast<std::uint16_t>(schema::OpKind::EXPERT_MATMUL) == static_cast<std::uint16_t>(OpKind::expert_matmul));
static_assert(static_cast<std::uint16_t>(schema::OpKind::LM_HEAD) == static_cast<std::uint16_t>(OpKind::lm_head));

IndexRange range_from(schema::IndexRange::Reader range) { return {range.getFirst(), range.getLast()}; }

void range_to(schema::IndexRange::Builder builder, const IndexRange& range) {
    builder.setFirst(range.first);
    builder.setLast(range.last);
}

template <typename Value, typename List>
std::vector<Value> vector_from(List list) {
    std::vector<Value> values;
    values.reserve(list.size());
    for (auto value : list) values.push_back(value);
    return values;
}

template <typename Builder, typename Value>
void list_to(Builder builder, const std::vector<Value>& values) {
    for (unsigned i = 0; i < builder.size(); ++i) builder.set(i, values[i]);
}

Transfer transfer_from(schema::Transfer::Reader transfer) {
    return {transfer.getPeer(),   transfer.getTag(),         transfer.getBytes(),
            vector_from<topology::ChannelId>(transfer.getRoute()),
            transfer.getBuffer(), transfer.getOffsetBytes(), transfer.getFlightCycles()};
}

void transfer_to(schema::Transfer::Builder builder, const Transfer& transfer) {
    builder.setPeer(transfer.peer);
    builder.setTag(transfer.tag);
    builder.setBytes(transfer.bytes);
    list_to(builder.initRoute(static_cast<unsigned>(transfer.route.size())), transfer.route);
    builder.setBuffer(transfer.buffer);
    builder.setOffsetBytes(transfer.offset_bytes);
    builder.setFlightCycles(transfer.flight_cycles);
}

InstructionBody body_from(schema::Instruction::Reader instruction, const std::string& where) {
    switch (instruction.which()) {
        case schema::Instruction::COMPUTE: {
            const auto compute = instruction.getCompute();
            const auto op = static_cast<std::uint16_t>(compute.getOp());
            require(op < op_kind_count, where + ": unknown op kind " + std::to_string(op));
            return Compute{static_cast<OpKind>(op), vector_from<std::int64_t>(compute.getShape()),
                           vector_from<BufferId>(compute.getInputs()), vector_from<BufferId>(compute.getOutputs()),
                           compute.getCycles(), compute.getCyclesPer1024Positions(), compute.getSequence()};
        }
        case schema::Instruction::SEND: return Send{transfer_from(instruction.getSend())};
        case schema::Instruction::RECV: return Recv{transfer_from(instruction.getRecv())};
        case schema::Instruction::COLLECTIVE:
            return Collective{instruction.getCollective().getSchedule(), instruction.getCollective().getRank()};
        case schema::Instruction::DESKEW: return Deskew{instruction.getDeskew().getPadCycles()};
        case schema::Instruction::RUNTIME_DESKEW: return RuntimeDeskew{instruction.getRuntimeDeskew().getMaxPadCycles()};
        case schema::Instruction::SYNC: return Sync{instruction.getSync().getBarrier()};
    }
    throw Error(where + ": unknown instruction kind " + std::to_string(static_cast<unsigned>(instruction.which())));
}

void body_to(schema::Instruction::Builder builder, const InstructionBody& body) {
    std::visit(
        [&](const auto& value) {
            using Body = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<Body, Compute>) {
                auto compute = builder.initCompute();
                compute.setOp(static_cast<schema::OpKind>(value.op));
                list_to(compute.initShape(static_cast<unsigned>(value.shape.size())), value.shape);
                list_to(compute.initInputs(static_cast<unsigned>(value.inputs.size())), value.inputs);
                list_to(compute.initOutputs(static_cast<unsigned>(value.outputs.size())), value.outputs);
                compute.setCycles(value.cycles);
                compute.setCyclesPer1024Positions(value.cycles_per_1024_positions);
                compute.setSequence(value.sequence);
            } else if constexpr (std::is_same_v<Body, Send>) {
                transfer_to(builder.initSend(), value);
            } else if constexpr (std::is_same_v<Body, Recv>) {
                transfer_to(builder.initRecv(), value);
            } else if constexpr (std::is_same_v<Body, Collective>) {
                auto collective = builder.initCollective();
                collective.setSchedule(value.schedule);
                collective.setRank(value.rank);
            } else if constexpr (std::is_same_v<Body, Deskew>) {
                builder.initDeskew().setPadCycles(value.pad_cycles);
            } else if constexpr (std::is_same_v<Body, RuntimeDeskew>) {
                builder.initRuntimeDeskew().setMaxPadCycles(value.max_pad_cycles);
            } else {
                builder.initSync().setBarrier(value.barrier);
            }
        },
        body);
}

ChipProgram chip_from(schema::ChipProgram::Reader chip, const std::string& origin, std::size_t index) {
    ChipProgram program;
    program.chip = chip.getChip();
    const auto role = chip.getRole();
    program.role = {role.getTpRank(),
                    role.getPpStage(),
                    range_from(role.getLayers()),
                    range_from(role.getHeads()),
                    range_from(role.getKvHeads()),
                    range_from(role.getHiddenColumns()),
                    range_from(role.getVocab())};
    // Each list is fetched once: every fetch counts against the traversal limit.
    const auto buffers = chip.getBuffers();
    program.buffers.reserve(buffers.size());
    for (auto buffer : buffers) {
        const auto use = static_cast<std::uint16_t>(buffer.getUse());
        require(use < buffer_use_count, "plan file '" + origin + "': chips[" + std::to_string(index) + "] buffer '" +
                                            buffer.getName().cStr() + "': unknown use " + std::to_string(use));
        program.buffers.push_back({buffer.getName().cStr(), static_cast<BufferUse>(use), buffer.getSramOffsetBytes(),
                                   buffer.getSizeBytes(), buffer.getReusable()});
    }
    const auto instructions = chip.getInstructions();
    program.instructions.reserve(instructions.size());
    for (unsigned i = 0; i < instructions.size(); ++i) {
        const auto instruction = instructions[i];
        const std::string where =
            "plan file '" + origin + "': chips[" + std::to_string(index) + "].instructions[" + std::to_string(i) + "]";
        program.instructions.push_back({instruction.getCycle(), body_from(instruction, where)});
    }
    return program;
}

Plan plan_from_reader(schema::PlanFile::Reader file, const std::string& origin) {
    Plan plan;
    plan.format_version = file.getVersion();
    require(plan.format_version == plan_format_version,
            "plan file '" + origin + "': unsupported version " + std::to_string(plan.format_version) +
                ", this build reads version " + std::to_string(plan_format_version));
    const auto model = file.getModel();
    plan.model = {model.getHash(), model.getDescription().cStr()};
    const auto system = file.getSystem();
    plan.system = {system.getTopology().cStr(), system.getChipSpec().cStr(), system.getHash()};
    const auto grid = file.getGrid();
    plan.grid = {grid.getTp(), grid.getPp(), grid.getBatch(), grid.getMicroBatches(), grid.getReplicas()};
    plan.sram_bytes = file.getSramBytes();
    plan.transfer_latency_cycles = file.getTransferLatencyCycles();
    plan.context_positions = file.getContextPositions();
    const auto chips = file.getChips();
    plan.chips.reserve(chips.size());
    for (unsigned c = 0; c < chips.size(); ++c) plan.chips.push_back(chip_from(chips[c], origin, c));
    return plan;
}

}  // namespace

Plan plan_from_bytes(std::string_view bytes, const std::string& origin) {
    require(bytes.size() >= plan_magic.size() && bytes.substr(0, plan_magic.size()) == plan_magic,
            "plan file '" + origin + "': not a plan file (missing the LPUPLAN magic)");
    const std::string_view message_bytes = bytes.substr(plan_magic.size());
    require(!message_bytes.empty() && message_bytes.size() % sizeof(capnp::word) == 0,
            "plan file '" + origin + "': " + std::to_string(message_bytes.size()) +
                " bytes after the magic is not a Cap'n Proto message (a whole number of 8-byte words)");
    // Copy into word-aligned storage: the reader needs aligned words.
    auto words = kj::heapArray<capnp::word>(message_bytes.size() / sizeof(capnp::word));
    std::memcpy(words.begin(), message_bytes.data(), message_bytes.size());
    Plan plan;
    try {
        // Traversal counts every struct and list read, and small lists (a shape,
        // a route) count a whole word and their pointer each; a few reads per
        // word of a real file is ample, while absurd list counts blown up from
        // nothing are still refused.
        capnp::ReaderOptions options;
        options.traversalLimitInWords = 4 * words.size() + 1024;
        capnp::FlatArrayMessageReader message(words, options);
        plan = plan_from_reader(message.getRoot<schema::PlanFile>(), origin);
    } catch (const kj::Exception& e) {
        throw Error("plan file '" + origin + "': malformed Cap'n Proto message: " + std::string(e.getDescription().cStr()));
    }
    try {
        validate(plan);
    } catch (const Error& e) {
        throw Error("plan file '" + origin + "': " + e.what());
    }
    return plan;
}

std::string plan_to_bytes(const Plan& plan) {
    // A file that would not load is refused when written, not when read.
    validate(plan);
    capnp::MallocMessageBuilder message;
    auto file = message.initRoot<schema::PlanFile>();
    file.setVersion(plan.format_version);
    auto model = file.initModel();
    model.setHash(plan.model.hash);
    model.setDescription(plan.model.description);
    auto system = file.initSystem();
    system.setTopology(plan.system.topology);
    system.setChipSpec(plan.system.chip_spec);
    system.setHash(plan.system.hash);
    auto grid = file.initGrid();
    grid.setTp(plan.grid.tp);
    grid.setPp(plan.grid.pp);
    grid.setBatch(plan.grid.batch);
    grid.setMicroBatches(plan.grid.micro_batches);
    grid.setReplicas(plan.grid.replicas);
    file.setSramBytes(plan.sram_bytes);
    file.setTransferLatencyCycles(plan.transfer_latency_cycles);
    file.setContextPositions(plan.context_positions);
    auto chips = file.initChips(static_cast<unsigned>(plan.chips.size()));
    for (unsigned c = 0; c < chips.size(); ++c) {
        const ChipProgram& program = plan.chips[c];
        auto chip = chips[c];
        chip.setChip(program.chip);
        auto role = chip.initRole();
        role.setTpRank(program.role.tp_rank);
        role.setPpStage(program.role.pp_stage);
        range_to(role.initLayers(), program.role.layers);
        range_to(role.initHeads(), program.role.heads);
        range_to(role.initKvHeads(), program.role.kv_heads);
        range_to(role.initHiddenColumns(), program.role.hidden_columns);
        range_to(role.initVocab(), program.role.vocab);
        auto buffers = chip.initBuffers(static_cast<unsigned>(program.buffers.size()));
        for (unsigned b = 0; b < buffers.size(); ++b) {
            const Buffer& buffer = program.buffers[b];
            buffers[b].setName(buffer.name);
            buffers[b].setUse(static_cast<schema::BufferUse>(buffer.use));
            buffers[b].setSramOffsetBytes(buffer.sram_offset_bytes);
            buffers[b].setSizeBytes(buffer.size_bytes);
            buffers[b].setReusable(buffer.reusable);
        }
        auto instructions = chip.initInstructions(static_cast<unsigned>(program.instructions.size()));
        for (unsigned i = 0; i < instructions.size(); ++i) {
            instructions[i].setCycle(program.instructions[i].cycle);
            body_to(instructions[i], program.instructions[i].body);
        }
    }
    const auto flat = capnp::messageToFlatArray(message);
    const auto bytes = flat.asBytes();
    std::string content(plan_magic);
    content.append(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
    return content;
}

Plan load_plan(const std::string& path) {
    const MappedFile file(path);
    return plan_from_bytes(std::string_view(reinterpret_cast<const char*>(file.data()), file.size_bytes()), path);
}

void save_plan(const Plan& plan, const std::string& path) { write_file(path, plan_to_bytes(plan)); }

}  // namespace lpu::plan
