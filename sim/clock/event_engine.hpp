#pragma once
// A small discrete-event engine in true time. Events run in order of
// (time_ps, sequence), the sequence being the order they were scheduled in, so
// events at the same picosecond always run in the same order: runs are
// deterministic.
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace lpu::sim {

class EventEngine {
public:
    using Action = std::function<void(EventEngine&)>;

    std::int64_t now_ps() const { return now_ps_; }
    std::size_t pending() const { return queue_.size(); }
    std::uint64_t events_run() const { return events_run_; }

    // Throws lpu::InternalError when `time_ps` is before now (an event cannot
    // change the past; only a bug schedules one there).
    void schedule_at(std::int64_t time_ps, Action action);
    void schedule_after(std::int64_t delay_ps, Action action);

    // Runs the earliest event; false when there is none.
    bool step();
    // Runs every event at or before `end_ps`, then sets now to `end_ps`.
    void run_until(std::int64_t end_ps);
    // Runs until no event is left.
    void run();

private:
    struct Event {
        std::int64_t time_ps;
        std::uint64_t sequence;
        Action action;
    };
    struct Later {
        bool operator()(const Event& a, const Event& b) const {
            return a.time_ps != b.time_ps ? a.time_ps > b.time_ps : a.sequence > b.sequence;
        }
    };

    std::priority_queue<Event, std::vector<Event>, Later> queue_;
    std::int64_t now_ps_ = 0;
    std::uint64_t next_sequence_ = 0;
    std::uint64_t events_run_ = 0;
};

}  // namespace lpu::sim
