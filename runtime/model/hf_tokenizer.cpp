#include "runtime/model/hf_tokenizer.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "runtime/model/bpe_pre_tokenizer.hpp"

namespace lpu::model {
namespace {

using nlohmann::json;

// The split regexes of tokenizer.json files, as the models ship them.
const std::map<std::string, std::string>& known_split_regexes() {
    static const std::map<std::string, std::string> regexes{
        {"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
         "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
         "llama-bpe"},
        {"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
         "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
         "qwen2"},
        {"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+", "gpt-2"},
    };
    return regexes;
}

json read_json(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    require(in.good(), "cannot read '" + path + "'");
    try {
        return json::parse(in);
    } catch (const json::parse_error& e) {
        throw Error("'" + path + "' is not valid JSON: " + e.what());
    }
}

// The pre-tokenizer named by a tokenizer.json: a Split by one of the known
// regexes (followed by ByteLevel without its own regex), or GPT-2's ByteLevel
// with its built-in regex.
std::string recognise_pre_tokenizer(const json& pre, const std::string& where) {
    require(pre.is_object(), where + ": pre_tokenizer is missing");
    const auto& type = pre.value("type", "");
    if (type == "ByteLevel" && pre.value("use_regex", false)) return "gpt-2";
    if (type == "Sequence" && pre.contains("pretokenizers")) {
        for (const auto& step : pre["pretokenizers"]) {
            if (step.value("type", "") != "Split" || !step.contains("pattern")) continue;
            const std::string regex = step["pattern"].value("Regex", "");
            const auto found = known_split_regexes().find(regex);
            require(found != known_split_regexes().end(),
                    where + ": pre_tokenizer splits by the regex " + regex +
                        ", which is none of the known pre-tokenizers (" + known_pre_tokenizer_names() +
                        "); name one with --pre if it is equivalent");
            return found->second;
        }
    }
    throw Error(where + ": pre_tokenizer of type '" + type + "' is not a byte-level split this reader recognises (" +
                known_pre_tokenizer_names() + "); name one with --pre");
}

// A special token in tokenizer_config.json: a string, an {"content": ...}
// object, or null.
std::optional<std::string> token_text(const json& config, const char* key) {
    if (!config.contains(key) || config[key].is_null()) return std::nullopt;
    const json& value = config[key];
    if (value.is_string()) return value.get<std::string>();
    if (value.is_object() && value.contains("content")) return value["content"].get<std::string>();
    return std::nullopt;
}

// llama.cpp's converter marks added tokens that look like control tokens as such.
bool looks_special(const std::string& text) {
    return text.size() >= 4 && text.starts_with("<|") && text.ends_with("|>");
}

// Whether a TemplateProcessing post-processor puts `token` first ("single").
std::optional<bool> template_adds(const json& post, const std::string& token, bool at_start) {
    if (!post.is_object()) return std::nullopt;
    if (post.value("type", "") == "Sequence" && post.contains("processors")) {
        for (const auto& step : post["processors"]) {
            if (auto adds = template_adds(step, token, at_start)) return adds;
        }
        return std::nullopt;
    }
    if (post.value("type", "") != "TemplateProcessing" || !post.contains("single") || post["single"].empty()) {
        return std::nullopt;
    }
    const json& item = at_start ? post["single"].front() : post["single"].back();
    return item.contains("SpecialToken") && item["SpecialToken"].value("id", "") == token;
}

std::string merge_text(const json& merge, const std::string& where, std::size_t index) {
    if (merge.is_string()) return merge.get<std::string>();
    if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
        return merge[0].get<std::string>() + " " + merge[1].get<std::string>();
    }
    throw Error(where + ": model.merges[" + std::to_string(index) + "] is neither \"a b\" nor [\"a\", \"b\"]");
}

}  // namespace

HfTokenizer read_hf_tokenizer(const HfTokenizerFiles& files) {
    const std::string where = "'" + files.tokenizer_json + "'";
    const json tokenizer = read_json(files.tokenizer_json);
    const json config = files.tokenizer_config.empty() ? json::object() : read_json(files.tokenizer_config);
    require(tokenizer.contains("model") && tokenizer["model"].value("type", "") == "BPE",
            where + ": model.type is not BPE (only byte-level BPE vocabularies can be imported)");
    const json& model = tokenizer["model"];
    require(!model.value("byte_fallback", false),
            where + ": a BPE with byte_fallback is SentencePiece-style (<0xNN> pieces), not byte-level");
    require(model.contains("vocab") && model["vocab"].is_object(), where + ": model.vocab is missing");

    HfTokenizer result;
    TokenizerData& data = result.data;
    data.model = TokenizerModel::BytePairs;
    data.pre_tokenizer =
        files.pre_tokenizer.empty() ? recognise_pre_tokenizer(tokenizer["pre_tokenizer"], where) : files.pre_tokenizer;
    require(pre_tokenizer_named(data.pre_tokenizer).has_value(), "--pre '" + data.pre_tokenizer +
                                                                      "' is not a known pre-tokenizer (" +
                                                                      known_pre_tokenizer_names() + ")");
    result.architecture = data.pre_tokenizer == "qwen2" ? "qwen2" : "llama";
    if (tokenizer.contains("normalizer") && tokenizer["normalizer"].is_object()) {
        result.normalizer = tokenizer["normalizer"].value("type", "");
    }

    // Ids -> text and type: the vocabulary, then the added tokens over it.
    std::map<std::int64_t, std::pair<std::string, TokenType>> tokens;
    for (const auto& [text, id] : model["vocab"].items()) {
        require(id.is_number_integer() && id.get<std::int64_t>() >= 0,
                where + ": model.vocab['" + text + "'] is not a token id");
        tokens[id.get<std::int64_t>()] = {text, TokenType::Normal};
    }
    if (tokenizer.contains("added_tokens")) {
        for (const auto& added : tokenizer["added_tokens"]) {
            const std::string text = added.value("content", "");
            const std::int64_t id = added.value("id", std::int64_t{-1});
            require(id >= 0 && !text.empty(), where + ": an added token has no id or no content");
            const bool control = added.value("special", false) || looks_special(text);
            tokens[id] = {text, control ? TokenType::Control : TokenType::UserDefined};
        }
    }
    require(!tokens.empty(), where + ": the vocabulary is empty");
    const std::int64_t vocab_size = tokens.rbegin()->first + 1;
    require(vocab_size <= (std::int64_t{1} << 24), where + ": token ids go up to " + std::to_string(vocab_size - 1));
    data.pieces.resize(static_cast<std::size_t>(vocab_size));
    data.types.assign(static_cast<std::size_t>(vocab_size), TokenType::Unused);
    for (std::int64_t id = 0; id < vocab_size; ++id) data.pieces[static_cast<std::size_t>(id)] = "[PAD" + std::to_string(id) + "]";
    for (const auto& [id, token] : tokens) {
        data.pieces[static_cast<std::size_t>(id)] = token.first;
        data.types[static_cast<std::size_t>(id)] = token.second;
    }
    data.scores.assign(data.pieces.size(), 0.0f);

    require(model.contains("merges") && model["merges"].is_array(), where + ": model.merges is missing");
    data.merges.reserve(model["merges"].size());
    for (std::size_t i = 0; i < model["merges"].size(); ++i) data.merges.push_back(merge_text(model["merges"][i], where, i));

    const auto id_of = [&](const std::string& text, const char* key) {
        for (const auto& [id, token] : tokens) {
            if (token.first == text) return static_cast<std::int32_t>(id);
        }
        throw Error("'" + files.tokenizer_config + "': " + key + " '" + text + "' is not in the vocabulary");
    };
    const auto bos = token_text(config, "bos_token"), eos = token_text(config, "eos_token");
    data.bos_id = bos ? id_of(*bos, "bos_token") : -1;
    data.eos_id = eos ? id_of(*eos, "eos_token") : -1;
    // add_bos: the config's flag, else what the post-processor does, else llama.cpp's
    // default for the pre-tokenizer (Llama 3 adds BOS).
    const json post = tokenizer.contains("post_processor") ? tokenizer["post_processor"] : json();
    data.add_bos = data.pre_tokenizer == "llama-bpe";
    if (config.contains("add_bos_token") && config["add_bos_token"].is_boolean()) {
        data.add_bos = config["add_bos_token"].get<bool>();
    } else if (bos) {
        data.add_bos = template_adds(post, *bos, true).value_or(data.add_bos);
    }
    data.add_eos = false;
    if (config.contains("add_eos_token") && config["add_eos_token"].is_boolean()) {
        data.add_eos = config["add_eos_token"].get<bool>();
    } else if (eos) {
        data.add_eos = template_adds(post, *eos, false).value_or(false);
    }
    data.add_space_prefix = false;
    if (config.contains("chat_template")) {
        const json& chat_template = config["chat_template"];
        if (chat_template.is_string()) {
            data.chat_template = chat_template.get<std::string>();
        } else if (chat_template.is_array()) {  // named templates: keep "default"
            for (const auto& named : chat_template) {
                if (named.value("name", "") == "default") data.chat_template = named.value("template", "");
            }
        }
    }
    return result;
}

}  // namespace lpu::model
