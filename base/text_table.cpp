#include "base/text_table.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace lpu {

TextTable::TextTable(std::vector<std::string> header, std::string alignment) : alignment_(std::move(alignment)) {
    if (alignment_.size() != header.size() || alignment_.find_first_not_of("lr") != std::string::npos) {
        throw std::logic_error("TextTable: one alignment letter (l or r) per column");
    }
    rows_.push_back(std::move(header));
}

void TextTable::add_row(std::vector<std::string> cells) {
    if (cells.size() != alignment_.size()) throw std::logic_error("TextTable: a row needs one cell per column");
    rows_.push_back(std::move(cells));
}

std::string TextTable::render(const std::string& indent) const {
    std::vector<std::size_t> widths(alignment_.size(), 0);
    for (const auto& row : rows_) {
        for (std::size_t column = 0; column < row.size(); ++column) widths[column] = std::max(widths[column], row[column].size());
    }
    std::string text;
    for (const auto& row : rows_) {
        std::string line = indent;
        for (std::size_t column = 0; column < row.size(); ++column) {
            const std::string padding(widths[column] - row[column].size(), ' ');
            if (column > 0) line += "  ";
            line += alignment_[column] == 'r' ? padding + row[column] : row[column] + padding;
        }
        line.erase(line.find_last_not_of(' ') + 1);  // no trailing blanks after a left-aligned last column
        text += line + "\n";
    }
    return text;
}

}  // namespace lpu
