#include "runtime/engine/batch_scheduler.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "runtime/engine/generator.hpp"

namespace lpu::engine {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

const char* finish_reason_name(FinishReason reason) {
    switch (reason) {
        case FinishReason::stop: return "stop";
        case FinishReason::length: return "length";
        case FinishReason::cancelled: return "cancelled";
    }
    return "unknown";
}

struct BatchScheduler::Pending {
    Ticket ticket = 0;
    SequenceRequest request;
    SequenceCallbacks callbacks;
    Clock::time_point submitted;
    double emulated_at_submission = 0.0;  // emulated_clock_seconds_ then
};

// A request holding a slot: the token it feeds next, at `position`.
struct BatchScheduler::Slot {
    explicit Slot(std::unique_ptr<Pending> joining, double emulated_now)
        : pending(std::move(joining)),
          sampler(pending->request.sampling),
          stop_text(pending->request.stop),
          token(pending->request.prompt_tokens.front()) {
        outcome.prompt_tokens = static_cast<int>(pending->request.prompt_tokens.size());
        outcome.emulated.queue_seconds = emulated_now - pending->emulated_at_submission;
    }
    bool in_prompt() const { return position + 1 < static_cast<int>(pending->request.prompt_tokens.size()); }

    std::unique_ptr<Pending> pending;
    Sampler sampler;
    StopText stop_text;
    int token;
    int position = 0;
    SequenceOutcome outcome;
};

BatchScheduler::BatchScheduler(LanguageModel& model, const model::Tokenizer& tokenizer, int max_waiting)
    : model_(model), tokenizer_(tokenizer), slots_(model.batch_size()), max_waiting_(max_waiting) {
    require(max_waiting >= 0, "the waiting queue bound must not be negative, got " + std::to_string(max_waiting));
    running_.resize(static_cast<std::size_t>(slots_));
    stats_.slots = slots_;
}

BatchScheduler::~BatchScheduler() = default;

BatchScheduler::Ticket BatchScheduler::submit(SequenceRequest request, SequenceCallbacks callbacks) {
    const int context = model_.max_positions();
    const auto& prompt = request.prompt_tokens;
    require(!prompt.empty(), "the prompt has no tokens");
    require(static_cast<int>(prompt.size()) <= context, [&] {
        return "the prompt is " + std::to_string(prompt.size()) + " tokens, more than the " + std::to_string(context) +
               " positions of the KV cache";
    });
    for (const int token : prompt) {
        require(token >= 0 && token < model_.config().vocab_size, [&] {
            return "prompt token " + std::to_string(token) + " is outside the vocabulary [0, " +
                   std::to_string(model_.config().vocab_size) + ")";
        });
    }
    require(request.max_tokens >= 1, "max_tokens must be at least 1, got " + std::to_string(request.max_tokens));
    validate(request.sampling);

    auto pending = std::make_unique<Pending>();
    pending->request = std::move(request);
    pending->callbacks = std::move(callbacks);
    pending->submitted = Clock::now();
    std::lock_guard lock(mutex_);
    if (stopping_) throw SchedulerStopped("the server is shutting down and takes no new requests");
    // Free slots take requests at the next step boundary; beyond them, max_waiting_ may wait.
    const int free = slots_ - stats_.busy_slots;
    if (static_cast<int>(waiting_.size()) >= max_waiting_ + free) {
        throw QueueFull(std::to_string(waiting_.size()) + " requests are already waiting for a slot");
    }
    pending->ticket = next_ticket_++;
    pending->emulated_at_submission = emulated_clock_seconds_;
    const Ticket ticket = pending->ticket;
    waiting_.push_back(std::move(pending));
    stats_.waiting = static_cast<int>(waiting_.size());
    wake_.notify_all();
    return ticket;
}

void BatchScheduler::cancel(Ticket ticket) {
    std::lock_guard lock(mutex_);
    cancelled_.push_back(ticket);
    wake_.notify_all();
}

void BatchScheduler::stop(bool cancel_running) {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cancel_all_ = cancel_all_ || cancel_running;
    wake_.notify_all();
}

BatchStats BatchScheduler::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

int BatchScheduler::free_slots() const {
    return static_cast<int>(std::count(running_.begin(), running_.end(), nullptr));
}

void BatchScheduler::run() {
    try {
        while (true) {
            std::vector<std::unique_ptr<Pending>> dropped;  // cancelled before they held a slot
            std::vector<Ticket> cancels;
            bool cancel_all = false;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] {
                    return free_slots() < slots_ || !waiting_.empty() || stopping_ || !cancelled_.empty();
                });
                cancels.swap(cancelled_);
                cancel_all = cancel_all_;
                for (auto it = waiting_.begin(); it != waiting_.end();) {
                    const bool cancelled = cancel_all || std::find(cancels.begin(), cancels.end(), (*it)->ticket) != cancels.end();
                    if (cancelled) {
                        dropped.push_back(std::move(*it));
                        it = waiting_.erase(it);
                    } else {
                        ++it;
                    }
                }
                // Requests join free slots at this step boundary, oldest first.
                for (auto& slot : running_) {
                    if (slot || waiting_.empty()) continue;
                    slot = std::make_unique<Slot>(std::move(waiting_.front()), emulated_clock_seconds_);
                    waiting_.pop_front();
                }
                stats_.waiting = static_cast<int>(waiting_.size());
                stats_.busy_slots = slots_ - free_slots();
            }
            for (auto& pending : dropped) cancel_waiting(*pending);
            for (auto& slot : running_) {
                if (slot && (cancel_all || std::find(cancels.begin(), cancels.end(), slot->pending->ticket) != cancels.end())) {
                    finish(slot, FinishReason::cancelled);
                }
            }
            const bool busy = free_slots() < slots_;
            {
                std::lock_guard lock(mutex_);
                if (!busy && stopping_ && waiting_.empty()) return;
            }
            if (busy) step();
        }
    } catch (...) {
        // The model failed (a dead peer, a bug): every request ends now, then the failure goes on.
        abandon_all();
        throw;
    }
}

void BatchScheduler::abandon_all() {
    std::deque<std::unique_ptr<Pending>> waiting;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        waiting.swap(waiting_);
        stats_.waiting = 0;
    }
    for (auto& slot : running_) {
        if (slot) finish(slot, FinishReason::cancelled);
    }
    for (auto& pending : waiting) cancel_waiting(*pending);
}

void BatchScheduler::cancel_waiting(const Pending& pending) {
    SequenceOutcome outcome;
    outcome.finish = FinishReason::cancelled;
    outcome.prompt_tokens = static_cast<int>(pending.request.prompt_tokens.size());
    outcome.emulated.queue_seconds = emulated_clock_seconds_ - pending.emulated_at_submission;
    outcome.host_seconds = seconds_since(pending.submitted);
    count_finished(FinishReason::cancelled);
    if (pending.callbacks.on_finish) pending.callbacks.on_finish(outcome);
}

void BatchScheduler::step() {
    // A slot without a request runs token 0 at position 0: its own KV cache
    // row 0, which the next request of that slot overwrites before reading it.
    std::vector<int> tokens(static_cast<std::size_t>(slots_), 0), positions(static_cast<std::size_t>(slots_), 0);
    int busy = 0;
    for (std::size_t s = 0; s < running_.size(); ++s) {
        if (!running_[s]) continue;
        tokens[s] = running_[s]->token;
        positions[s] = running_[s]->position;
        ++busy;
    }
    const Clock::time_point start = Clock::now();
    const std::vector<std::span<float>> logits = model_.forward_batch(tokens, positions);
    const double host_seconds = seconds_since(start);
    const double latency_seconds = static_cast<double>(model_.last_forward_cycles()) / model_.clock_hz();
    const double period_seconds = static_cast<double>(model_.last_step_period_cycles()) / model_.clock_hz();
    {
        // The step is over before any request hears of it: one submitted from
        // a callback below did not wait for this step.
        std::lock_guard lock(mutex_);
        emulated_clock_seconds_ += period_seconds;
        stats_.steps += 1;
        stats_.busy_slot_steps += static_cast<std::uint64_t>(busy);
        stats_.host_seconds += host_seconds;
        stats_.emulated_seconds += period_seconds;
    }

    std::uint64_t prompt_fed = 0, generated = 0;
    for (std::size_t s = 0; s < running_.size(); ++s) {
        auto& slot = running_[s];
        if (!slot) continue;
        const SequenceRequest& request = slot->pending->request;
        if (slot->in_prompt()) {
            ++prompt_fed;
            slot->outcome.emulated.prompt_seconds += latency_seconds;
            ++slot->position;
            slot->token = request.prompt_tokens[static_cast<std::size_t>(slot->position)];
            continue;
        }
        // This step's logits predict the token after slot->position.
        const bool last_prompt_token = slot->position + 1 == static_cast<int>(request.prompt_tokens.size());
        if (last_prompt_token) {
            ++prompt_fed;
            slot->outcome.emulated.prompt_seconds += latency_seconds;
        } else {
            slot->outcome.emulated.completion_seconds += latency_seconds;
        }
        const int next = slot->sampler.sample(logits[s]);
        if (!request.ignore_eos && (next == tokenizer_.bos_id() || tokenizer_.is_end_of_generation(next))) {
            finish(slot, FinishReason::stop);
            continue;
        }
        ++generated;
        slot->outcome.tokens.push_back(next);
        const std::string piece = tokenizer_.decode(slot->token, next);
        if (printable(piece)) {
            const std::string out = slot->stop_text.append(piece);
            if (!out.empty() && slot->pending->callbacks.on_text) slot->pending->callbacks.on_text(out);
        }
        if (slot->stop_text.stopped()) {
            finish(slot, FinishReason::stop);
        } else if (static_cast<int>(slot->outcome.tokens.size()) >= request.max_tokens ||
                   slot->position + 1 >= model_.max_positions()) {
            finish(slot, FinishReason::length);
        } else {
            slot->token = next;
            ++slot->position;
        }
    }
    std::lock_guard lock(mutex_);
    stats_.prompt_tokens += prompt_fed;
    stats_.completion_tokens += generated;
}

void BatchScheduler::finish(std::unique_ptr<Slot>& slot, FinishReason reason) {
    SequenceOutcome& outcome = slot->outcome;
    outcome.finish = reason;
    if (reason != FinishReason::cancelled) {
        // Text held back as a possible start of a stop string that did not come is output after all.
        const std::string rest = slot->stop_text.flush();
        if (!rest.empty() && slot->pending->callbacks.on_text) slot->pending->callbacks.on_text(rest);
    }
    outcome.text = slot->stop_text.text();
    outcome.host_seconds = seconds_since(slot->pending->submitted);
    const std::unique_ptr<Slot> done = std::move(slot);  // the slot is free before the callback runs
    count_finished(reason);
    if (done->pending->callbacks.on_finish) done->pending->callbacks.on_finish(done->outcome);
}

void BatchScheduler::count_finished(FinishReason reason) {
    std::lock_guard lock(mutex_);
    stats_.finished[static_cast<std::size_t>(reason)] += 1;
    stats_.busy_slots = slots_ - free_slots();
}

}  // namespace lpu::engine
