#include "runtime/model/token_lists.hpp"

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu::model {
namespace {

TEST_CASE("token lists: ids from a flag, separated by commas or white space", "[model][token_lists]") {
    CHECK(parse_token_ids("1,403 407\t261\n378", "--ids") == std::vector<int>{1, 403, 407, 261, 378});
    CHECK(parse_token_ids(" , ", "--ids").empty());
    CHECK_THROWS_WITH(parse_token_ids("1,x2", "--ids"), "--ids: 'x2' is not a token id");
    CHECK_THROWS_WITH(parse_token_ids("-1", "--ids"), "--ids: '-1' is not a token id");
    CHECK_THROWS_WITH(parse_token_ids("2147483648", "--ids"), "--ids: '2147483648' is not a token id");
    CHECK(token_ids_line(std::vector<int>{1, 403, 407}) == "1 403 407");
    CHECK(token_ids_line(std::vector<int>{}).empty());
}

TEST_CASE("token lists: JSON files of strings and of id sequences, refused by element", "[model][token_lists]") {
    lpu::test::TempDir dir("token-lists");
    const auto write = [&](const std::string& text) { return dir.write("list.json", text); };
    CHECK(read_string_list(write(R"(["a", "b c"])")) == std::vector<std::string>{"a", "b c"});
    CHECK_THROWS_WITH(read_string_list(write(R"(["a", 3])")), Catch::Contains("element 1 is not a string"));
    CHECK_THROWS_WITH(read_string_list(write("[")), Catch::Contains("is not valid JSON"));

    CHECK(read_token_sequences(write("[1, 2]")) == std::vector<std::vector<int>>{{1, 2}});
    CHECK(read_token_sequences(write("[[1], [2, 3]]")) == std::vector<std::vector<int>>{{1}, {2, 3}});
    CHECK_THROWS_WITH(read_token_sequences(write("[[1], 2]")), Catch::Contains("element 1 is not an array of ids"));
    CHECK_THROWS_WITH(read_token_sequences(write("[[1, -4]]")), Catch::Contains("[0][1] is not a token id"));
}

}  // namespace
}  // namespace lpu::model
