// `lpu model tokenize`, `detokenize` and `import-tokenizer`: the flags; the
// work is runtime/model/token_lists.hpp's and tokenizer_import.hpp's.
#include "cli/model_tokenize_command.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "runtime/model/token_lists.hpp"
#include "runtime/model/tokenizer_import.hpp"
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

// ---- tokenize

struct TokenizeOptions {
    VocabularySource source;
    std::string text;
    std::string file;
    bool no_bos = false;
    bool special = false;
    bool json = false;
};

void tokenize(const TokenizeOptions& options, bool text_given) {
    const model::Tokenizer tokenizer = model::load_tokenizer(options.source.model_path, options.source.tokenizer_path);
    const std::vector<std::string> strings =
        text_given ? std::vector<std::string>{options.text} : model::read_string_list(options.file);
    const std::string report = model::tokenize_report(tokenizer, strings, {!options.no_bos, options.special}, options.json);
    std::fwrite(report.data(), 1, report.size(), stdout);
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

void detokenize(const DetokenizeOptions& options, bool ids_given) {
    const model::Tokenizer tokenizer = model::load_tokenizer(options.source.model_path, options.source.tokenizer_path);
    const std::vector<std::vector<int>> sequences =
        ids_given ? std::vector<std::vector<int>>{model::parse_token_ids(options.ids, "--ids")}
                  : model::read_token_sequences(options.file);
    const std::string report = model::detokenize_report(tokenizer, sequences, options.special, options.json);
    std::fwrite(report.data(), 1, report.size(), stdout);
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

void write_imported_tokenizer(const model::TokenizerImport& request) {
    const model::ImportedTokenizer imported = model::import_tokenizer(request);
    std::fprintf(stderr, "lpu model import-tokenizer: %s\n", model::import_summary(imported, request.output_path).c_str());
    const std::string note = model::import_normalizer_note(imported);
    if (!note.empty()) std::fprintf(stderr, "lpu model import-tokenizer: %s\n", note.c_str());
}

void add_import(CLI::App& model_app) {
    auto options = std::make_shared<model::TokenizerImport>();
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
    app->callback([options] { write_imported_tokenizer(*options); });
}

}  // namespace

void add_model_tokenize_commands(CLI::App& model_app) {
    add_tokenize(model_app);
    add_detokenize(model_app);
    add_import(model_app);
}

}  // namespace lpu::cli
