// read_llama2c_tokenizer (declared in model_file.hpp): llama2.c's tokenizer.bin
// is an int32 max_token_length, then per token an f32 score, an int32 length and
// that many bytes. Pieces keep their bytes as stored (spaces are plain ' ').
#include <string>

#include "base/error.hpp"
#include "base/mapped_file.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::model {
namespace {

// llama2.c's longest pieces are a few dozen bytes; anything near this is corrupt.
constexpr std::int32_t kMaxTokenLengthBytes = 1 << 16;
constexpr std::uint64_t kMinTokenBytes = 4 + 4;  // score, length

}  // namespace

TokenizerData read_llama2c_tokenizer(const std::string& path, int vocab_size) {
    const std::string context = "llama2.c tokenizer '" + path + "'";
    require(vocab_size > 0, context + ": vocab_size " + std::to_string(vocab_size) + " must be positive");
    const MappedFile file(path);
    ByteReader reader(file.bytes(), context);
    const std::int32_t max_token_length = reader.i32("max_token_length");
    if (max_token_length <= 0 || max_token_length > kMaxTokenLengthBytes) {
        reader.fail(0, "max_token_length " + std::to_string(max_token_length) + " must be 1 to " +
                           std::to_string(kMaxTokenLengthBytes));
    }
    if (static_cast<std::uint64_t>(vocab_size) > reader.remaining_bytes() / kMinTokenBytes) {
        throw Error(context + ": cannot hold " + std::to_string(vocab_size) + " tokens in its " +
                    std::to_string(file.size_bytes()) + " bytes (does it belong to this model?)");
    }
    TokenizerData data;
    data.pieces.reserve(static_cast<std::size_t>(vocab_size));
    data.scores.reserve(static_cast<std::size_t>(vocab_size));
    for (int i = 0; i < vocab_size; ++i) {
        data.scores.push_back(reader.f32(FieldName("token", i, "score")));
        const std::size_t length_offset = reader.offset();
        const std::int32_t length = reader.i32(FieldName("token", i, "length"));
        if (length < 0 || length > max_token_length) {
            reader.fail(length_offset, "token[" + std::to_string(i) + "] length " + std::to_string(length) +
                                           " is outside 0 to max_token_length " + std::to_string(max_token_length));
        }
        data.pieces.emplace_back(reader.chars(static_cast<std::uint64_t>(length), FieldName("token", i, "bytes")));
    }
    if (reader.remaining_bytes() != 0) {
        reader.fail(reader.offset(),
                    std::to_string(reader.remaining_bytes()) + " bytes follow token " + std::to_string(vocab_size - 1) +
                        ": the tokenizer has more tokens than the model's vocab_size " + std::to_string(vocab_size));
    }
    return data;
}

}  // namespace lpu::model
