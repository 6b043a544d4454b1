// ChatSession: a turn renders the whole conversation, runs only what the KV
// cache lacks, and samples until the end-of-turn token, the reply limit or the
// context's end.
#include "runtime/engine/chat_session.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <vector>

#include "runtime/engine/single_chip_model.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "sim/chip/chip_spec.hpp"
#include "tests/support/temp_path.hpp"

using namespace lpu;

namespace {

// A model that records what it is fed and always makes `answer` the most
// likely next token (greedy sampling picks it).
class ScriptedModel : public engine::LanguageModel {
public:
    ScriptedModel(int vocab, int positions, int answer)
        : positions_(positions), answer_(answer), logits_(static_cast<std::size_t>(vocab)) {
        config_.vocab_size = vocab;
    }
    const model::ModelConfig& config() const override { return config_; }
    int max_positions() const override { return positions_; }
    std::span<float> forward(int token, int position) override {
        fed.push_back({token, position});
        std::fill(logits_.begin(), logits_.end(), 0.0f);
        logits_[static_cast<std::size_t>(answer_)] = 1.0f;
        return logits_;
    }
    std::int64_t last_forward_cycles() const override { return 10; }
    double clock_hz() const override { return 1e9; }

    std::vector<std::pair<int, int>> fed;  // (token, position)

private:
    model::ModelConfig config_;
    int positions_;
    int answer_;
    std::vector<float> logits_;
};

engine::SamplingOptions greedy() {
    engine::SamplingOptions sampling;
    sampling.temperature = 0.0f;
    return sampling;
}

}  // namespace

TEST_CASE("chat session: a reply ends at the end-of-turn token, which is not part of it", "[engine][chat]") {
    const model::Tokenizer tokenizer(model::synthetic_bpe_vocabulary(400, "qwen2"));
    const int im_end = tokenizer.find_piece("<|im_end|>");
    ScriptedModel model(tokenizer.vocab_size(), 256, tokenizer.find_piece("a"));
    engine::ChatSession session(model, tokenizer, model::ChatTemplate::named("chatml"), greedy());
    const auto reply = session.reply("hi", 10);
    CHECK(reply.end == engine::ReplyEnd::TokenLimit);
    CHECK(reply.tokens.size() == 10);
    CHECK(reply.text == std::string(10, 'a'));

    ScriptedModel ending(tokenizer.vocab_size(), 256, im_end);
    engine::ChatSession ended(ending, tokenizer, model::ChatTemplate::named("chatml"), greedy());
    const auto empty = ended.reply("hi", 10);
    CHECK(empty.end == engine::ReplyEnd::EndOfTurn);
    CHECK(empty.tokens.empty());
    CHECK(empty.text.empty());
}

TEST_CASE("chat session: the next turn runs only the tokens the cache does not hold", "[engine][chat]") {
    const model::Tokenizer tokenizer(model::synthetic_bpe_vocabulary(400, "qwen2"));
    ScriptedModel model(tokenizer.vocab_size(), 256, tokenizer.find_piece("a"));
    engine::ChatSession session(model, tokenizer, model::ChatTemplate::named("chatml"), greedy(), "be brief");
    const auto first = session.reply("hi", 3);  // "aaa", cut at the limit
    REQUIRE(first.text == "aaa");
    CHECK(session.messages().size() == 3);  // system, user, assistant

    const std::size_t fed_before = model.fed.size();
    const auto second = session.reply("more", 2);
    // The whole conversation renders to the old prompt, the reply "aaa" (which
    // BPE writes as the token the model sampled three times, or merges of it),
    // then the new turn; only what differs from the cache runs.
    const auto full = session.prompt_tokens(false);
    CHECK(second.prompt_tokens.size() < full.size());
    CHECK(model.fed.size() - fed_before == second.prompt_tokens.size() + 1);  // the prompt, then one reply token run
    // Positions continue where the kept prefix ends, without gaps.
    for (std::size_t i = 1; i < model.fed.size(); ++i) {
        if (i == fed_before) continue;  // the second turn may restart inside the first reply
        CHECK(model.fed[i].second == model.fed[i - 1].second + 1);
    }
}

TEST_CASE("chat session: a full context ends the reply, and a conversation too long is refused", "[engine][chat]") {
    const model::Tokenizer tokenizer(model::synthetic_bpe_vocabulary(400, "qwen2"));
    ScriptedModel model(tokenizer.vocab_size(), 24, tokenizer.find_piece("a"));
    engine::ChatSession session(model, tokenizer, model::ChatTemplate::named("chatml"), greedy());
    const auto reply = session.reply("hi", 0);
    CHECK(reply.end == engine::ReplyEnd::ContextFull);
    CHECK(session.positions_used() == 24);
    CHECK_THROWS_WITH(session.reply(std::string(200, 'x'), 0), Catch::Contains("positions of the KV cache"));
}

TEST_CASE("chat session: greedy replies on a real model are what the same prompt generates", "[engine][chat]") {
    model::SyntheticShape shape;
    shape.architecture = model::Architecture::Qwen2;
    const auto path = test::unique_temp_path("chat", ".gguf");
    model::write_synthetic_model(shape, path.string());
    const auto file = model::open_model(path.string());
    const model::Tokenizer tokenizer(*file->tokenizer());
    const auto spec = sim::chip_spec_preset("tsp-v1");

    engine::SingleChipModel chat_model(*file, spec, 128);
    engine::ChatSession session(chat_model, tokenizer, model::ChatTemplate::named("chatml"), greedy());
    const auto reply = session.reply("hello", 12);

    // The same prompt through the model directly, greedy.
    engine::SingleChipModel direct(*file, spec, 128);
    std::vector<int> tokens = reply.prompt_tokens;
    std::span<float> logits;
    for (std::size_t p = 0; p < tokens.size(); ++p) logits = direct.forward(tokens[p], static_cast<int>(p));
    std::vector<int> expected;
    for (std::size_t i = 0; i < reply.tokens.size(); ++i) {
        expected.push_back(engine::argmax(logits));
        if (i + 1 < reply.tokens.size()) logits = direct.forward(expected.back(), static_cast<int>(tokens.size() + i));
    }
    CHECK(reply.tokens == expected);
    CHECK(reply.stats.emulated_cycles > 0);
    std::filesystem::remove(path);
}
