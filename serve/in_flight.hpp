#pragma once
// Answers still being written. httplib's Server::stop() cuts every stream
// where it stands, so a stopping server waits until the last byte of each
// answer went out before it calls stop().
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace lpu::serve {

class InFlight {
public:
    // The answer is in flight until the token and all its copies are gone
    // (keep one in the response's content provider).
    using Token = std::shared_ptr<void>;
    Token enter() {
        const std::lock_guard lock(mutex_);
        ++count_;
        return Token(nullptr, [this](void*) {
            const std::lock_guard lock(mutex_);
            --count_;
            idle_.notify_all();
        });
    }

    // Whether every answer is done, waiting up to `timeout`.
    bool wait_until_idle(std::chrono::duration<double> timeout) {
        std::unique_lock lock(mutex_);
        return idle_.wait_for(lock, timeout, [&] { return count_ == 0; });
    }

private:
    std::mutex mutex_;
    std::condition_variable idle_;
    int count_ = 0;
};

}  // namespace lpu::serve
