#pragma once
// A table of text cells for terminal reports: every column padded to its
// widest cell, each column left- or right-aligned (numbers read best on the right).
#include <string>
#include <vector>

namespace lpu {

class TextTable {
public:
    // `alignment` has one letter per column: 'l' or 'r'.
    TextTable(std::vector<std::string> header, std::string alignment);
    void add_row(std::vector<std::string> cells);  // exactly one cell per column
    // Header and rows, each line starting with `indent` and ending with '\n'.
    std::string render(const std::string& indent = "") const;

private:
    std::string alignment_;
    std::vector<std::vector<std::string>> rows_;  // the header first
};

}  // namespace lpu
