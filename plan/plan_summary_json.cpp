#include "plan/plan_summary_json.hpp"

namespace lpu::plan {
namespace {

nlohmann::json range_json(const IndexRange& range) { return nlohmann::json::array({range.first, range.last}); }

nlohmann::json chip_json(const ChipSummary& chip) {
    nlohmann::json bytes_by_use = nlohmann::json::object();
    for (std::size_t use = 0; use < buffer_use_count; ++use) {
        bytes_by_use[buffer_use_name(static_cast<BufferUse>(use))] = chip.bytes_by_use[use];
    }
    nlohmann::json instructions = nlohmann::json::object();
    for (std::size_t kind = 0; kind < instruction_kind_count; ++kind) {
        instructions[instruction_kind_name(kind)] = chip.instructions_by_kind[kind];
    }
    nlohmann::json computes = nlohmann::json::object();
    for (std::size_t op = 0; op < op_kind_count; ++op) computes[op_kind_name(static_cast<OpKind>(op))] = chip.computes_by_op[op];
    nlohmann::json buffers = nlohmann::json::array();
    for (const Buffer& buffer : chip.buffers_by_offset) {
        buffers.push_back({{"name", buffer.name},
                           {"use", buffer_use_name(buffer.use)},
                           {"offset_bytes", buffer.sram_offset_bytes},
                           {"size_bytes", buffer.size_bytes},
                           {"reusable", buffer.reusable}});
    }
    const ChipRole& role = chip.role;
    return {{"chip", chip.chip},
            {"tp_rank", role.tp_rank},
            {"pp_stage", role.pp_stage},
            {"layers", range_json(role.layers)},
            {"heads", range_json(role.heads)},
            {"kv_heads", range_json(role.kv_heads)},
            {"hidden_columns", range_json(role.hidden_columns)},
            {"vocab", range_json(role.vocab)},
            {"step_cycles", chip.step_cycles},
            {"used_bytes", chip.used_bytes},
            {"bytes_by_use", bytes_by_use},
            {"instructions", instructions},
            {"computes", computes},
            {"buffers", buffers}};
}

nlohmann::json critical_path_json(const CriticalPath& path) {
    nlohmann::json segments = nlohmann::json::array();
    for (const PathSegment& segment : path.segments) {
        segments.push_back({{"chip", segment.chip},
                            {"from_cycle", segment.from_cycle},
                            {"to_cycle", segment.to_cycle},
                            {"cycles", segment.to_cycle - segment.from_cycle},
                            {"what", segment.what}});
    }
    return {{"end_cycle", path.end_cycle}, {"segments", segments}};
}

}  // namespace

nlohmann::json summary_json(const PlanSummary& summary) {
    nlohmann::json chips = nlohmann::json::array();
    for (const ChipSummary& chip : summary.chips) chips.push_back(chip_json(chip));
    const Grid& grid = summary.grid;
    return {{"model", {{"description", summary.model.description}, {"hash", hash_hex(summary.model.hash)}}},
            {"system",
             {{"topology", summary.system.topology},
              {"chip_spec", summary.system.chip_spec},
              {"hash", hash_hex(summary.system.hash)}}},
            {"grid", {{"tp", grid.tp}, {"pp", grid.pp}, {"batch", grid.batch}, {"micro_batches", grid.micro_batches}}},
            {"sram_bytes", summary.sram_bytes},
            {"step_cycles", summary.step_cycles},
            {"chips", chips},
            {"critical_path", critical_path_json(summary.critical_path)}};
}

}  // namespace lpu::plan
