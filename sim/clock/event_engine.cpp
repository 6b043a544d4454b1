#include "sim/clock/event_engine.hpp"

#include <string>
#include <utility>

#include "base/error.hpp"

namespace lpu::sim {

void EventEngine::schedule_at(std::int64_t time_ps, Action action) {
    invariant(time_ps >= now_ps_, [&] {
        return "event scheduled at " + std::to_string(time_ps) + " ps, before now (" + std::to_string(now_ps_) + " ps)";
    });
    queue_.push({time_ps, next_sequence_++, std::move(action)});
}

void EventEngine::schedule_after(std::int64_t delay_ps, Action action) {
    invariant(delay_ps >= 0, [&] { return "event delay must be >= 0 ps, got " + std::to_string(delay_ps); });
    schedule_at(now_ps_ + delay_ps, std::move(action));
}

bool EventEngine::step() {
    if (queue_.empty()) return false;
    // The action may schedule more events, so take it out of the queue first.
    Event event = queue_.top();
    queue_.pop();
    now_ps_ = event.time_ps;
    ++events_run_;
    event.action(*this);
    return true;
}

void EventEngine::run_until(std::int64_t end_ps) {
    invariant(end_ps >= now_ps_, "cannot run until " + std::to_string(end_ps) + " ps, before now (" +
                                     std::to_string(now_ps_) + " ps)");
    while (!queue_.empty() && queue_.top().time_ps <= end_ps) step();
    now_ps_ = end_ps;
}

void EventEngine::run() {
    while (step()) {
    }
}

}  // namespace lpu::sim
