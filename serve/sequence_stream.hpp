#pragma once
// One request's way from the scheduler's engine thread to the HTTP thread that
// answers it. The scheduler's callbacks only append under a lock (they run
// between steps, so they must be short); the HTTP thread waits for what they
// appended. Shared ownership: the callbacks may still run after the HTTP
// thread has given up on a client that went away.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "runtime/engine/batch_scheduler.hpp"

namespace lpu::serve {

class SequenceStream {
public:
    // Callbacks for BatchScheduler::submit that feed `stream`.
    static engine::SequenceCallbacks callbacks_for(const std::shared_ptr<SequenceStream>& stream);

    struct News {
        std::string text;  // completion text since the last take
        std::optional<engine::SequenceOutcome> outcome;  // once the request has finished
    };
    // What came since the last call, waiting up to `timeout` for something.
    News take(std::chrono::milliseconds timeout);
    // The outcome, once the request has finished (the text is in it).
    engine::SequenceOutcome wait_for_outcome();

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::string text_;
    std::optional<engine::SequenceOutcome> outcome_;
};

}  // namespace lpu::serve
