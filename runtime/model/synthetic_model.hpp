#pragma once
// Synthetic Llama-family models: GGUF files of any shape with seeded
// pseudo-random weights and a vocabulary (SentencePiece-style with byte pieces,
// GPT-2-style byte-level BPE, or one copied from another file), for
// benchmarks, compiler tests and demos where no real model of that shape is at
// hand. Architectures llama (optionally with Llama 3.1's rope_freqs or linear
// RoPE scaling) and qwen2 (q/k/v biases, RoPE on halves).
//
// The same shape and seed give the same model at every precision: values are
// generated as F32 and then converted, so F32, F16, Q8_0, Q4_K, ... files of
// one model can be compared logit by logit (a quantised synthetic file is the
// F32 one quantised with that type for every matrix). Norm weights stay F32 (as
// llama.cpp stores them); the token embedding and every matrix use the chosen dtype.
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/kernels/dtype.hpp"
#include "runtime/model/model_config.hpp"
#include "runtime/model/tokenizer_data.hpp"

namespace lpu::model {

struct SyntheticShape {
    int dim = 64;
    int n_layers = 2;
    int n_heads = 4;
    int n_kv_heads = 2;
    int hidden_dim = 192;
    int vocab_size = 512;
    int context_length = 256;
    kernels::DType dtype = kernels::DType::F32;  // any model file type (kernels::kFileDTypes)
    std::uint64_t seed = 1;
    bool tied_output = false;  // true: no output.weight, the LM head is the embedding
    Architecture architecture = Architecture::Llama;
    TokenizerModel tokenizer = TokenizerModel::SentencePiece;
    std::string vocabulary_from;   // a GGUF file whose vocabulary to copy (vocab_size becomes its size)
    bool rope_freqs = false;       // write Llama 3.1-style rope_freqs factors (llama only)
    float rope_scale_linear = 0;   // > 0: {arch}.rope.scaling.type linear with this factor
    // A mixture of experts (llama only, as llama.cpp writes Mixtral) when experts > 1:
    // each layer's feed-forward block is `experts` SwiGLU experts of width
    // hidden_dim behind a router, `experts_used` of them per token.
    int experts = 1;
    int experts_used = 1;
};

// Named shapes: "tiny" (the defaults above), "bench-110m" (a stories110M-sized
// model), "compiler-test" (GQA, 8 layers, vocab 4096). Throws lpu::Error listing
// the names for an unknown one.
SyntheticShape synthetic_preset(const std::string& name);
std::vector<std::string> synthetic_preset_names();

// The ModelConfig a synthetic model of `shape` has. Throws lpu::Error when the
// shape is invalid: ModelConfig validation, vocab_size < 259, a dtype no model
// file holds (F8_E4M3), or dim or hidden_dim not a multiple of the dtype's block
// (32 for Q8_0 and the legacy types, 256 for the K-quants).
// (vocabulary_from is not read here: vocab_size is the shape's.)
ModelConfig synthetic_config(const SyntheticShape& shape);

// The byte-level vocabulary: 0 <unk>, 1 <s>, 2 </s>, 3..258 <0x00>..<0xFF>, then
// printable ASCII characters, then letter strings of growing length (each one a
// known piece plus a letter, so BPE merges can build them), scored so that
// earlier pieces merge first. Spaces are SentencePiece "▁". vocab_size >= 259.
TokenizerData synthetic_vocabulary(int vocab_size);

// A byte-level BPE vocabulary: ids 0..255 are GPT-2's byte alphabet, then the
// control tokens <|endoftext|> (BOS and EOS), <|im_start|> and <|im_end|> (end of
// turn), then letter strings of growing length, each a known token plus one
// character, with a merge that builds it (earlier merges first). The
// pre-tokenizer is `pre_tokenizer`, the chat template ChatML's. vocab_size >= 259.
TokenizerData synthetic_bpe_vocabulary(int vocab_size, const std::string& pre_tokenizer);

// Llama 3.1's RoPE frequency divisors for head_dim / 2 pairs at `theta`:
// factor 8 for wavelengths beyond the context, 1 below a quarter of it, smooth
// in between (the rope_scaling "llama3" rule, with the context as the original one).
std::vector<float> llama3_rope_factors(int head_dim, float theta, int context_length);

// Writes the model as GGUF v3 to `path`, streaming one row at a time. Returns the
// file size in bytes.
std::uint64_t write_synthetic_model(const SyntheticShape& shape, const std::string& path);

// "wrote PATH (N bytes): llama dim 64, 2 layers, ...": the file at `path`
// (written from `shape`, `size_bytes` long) read back and described in one line.
std::string synthetic_model_summary(const SyntheticShape& shape, const std::string& path, std::uint64_t size_bytes);

}  // namespace lpu::model
