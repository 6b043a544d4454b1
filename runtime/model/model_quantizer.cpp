#include "runtime/model/model_quantizer.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "runtime/kernels/quantize.hpp"
#include "runtime/kernels/thread_pool.hpp"
#include "runtime/model/gguf_reader.hpp"
#include "runtime/model/gguf_writer.hpp"

namespace lpu::model {
namespace {

using kernels::DType;

// GGML's quantisation format version, which llama.cpp writes beside file_type.
constexpr std::uint32_t kQuantizationVersion = 2;
// Rows quantised per batch: bounds the memory a large matrix takes while it is written.
constexpr std::int64_t kRowsPerBatch = 256;

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// A weight matrix: 2-D (further dims 1), or a mixture of experts' stacked
// matrices (3-D *_exps), named *.weight, not a norm, not a router (llama.cpp
// keeps ffn_gate_inp as it is: routing is sensitive to it, and it is small).
bool is_matrix(const GgufTensor& tensor) {
    std::size_t dims = tensor.dims.size();
    while (dims > 1 && tensor.dims[dims - 1] == 1) --dims;
    const bool shaped = dims == 2 || (dims == 3 && ends_with(tensor.name, "_exps.weight"));
    return shaped && ends_with(tensor.name, ".weight") && !ends_with(tensor.name, "_norm.weight") &&
           !ends_with(tensor.name, ".ffn_gate_inp.weight");
}

// The layer of a "blk.N." tensor, or -1.
int layer_of(const std::string& name) {
    constexpr std::string_view kPrefix = "blk.";
    if (name.rfind(kPrefix, 0) != 0) return -1;
    int layer = 0;
    std::size_t i = kPrefix.size();
    if (i >= name.size() || name[i] < '0' || name[i] > '9') return -1;
    for (; i < name.size() && name[i] >= '0' && name[i] <= '9' && layer < 1'000'000; ++i) layer = layer * 10 + (name[i] - '0');
    return i < name.size() && name[i] == '.' ? layer : -1;
}

// The role of a Llama-family matrix by its GGUF name; other matrices are
// treated like attn_q (the recipe's base type).
WeightTensor role_of(const std::string& name) {
    if (name == "token_embd.weight") return WeightTensor::token_embedding;
    if (name == "output.weight") return WeightTensor::output;
    const std::pair<std::string_view, WeightTensor> suffixes[] = {
        {".attn_k.weight", WeightTensor::wk},       {".attn_v.weight", WeightTensor::wv},
        {".attn_output.weight", WeightTensor::wo},  {".ffn_gate.weight", WeightTensor::w_gate},
        {".ffn_up.weight", WeightTensor::w_up},     {".ffn_down.weight", WeightTensor::w_down},
        {".ffn_gate_exps.weight", WeightTensor::w_gate}, {".ffn_up_exps.weight", WeightTensor::w_up},
        {".ffn_down_exps.weight", WeightTensor::w_down},
    };
    for (const auto& [suffix, role] : suffixes) {
        if (ends_with(name, suffix)) return role;
    }
    return WeightTensor::wq;
}

struct Plan {
    const GgufTensor* tensor;
    DType target;
};

std::vector<Plan> plan_tensors(const GgufFile& file, const QuantizeOptions& options) {
    int n_layers = 0;
    for (const auto& tensor : file.tensors()) n_layers = std::max(n_layers, layer_of(tensor.name) + 1);
    const bool tied_output = file.find_tensor("output.weight") == nullptr;
    std::vector<Plan> plans;
    for (const auto& tensor : file.tensors()) {
        if (!is_matrix(tensor)) {
            plans.push_back({&tensor, tensor.dtype});
            continue;
        }
        const DType target = recipe_type(options.recipe, role_of(tensor.name), layer_of(tensor.name), n_layers,
                                         tied_output, tensor.dims[0]);
        if (target != tensor.dtype && kernels::is_block_quantized(tensor.dtype) && !options.allow_requantize) {
            throw file.error("tensor '" + tensor.name + "' is already " + kernels::dtype_name(tensor.dtype) +
                             "; quantising it again to " + kernels::dtype_name(target) +
                             " compounds two roundings (quantise the F32/F16/BF16 model, or pass --allow-requantize)");
        }
        plans.push_back({&tensor, target});
    }
    return plans;
}

// Streams `tensor` converted to `target`, kRowsPerBatch rows at a time, the
// rows of a batch spread over the thread pool.
void write_converted(const GgufTensor& tensor, DType target, TensorSink& sink) {
    const std::int64_t row_length = tensor.dims[0];
    const std::int64_t rows = tensor.elements() / row_length;
    const std::size_t in_row_bytes = kernels::dtype_bytes(tensor.dtype, static_cast<std::size_t>(row_length));
    const std::size_t out_row_bytes = kernels::dtype_bytes(target, static_cast<std::size_t>(row_length));
    std::vector<std::byte> batch(out_row_bytes * static_cast<std::size_t>(std::min(rows, kRowsPerBatch)));
    kernels::ThreadPool& pool = kernels::default_thread_pool();
    for (std::int64_t first = 0; first < rows; first += kRowsPerBatch) {
        const std::int64_t count = std::min(kRowsPerBatch, rows - first);
        pool.parallel_for(count, [&](std::int64_t begin, std::int64_t end) {
            std::vector<float> values(static_cast<std::size_t>(row_length));
            for (std::int64_t r = begin; r < end; ++r) {
                const std::byte* source = tensor.data + static_cast<std::size_t>(first + r) * in_row_bytes;
                kernels::dequantize_values(tensor.dtype, source, row_length, values.data());
                try {
                    kernels::quantize_row(target, values.data(), row_length, batch.data() + static_cast<std::size_t>(r) * out_row_bytes);
                } catch (const Error& e) {
                    throw Error("tensor '" + tensor.name + "' row " + std::to_string(first + r) + ": " + e.what());
                }
            }
        });
        sink.write(batch.data(), out_row_bytes * static_cast<std::size_t>(count));
    }
}

void copy_metadata(const GgufFile& file, const QuantizeRecipe& recipe, GgufWriter& writer) {
    for (const auto& key : file.keys()) {
        // The writer aligns to GGUF's default; the file type and version are the new file's.
        if (key == "general.alignment" || key == "general.file_type" || key == "general.quantization_version") continue;
        writer.set_copy(key, *file.find(key));
    }
    writer.set_u32("general.file_type", recipe.file_type);
    writer.set_u32("general.quantization_version", kQuantizationVersion);
}

}  // namespace

QuantizeSummary quantize_model_file(const std::string& input_path, const std::string& output_path,
                                    const QuantizeOptions& options, const QuantizeProgress& progress) {
    std::error_code error;
    require(!std::filesystem::equivalent(input_path, output_path, error),
            "the output '" + output_path + "' is the input file; write the quantised model to another path");
    const GgufFile file(input_path);
    const std::vector<Plan> plans = plan_tensors(file, options);

    GgufWriter writer;
    copy_metadata(file, options.recipe, writer);
    QuantizeSummary summary;
    std::size_t done = 0;
    for (const Plan& plan : plans) {
        const GgufTensor& tensor = *plan.tensor;
        const DType target = plan.target;
        writer.add_tensor(tensor.name, target, tensor.dims, [&, target](TensorSink& sink) {
            if (target == tensor.dtype) {
                sink.write(tensor.data, tensor.size_bytes);
            } else {
                write_converted(tensor, target, sink);
            }
            if (progress) progress(++done, plans.size(), tensor.name);
        });
        if (is_matrix(tensor)) {
            ++summary.matrices_by_type[target];
            summary.weights += tensor.elements();
            summary.weight_bytes += kernels::dtype_bytes(target, static_cast<std::size_t>(tensor.elements()));
        }
    }
    summary.input_bytes = std::filesystem::file_size(input_path);
    summary.output_bytes = writer.write(output_path);
    return summary;
}

}  // namespace lpu::model
