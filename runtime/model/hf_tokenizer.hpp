#pragma once
// Reading a Hugging Face tokenizer (tokenizer.json, and tokenizer_config.json
// beside it) into the vocabulary a GGUF file holds, the way llama.cpp's
// converter (convert_hf_to_gguf.py) writes it: byte-level BPE only (Llama 3,
// Qwen2, GPT-2 ...). Token types: added tokens that are special, or look it
// (<|...|>), are control tokens, other added tokens user-defined, ids with no
// token "[PADn]" unused. The pre-tokenizer is recognised by its split regex;
// BOS/EOS, add_bos/add_eos and the chat template come from tokenizer_config.json.
#include <optional>
#include <string>

#include "runtime/model/tokenizer_data.hpp"

namespace lpu::model {

struct HfTokenizerFiles {
    std::string tokenizer_json;    // required
    std::string tokenizer_config;  // optional: special tokens, add_bos/add_eos, chat template
    std::string pre_tokenizer;     // overrides the recognised one (a tokenizer.ggml.pre name)
};

struct HfTokenizer {
    TokenizerData data;
    std::string architecture;      // the GGUF architecture its family uses: "llama" or "qwen2"
    std::string normalizer;        // the tokenizer.json normalizer GGUF cannot express ("NFC"), or empty
};

// Throws lpu::Error naming the file and field: not byte-level BPE, an
// unrecognised pre-tokenizer regex, a special token that is not in the vocabulary.
HfTokenizer read_hf_tokenizer(const HfTokenizerFiles& files);

}  // namespace lpu::model
