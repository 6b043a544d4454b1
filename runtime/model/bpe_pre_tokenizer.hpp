#pragma once
// The pre-tokenizers of byte-level BPE vocabularies: they cut text into words
// before merging, so merges never cross a word boundary. Each is the regular
// expression of its model's tokenizer.json, implemented as a scan over code
// points (std::regex has no Unicode classes), with the same results as
// llama.cpp's hand-written splitters for the same names:
//   gpt-2      's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   llama-bpe  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//              ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+        (Llama 3)
//   qwen2      the same with \p{N} (one digit per word) instead of \p{N}{1,3}
// Bytes that are not valid UTF-8 stay in the text, each one a code point of
// its own of the class "other", so that any byte string round-trips.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lpu::model {

enum class PreTokenizer { Gpt2, Llama3, Qwen2 };

// By the name GGUF files give in tokenizer.ggml.pre (llama.cpp's names:
// "gpt-2"; "llama-bpe", "llama3", "llama-v3"; "qwen2", "deepseek-r1-qwen").
std::optional<PreTokenizer> pre_tokenizer_named(std::string_view name);
std::string pre_tokenizer_name(PreTokenizer kind);
// "gpt-2, llama-bpe (llama3, llama-v3), qwen2 (deepseek-r1-qwen)", for messages.
std::string known_pre_tokenizer_names();

// The words of `text`, in order, as views into it; they concatenate to `text`.
std::vector<std::string_view> split_words(std::string_view text, PreTokenizer kind);

}  // namespace lpu::model
