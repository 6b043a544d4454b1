#include "runtime/model/tokenizer.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "runtime/model/byte_level.hpp"

namespace lpu::model {
namespace {

// A byte-level vocabulary: ids 0..255 are the bytes' alphabet characters, then
// the tokens below. `merges` must only name tokens it has.
struct Vocabulary {
    TokenizerData data;

    explicit Vocabulary(std::string pre = "llama-bpe") {
        data.model = TokenizerModel::BytePairs;
        data.pre_tokenizer = std::move(pre);
        data.bos_id = data.eos_id = -1;
        data.add_bos = false;
        data.add_space_prefix = false;
        for (int byte = 0; byte < 256; ++byte) add(byte_level::encode_byte(static_cast<unsigned char>(byte)));
    }
    int add(const std::string& piece, TokenType type = TokenType::Normal) {
        data.pieces.push_back(piece);
        data.scores.push_back(0.0f);
        data.types.push_back(type);
        return static_cast<int>(data.pieces.size()) - 1;
    }
    int id(const std::string& piece) const {
        for (std::size_t i = 0; i < data.pieces.size(); ++i) {
            if (data.pieces[i] == piece) return static_cast<int>(i);
        }
        FAIL("no piece " << piece);
        return -1;
    }
    // Adds the merge and its result as a token.
    void merge(const std::string& left, const std::string& right) {
        add(left + right);
        data.merges.push_back(left + " " + right);
    }
};

int byte_id(char c) { return static_cast<unsigned char>(c); }

const std::string kSpace = byte_level::encode(" ");  // "Ġ"

}  // namespace

TEST_CASE("bpe: merges by rank, the leftmost pair on ties", "[tokenizer][bpe]") {
    Vocabulary v;
    v.merge("h", "e");
    v.merge("l", "l");
    v.merge("he", "ll");
    v.merge("hell", "o");
    v.merge("a", "a");
    const Tokenizer tokenizer(v.data);
    const EncodeOptions plain{.add_special = false};
    CHECK(tokenizer.encode("hello", plain) == std::vector<int>{v.id("hello")});
    CHECK(tokenizer.encode("help", plain) == std::vector<int>{v.id("he"), byte_id('l'), byte_id('p')});
    CHECK(tokenizer.encode("aaa", plain) == std::vector<int>{v.id("aa"), byte_id('a')});
    CHECK(tokenizer.decode(tokenizer.encode("hello aaa", plain)) == "hello aaa");
}

TEST_CASE("bpe: merges never cross the pre-tokenizer's words", "[tokenizer][bpe]") {
    Vocabulary v;
    v.merge(kSpace, "a");   // " a"
    v.merge("a", kSpace);   // "a ": spans a word boundary, never used
    const Tokenizer tokenizer(v.data);
    CHECK(tokenizer.encode("a a", {.add_special = false}) == std::vector<int>{byte_id('a'), v.id(kSpace + "a")});
}

TEST_CASE("bpe: Llama 3 takes a word that is a token whole (ignore_merges)", "[tokenizer][bpe]") {
    for (const std::string pre : {"llama-bpe", "qwen2"}) {
        Vocabulary v(pre);
        const int whole = v.add("xyz");  // no merge leads to it
        const Tokenizer tokenizer(v.data);
        const auto ids = tokenizer.encode("xyz", {.add_special = false});
        if (pre == "llama-bpe") {
            CHECK(ids == std::vector<int>{whole});
        } else {
            CHECK(ids == std::vector<int>{byte_id('x'), byte_id('y'), byte_id('z')});
        }
    }
}

TEST_CASE("bpe: any bytes round-trip, invalid UTF-8 included", "[tokenizer][bpe]") {
    const Tokenizer tokenizer(Vocabulary().data);
    for (const std::string& text : {std::string("\xFF\xFE"), std::string("caf\xC3"), std::string("\0x\0", 3),
                                   std::string("\xE4\xBD\xA0\xE5\xA5\xBD \xF0\x9F\x98\x80\n\t")}) {
        CHECK(tokenizer.decode(tokenizer.encode(text, {.add_special = false})) == text);
    }
}

TEST_CASE("bpe: control tokens only with special parsing; user-defined tokens always", "[tokenizer][bpe]") {
    Vocabulary v;
    const int eot = v.add("<|eot|>", TokenType::Control);
    const int tool = v.add("<tool>", TokenType::UserDefined);
    const Tokenizer tokenizer(v.data);
    const std::string text = "a<|eot|>b<tool>";
    const auto plain = tokenizer.encode(text, {.add_special = false, .parse_special = false});
    const auto special = tokenizer.encode(text, {.add_special = false, .parse_special = true});
    CHECK(std::find(plain.begin(), plain.end(), eot) == plain.end());
    CHECK(plain.back() == tool);
    CHECK(special == std::vector<int>{byte_id('a'), eot, byte_id('b'), tool});
    // Decoding: control tokens print nothing unless asked; user-defined print their text.
    CHECK(tokenizer.decode(special) == "ab<tool>");
    CHECK(tokenizer.decode(special, /*render_special=*/true) == text);
    CHECK(tokenizer.decode(plain) == text);
}

TEST_CASE("bpe: text in segments is one text, each segment parsed its own way", "[tokenizer][bpe]") {
    Vocabulary v;
    v.merge("a", "b");
    const int start = v.add("<|start|>", TokenType::Control);
    const Tokenizer tokenizer(v.data);
    const std::vector<TextSegment> segments{{"<|start|>a", true}, {"b<|start|>", false}};
    const auto ids = tokenizer.encode(segments, /*add_special=*/false);
    // "a" + "b" join into one word across the segments; the second <|start|> is text.
    REQUIRE(ids.size() >= 2);
    CHECK(ids[0] == start);
    CHECK(ids[1] == v.id("ab"));
    CHECK(std::count(ids.begin(), ids.end(), start) == 1);
}

TEST_CASE("bpe: BOS/EOS as the vocabulary asks, and the end-of-generation tokens", "[tokenizer][bpe]") {
    Vocabulary v;
    v.data.bos_id = v.add("<|bos|>", TokenType::Control);
    v.data.eos_id = v.add("<|eos|>", TokenType::Control);
    const int im_end = v.add("<|im_end|>", TokenType::Control);
    v.data.add_bos = true;
    v.data.add_eos = true;
    const Tokenizer tokenizer(v.data);
    CHECK(tokenizer.encode("x") == std::vector<int>{v.data.bos_id, byte_id('x'), v.data.eos_id});
    CHECK(tokenizer.encode("x", {.add_special = false}) == std::vector<int>{byte_id('x')});
    CHECK(tokenizer.is_end_of_generation(v.data.eos_id));
    CHECK(tokenizer.is_end_of_generation(im_end));
    CHECK_FALSE(tokenizer.is_end_of_generation(v.data.bos_id));

    Vocabulary no_bos;
    no_bos.data.add_bos = true;
    CHECK_THROWS_WITH(Tokenizer(no_bos.data).encode("x"), Catch::Contains("no BOS token"));
}

TEST_CASE("bpe: a vocabulary that cannot encode every byte, or bad merges, is refused", "[tokenizer][bpe]") {
    {
        Vocabulary v("tekken");
        CHECK_THROWS_WITH(Tokenizer(v.data), Catch::Contains("unknown pre-tokenizer 'tekken'"));
    }
    {
        Vocabulary v;
        v.data.merges.push_back("h zz");
        CHECK_THROWS_WITH(Tokenizer(v.data), Catch::Contains("merges[0] 'h zz' names 'zz', which is not in the vocabulary"));
    }
    {
        Vocabulary v;
        v.data.merges.push_back("h e");  // "he" is no token
        CHECK_THROWS_WITH(Tokenizer(v.data), Catch::Contains("makes 'he'"));
    }
    {
        Vocabulary v;
        v.data.merges.push_back("he");
        CHECK_THROWS_WITH(Tokenizer(v.data), Catch::Contains("not two tokens separated by a space"));
    }
    {
        Vocabulary v;
        v.data.pieces[10] = "not a byte";
        CHECK_THROWS_WITH(Tokenizer(v.data), Catch::Contains("no token for byte 0x0A"));
    }
    {
        Vocabulary v;
        v.data.eos_id = 100000;
        CHECK_THROWS_WITH(Tokenizer(v.data), Catch::Contains("eos_id 100000 outside the vocabulary"));
    }
}

}  // namespace lpu::model
