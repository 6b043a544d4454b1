// Files appear whole or not at all (base/output_file.hpp).
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "base/output_file.hpp"
#include "tests/support/temp_path.hpp"

namespace lpu {
namespace {

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("OutputFile: the target appears only at commit, with every byte", "[base]") {
    const test::TempDir dir("output-file");
    const auto target = dir.path() / "out.bin";
    OutputFile file(target.string());
    file.stream() << "first half ";
    CHECK_FALSE(std::filesystem::exists(target));
    CHECK(std::filesystem::exists(file.temporary_path()));
    file.stream() << "second half";
    file.commit();
    CHECK(read_all(target) == "first half second half");
    CHECK(dir.entries() == 1);  // the temporary file became the target
}

TEST_CASE("OutputFile: abandoned before commit, nothing is left and an old target stays", "[base]") {
    const test::TempDir dir("output-file");
    const auto target = dir.path() / "out.txt";
    write_file(target.string(), "old");
    {
        OutputFile file(target.string());
        file.stream() << "new, but never committed";
    }
    CHECK(read_all(target) == "old");
    CHECK(dir.entries() == 1);
}

TEST_CASE("OutputFile: a path that cannot be written is an error naming it", "[base]") {
    CHECK_THROWS_WITH(OutputFile("/dev/null/x.bin"), Catch::Contains("/dev/null/x.bin") && Catch::Contains("Not a directory"));
    CHECK_THROWS_AS(write_file(std::string(300, 'a') + "/f", "x"), Error);
}

TEST_CASE("require_free_space refuses what the file system cannot hold", "[base]") {
    const test::TempDir dir("output-file");
    const auto target = (dir.path() / "big.gguf").string();
    CHECK_NOTHROW(require_free_space(target, 1, "the model"));
    CHECK_THROWS_WITH(require_free_space(target, std::uint64_t{1} << 62, "the model"),
                      Catch::Contains("the model would take 4611686018427387904 bytes"));
}

TEST_CASE("remove_unfinished_outputs removes temporary files unless they asked to be kept", "[base]") {
    const test::TempDir dir("output-file");
    OutputFile removed((dir.path() / "a").string());
    OutputFile kept((dir.path() / "b").string(), OutputFile::OnInterrupt::keep);
    remove_unfinished_outputs();
    CHECK_FALSE(std::filesystem::exists(removed.temporary_path()));
    CHECK(std::filesystem::exists(kept.temporary_path()));
}

}  // namespace lpu
