// Continuous batching: requests join and leave a batched plan's slots at step
// boundaries, each slot at its own position, and every request gets exactly
// the tokens it gets alone on one chip (greedy, and sampled with a seed).
// Plus stop strings over streamed text, cancellation, the queue bound and
// refused requests.
#include "runtime/engine/batch_scheduler.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "runtime/engine/generator.hpp"
#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/tokenizer.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/runtime/engine/compiled_run.hpp"
#include "tests/support/paths.hpp"

using namespace lpu;

namespace {

// What one request produced, as its callbacks saw it.
struct Collected {
    std::string streamed;
    std::optional<engine::SequenceOutcome> outcome;
};

// Submits every request before the engine starts, runs it until all are done.
std::vector<Collected> serve_all(engine::BatchScheduler& scheduler, const std::vector<engine::SequenceRequest>& requests) {
    std::vector<Collected> collected(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
        scheduler.submit(requests[i], {[&collected, i](std::string_view text) { collected[i].streamed += text; },
                                       [&collected, i](const engine::SequenceOutcome& outcome) { collected[i].outcome = outcome; }});
    }
    scheduler.stop(false);
    scheduler.run();
    return collected;
}

// The completion `request` (of `prompt`) gets alone on one chip: the
// generation loop of `lpu run`, whose tokens after the prompt are the completion.
std::vector<int> alone(const model::ModelFile& file, const model::Tokenizer& tokenizer, const std::string& prompt,
                       const engine::SequenceRequest& request, int positions) {
    engine::SingleChipModel chip(file, sim::chip_spec_preset("tsp-v1"), positions);
    engine::GenerationOptions options;
    options.prompt = prompt;
    options.steps = static_cast<int>(request.prompt_tokens.size()) + request.max_tokens - 1;
    options.sampling = request.sampling;
    const engine::GenerationResult result = engine::generate(chip, tokenizer, options);
    REQUIRE(result.prompt_tokens == request.prompt_tokens);
    const auto prompt_after_bos = static_cast<std::ptrdiff_t>(request.prompt_tokens.size()) - 1;
    REQUIRE(static_cast<std::ptrdiff_t>(result.tokens.size()) >= prompt_after_bos);
    return {result.tokens.begin() + prompt_after_bos, result.tokens.end()};
}

engine::SequenceRequest request_for(const model::Tokenizer& tokenizer, const std::string& prompt, int max_tokens,
                                    float temperature = 0.0f, std::uint64_t seed = 0) {
    engine::SequenceRequest request;
    request.prompt_tokens = tokenizer.encode(prompt);
    request.max_tokens = max_tokens;
    request.sampling.temperature = temperature;
    request.sampling.seed = seed;
    return request;
}

}  // namespace

TEST_CASE("stop text: a stop string ends the text and no piece of it is handed out", "[engine][serve]") {
    engine::StopText stop({"END", "\n\n"});
    CHECK(stop.append("Once up") == "Once up");
    CHECK(stop.append("on a time E") == "on a time ");  // "E" may begin "END": held back
    CHECK(stop.append("N") == "");
    CHECK(stop.append("Dless") == "");
    CHECK(stop.stopped());
    CHECK(stop.text() == "Once upon a time ");
    CHECK(stop.append("more") == "");

    engine::StopText false_start({"END"});
    CHECK(false_start.append("the EN") == "the ");
    CHECK(false_start.append("gine") == "ENgine");
    CHECK(false_start.append("E") == "");
    CHECK(false_start.flush() == "E");
    CHECK_FALSE(false_start.stopped());
    CHECK(false_start.text() == "the ENgineE");

    engine::StopText none({});
    CHECK(none.append("END") == "END");
    engine::StopText first({"b", "ab"});
    CHECK(first.append("xab") == "x");  // the earliest stop string wins
}

TEST_CASE("continuous batching: requests joining and leaving at every step get their lone tokens",
          "[engine][serve]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    const model::Tokenizer tokenizer(*file->tokenizer());
    const auto [tp, pp] = GENERATE(table<int, int>({{1, 1}, {2, 2}}));
    CAPTURE(tp, pp);
    const int positions = 96;
    lpu::test::CompiledRun run(*file, tp, pp, positions, 3);
    engine::BatchScheduler scheduler(*run.model, tokenizer, 16);
    // Seven requests for three slots, of different lengths, so that slots free
    // up at different steps and later requests join beside others mid-sequence.
    const std::vector<std::string> prompts{"Once upon a time", "The cat", "Lily and Ben went to the park. They",
                                           "A dog", "One day", "Tom had a big red ball", "x"};
    const std::vector<engine::SequenceRequest> requests{
        request_for(tokenizer, prompts[0], 20),           request_for(tokenizer, prompts[1], 7),
        request_for(tokenizer, prompts[2], 33, 0.8f, 7), request_for(tokenizer, prompts[3], 12),
        request_for(tokenizer, prompts[4], 40, 1.0f, 99), request_for(tokenizer, prompts[5], 5),
        request_for(tokenizer, prompts[6], 60),
    };
    const std::vector<Collected> served = serve_all(scheduler, requests);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        CAPTURE(i);
        REQUIRE(served[i].outcome);
        const engine::SequenceOutcome& outcome = *served[i].outcome;
        const std::vector<int> expected = alone(*file, tokenizer, prompts[i], requests[i], positions);
        // A lone run stops at EOS too; then the batched one stopped there as well.
        CHECK(outcome.tokens == expected);
        CHECK(outcome.finish == (static_cast<int>(expected.size()) == requests[i].max_tokens ? engine::FinishReason::length
                                                                                            : engine::FinishReason::stop));
        CHECK(outcome.text == served[i].streamed);
        CHECK(outcome.prompt_tokens == static_cast<int>(requests[i].prompt_tokens.size()));
        CHECK(outcome.emulated.prompt_seconds > 0.0);
        CHECK(outcome.emulated.completion_seconds >= 0.0);
    }
    // The last requests waited for a slot while the first ones ran.
    CHECK(served.back().outcome->emulated.queue_seconds > 0.0);
    CHECK(served.front().outcome->emulated.queue_seconds == 0.0);
    const engine::BatchStats stats = scheduler.stats();
    CHECK(stats.slots == 3);
    CHECK(stats.busy_slots == 0);
    CHECK(stats.waiting == 0);
    CHECK(stats.finished[0] + stats.finished[1] == requests.size());
    CHECK(stats.busy_slot_steps > stats.steps);  // slots were shared
    CHECK(stats.busy_slot_steps <= 3 * stats.steps);
    std::uint64_t generated = 0;
    for (const auto& collected : served) generated += collected.outcome->tokens.size();
    CHECK(stats.completion_tokens == generated);
}

TEST_CASE("batch scheduler: stop strings, max_tokens past the context, and the end of the cache", "[engine][serve]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    const model::Tokenizer tokenizer(*file->tokenizer());
    const int positions = 24;
    lpu::test::CompiledRun run(*file, 1, 1, positions, 2);
    engine::BatchScheduler scheduler(*run.model, tokenizer, 4);
    engine::SequenceRequest stopped = request_for(tokenizer, "Once upon a time", 50);
    stopped.stop = {" was"};
    const engine::SequenceRequest long_one = request_for(tokenizer, "Once upon a time", 1000);
    const std::vector<Collected> served = serve_all(scheduler, {stopped, long_one});
    const engine::SequenceOutcome& full = *served[1].outcome;
    // The whole cache: prompt tokens at positions 0..4, then one token per position up to the last.
    CHECK(full.finish == engine::FinishReason::length);
    CHECK(static_cast<int>(full.tokens.size()) == positions - static_cast<int>(long_one.prompt_tokens.size()) + 1);
    const std::size_t cut = full.text.find(" was");
    REQUIRE(cut != std::string::npos);
    CHECK(served[0].outcome->finish == engine::FinishReason::stop);
    CHECK(served[0].outcome->text == full.text.substr(0, cut));
    CHECK(served[0].streamed == full.text.substr(0, cut));
}

TEST_CASE("batch scheduler: cancelled, queued beyond the bound, refused, and after stop", "[engine][serve]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    const model::Tokenizer tokenizer(*file->tokenizer());
    lpu::test::CompiledRun run(*file, 1, 1, 32, 1);
    engine::BatchScheduler scheduler(*run.model, tokenizer, 1);
    std::mutex mutex;
    std::map<int, engine::FinishReason> finished;
    const auto callbacks = [&](int id) {
        return engine::SequenceCallbacks{{}, [&, id](const engine::SequenceOutcome& outcome) {
                                             std::lock_guard lock(mutex);
                                             finished[id] = outcome.finish;
                                         }};
    };
    const auto request = request_for(tokenizer, "Once upon a time", 20);
    // One slot free and one place in the queue: the third waits nowhere.
    const auto first = scheduler.submit(request, callbacks(1));
    const auto second = scheduler.submit(request, callbacks(2));
    CHECK_THROWS_AS(scheduler.submit(request, callbacks(3)), engine::QueueFull);
    scheduler.cancel(second);
    scheduler.cancel(first);
    scheduler.cancel(12345);  // unknown: nothing
    scheduler.stop(false);
    CHECK_THROWS_AS(scheduler.submit(request, callbacks(4)), engine::SchedulerStopped);
    scheduler.run();
    CHECK(finished == std::map<int, engine::FinishReason>{{1, engine::FinishReason::cancelled},
                                                          {2, engine::FinishReason::cancelled}});

    engine::BatchScheduler fresh(*run.model, tokenizer, 1);
    auto refused = request;
    refused.prompt_tokens.clear();
    CHECK_THROWS_WITH(fresh.submit(refused, {}), Catch::Contains("no tokens"));
    refused.prompt_tokens.assign(33, 1);
    CHECK_THROWS_WITH(fresh.submit(refused, {}), Catch::Contains("33 tokens, more than the 32 positions"));
    refused.prompt_tokens = {1, 100000};
    CHECK_THROWS_WITH(fresh.submit(refused, {}), Catch::Contains("outside the vocabulary"));
    refused = request;
    refused.max_tokens = 0;
    CHECK_THROWS_WITH(fresh.submit(refused, {}), Catch::Contains("max_tokens must be at least 1"));
    refused = request;
    refused.sampling.temperature = -1.0f;
    CHECK_THROWS(fresh.submit(refused, {}));
}

TEST_CASE("batch scheduler: requests arriving while it runs, from other threads, and stop with cancel",
          "[engine][serve]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = model::open_model(path);
    const model::Tokenizer tokenizer(*file->tokenizer());
    lpu::test::CompiledRun run(*file, 2, 1, 64, 2);
    engine::BatchScheduler scheduler(*run.model, tokenizer, 8);
    std::thread engine_thread([&] { scheduler.run(); });
    std::mutex mutex;
    std::condition_variable done;
    std::vector<engine::SequenceOutcome> outcomes;
    const auto request = request_for(tokenizer, "Once upon a time", 10);
    const std::vector<int> expected = alone(*file, tokenizer, "Once upon a time", request, 64);
    for (int i = 0; i < 4; ++i) {
        scheduler.submit(request, {{}, [&](const engine::SequenceOutcome& outcome) {
                                       std::lock_guard lock(mutex);
                                       outcomes.push_back(outcome);
                                       done.notify_all();
                                   }});
        std::unique_lock lock(mutex);
        done.wait(lock, [&] { return static_cast<int>(outcomes.size()) == i + 1; });
    }
    for (const auto& outcome : outcomes) CHECK(outcome.tokens == expected);
    // A long request, then stop with cancel: it ends at the next step boundary.
    bool finished = false;
    scheduler.submit(request_for(tokenizer, "Once upon a time", 60), {{}, [&](const engine::SequenceOutcome& outcome) {
                                                                        std::lock_guard lock(mutex);
                                                                        finished = outcome.finish == engine::FinishReason::cancelled ||
                                                                                   outcome.finish == engine::FinishReason::stop;
                                                                    }});
    scheduler.stop(true);
    engine_thread.join();
    CHECK(finished);
}
