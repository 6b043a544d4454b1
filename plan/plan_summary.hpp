#pragma once
// What `lpu plan show` reports about a plan: per chip its SRAM map, how many
// instructions of each kind it runs and when its step ends, and the critical
// path of the step (plan/critical_path.hpp). A pure function of the plan as
// scheduled: retime it first (plan/retime.hpp) to summarise the step at a
// given sequence position.
#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "plan/critical_path.hpp"
#include "plan/plan.hpp"

namespace lpu::plan {

// The alternatives of InstructionBody, by index, with their names.
constexpr std::size_t instruction_kind_count = std::variant_size_v<InstructionBody>;
constexpr std::size_t compute_kind = 0;
static_assert(std::is_same_v<std::variant_alternative_t<compute_kind, InstructionBody>, Compute>);
const char* instruction_kind_name(std::size_t kind);  // "compute", "send", ..., "sync"

struct ChipSummary {
    topology::ChipId chip = 0;
    ChipRole role;
    std::vector<Buffer> buffers_by_offset;
    // SRAM bytes covered by buffers of each use, and by any buffer; a region
    // reused by several buffers counts once.
    std::array<std::int64_t, buffer_use_count> bytes_by_use{};
    std::int64_t used_bytes = 0;
    std::array<std::size_t, instruction_kind_count> instructions_by_kind{};
    std::array<std::size_t, op_kind_count> computes_by_op{};
    std::int64_t step_cycles = 0;  // when the chip's last instruction ends (instruction_end_cycle)
};

struct PlanSummary {
    ModelFingerprint model;
    SystemFingerprint system;
    Grid grid;
    std::int64_t sram_bytes = 0;
    std::int64_t step_cycles = 0;  // the latest step end of any chip
    std::vector<ChipSummary> chips;  // in the plan's chip order
    CriticalPath critical_path;
};

// Throws lpu::Error when the plan's transfers do not pair up (plan/transfer_matching.hpp).
PlanSummary summarise(const Plan& plan);

// "0x" and 16 hex digits: how the summary's text and JSON forms show fingerprint hashes.
std::string hash_hex(std::uint64_t hash);

}  // namespace lpu::plan
