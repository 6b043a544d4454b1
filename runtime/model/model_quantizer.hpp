#pragma once
// Rewrites a GGUF model with its weight matrices quantised by a recipe
// (quantize_recipe.hpp): what `lpu model quantize` does. Metadata is copied as
// it is stored (the tokenizer, the architecture's keys), except general.file_type
// and general.quantization_version, which describe the new file; vectors (norms)
// and matrices already of their target type are copied byte for byte. The result
// is deterministic: rows are quantised independently, so the thread count
// (LPU_THREADS) changes the speed, never a byte.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "runtime/kernels/dtype.hpp"
#include "runtime/model/quantize_recipe.hpp"

namespace lpu::model {

struct QuantizeOptions {
    QuantizeRecipe recipe;
    // Quantise matrices that are already block-quantised (to another type). Off
    // by default, as in llama-quantize: it compounds two roundings.
    bool allow_requantize = false;
};

struct QuantizeSummary {
    std::uint64_t input_bytes = 0;
    std::uint64_t output_bytes = 0;
    std::int64_t weights = 0;                     // values of the matrices of the output
    std::uint64_t weight_bytes = 0;               // their bytes
    std::map<kernels::DType, int> matrices_by_type;  // matrices of the output, by type
};

// Called after each tensor with (tensors done, tensor count, name of the last one).
using QuantizeProgress = std::function<void(std::size_t, std::size_t, const std::string&)>;

// Throws lpu::Error for an unreadable or invalid input (naming the field), a
// matrix already quantised to another type without allow_requantize (naming
// it), an output path that is the input, or an output that cannot be written.
QuantizeSummary quantize_model_file(const std::string& input_path, const std::string& output_path,
                                    const QuantizeOptions& options, const QuantizeProgress& progress = {});

}  // namespace lpu::model
