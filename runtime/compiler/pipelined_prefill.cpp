#include "runtime/compiler/pipelined_prefill.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "base/error.hpp"
#include "runtime/compiler/link_reservations.hpp"

namespace lpu::compiler {
namespace {

// The first cycle a token's step uses a resource (a chip or a link) and the
// cycle after it last does.
struct Span {
    std::int64_t first = std::numeric_limits<std::int64_t>::max();
    std::int64_t end = std::numeric_limits<std::int64_t>::min();

    bool used() const { return first <= end; }
    void cover(std::int64_t from, std::int64_t to) {
        first = std::min(first, from);
        end = std::max(end, to);
    }
};

// Resources: the plan's chips, then the fabric's channels.
class ResourceSpans {
public:
    ResourceSpans(const plan::Plan& plan, const collectives::FabricTiming& fabric, double clock_hz)
        : plan_(plan), chips_(plan.chips.size()) {
        windows_.resize(plan.chips.size());
        for (std::size_t c = 0; c < plan.chips.size(); ++c) {
            const auto& instructions = plan.chips[c].instructions;
            windows_[c].resize(instructions.size());
            for (std::size_t i = 0; i < instructions.size(); ++i) {
                if (const auto* send = std::get_if<plan::Send>(&instructions[i].body)) {
                    windows_[c][i] = channel_windows(fabric, clock_hz, send->route, send->bytes);
                }
            }
        }
        spans_.resize(chips_ + fabric.topology().channel_count());
    }

    // The spans of one token's step with this timing.
    const std::vector<Span>& of(const plan::StepTiming& timing) {
        std::fill(spans_.begin(), spans_.end(), Span{});
        for (std::size_t c = 0; c < chips_; ++c) {
            for (std::size_t i = 0; i < plan_.chips[c].instructions.size(); ++i) {
                const std::int64_t cycle = timing.cycles[c][i];
                spans_[c].cover(cycle, cycle + timing.durations[c][i]);
                for (const ChannelWindow& window : windows_[c][i]) {
                    spans_[chips_ + window.channel].cover(cycle + window.from, cycle + window.to);
                }
            }
        }
        return spans_;
    }

private:
    const plan::Plan& plan_;
    std::size_t chips_;
    std::vector<std::vector<std::vector<ChannelWindow>>> windows_;  // per Send, position-independent
    std::vector<Span> spans_;
};

}  // namespace

std::int64_t pipelined_prefill_cycles(const plan::Plan& plan, const plan::Retimer& retimer,
                                      const collectives::FabricTiming& fabric, double clock_hz,
                                      std::int64_t prompt_tokens) {
    require(prompt_tokens >= 1 && prompt_tokens <= plan.context_positions, [&] {
        return "the prompt must have between 1 and the plan's " + std::to_string(plan.context_positions) +
               " positions (got " + std::to_string(prompt_tokens) + ")";
    });
    ResourceSpans resources(plan, fabric, clock_hz);
    std::vector<Span> previous;  // the previous token's spans, shifted to its start
    std::int64_t start = 0, end = 0;
    for (std::int64_t position = 0; position < prompt_tokens; ++position) {
        const plan::StepTiming timing = retimer.timing(position);
        const std::vector<Span>& spans = resources.of(timing);
        for (std::size_t r = 0; r < previous.size(); ++r) {
            if (previous[r].used() && spans[r].used()) start = std::max(start, previous[r].end - spans[r].first);
        }
        previous = spans;
        for (Span& span : previous) {
            if (span.used()) span.end += start;
        }
        end = start + timing.end_cycle();
    }
    return end;
}

}  // namespace lpu::compiler
