#pragma once
// Andrej Karpathy's llama2.c "version 0" checkpoints (run.c's format).
//
// Layout, all little-endian: 7 int32 (dim, hidden_dim, n_layers, n_heads,
// n_kv_heads, vocab_size, seq_len), then F32 arrays: token_embedding [vocab x dim],
// rms_att [L x dim], wq [L x dim x dim], wk, wv [L x kv_dim x dim], wo [L x dim x dim],
// rms_ffn [L x dim], w1 [L x hidden x dim], w2 [L x dim x hidden], w3 [L x hidden x dim],
// rms_final [dim], freq_cis_real and freq_cis_imag [seq_len x head_size/2] each
// (unused: RoPE is computed), and, only when vocab_size is negative, a separate
// classifier wcls [|vocab| x dim]; otherwise the output reuses the embedding.
//
// Size rule: the file must be exactly as long as the header implies. run.c
// itself never checks; we refuse a shorter file (truncated) and a longer one,
// because extra bytes mean the header does not describe the file (a wrong
// header, a newer export version, or another format).
#include <memory>

#include "base/mapped_file.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::model {

// Throws lpu::Error naming the header field or the size mismatch.
std::unique_ptr<ModelFile> open_llama2c_model(MappedFile file);

}  // namespace lpu::model
