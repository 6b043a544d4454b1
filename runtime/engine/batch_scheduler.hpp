#pragma once
// Continuous batching over a model of B batch slots (a plan compiled with
// batch B): independent requests share the model's steps. A request joins a
// free slot at the next step boundary, feeds its prompt one token per step,
// then samples one token per step with its own sampler, and leaves when it is
// done, freeing the slot for the next waiting request. Every slot runs at its
// own position. A slot without a request still runs (the schedule is static);
// its output is ignored.
//
// Each slot's numbers depend only on its own tokens and positions (per-slot KV
// caches, per-sequence ops), so a greedy request yields exactly the tokens of
// a lone `lpu run` with the same prompt, and a seeded sampled request the
// same tokens, whatever else runs beside it.
//
// Thread model: run() is the engine loop, on one thread; submit(), cancel(),
// stop() and stats() may be called from any thread. The callbacks run on the
// engine thread, between steps: keep them short (hand the text to the
// thread that waits for it).
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "runtime/engine/language_model.hpp"
#include "runtime/engine/sampler.hpp"
#include "runtime/engine/stop_text.hpp"
#include "runtime/model/tokenizer.hpp"

namespace lpu::engine {

struct SequenceRequest {
    std::vector<int> prompt_tokens;  // at least one (BOS first when the vocabulary adds it)
    int max_tokens = 16;             // completion tokens at most, >= 1
    SamplingOptions sampling;        // temperature 0: greedy
    std::vector<std::string> stop;   // the completion ends before the first of these (not included)
    bool ignore_eos = false;         // keep going through EOS / end of turn
};

// Why a request ended: `stop` at an end-of-generation token or a stop string,
// `length` at max_tokens or the end of the KV cache, `cancelled` by cancel()
// or stop().
enum class FinishReason { stop, length, cancelled };
const char* finish_reason_name(FinishReason reason);  // "stop", "length", "cancelled"

// The emulated system's time for one request, from the plan's cycles of the
// steps that actually ran (the batch that was running):
struct EmulatedTiming {
    double queue_seconds = 0.0;       // steps run for others between submission and the request's first step
    double prompt_seconds = 0.0;      // the steps that fed its prompt
    double completion_seconds = 0.0;  // the steps that produced its completion
};

struct SequenceOutcome {
    FinishReason finish = FinishReason::length;
    int prompt_tokens = 0;
    std::vector<int> tokens;  // completion tokens (those of a stop string included)
    std::string text;         // completion text, without the stop string
    EmulatedTiming emulated;
    double host_seconds = 0.0;  // host time from submission to the end
};

struct SequenceCallbacks {
    // Each new piece of completion text, as soon as it cannot be part of a stop string.
    std::function<void(std::string_view)> on_text;
    // Exactly once per accepted request, after its last on_text.
    std::function<void(const SequenceOutcome&)> on_finish;
};

// submit() when the waiting queue is full: the caller should retry later.
class QueueFull : public Error {
public:
    using Error::Error;
};

// submit() after stop(): the scheduler takes no more requests.
class SchedulerStopped : public Error {
public:
    using Error::Error;
};

// Counters since construction, for metrics (a consistent snapshot).
struct BatchStats {
    int slots = 0;
    int busy_slots = 0;  // slots holding a request now
    int waiting = 0;     // requests queued for a slot
    std::uint64_t steps = 0;
    std::uint64_t busy_slot_steps = 0;  // sum over steps of the slots holding a request
    std::uint64_t prompt_tokens = 0;      // prompt tokens fed
    std::uint64_t completion_tokens = 0;  // tokens generated
    std::uint64_t finished[3] = {0, 0, 0};  // requests ended, by FinishReason
    double host_seconds = 0.0;      // host time inside steps
    double emulated_seconds = 0.0;  // emulated time of the steps (back-to-back periods)
};

class BatchScheduler {
public:
    using Ticket = std::uint64_t;

    // `model` and `tokenizer` must outlive the scheduler; `max_waiting` bounds
    // the requests queued for a slot (beyond it submit() throws QueueFull).
    BatchScheduler(LanguageModel& model, const model::Tokenizer& tokenizer, int max_waiting);
    ~BatchScheduler();

    int slots() const { return slots_; }
    int max_positions() const { return model_.max_positions(); }

    // Queues a request. Throws lpu::Error when it cannot run on this model
    // (empty prompt, prompt + 1 beyond the KV cache, a token outside the
    // vocabulary, bad sampling options, max_tokens < 1); max_tokens past the
    // cache is cut to the cache (finish `length`). Throws QueueFull or
    // SchedulerStopped as their names say.
    Ticket submit(SequenceRequest request, SequenceCallbacks callbacks);

    // Ends a request at the next step boundary (on_finish with `cancelled`);
    // nothing when it has already finished.
    void cancel(Ticket ticket);

    // Runs steps while there are requests, sleeps while there are none, and
    // returns after stop() once no request is left (cancelled ones included).
    void run();

    // No more submissions. `cancel_running`: end waiting and running requests
    // at the next step boundary; otherwise let them finish.
    void stop(bool cancel_running);

    BatchStats stats() const;

private:
    struct Pending;
    struct Slot;

    // The engine thread's own work, without the lock (it alone touches running_):
    void step();  // one step of the model for every slot
    void finish(std::unique_ptr<Slot>& slot, FinishReason reason);  // frees the slot, then on_finish
    void abandon_all();  // after a failure: ends every request
    void cancel_waiting(const Pending& pending);  // on_finish for one that never held a slot
    int free_slots() const;
    void count_finished(FinishReason reason);  // takes the lock

    LanguageModel& model_;
    const model::Tokenizer& tokenizer_;
    const int slots_;
    const int max_waiting_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<Pending>> waiting_;
    std::vector<std::unique_ptr<Slot>> running_;  // by slot index, null when free
    std::vector<Ticket> cancelled_;
    bool stopping_ = false;
    bool cancel_all_ = false;
    Ticket next_ticket_ = 1;
    BatchStats stats_;
    double emulated_clock_seconds_ = 0.0;  // emulated time of every step so far
};

}  // namespace lpu::engine
