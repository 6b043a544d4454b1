#pragma once
// Synthetic Llama models: GGUF files of any shape with seeded pseudo-random
// weights and a byte-level BPE vocabulary, for benchmarks, compiler tests and
// demos where no real model of that shape is at hand.
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
ModelConfig synthetic_config(const SyntheticShape& shape);

// The byte-level vocabulary: 0 <unk>, 1 <s>, 2 </s>, 3..258 <0x00>..<0xFF>, then
// printable ASCII characters, then letter strings of growing length (each one a
// known piece plus a letter, so BPE merges can build them), scored so that
// earlier pieces merge first. Spaces are SentencePiece "▁". vocab_size >= 259.
TokenizerData synthetic_vocabulary(int vocab_size);

// Writes the model as GGUF v3 to `path`, streaming one row at a time. Returns the
// file size in bytes.
std::uint64_t write_synthetic_model(const SyntheticShape& shape, const std::string& path);

}  // namespace lpu::model
