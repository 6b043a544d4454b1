#pragma once
// The SentencePiece vocabulary a GGUF file stores under tokenizer.ggml.*.
#include <optional>

#include "runtime/model/gguf_reader.hpp"
#include "runtime/model/tokenizer_data.hpp"

namespace lpu::model {

// nullopt when the file has no tokenizer keys. Throws lpu::Error when it has one
// that is not "llama" (SentencePiece), or whose arrays disagree in length, or
// whose BOS/EOS ids or token types are out of range. Defaults: scores 0, BOS 1,
// EOS 2, add_bos_token true, add_space_prefix true.
std::optional<TokenizerData> read_gguf_vocabulary(const GgufFile& file);

}  // namespace lpu::model
