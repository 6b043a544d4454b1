#pragma once
// Opening a model file of either supported format.
#include <memory>
#include <optional>
#include <string>

#include "runtime/model/model_config.hpp"
#include "runtime/model/model_weights.hpp"
#include "runtime/model/tokenizer_data.hpp"

namespace lpu::model {

// A model file opened and validated: its config, views of its tensors (valid as
// long as this object lives: it owns the memory mapping) and its vocabulary.
class ModelFile {
public:
    virtual ~ModelFile() = default;
    virtual const ModelConfig& config() const = 0;
    virtual const ModelWeights& weights() const = 0;
    // The vocabulary stored in the file, if any (GGUF has one; llama2.c does not).
    virtual std::optional<TokenizerData> tokenizer() const = 0;
    virtual std::string format() const = 0;  // "gguf" or "llama2c"
};

// Opens `path`, choosing the format by its magic bytes ("GGUF" or else llama2.c).
// Every count, offset and size is checked against the file; throws lpu::Error
// naming the first bad field.
std::unique_ptr<ModelFile> open_model(const std::string& path);

// Reads a llama2.c tokenizer.bin for a vocabulary of `vocab_size` tokens.
TokenizerData read_llama2c_tokenizer(const std::string& path, int vocab_size);

}  // namespace lpu::model
