#pragma once
// Where a model's vocabulary comes from: the tokenizer.* keys of a GGUF file
// (a whole model or a vocab-only file), or, for a llama2.c checkpoint, the
// tokenizer.bin given beside it.
#include <string>

#include "runtime/model/model_file.hpp"
#include "runtime/model/tokenizer.hpp"

namespace lpu::model {

// The vocabulary of an open model: `tokenizer_path` (llama2.c tokenizer.bin)
// when given, else the one inside the file. Throws lpu::Error when there is none.
TokenizerData vocabulary_of(const ModelFile& file, const std::string& model_path, const std::string& tokenizer_path);

// The tokenizer of the file at `model_path` without loading its weights: any
// GGUF file with tokenizer keys (vocab-only files too), or a llama2.c
// checkpoint together with `tokenizer_path`. Errors name the file.
Tokenizer load_tokenizer(const std::string& model_path, const std::string& tokenizer_path = "");

// Builds the tokenizer of `data`, naming `source` in any error.
Tokenizer make_tokenizer(TokenizerData data, const std::string& source);

}  // namespace lpu::model
