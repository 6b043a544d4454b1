#include "runtime/model/vocabulary_file.hpp"

#include <cstring>

#include "base/error.hpp"
#include "base/mapped_file.hpp"
#include "runtime/model/gguf_vocabulary.hpp"

namespace lpu::model {

TokenizerData vocabulary_of(const ModelFile& file, const std::string& model_path, const std::string& tokenizer_path) {
    if (!tokenizer_path.empty()) return read_llama2c_tokenizer(tokenizer_path, file.config().vocab_size);
    auto data = file.tokenizer();
    require(data.has_value(),
            "'" + model_path + "' holds no tokenizer: pass --tokenizer FILE (llama2.c tokenizer.bin)");
    return std::move(*data);
}

Tokenizer make_tokenizer(TokenizerData data, const std::string& source) {
    try {
        return Tokenizer(std::move(data));
    } catch (const Error& e) {
        throw Error("vocabulary of '" + source + "': " + e.what());
    }
}

Tokenizer load_tokenizer(const std::string& model_path, const std::string& tokenizer_path) {
    if (!tokenizer_path.empty()) {
        const auto file = open_model(model_path);
        return make_tokenizer(vocabulary_of(*file, model_path, tokenizer_path), tokenizer_path);
    }
    MappedFile mapped(model_path);
    const bool is_gguf = mapped.size_bytes() >= 4 && std::memcmp(mapped.data(), "GGUF", 4) == 0;
    require(is_gguf, "'" + model_path +
                         "' is not a GGUF file: a llama2.c checkpoint needs --tokenizer FILE (its tokenizer.bin)");
    const GgufFile file(std::move(mapped));
    auto data = read_gguf_vocabulary(file);
    require(data.has_value(), "GGUF '" + model_path + "' holds no tokenizer (no tokenizer.ggml.* keys)");
    return make_tokenizer(std::move(*data), model_path);
}

}  // namespace lpu::model
