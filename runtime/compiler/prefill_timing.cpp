#include "runtime/compiler/prefill_timing.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace lpu::compiler {

PrefillCycles prefill_cycles(const plan::Plan& plan, const plan::Retimer& retimer, std::int64_t prompt_tokens) {
    require(prompt_tokens >= 1 && prompt_tokens <= plan.context_positions, [&] {
        return "the prompt must have between 1 and the plan's " + std::to_string(plan.context_positions) +
               " positions (got " + std::to_string(prompt_tokens) + ")";
    });
    PrefillCycles prefill;
    // Pipelined: when the previous token last used each chip, in cycles from the first token's start.
    std::vector<std::int64_t> chip_free(plan.chips.size(), 0);
    std::int64_t start = 0;
    for (std::int64_t position = 0; position < prompt_tokens; ++position) {
        const plan::StepTiming timing = retimer.timing(position);
        std::vector<std::int64_t> chip_end(plan.chips.size(), 0);
        for (std::size_t c = 0; c < plan.chips.size(); ++c) {
            if (timing.cycles[c].empty()) continue;
            const std::int64_t first = *std::min_element(timing.cycles[c].begin(), timing.cycles[c].end());
            start = std::max(start, chip_free[c] - first);
            for (std::size_t i = 0; i < timing.cycles[c].size(); ++i) {
                chip_end[c] = std::max(chip_end[c], timing.cycles[c][i] + timing.durations[c][i]);
            }
        }
        for (std::size_t c = 0; c < plan.chips.size(); ++c) chip_free[c] = start + chip_end[c];
        prefill.pipelined_lower_bound = start + timing.end_cycle();
        prefill.sequential += timing.end_cycle();
    }
    return prefill;
}

}  // namespace lpu::compiler
