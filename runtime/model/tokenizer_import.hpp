#pragma once
// `lpu model import-tokenizer`: a Hugging Face tokenizer (hf_tokenizer.hpp)
// checked by building it, then written as a vocab-only GGUF file.
#include <cstdint>
#include <string>

#include "runtime/model/hf_tokenizer.hpp"

namespace lpu::model {

struct TokenizerImport {
    HfTokenizerFiles files;
    std::string architecture;  // empty: the one the tokenizer's family uses
    std::string name;          // general.name; empty: "vocabulary"
    std::string output_path;
};

struct ImportedTokenizer {
    HfTokenizer tokenizer;
    std::string architecture;  // as written
    std::uint64_t bytes = 0;   // size of the file written
};

// Reads, checks (merges and bytes must build a tokenizer) and writes. Throws
// lpu::Error naming the file and field.
ImportedTokenizer import_tokenizer(const TokenizerImport& request);

// "wrote PATH (N bytes): llama vocabulary, 128256 tokens, ...": one line.
std::string import_summary(const ImportedTokenizer& imported, const std::string& output_path);

// The caveat when tokenizer.json normalizes text, which GGUF cannot say; empty otherwise.
std::string import_normalizer_note(const ImportedTokenizer& imported);

}  // namespace lpu::model
