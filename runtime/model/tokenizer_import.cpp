#include "runtime/model/tokenizer_import.hpp"

#include "runtime/model/gguf_vocabulary.hpp"
#include "runtime/model/vocabulary_file.hpp"

namespace lpu::model {

ImportedTokenizer import_tokenizer(const TokenizerImport& request) {
    ImportedTokenizer imported;
    imported.tokenizer = read_hf_tokenizer(request.files);
    // The tokenizer must work before it is written: merges and bytes are checked here.
    make_tokenizer(imported.tokenizer.data, request.files.tokenizer_json);
    imported.architecture = request.architecture.empty() ? imported.tokenizer.architecture : request.architecture;
    const std::string name = request.name.empty() ? "vocabulary" : request.name;
    imported.bytes = write_vocab_only_gguf(imported.tokenizer.data, imported.architecture, name, request.output_path);
    return imported;
}

std::string import_summary(const ImportedTokenizer& imported, const std::string& output_path) {
    const TokenizerData& data = imported.tokenizer.data;
    const auto yes_no = [](bool value) { return value ? "yes" : "no"; };
    return "wrote " + output_path + " (" + std::to_string(imported.bytes) + " bytes): " + imported.architecture +
           " vocabulary, " + std::to_string(data.pieces.size()) + " tokens, " + std::to_string(data.merges.size()) +
           " merges, pre-tokenizer " + data.pre_tokenizer + ", bos " + std::to_string(data.bos_id) + ", eos " +
           std::to_string(data.eos_id) + ", add_bos " + yes_no(data.add_bos) + ", add_eos " + yes_no(data.add_eos) +
           ", chat template " + (data.chat_template.empty() ? "none" : "yes");
}

std::string import_normalizer_note(const ImportedTokenizer& imported) {
    const std::string& normalizer = imported.tokenizer.normalizer;
    if (normalizer.empty()) return "";
    return "note: tokenizer.json normalizes text (" + normalizer +
           ") before splitting; GGUF vocabularies (and llama.cpp) do not, so text that is not already normalized may "
           "tokenize differently from the Hugging Face tokenizer";
}

}  // namespace lpu::model
