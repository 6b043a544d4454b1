#pragma once
// The vocabulary a GGUF file stores under tokenizer.*: SentencePiece
// (tokenizer.ggml.model "llama") or byte-level BPE ("gpt2", with its merges and
// pre-tokenizer), the special token ids, add_bos/add_eos and the chat template.
// A file may hold nothing but this (a vocab-only GGUF, no tensors).
#include <optional>

#include "runtime/model/gguf_reader.hpp"
#include "runtime/model/gguf_writer.hpp"
#include "runtime/model/tokenizer_data.hpp"

namespace lpu::model {

// nullopt when the file has no tokenizer keys. Throws lpu::Error naming the key
// when the model is neither "llama" nor "gpt2", the pre-tokenizer is missing or
// unknown, arrays disagree in length, or a special token id or token type is
// out of range. Defaults as llama.cpp's: SentencePiece BOS 1, EOS 2, add_bos
// true, add_space_prefix true; BPE no BOS/EOS unless named, add_bos only for
// the Llama 3 pre-tokenizer, no dummy prefix.
std::optional<TokenizerData> read_gguf_vocabulary(const GgufFile& file);

// Sets the tokenizer.* keys of `data` on `writer` (what read_gguf_vocabulary
// reads back): tokens, scores (SentencePiece), token types, merges and
// pre-tokenizer (BPE), the special ids that exist, add_bos/add_eos, the dummy
// prefix (SentencePiece) and the chat template when there is one.
void write_gguf_vocabulary(GgufWriter& writer, const TokenizerData& data);

// Writes a vocab-only GGUF file (no tensors): general.architecture and
// general.name, then the vocabulary. llama.cpp loads such files with
// vocab_only. Returns the file size in bytes.
std::uint64_t write_vocab_only_gguf(const TokenizerData& data, const std::string& architecture, const std::string& name,
                                    const std::string& path);

}  // namespace lpu::model
