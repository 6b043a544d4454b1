#pragma once
// SramArena: the on-chip SRAM of one emulated LPU, exactly spec.sram_bytes of
// it. Weights, the KV cache, activations and receive buffers of a chip all live
// here, so a plan that does not fit the real chip cannot run on the emulated one.
//
// Backing store: one anonymous private mapping of the full capacity, reserved
// without swap accounting; pages nobody touches cost no host memory, so hundreds
// of emulated chips fit in one process.
//
// Allocation is a stack: each allocation starts where the previous one ended,
// rounded up to the alignment. Lifetimes nest the way inference uses memory
// (weights and KV cache for the whole run, activations per step), so a mark taken
// after the long-lived buffers and released at the end of each step reuses the
// same activation space every token, deterministically.
//
// Alignment: lcm(spec.vector_bytes, 64). Every buffer starts on a 320-byte vector
// boundary of the emulated SRAM (the unit the chip reads, writes and sends) and on
// a 64-byte host cache line (for the SIMD kernels); for the default chip both
// give 320.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/chip/chip_spec.hpp"

namespace lpu::chip {

enum class SramUse { Weights, KvCache, Activations, ReceiveBuffers };
inline constexpr std::size_t kSramUseCount = 4;

std::string sram_use_name(SramUse use);  // "weights", "kv_cache", ...

// Where every buffer of a chip of `spec` starts: a multiple of this (see above).
std::int64_t sram_alignment_bytes(const sim::ChipSpec& spec);

struct SramAllocation {
    std::string label;
    SramUse use = SramUse::Weights;
    std::int64_t offset_bytes = 0;     // from the start of SRAM, a multiple of the alignment
    std::int64_t requested_bytes = 0;
    std::int64_t reserved_bytes = 0;   // requested, rounded up to the alignment
};

// A point in the allocation stack to return to (see release_to).
struct SramMark {
    std::size_t allocation_count = 0;
    std::int64_t used_bytes = 0;
};

class SramArena {
public:
    SramArena(int chip_id, const sim::ChipSpec& spec);
    ~SramArena();
    SramArena(SramArena&& other) noexcept;
    SramArena& operator=(SramArena&& other) noexcept;
    SramArena(const SramArena&) = delete;
    SramArena& operator=(const SramArena&) = delete;

    // `bytes` >= 1 of SRAM for `use`. Never-used space reads as zero; space reused
    // after release_to holds what its previous user left there.
    // Throws lpu::Error("SRAM of chip N full: 'label' needs X bytes, only Y of Z
    // free (short by W bytes)") when it does not fit.
    std::span<std::byte> allocate(std::int64_t bytes, SramUse use, const std::string& label);

    SramMark mark() const;
    // Frees every allocation made after `mark` (and updates the per-use totals).
    // Throws lpu::InternalError if the mark is not part of the current stack.
    void release_to(const SramMark& mark);

    // SRAM offset of a pointer into this arena; throws lpu::InternalError if outside it.
    std::int64_t offset_of(const std::byte* address) const;

    int chip_id() const { return chip_id_; }
    std::int64_t capacity_bytes() const { return capacity_bytes_; }
    std::int64_t alignment_bytes() const { return alignment_bytes_; }
    std::int64_t used_bytes() const { return used_bytes_; }
    std::int64_t free_bytes() const { return capacity_bytes_ - used_bytes_; }
    std::int64_t peak_used_bytes() const { return peak_used_bytes_; }
    std::int64_t used_bytes(SramUse use) const { return used_by_use_[static_cast<std::size_t>(use)]; }
    const std::vector<SramAllocation>& allocations() const { return allocations_; }

    // One line: capacity, used, free, peak, then the bytes of each use.
    std::string usage_report() const;

private:
    void unmap() noexcept;

    int chip_id_ = 0;
    std::int64_t capacity_bytes_ = 0;
    std::int64_t alignment_bytes_ = 1;
    std::byte* base_ = nullptr;
    std::int64_t used_bytes_ = 0;
    std::int64_t peak_used_bytes_ = 0;
    std::array<std::int64_t, kSramUseCount> used_by_use_{};
    std::vector<SramAllocation> allocations_;
};

}  // namespace lpu::chip
