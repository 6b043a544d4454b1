#include "plan/plan_summary.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <type_traits>
#include <utility>

namespace lpu::plan {
namespace {

using Region = std::pair<std::int64_t, std::int64_t>;  // SRAM offset and size in bytes

// Bytes covered by the union of [offset, offset + size) regions.
std::int64_t covered_bytes(std::vector<Region> regions) {
    std::sort(regions.begin(), regions.end());
    std::int64_t covered = 0;
    std::int64_t reached = 0;  // end of the union so far
    for (const auto& [offset, size] : regions) {
        const std::int64_t end = offset + size;
        if (end <= reached) continue;
        covered += end - std::max(offset, reached);
        reached = end;
    }
    return covered;
}

ChipSummary summarise_chip(const ChipProgram& program) {
    ChipSummary summary;
    summary.chip = program.chip;
    summary.role = program.role;
    summary.buffers_by_offset = program.buffers;
    std::stable_sort(summary.buffers_by_offset.begin(), summary.buffers_by_offset.end(),
                     [](const Buffer& a, const Buffer& b) { return a.sram_offset_bytes < b.sram_offset_bytes; });

    std::vector<Region> all_regions;
    std::array<std::vector<Region>, buffer_use_count> regions_by_use;
    for (const Buffer& buffer : program.buffers) {
        all_regions.emplace_back(buffer.sram_offset_bytes, buffer.size_bytes);
        regions_by_use[static_cast<std::size_t>(buffer.use)].emplace_back(buffer.sram_offset_bytes, buffer.size_bytes);
    }
    summary.used_bytes = covered_bytes(std::move(all_regions));
    for (std::size_t use = 0; use < buffer_use_count; ++use) summary.bytes_by_use[use] = covered_bytes(std::move(regions_by_use[use]));

    for (const Instruction& instruction : program.instructions) {
        ++summary.instructions_by_kind[instruction.body.index()];
        if (const auto* compute = std::get_if<Compute>(&instruction.body)) ++summary.computes_by_op[static_cast<std::size_t>(compute->op)];
        summary.step_cycles = std::max(summary.step_cycles, instruction_end_cycle(instruction));
    }
    return summary;
}

}  // namespace

const char* instruction_kind_name(std::size_t kind) {
    static constexpr const char* names[] = {"compute", "send", "recv", "collective", "deskew", "runtime_deskew", "sync"};
    static_assert(std::size(names) == instruction_kind_count, "one name per InstructionBody alternative");
    static_assert(std::is_same_v<std::variant_alternative_t<instruction_kind_count - 1, InstructionBody>, Sync>,
                  "names follow the order of InstructionBody");
    return kind < instruction_kind_count ? names[kind] : "unknown";
}

std::string hash_hex(std::uint64_t hash) {
    char text[19];
    std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(hash));
    return text;
}

PlanSummary summarise(const Plan& plan) {
    PlanSummary summary;
    summary.model = plan.model;
    summary.system = plan.system;
    summary.grid = plan.grid;
    summary.sram_bytes = plan.sram_bytes;
    for (const ChipProgram& program : plan.chips) {
        summary.chips.push_back(summarise_chip(program));
        summary.step_cycles = std::max(summary.step_cycles, summary.chips.back().step_cycles);
    }
    summary.critical_path = critical_path(plan);
    return summary;
}

}  // namespace lpu::plan
