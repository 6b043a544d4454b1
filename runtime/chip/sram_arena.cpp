#include "runtime/chip/sram_arena.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>
#include <utility>

#include "base/error.hpp"

namespace lpu::chip {
namespace {

constexpr std::int64_t kHostCacheLineBytes = 64;

std::int64_t round_up(std::int64_t value, std::int64_t multiple) {
    return (value + multiple - 1) / multiple * multiple;
}

}  // namespace

std::string sram_use_name(SramUse use) {
    switch (use) {
        case SramUse::Weights: return "weights";
        case SramUse::KvCache: return "kv_cache";
        case SramUse::Activations: return "activations";
        case SramUse::ReceiveBuffers: return "receive_buffers";
    }
    return "unknown";
}

std::int64_t sram_alignment_bytes(const sim::ChipSpec& spec) { return std::lcm(spec.vector_bytes, kHostCacheLineBytes); }

SramArena::SramArena(int chip_id, const sim::ChipSpec& spec)
    : chip_id_(chip_id),
      capacity_bytes_(spec.sram_bytes),
      alignment_bytes_(sram_alignment_bytes(spec)) {
    sim::validate(spec);
    void* mapping = mmap(nullptr, static_cast<std::size_t>(capacity_bytes_), PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED) {
        throw Error("cannot reserve " + std::to_string(capacity_bytes_) +
                    " bytes of host memory for the SRAM of chip " + std::to_string(chip_id) + ": " +
                    std::strerror(errno));
    }
    base_ = static_cast<std::byte*>(mapping);
}

SramArena::~SramArena() { unmap(); }

SramArena::SramArena(SramArena&& other) noexcept
    : chip_id_(other.chip_id_),
      capacity_bytes_(std::exchange(other.capacity_bytes_, 0)),
      alignment_bytes_(other.alignment_bytes_),
      base_(std::exchange(other.base_, nullptr)),
      used_bytes_(std::exchange(other.used_bytes_, 0)),
      peak_used_bytes_(std::exchange(other.peak_used_bytes_, 0)),
      used_by_use_(std::exchange(other.used_by_use_, {})),
      allocations_(std::exchange(other.allocations_, {})) {}

SramArena& SramArena::operator=(SramArena&& other) noexcept {
    if (this != &other) {
        unmap();
        chip_id_ = other.chip_id_;
        capacity_bytes_ = std::exchange(other.capacity_bytes_, 0);
        alignment_bytes_ = other.alignment_bytes_;
        base_ = std::exchange(other.base_, nullptr);
        used_bytes_ = std::exchange(other.used_bytes_, 0);
        peak_used_bytes_ = std::exchange(other.peak_used_bytes_, 0);
        used_by_use_ = std::exchange(other.used_by_use_, {});
        allocations_ = std::exchange(other.allocations_, {});
    }
    return *this;
}

void SramArena::unmap() noexcept {
    if (base_ != nullptr) munmap(base_, static_cast<std::size_t>(capacity_bytes_));
    base_ = nullptr;
}

std::span<std::byte> SramArena::allocate(std::int64_t bytes, SramUse use, const std::string& label) {
    require(bytes >= 1, "SRAM allocation '" + label + "' on chip " + std::to_string(chip_id_) +
                            " must be at least 1 byte, got " + std::to_string(bytes));
    const std::int64_t free = free_bytes();
    if (bytes > free) {
        throw Error("SRAM of chip " + std::to_string(chip_id_) + " full: '" + label + "' needs " +
                    std::to_string(bytes) + " bytes, only " + std::to_string(free) + " of " +
                    std::to_string(capacity_bytes_) + " free (short by " +
                    std::to_string(bytes - free) + " bytes)");
    }
    // used_bytes_ stays a multiple of the alignment, except after a final
    // allocation clipped at a capacity that is not one.
    const std::int64_t reserved = std::min(round_up(bytes, alignment_bytes_), free);
    const std::int64_t offset = used_bytes_;
    allocations_.push_back({label, use, offset, bytes, reserved});
    used_bytes_ += reserved;
    used_by_use_[static_cast<std::size_t>(use)] += reserved;
    peak_used_bytes_ = std::max(peak_used_bytes_, used_bytes_);
    return {base_ + offset, static_cast<std::size_t>(bytes)};
}

SramMark SramArena::mark() const { return {allocations_.size(), used_bytes_}; }

void SramArena::release_to(const SramMark& mark) {
    const bool on_stack =
        mark.allocation_count <= allocations_.size() &&
        (mark.allocation_count == allocations_.size()
             ? mark.used_bytes == used_bytes_
             : mark.used_bytes == allocations_[mark.allocation_count].offset_bytes);
    invariant(on_stack, "SRAM of chip " + std::to_string(chip_id_) + ": mark at " +
                            std::to_string(mark.used_bytes) +
                            " bytes is not part of the current allocation stack");
    while (allocations_.size() > mark.allocation_count) {
        const SramAllocation& last = allocations_.back();
        used_by_use_[static_cast<std::size_t>(last.use)] -= last.reserved_bytes;
        allocations_.pop_back();
    }
    used_bytes_ = mark.used_bytes;
}

std::int64_t SramArena::offset_of(const std::byte* address) const {
    // Compare as integers: relational comparison of unrelated pointers is unspecified.
    const auto begin = reinterpret_cast<std::uintptr_t>(base_);
    const auto at = reinterpret_cast<std::uintptr_t>(address);
    invariant(base_ != nullptr && at >= begin && at < begin + static_cast<std::uintptr_t>(capacity_bytes_),
              "address is not inside the SRAM of chip " + std::to_string(chip_id_));
    return static_cast<std::int64_t>(at - begin);
}

std::string SramArena::usage_report() const {
    std::string report = "chip " + std::to_string(chip_id_) + " SRAM: " +
                         std::to_string(used_bytes_) + " of " + std::to_string(capacity_bytes_) +
                         " bytes used, " + std::to_string(free_bytes()) + " free, peak " +
                         std::to_string(peak_used_bytes_);
    for (std::size_t index = 0; index < kSramUseCount; ++index) {
        report += "; " + sram_use_name(static_cast<SramUse>(index)) + " " +
                  std::to_string(used_by_use_[index]);
    }
    return report;
}

}  // namespace lpu::chip
