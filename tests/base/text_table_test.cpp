#include "base/text_table.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

TEST_CASE("a text table pads every column to its widest cell", "[base][text_table]") {
    lpu::TextTable table({"chip", "name"}, "rl");
    table.add_row({"7", "wq"});
    table.add_row({"12", "attention"});
    CHECK(table.render("  ") == "  chip  name\n"
                                "     7  wq\n"
                                "    12  attention\n");
}

TEST_CASE("a text table refuses rows and alignments that do not match its columns", "[base][text_table]") {
    CHECK_THROWS_AS(lpu::TextTable({"a", "b"}, "r"), std::logic_error);
    CHECK_THROWS_AS(lpu::TextTable({"a"}, "x"), std::logic_error);
    lpu::TextTable table({"a", "b"}, "lr");
    CHECK_THROWS_AS(table.add_row({"1"}), std::logic_error);
}
