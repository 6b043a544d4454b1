#include "runtime/model/special_tokens.hpp"

#include <algorithm>

namespace lpu::model {

SpecialTokenMatcher::SpecialTokenMatcher(const TokenizerData& data) {
    for (std::size_t id = 0; id < data.types.size(); ++id) {
        const TokenType type = data.types[id];
        const bool special = type == TokenType::Control || type == TokenType::Unknown || type == TokenType::UserDefined;
        if (!special || data.pieces[id].empty()) continue;
        specials_.push_back({data.pieces[id], static_cast<int>(id), type == TokenType::UserDefined});
    }
    std::stable_sort(specials_.begin(), specials_.end(),
                     [](const Special& a, const Special& b) { return a.text.size() > b.text.size(); });
}

void SpecialTokenMatcher::partition(std::string_view text, bool parse_special, std::vector<TextFragment>& out) const {
    std::vector<TextFragment> fragments;
    if (!text.empty()) fragments.push_back({std::string(text), -1});
    // Each special token in turn splits every text fragment left by the ones before it.
    for (const Special& special : specials_) {
        if (!parse_special && !special.always) continue;
        std::vector<TextFragment> split;
        for (auto& fragment : fragments) {
            if (fragment.is_token() || fragment.text.find(special.text) == std::string::npos) {
                split.push_back(std::move(fragment));
                continue;
            }
            const std::string_view rest_of(fragment.text);
            std::size_t start = 0;
            for (std::size_t found; (found = rest_of.find(special.text, start)) != std::string_view::npos;
                 start = found + special.text.size()) {
                if (found > start) split.push_back({std::string(rest_of.substr(start, found - start)), -1});
                split.push_back({"", special.token});
            }
            if (start < rest_of.size()) split.push_back({std::string(rest_of.substr(start)), -1});
        }
        fragments = std::move(split);
    }
    for (auto& fragment : fragments) {
        if (!fragment.is_token() && !out.empty() && !out.back().is_token()) {
            out.back().text += fragment.text;
        } else {
            out.push_back(std::move(fragment));
        }
    }
}

}  // namespace lpu::model
