#include "serve/sequence_stream.hpp"

namespace lpu::serve {

engine::SequenceCallbacks SequenceStream::callbacks_for(const std::shared_ptr<SequenceStream>& stream) {
    return {
        [stream](std::string_view text) {
            const std::lock_guard lock(stream->mutex_);
            stream->text_ += text;
            stream->changed_.notify_all();
        },
        [stream](const engine::SequenceOutcome& outcome) {
            const std::lock_guard lock(stream->mutex_);
            stream->outcome_ = outcome;
            stream->changed_.notify_all();
        },
    };
}

SequenceStream::News SequenceStream::take(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return !text_.empty() || outcome_.has_value(); });
    News news;
    news.text.swap(text_);
    news.outcome = outcome_;
    return news;
}

engine::SequenceOutcome SequenceStream::wait_for_outcome() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return outcome_.has_value(); });
    return *outcome_;
}

}  // namespace lpu::serve
