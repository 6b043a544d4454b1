#include "cli/model_tokenize_command.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/json_text.hpp"
#include "base/utf8.hpp"
#include "runtime/model/gguf_vocabulary.hpp"
#include "runtime/model/hf_tokenizer.hpp"
#include "runtime/model/vocabulary_file.hpp"

namespace lpu::cli {
namespace {

struct VocabularySource {
    std::string model_path;
    std::string tokenizer_path;  // llama2.c tokenizer.bin beside a checkpoint
};

void add_vocabulary_options(CLI::App& app, VocabularySource& source) {
    app.add_option("-m,--model", source.model_path, "GGUF file (a whole model or vocab-only), or a llama2.c checkpoint")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("--tokenizer", source.tokenizer_path, "llama2.c tokenizer.bin (for a llama2.c checkpoint)")
        ->check(CLI::ExistingFile);
}

nlohmann::json read_json_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    require(in.good(), "cannot read '" + path + "'");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error("'" + path + "' is not valid JSON: " + e.what());
    }
}

// ---- tokenize

struct TokenizeOptions {
    VocabularySource source;
    std::string text;
    std::string file;
    bool no_bos = false;
    bool special = false;
    bool json = false;
};

std::vector<std::string> strings_of(const TokenizeOptions& options, bool text_given) {
    if (text_given) return {options.text};
    const nlohmann::json strings = read_json_file(options.file);
    require(strings.is_array(), "'" + options.file + "' must hold a JSON array of strings");
    std::vector<std::string> result;
    for (std::size_t i = 0; i < strings.size(); ++i) {
        require(strings[i].is_string(), "'" + options.file + "': element " + std::to_string(i) + " is not a string");
        result.push_back(strings[i].get<std::string>());
    }
    return result;
}

void tokenize(const TokenizeOptions& options, bool text_given) {
    const model::Tokenizer tokenizer = model::load_tokenizer(options.source.model_path, options.source.tokenizer_path);
    const model::EncodeOptions encode{!options.no_bos, options.special};
    nlohmann::json all = nlohmann::json::array();
    for (const std::string& text : strings_of(options, text_given)) {
        const std::vector<int> ids = tokenizer.encode(text, encode);
        if (options.json) {
            all.push_back(ids);
            continue;
        }
        std::string line;
        for (const int id : ids) line.append(line.empty() ? "" : " ").append(std::to_string(id));
        std::printf("%s\n", line.c_str());
    }
    if (options.json) std::cout << json_text(all) << "\n";
}

void add_tokenize(CLI::App& model_app) {
    auto options = std::make_shared<TokenizeOptions>();
    auto* app = model_app.add_subcommand("tokenize", "Token ids of text, with the model's own tokenizer");
    add_vocabulary_options(*app, options->source);
    auto* text = app->add_option("-t,--text", options->text, "The text to tokenize");
    auto* file = app->add_option("-f,--file", options->file, "A JSON array of strings, each tokenized")
                     ->check(CLI::ExistingFile);
    text->excludes(file);
    app->add_flag("--no-bos", options->no_bos, "Add no BOS/EOS, even where the vocabulary asks for them");
    app->add_flag("--special", options->special,
                  "Parse the text of control tokens (<|eot_id|>, <s> ...) as those tokens, as a chat template "
                  "needs; without it they are plain text (llama.cpp's default for user text)");
    app->add_flag("--json", options->json, "Print a JSON array with one array of ids per string");
    app->footer(
        "Prints one line of ids per string. BOS (and EOS) are added as the vocabulary says (add_bos_token,\n"
        "add_eos_token). User-defined tokens (e.g. Qwen's <think>) are always recognised.\n"
        "Examples:\n"
        "  lpu model tokenize --model ../shared/models/stories260K.gguf --text \"Once upon a time\"\n"
        "  lpu model tokenize --model llama3-vocab.gguf --file strings.json --json\n"
        "  lpu model tokenize --model qwen-vocab.gguf --special --text \"<|im_start|>user\"");
    app->callback([options, text] {
        require(text->count() > 0 || !options->file.empty(), "give --text or --file");
        tokenize(*options, text->count() > 0);
    });
}

// ---- detokenize

struct DetokenizeOptions {
    VocabularySource source;
    std::string ids;
    std::string file;
    bool special = false;
    bool json = false;
};

std::vector<int> parse_ids(const std::string& text) {
    std::vector<int> ids;
    std::string number;
    const auto flush = [&] {
        if (number.empty()) return;
        std::size_t used = 0;
        long long value = -1;
        try {
            value = std::stoll(number, &used);
        } catch (const std::exception&) {
        }
        require(used == number.size() && value >= 0 && value <= INT32_MAX, "--ids: '" + number + "' is not a token id");
        ids.push_back(static_cast<int>(value));
        number.clear();
    };
    for (const char c : text) {
        if (c == ',' || c == ' ' || c == '\t' || c == '\n') {
            flush();
        } else {
            number.push_back(c);
        }
    }
    flush();
    return ids;
}

std::vector<int> ids_of(const nlohmann::json& array, const std::string& where) {
    std::vector<int> ids;
    for (std::size_t i = 0; i < array.size(); ++i) {
        const auto& id = array[i];
        require(id.is_number_integer() && id.get<std::int64_t>() >= 0 && id.get<std::int64_t>() <= INT32_MAX,
                where + "[" + std::to_string(i) + "] is not a token id");
        ids.push_back(static_cast<int>(id.get<std::int64_t>()));
    }
    return ids;
}

// --file: an array of arrays of ids (what tokenize --json prints), or one array.
std::vector<std::vector<int>> sequences_of(const DetokenizeOptions& options, bool ids_given) {
    if (ids_given) return {parse_ids(options.ids)};
    const nlohmann::json json = read_json_file(options.file);
    const std::string where = "'" + options.file + "'";
    require(json.is_array(), where + " must hold a JSON array of token ids, or an array of such arrays");
    if (json.empty() || !json.front().is_array()) return {ids_of(json, where)};
    std::vector<std::vector<int>> sequences;
    for (std::size_t i = 0; i < json.size(); ++i) {
        require(json[i].is_array(), where + ": element " + std::to_string(i) + " is not an array of ids");
        sequences.push_back(ids_of(json[i], where + "[" + std::to_string(i) + "]"));
    }
    return sequences;
}

void detokenize(const DetokenizeOptions& options, bool ids_given) {
    const model::Tokenizer tokenizer = model::load_tokenizer(options.source.model_path, options.source.tokenizer_path);
    nlohmann::json all = nlohmann::json::array();
    for (const auto& ids : sequences_of(options, ids_given)) {
        const std::string text = tokenizer.decode(ids, options.special);
        if (options.json) {
            const ValidUtf8 valid = valid_utf8(text);
            all.push_back({{"text", valid.text}, {"text_replaced_invalid_utf8", valid.replaced}});
            continue;
        }
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fputc('\n', stdout);
    }
    if (options.json) std::cout << json_text(all) << "\n";
}

void add_detokenize(CLI::App& model_app) {
    auto options = std::make_shared<DetokenizeOptions>();
    auto* app = model_app.add_subcommand("detokenize", "Text of token ids, with the model's own tokenizer");
    add_vocabulary_options(*app, options->source);
    auto* ids = app->add_option("-i,--ids", options->ids, "Token ids, separated by commas or spaces");
    auto* file = app->add_option("-f,--file", options->file,
                                 "A JSON array of arrays of ids (what `tokenize --json` prints), each decoded")
                     ->check(CLI::ExistingFile);
    ids->excludes(file);
    app->add_flag("--special", options->special, "Print control tokens as their text (<|eot_id|> ...); else nothing");
    app->add_flag("--json", options->json,
                  "Print a JSON array of {\"text\", \"text_replaced_invalid_utf8\"}: text that is not valid UTF-8 "
                  "(a cut multi-byte character) has U+FFFD in place of the invalid bytes, and says so");
    app->footer(
        "Prints the bytes of each sequence on a line of its own; detokenize(tokenize(s)) == s.\n"
        "Examples:\n"
        "  lpu model detokenize --model ../shared/models/stories260K.gguf --ids 1,403,407,261,378\n"
        "  lpu model detokenize --model llama3-vocab.gguf --file ids.json --json");
    app->callback([options, ids] {
        require(ids->count() > 0 || !options->file.empty(), "give --ids or --file");
        detokenize(*options, ids->count() > 0);
    });
}

// ---- import-tokenizer

struct ImportOptions {
    model::HfTokenizerFiles files;
    std::string architecture;
    std::string name;
    std::string output_path;
};

void import_tokenizer(const ImportOptions& options) {
    const model::HfTokenizer imported = model::read_hf_tokenizer(options.files);
    // The tokenizer must work before it is written: merges and bytes are checked here.
    model::make_tokenizer(imported.data, options.files.tokenizer_json);
    const std::string architecture = options.architecture.empty() ? imported.architecture : options.architecture;
    const std::string name = options.name.empty() ? "vocabulary" : options.name;
    const std::uint64_t bytes = model::write_vocab_only_gguf(imported.data, architecture, name, options.output_path);
    const auto& data = imported.data;
    std::fprintf(stderr,
                 "lpu model import-tokenizer: wrote %s (%llu bytes): %s vocabulary, %zu tokens, %zu merges, "
                 "pre-tokenizer %s, bos %d, eos %d, add_bos %s, add_eos %s, chat template %s\n",
                 options.output_path.c_str(), static_cast<unsigned long long>(bytes), architecture.c_str(),
                 data.pieces.size(), data.merges.size(), data.pre_tokenizer.c_str(), data.bos_id, data.eos_id,
                 data.add_bos ? "yes" : "no", data.add_eos ? "yes" : "no", data.chat_template.empty() ? "none" : "yes");
    if (!imported.normalizer.empty()) {
        std::fprintf(stderr,
                     "lpu model import-tokenizer: note: tokenizer.json normalizes text (%s) before splitting; GGUF "
                     "vocabularies (and llama.cpp) do not, so text that is not already normalized may tokenize "
                     "differently from the Hugging Face tokenizer\n",
                     imported.normalizer.c_str());
    }
}

void add_import(CLI::App& model_app) {
    auto options = std::make_shared<ImportOptions>();
    auto* app = model_app.add_subcommand("import-tokenizer",
                                         "Write a vocab-only GGUF file from a Hugging Face tokenizer.json");
    app->add_option("--tokenizer-json", options->files.tokenizer_json, "tokenizer.json (byte-level BPE)")
        ->required()
        ->check(CLI::ExistingFile);
    app->add_option("--tokenizer-config", options->files.tokenizer_config,
                    "tokenizer_config.json: BOS/EOS, add_bos/add_eos, the chat template")
        ->check(CLI::ExistingFile);
    app->add_option("--pre", options->files.pre_tokenizer,
                    "Pre-tokenizer name when the split regex is not recognised (gpt-2, llama-bpe, qwen2)");
    app->add_option("--arch", options->architecture,
                    "general.architecture to write (default: qwen2 for the qwen2 pre-tokenizer, else llama)");
    app->add_option("--name", options->name, "general.name to write")->capture_default_str();
    app->add_option("-o,--output", options->output_path, "GGUF file to write")->required();
    app->footer(
        "Token types, special ids and the pre-tokenizer name follow llama.cpp's converter, so llama.cpp\n"
        "loads the file (vocab_only) and tokenizes as lpu does.\n"
        "Example:\n"
        "  lpu model import-tokenizer --tokenizer-json tokenizer.json --tokenizer-config tokenizer_config.json \\\n"
        "      --name llama3 -o llama3-vocab.gguf");
    app->callback([options] { import_tokenizer(*options); });
}

}  // namespace

void add_model_tokenize_commands(CLI::App& model_app) {
    add_tokenize(model_app);
    add_detokenize(model_app);
    add_import(model_app);
}

}  // namespace lpu::cli
