// open_model (declared in model_file.hpp): picks the reader by the file's magic.
#include <cstring>
#include <utility>

#include "base/log.hpp"
#include "base/mapped_file.hpp"
#include "runtime/model/gguf_model.hpp"
#include "runtime/model/llama2c_model.hpp"
#include "runtime/model/model_file.hpp"

namespace lpu::model {

std::unique_ptr<ModelFile> open_model(const std::string& path) {
    MappedFile file(path);
    // llama2.c version 0 files have no magic: anything not "GGUF" is tried as one,
    // and its exact-size rule rejects what is not.
    const bool is_gguf = file.size_bytes() >= 4 && std::memcmp(file.data(), "GGUF", 4) == 0;
    auto model = is_gguf ? open_gguf_model(GgufFile(std::move(file))) : open_llama2c_model(std::move(file));
    const auto& c = model->config();
    log::get("model")->debug("opened {} ({}): dim {}, hidden {}, {} layers, {}/{} heads, vocab {}, {} weights", path,
                             model->format(), c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads, c.vocab_size,
                             kernels::dtype_name(c.weight_dtype));
    return model;
}

}  // namespace lpu::model
