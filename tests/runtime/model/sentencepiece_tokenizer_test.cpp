#include "runtime/model/sentencepiece_tokenizer.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/model/model_file.hpp"
#include "runtime/model/synthetic_model.hpp"
#include "tests/support/paths.hpp"

namespace lpu::model {
namespace {

const std::vector<int> kOnceUponATime{1, 403, 407, 261, 378};

// The llama2.c encode() loop written the slow, obvious way (a full scan per
// merge), as an oracle for the tokenizer's heap-based merging. Assumes a GGUF-style
// typed vocabulary with "▁" spaces and a dummy prefix.
std::vector<int> reference_encode(const TokenizerData& data, const std::string& text) {
    std::map<std::string, int> ids;
    for (std::size_t id = 0; id < data.pieces.size(); ++id) {
        const bool text_token = data.types[id] == TokenType::Normal || data.types[id] == TokenType::UserDefined;
        if (text_token) ids.emplace(data.pieces[id], static_cast<int>(id));
    }
    std::string normalized;
    for (const char c : (text.empty() ? "" : " ") + text) normalized += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
    std::vector<int> tokens;
    for (std::size_t i = 0; i < normalized.size();) {
        std::size_t length = 1;
        while (length < 4 && i + length < normalized.size() &&
               (static_cast<unsigned char>(normalized[i + length]) & 0xC0) == 0x80) {
            ++length;
        }
        const auto found = ids.find(normalized.substr(i, length));
        if (found != ids.end()) {
            tokens.push_back(found->second);
        } else {
            for (std::size_t b = i; b < i + length; ++b) {
                char byte_piece[8];
                std::snprintf(byte_piece, sizeof byte_piece, "<0x%02X>", static_cast<unsigned char>(normalized[b]));
                const auto byte = std::find(data.pieces.begin(), data.pieces.end(), byte_piece);
                tokens.push_back(static_cast<int>(byte - data.pieces.begin()));
            }
        }
        i += length;
    }
    while (true) {
        float best_score = -1e30f;
        int best_id = -1;
        std::size_t best_index = 0;
        for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
            const auto found = ids.find(data.pieces[static_cast<std::size_t>(tokens[i])] +
                                        data.pieces[static_cast<std::size_t>(tokens[i + 1])]);
            if (found != ids.end() && data.scores[static_cast<std::size_t>(found->second)] > best_score) {
                best_score = data.scores[static_cast<std::size_t>(found->second)];
                best_id = found->second;
                best_index = i;
            }
        }
        if (best_id < 0) break;
        tokens[best_index] = best_id;
        tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(best_index) + 1);
    }
    tokens.insert(tokens.begin(), data.bos_id);
    return tokens;
}

// A hand-made vocabulary in llama2.c style: plain spaces, no token types.
TokenizerData plain_space_vocabulary() {
    TokenizerData data;
    data.pieces = {"<unk>", "\n<s>\n", "\n</s>\n", " ", "a", "b", "c", " a", "ab", "bc", "cab", " ab"};
    data.scores = {0, 0, 0, 0, 0, 0, 0, -1, -2, -2, -5, -4};
    for (int byte = 0; byte < 256; ++byte) {
        char piece[8];
        std::snprintf(piece, sizeof piece, "<0x%02X>", byte);
        data.pieces.emplace_back(piece);
        data.scores.push_back(0);
    }
    return data;
}

}  // namespace

TEST_CASE("sentencepiece tokenizer: merges the highest-scoring pair first, the leftmost on ties", "[tokenizer]") {
    const SentencePieceTokenizer tokenizer(plain_space_vocabulary());
    CHECK_FALSE(tokenizer.uses_sentencepiece_space());
    // " abc": " a" (-1) merges first; then " a"+"b" = " ab" (-4) and "b"+"c" = "bc" (-2): "bc" wins.
    CHECK(tokenizer.encode("abc", true) == std::vector<int>{1, 7, 9});
    // "cabc": "ab" and "bc" tie at -2. The leftmost ("ab") goes first, which then
    // allows "c"+"ab" = "cab"; taking "bc" first would have ended at " ", c, a, bc.
    CHECK(tokenizer.encode("cabc", false) == std::vector<int>{3, 10, 6});
    // No dummy prefix for empty text, and BOS only when asked.
    CHECK(tokenizer.encode("", true) == std::vector<int>{1});
    CHECK(tokenizer.encode("", false).empty());
    // 'x' is not a piece: byte fallback finds <0x78> by its piece, wherever it sits.
    const int x_id = 12 + 'x';
    REQUIRE(tokenizer.piece(x_id) == "<0x78>");
    CHECK(tokenizer.encode("x", false) == std::vector<int>{3, x_id});
    CHECK(tokenizer.decode(3, x_id) == "x");
}

TEST_CASE("sentencepiece tokenizer: decode drops the dummy-prefix space after BOS only", "[tokenizer]") {
    const SentencePieceTokenizer tokenizer(plain_space_vocabulary());
    CHECK(tokenizer.decode(1, 7) == "a");
    CHECK(tokenizer.decode(4, 7) == " a");
    CHECK(tokenizer.decode(7, 1).empty());  // BOS and EOS print nothing
    CHECK(tokenizer.decode(7, 2).empty());
    CHECK(tokenizer.decode(std::vector<int>{1, 7, 9, 3, 8}) == "abc ab");
    CHECK(tokenizer.decode(tokenizer.encode(" a b  c ", false)) == " a b  c ");
}

TEST_CASE("sentencepiece tokenizer: rejects invalid token ids and inconsistent data", "[tokenizer]") {
    const SentencePieceTokenizer tokenizer(plain_space_vocabulary());
    CHECK_THROWS_AS(tokenizer.decode(1, -1), Error);
    CHECK_THROWS_AS(tokenizer.decode(1, tokenizer.vocab_size()), Error);
    CHECK_THROWS_AS(tokenizer.piece(100000), Error);
    CHECK_THROWS_WITH(tokenizer.decode(std::vector<int>{1, 9999}), Catch::Contains("9999"));

    auto bad_scores = plain_space_vocabulary();
    bad_scores.scores.pop_back();
    CHECK_THROWS_WITH(SentencePieceTokenizer(bad_scores), Catch::Contains("scores"));
    auto bad_bos = plain_space_vocabulary();
    bad_bos.bos_id = -3;
    CHECK_THROWS_WITH(SentencePieceTokenizer(bad_bos), Catch::Contains("bos_id"));
    CHECK_THROWS_AS(SentencePieceTokenizer(TokenizerData{}), Error);
}

TEST_CASE("sentencepiece tokenizer: a byte with no piece and no <unk> is an error, not a crash", "[tokenizer]") {
    TokenizerData data;
    data.pieces = {"<s>", "</s>", " ", "a"};
    data.scores = {0, 0, 0, 0};
    data.bos_id = 0;
    data.eos_id = 1;
    const SentencePieceTokenizer tokenizer(data);
    CHECK(tokenizer.encode("a", false) == std::vector<int>{2, 3});
    CHECK_THROWS_WITH(tokenizer.encode("b", false), Catch::Contains("0x62"));
}

TEST_CASE("sentencepiece tokenizer: synthetic byte-level vocabulary round-trips any bytes", "[tokenizer]") {
    const auto data = synthetic_vocabulary(4096);
    const SentencePieceTokenizer tokenizer(data);
    CHECK(tokenizer.uses_sentencepiece_space());
    const std::string text = "the cat sat on the mat";
    const auto tokens = tokenizer.encode(text, true);
    CHECK(tokens.size() <= text.size() * 2 / 3);  // merges happened
    CHECK(tokens == reference_encode(data, text));
    CHECK(tokenizer.decode(tokens) == text);

    std::string all_bytes;
    for (int byte = 0; byte < 256; ++byte) all_bytes += static_cast<char>(byte);
    const auto byte_tokens = tokenizer.encode(all_bytes, false);
    CHECK(tokenizer.decode(byte_tokens) == all_bytes);
    const auto reference = reference_encode(data, all_bytes);
    CHECK(byte_tokens == std::vector<int>(reference.begin() + 1, reference.end()));  // without BOS
}

TEST_CASE("sentencepiece tokenizer: heap merging matches llama2.c's scan on pseudo-random text", "[tokenizer]") {
    const auto data = synthetic_vocabulary(2000);
    const SentencePieceTokenizer tokenizer(data);
    const std::string alphabet = "etaoin shrd\xC3\xA9";  // includes a two-byte code point
    std::uint64_t state = 12345;
    for (int trial = 0; trial < 200; ++trial) {
        std::string text;
        const int length = trial % 40;
        for (int i = 0; i < length; ++i) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            const std::size_t pick = (state >> 33) % (alphabet.size() - 1);
            text += pick == alphabet.size() - 2 ? alphabet.substr(pick, 2) : alphabet.substr(pick, 1);
        }
        INFO("text: '" << text << "'");
        CHECK(tokenizer.encode(text, true) == reference_encode(data, text));
        CHECK(tokenizer.decode(tokenizer.encode(text, false)) == text);
    }
}

TEST_CASE("sentencepiece tokenizer: stories260K tok512.bin encodes the reference prompt", "[tokenizer]") {
    LPU_REQUIRE_SHARED_MODEL(path, "tok512.bin");
    const SentencePieceTokenizer tokenizer(read_llama2c_tokenizer(path, 512));
    CHECK_FALSE(tokenizer.uses_sentencepiece_space());
    CHECK(tokenizer.encode("Once upon a time", true) == kOnceUponATime);
    CHECK(tokenizer.decode(1, 403) == "Once");
    CHECK(tokenizer.decode(403, 407) == " upon");
    CHECK(tokenizer.decode(13, 13) == "\n");  // <0x0A>
    CHECK(tokenizer.decode(kOnceUponATime) == "Once upon a time");
}

TEST_CASE("sentencepiece tokenizer: stories260K GGUF vocabulary encodes the reference prompt", "[tokenizer]") {
    LPU_REQUIRE_SHARED_MODEL(path, "stories260K.gguf");
    const auto file = open_model(path);
    const auto data = file->tokenizer();
    REQUIRE(data.has_value());
    const SentencePieceTokenizer tokenizer(*data);
    CHECK(tokenizer.uses_sentencepiece_space());
    CHECK(tokenizer.vocab_size() == 512);
    CHECK(tokenizer.encode("Once upon a time", true) == kOnceUponATime);
    CHECK(tokenizer.decode(1, 403) == "Once");
    CHECK(tokenizer.decode(403, 407) == " upon");
    CHECK(tokenizer.decode(kOnceUponATime) == "Once upon a time");
}

TEST_CASE("sentencepiece tokenizer: Llama-2 vocabulary gives known ids and round-trips text", "[tokenizer]") {
    LPU_REQUIRE_SHARED_MODEL(path, "llama-2-tiny-random.gguf");
    const auto file = open_model(path);
    const auto data = file->tokenizer();
    REQUIRE(data.has_value());
    const SentencePieceTokenizer tokenizer(*data);
    REQUIRE(tokenizer.vocab_size() == 32000);
    CHECK(tokenizer.bos_id() == 1);
    CHECK(tokenizer.eos_id() == 2);
    CHECK(tokenizer.encode("Hello", true) == std::vector<int>{1, 15043});
    CHECK(tokenizer.encode("Hello world", true) == std::vector<int>{1, 15043, 3186});
    CHECK(tokenizer.piece(3186) == "\xE2\x96\x81world");
    CHECK(tokenizer.decode(15043, 3186) == " world");

    const std::vector<std::string> texts{"Grüße, 世界! naïve café 🙂", "Once upon a time\nthere was\ta tab.",
                                         "ctrl \x01\x7f bytes \xff\xfe invalid utf-8 \xC3",
                                         "  leading and trailing spaces  "};
    for (const auto& text : texts) {
        INFO("text: '" << text << "'");
        const auto tokens = tokenizer.encode(text, true);
        CHECK(tokenizer.decode(tokens) == text);
        CHECK(tokens == reference_encode(*data, text));
    }
    // The emoji is not in the vocabulary: its four UTF-8 bytes fall back to <0xNN> tokens.
    const auto emoji = tokenizer.encode("\xF0\x9F\x99\x82", false);
    REQUIRE(emoji.size() == 5);
    CHECK(tokenizer.piece(emoji[1]) == "<0xF0>");
    CHECK(tokenizer.piece(emoji[4]) == "<0x82>");
}

}  // namespace lpu::model
