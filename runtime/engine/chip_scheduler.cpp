#include "runtime/engine/chip_scheduler.hpp"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>

#include "base/error.hpp"

namespace lpu::engine {
namespace {

class Step {
public:
    Step(std::span<ChipRunner* const> chips, collectives::Transport& transport, bool all_local, int threads)
        : chips_(chips), transport_(transport), all_local_(all_local), states_(chips.size()) {
        // One thread has nobody to wake: its sends need no word to the scheduler.
        if (threads > 1) on_sent_ = [this] { sent(); };
    }

    // What every thread does until the step is over.
    void work() {
        std::unique_lock lock(mutex_);
        while (!failure_ && done_ < chips_.size()) {
            if (const auto chip = pick()) {
                run(*chip, lock);
            } else if (running_ > 0 || transport_waiter_) {
                ++sleeping_;
                changed_.wait(lock);  // a running chip (or the waiting thread) will say when something changed
                --sleeping_;
            } else {
                wait_for_transport(lock);
            }
        }
        changed_.notify_all();
    }

    void rethrow_failure() const {
        if (failure_) std::rethrow_exception(failure_);
    }

private:
    struct State {
        bool running = false;
        bool done = false;
        std::uint64_t tried_at = 0;  // epoch_ when its last try that went nowhere began (0: try it)
    };

    // A chip worth running now, or none.
    std::optional<std::size_t> pick() const {
        for (std::size_t c = 0; c < chips_.size(); ++c) {
            const State& state = states_[c];
            if (!state.running && !state.done && state.tried_at < epoch_) return c;
        }
        return std::nullopt;
    }

    void run(std::size_t c, std::unique_lock<std::mutex>& lock) {
        State& state = states_[c];
        state.running = true;
        ++running_;
        const std::uint64_t began = epoch_;
        lock.unlock();
        bool progressed = false;
        std::exception_ptr failure;
        try {
            progressed = chips_[c]->advance(transport_, on_sent_);
        } catch (...) {
            failure = std::current_exception();
        }
        lock.lock();
        state.running = false;
        --running_;
        if (failure) fail(failure);
        if (chips_[c]->done()) {
            state.done = true;
            ++done_;
        }
        if (progressed) {
            ++epoch_;  // its sends may be what others wait for
            state.tried_at = 0;
        } else {
            state.tried_at = began;  // worth another try once the epoch has moved past it
        }
        changed_.notify_all();
    }

    // A running chip's sends have left: a chip waiting for them may go on now.
    // Without this, a thread with nothing to run would sleep until the sender
    // blocks, which at the all-reduces of a TP group is after the sender's
    // whole next segment: the chips would take turns instead of overlapping.
    void sent() {
        const std::lock_guard lock(mutex_);
        ++epoch_;
        if (sleeping_ > 0) changed_.notify_one();
    }

    // The first failure ends the step; a thread waiting for the transport is
    // freed by aborting it (the other processes hear of it too).
    void fail(const std::exception_ptr& failure) {
        if (failure_) return;
        failure_ = failure;
        if (!transport_waiter_) return;
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            transport_.abort(e.what());
        }
    }

    // Nothing runs and every chip here waits: only another process can send.
    void wait_for_transport(std::unique_lock<std::mutex>& lock) {
        if (all_local_) {
            for (std::size_t c = 0; c < chips_.size(); ++c) {
                if (states_[c].done) continue;
                failure_ = std::make_exception_ptr(
                    Error("the plan deadlocks: chip " + std::to_string(chips_[c]->program().chip) +
                          " waits at instruction " + std::to_string(chips_[c]->next_instruction()) +
                          " for a message no chip sends"));
                return;
            }
        }
        transport_waiter_ = true;
        lock.unlock();
        std::exception_ptr failure;
        try {
            transport_.wait_for_message();
        } catch (...) {
            failure = std::current_exception();
        }
        lock.lock();
        transport_waiter_ = false;
        if (failure && !failure_) failure_ = failure;  // the transport failed: nothing to abort
        ++epoch_;  // a message came: every waiting chip may go on
        changed_.notify_all();
    }

    std::span<ChipRunner* const> chips_;
    collectives::Transport& transport_;
    bool all_local_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<State> states_;
    std::size_t done_ = 0;
    int running_ = 0;
    int sleeping_ = 0;  // threads waiting on changed_
    bool transport_waiter_ = false;
    std::uint64_t epoch_ = 1;
    std::exception_ptr failure_;
    std::function<void()> on_sent_;
};

}  // namespace

void run_chips(std::span<ChipRunner* const> chips, collectives::Transport& transport, kernels::ThreadPool* host,
               bool all_local) {
    const int threads = host ? host->thread_count() : 1;
    Step step(chips, transport, all_local, threads);
    if (threads <= 1) {
        step.work();
    } else {
        host->parallel_for(threads, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t t = begin; t < end; ++t) step.work();
        });
    }
    step.rethrow_failure();
}

}  // namespace lpu::engine
