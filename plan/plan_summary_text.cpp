#include "plan/plan_summary_text.hpp"

#include <cstdio>

#include "base/text_table.hpp"

namespace lpu::plan {
namespace {

std::string range_text(const IndexRange& range) {
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on a one-letter literal + std::string.
    std::string text = "[";
    text += std::to_string(range.first);
    text += ", ";
    text += std::to_string(range.last);
    return text + ")";
}

std::string percent_text(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
    return text;
}

std::string chip_title(const ChipSummary& chip) {
    return "chip " + std::to_string(chip.chip) + " (tp " + std::to_string(chip.role.tp_rank) + ", stage " +
           std::to_string(chip.role.pp_stage) + ")";
}

// "compute 2 (rmsnorm 1, attention 1), send 1, recv 1, sync 1": kinds that occur, in InstructionBody order.
std::string instruction_counts_text(const ChipSummary& chip) {
    std::string text;
    for (std::size_t kind = 0; kind < instruction_kind_count; ++kind) {
        if (chip.instructions_by_kind[kind] == 0) continue;
        if (!text.empty()) text += ", ";
        text += std::string(instruction_kind_name(kind)) + " " + std::to_string(chip.instructions_by_kind[kind]);
        if (kind != compute_kind) continue;
        std::string ops;
        for (std::size_t op = 0; op < op_kind_count; ++op) {
            if (chip.computes_by_op[op] == 0) continue;
            if (!ops.empty()) ops += ", ";
            ops += std::string(op_kind_name(static_cast<OpKind>(op))) + " " + std::to_string(chip.computes_by_op[op]);
        }
        text += " (" + ops + ")";
    }
    return text.empty() ? "none" : text;
}

std::string chips_table(const PlanSummary& summary) {
    TextTable table({"chip", "tp", "stage", "layers", "instructions", "step cycles", "SRAM bytes", "of SRAM"}, "rrrlrrrr");
    for (const ChipSummary& chip : summary.chips) {
        std::size_t instructions = 0;
        for (const std::size_t count : chip.instructions_by_kind) instructions += count;
        table.add_row({std::to_string(chip.chip), std::to_string(chip.role.tp_rank), std::to_string(chip.role.pp_stage),
                       range_text(chip.role.layers), std::to_string(instructions), std::to_string(chip.step_cycles),
                       std::to_string(chip.used_bytes), percent_text(chip.used_bytes, summary.sram_bytes)});
    }
    return table.render();
}

std::string chip_details(const PlanSummary& summary, const ChipSummary& chip) {
    const ChipRole& role = chip.role;
    std::string text = chip_title(chip) + ": layers " + range_text(role.layers) + ", heads " + range_text(role.heads) +
                       ", kv heads " + range_text(role.kv_heads) + ", hidden " + range_text(role.hidden_columns) +
                       ", vocab " + range_text(role.vocab) + "\n";
    text += "  instructions: " + instruction_counts_text(chip) + "\n";
    text += "  step: " + std::to_string(chip.step_cycles) + " cycles\n";
    text += "  SRAM: " + std::to_string(chip.used_bytes) + " of " + std::to_string(summary.sram_bytes) + " bytes (" +
            percent_text(chip.used_bytes, summary.sram_bytes) + "):";
    for (std::size_t use = 0; use < buffer_use_count; ++use) {
        text += std::string(use == 0 ? " " : ", ") + buffer_use_name(static_cast<BufferUse>(use)) + " " +
                std::to_string(chip.bytes_by_use[use]);
    }
    text += "\n";
    TextTable map({"offset", "end", "bytes", "use", "buffer"}, "rrrll");
    for (const Buffer& buffer : chip.buffers_by_offset) {
        map.add_row({std::to_string(buffer.sram_offset_bytes), std::to_string(buffer.sram_offset_bytes + buffer.size_bytes),
                     std::to_string(buffer.size_bytes), buffer_use_name(buffer.use),
                     buffer.name + (buffer.reusable ? " (reused by lifetime)" : "")});
    }
    return text + map.render("    ");
}

std::string critical_path_text(const CriticalPath& path) {
    std::string text = "critical path: " + std::to_string(path.end_cycle) + " cycles, " +
                       std::to_string(path.segments.size()) + " segments\n";
    TextTable table({"chip", "from", "to", "cycles", "what"}, "rrrrl");
    for (const PathSegment& segment : path.segments) {
        table.add_row({std::to_string(segment.chip), std::to_string(segment.from_cycle), std::to_string(segment.to_cycle),
                       std::to_string(segment.to_cycle - segment.from_cycle), segment.what});
    }
    return text + table.render("  ");
}

}  // namespace

std::string summary_text(const PlanSummary& summary) {
    const Grid& grid = summary.grid;
    std::string text = "model:  " + summary.model.description + " (hash " + hash_hex(summary.model.hash) + ")\n";
    text += "system: " + summary.system.topology + ", chip spec " + summary.system.chip_spec + " (hash " +
            hash_hex(summary.system.hash) + ")\n";
    text += "grid:   tp " + std::to_string(grid.tp) + " x pp " + std::to_string(grid.pp) + ", batch " +
            std::to_string(grid.batch) + ", micro-batches " + std::to_string(grid.micro_batches) + "\n";
    text += "step:   " + std::to_string(summary.step_cycles) + " cycles\n\n";
    text += chips_table(summary);
    for (const ChipSummary& chip : summary.chips) {
        text += "\n";
        text += chip_details(summary, chip);
    }
    return text + "\n" + critical_path_text(summary.critical_path);
}

}  // namespace lpu::plan
