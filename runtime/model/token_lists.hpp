#pragma once
// Token ids and texts as `lpu model tokenize` and `detokenize` read and print
// them: strings and id sequences from JSON files or a flag, and the reports.
#include <span>
#include <string>
#include <vector>

#include "runtime/model/tokenizer.hpp"

namespace lpu::model {

// Ids separated by single spaces: "1 403 407".
std::string token_ids_line(std::span<const int> ids);

// A JSON array of strings. Throws lpu::Error naming the file and the element.
std::vector<std::string> read_string_list(const std::string& path);

// Ids separated by commas or white space ("1,403 407"). Throws lpu::Error,
// prefixed with `what` (e.g. "--ids"), at the first that is not an id.
std::vector<int> parse_token_ids(const std::string& text, const std::string& what);

// A JSON array of arrays of ids (what tokenize_report prints as JSON), or one
// array. Throws lpu::Error naming the file and the element.
std::vector<std::vector<int>> read_token_sequences(const std::string& path);

// The ids of each string: one line each (token_ids_line), or with `json` one
// JSON array holding an array per string.
std::string tokenize_report(const Tokenizer& tokenizer, const std::vector<std::string>& strings,
                            const EncodeOptions& options, bool json);

// The bytes of each sequence on a line of its own, or with `json` a JSON array
// of {"text", "text_replaced_invalid_utf8"} (invalid UTF-8 becomes U+FFFD).
std::string detokenize_report(const Tokenizer& tokenizer, const std::vector<std::vector<int>>& sequences,
                              bool render_special, bool json);

}  // namespace lpu::model
