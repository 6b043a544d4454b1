#include "runtime/compiler/sram_allocation.hpp"

#include <algorithm>

namespace lpu::compiler {

std::int64_t assign_offsets(std::vector<plan::ChipProgram>& chips, std::int64_t alignment_bytes) {
    std::int64_t fullest = 0;
    for (auto& program : chips) {
        std::int64_t offset = 0;
        for (std::uint32_t use = 0; use < plan::buffer_use_count; ++use) {
            for (auto& buffer : program.buffers) {
                if (static_cast<std::uint32_t>(buffer.use) != use) continue;
                buffer.sram_offset_bytes = offset;
                offset += (buffer.size_bytes + alignment_bytes - 1) / alignment_bytes * alignment_bytes;
            }
        }
        fullest = std::max(fullest, offset);
    }
    return fullest;
}

}  // namespace lpu::compiler
