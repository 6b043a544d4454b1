#include "runtime/model/token_lists.hpp"

#include <cstdint>
#include <exception>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/json_file.hpp"
#include "base/json_text.hpp"
#include "base/utf8.hpp"

namespace lpu::model {
namespace {

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

}  // namespace

std::string token_ids_line(std::span<const int> ids) {
    std::string line;
    for (const int id : ids) line.append(line.empty() ? "" : " ").append(std::to_string(id));
    return line;
}

std::vector<std::string> read_string_list(const std::string& path) {
    const nlohmann::json strings = read_json_file(path);
    require(strings.is_array(), "'" + path + "' must hold a JSON array of strings");
    std::vector<std::string> result;
    for (std::size_t i = 0; i < strings.size(); ++i) {
        require(strings[i].is_string(), "'" + path + "': element " + std::to_string(i) + " is not a string");
        result.push_back(strings[i].get<std::string>());
    }
    return result;
}

std::vector<int> parse_token_ids(const std::string& text, const std::string& what) {
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
        require(used == number.size() && value >= 0 && value <= INT32_MAX,
                what + ": '" + number + "' is not a token id");
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

std::vector<std::vector<int>> read_token_sequences(const std::string& path) {
    const nlohmann::json json = read_json_file(path);
    const std::string where = "'" + path + "'";
    require(json.is_array(), where + " must hold a JSON array of token ids, or an array of such arrays");
    if (json.empty() || !json.front().is_array()) return {ids_of(json, where)};
    std::vector<std::vector<int>> sequences;
    for (std::size_t i = 0; i < json.size(); ++i) {
        require(json[i].is_array(), where + ": element " + std::to_string(i) + " is not an array of ids");
        sequences.push_back(ids_of(json[i], where + "[" + std::to_string(i) + "]"));
    }
    return sequences;
}

std::string tokenize_report(const Tokenizer& tokenizer, const std::vector<std::string>& strings,
                            const EncodeOptions& options, bool json) {
    nlohmann::json all = nlohmann::json::array();
    std::string lines;
    for (const std::string& text : strings) {
        const std::vector<int> ids = tokenizer.encode(text, options);
        if (json) {
            all.push_back(ids);
        } else {
            lines += token_ids_line(ids) + "\n";
        }
    }
    return json ? json_text(all) + "\n" : lines;
}

std::string detokenize_report(const Tokenizer& tokenizer, const std::vector<std::vector<int>>& sequences,
                              bool render_special, bool json) {
    nlohmann::json all = nlohmann::json::array();
    std::string lines;
    for (const auto& ids : sequences) {
        const std::string text = tokenizer.decode(ids, render_special);
        if (json) {
            const ValidUtf8 valid = valid_utf8(text);
            all.push_back({{"text", valid.text}, {"text_replaced_invalid_utf8", valid.replaced}});
        } else {
            lines += text + "\n";
        }
    }
    return json ? json_text(all) + "\n" : lines;
}

}  // namespace lpu::model
