#include "plan/plan_io.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "base/error.hpp"
#include "tests/plan/sample_plan.hpp"
#include "tests/support/temp_path.hpp"

using Catch::Matchers::Contains;
using lpu::plan::testing::sample_plan;
namespace plan = lpu::plan;

namespace {

// Loading corrupted bytes either throws lpu::Error or yields a plan that
// validated; anything else (another exception, a crash) fails the test.
void load_or_error(const std::string& bytes) {
    try {
        plan::plan_from_bytes(bytes, "<corrupted>");
    } catch (const lpu::Error&) {
    }
}

}  // namespace

TEST_CASE("a plan round-trips exactly through bytes and files", "[plan]") {
    const auto original = sample_plan();
    const std::string bytes = plan::plan_to_bytes(original);
    REQUIRE(bytes.substr(0, 7) == "LPUPLAN");
    REQUIRE(plan::plan_from_bytes(bytes, "<memory>") == original);
    REQUIRE(plan::plan_to_bytes(plan::plan_from_bytes(bytes, "<memory>")) == bytes);

    const auto path = lpu::test::unique_temp_path("plan-io", ".lpuplan");
    plan::save_plan(original, path.string());
    REQUIRE(plan::load_plan(path.string()) == original);
    std::filesystem::remove(path);

    // Each compute's sequence too (a batched plan's slots run at their own positions).
    auto batched = sample_plan();
    batched.grid.batch = 2;
    std::get<plan::Compute>(batched.chips[0].instructions[1].body).sequence = 1;
    REQUIRE(plan::plan_from_bytes(plan::plan_to_bytes(batched), "<memory>") == batched);
}

TEST_CASE("an invalid plan is refused when saved", "[plan]") {
    auto p = sample_plan();
    p.grid.pp = 2;
    REQUIRE_THROWS_WITH(plan::plan_to_bytes(p), Contains("needs that many chips"));
}

TEST_CASE("a missing file, wrong magic or wrong version is refused by name", "[plan]") {
    REQUIRE_THROWS_AS(plan::load_plan("/nonexistent/model.lpuplan"), lpu::Error);
    std::string bytes = plan::plan_to_bytes(sample_plan());
    bytes[0] = 'X';
    REQUIRE_THROWS_WITH(plan::plan_from_bytes(bytes, "bad.lpuplan"), Contains("'bad.lpuplan': not a plan file"));
    REQUIRE_THROWS_WITH(plan::plan_from_bytes("LPUPLAN", "short"), Contains("not a plan file"));

    // Made by patching the version field: the writer refuses an unsupported version.
    bytes = plan::plan_to_bytes(sample_plan());
    const std::string patched = [&] {
        std::string copy = bytes;
        // The root struct's data section starts after the magic, the segment table
        // (8 bytes) and the root pointer (8 bytes); the version is its first field.
        copy[8 + 8 + 8] = static_cast<char>(plan::plan_format_version + 1);
        return copy;
    }();
    REQUIRE_THROWS_WITH(plan::plan_from_bytes(patched, "new.lpuplan"), Contains("unsupported version " + std::to_string(plan::plan_format_version + 1)));
}

TEST_CASE("a plan file truncated at any byte is refused", "[plan]") {
    const std::string bytes = plan::plan_to_bytes(sample_plan());
    for (std::size_t size = 0; size < bytes.size(); ++size) {
        INFO("truncated to " << size << " bytes");
        REQUIRE_THROWS_AS(plan::plan_from_bytes(bytes.substr(0, size), "<truncated>"), lpu::Error);
    }
}

TEST_CASE("random byte flips give an error or a valid plan, never a crash", "[plan]") {
    const std::string bytes = plan::plan_to_bytes(sample_plan());
    std::mt19937_64 random(20261129);
    std::uniform_int_distribution<std::size_t> position(0, bytes.size() - 1);
    std::uniform_int_distribution<int> value(0, 255);
    for (int trial = 0; trial < 3000; ++trial) {
        std::string corrupted = bytes;
        for (int flip = 0; flip < 1 + trial % 4; ++flip) corrupted[position(random)] = static_cast<char>(value(random));
        REQUIRE_NOTHROW(load_or_error(corrupted));
    }
}

TEST_CASE("absurd counts and offsets in every word are refused without a giant allocation", "[plan]") {
    const std::string bytes = plan::plan_to_bytes(sample_plan());
    // The upper half of a Cap'n Proto pointer holds list counts and struct sizes;
    // the lower half the offset. Saturate each in turn, word by word.
    for (std::size_t word = 8; word + 8 <= bytes.size(); word += 8) {
        for (std::size_t half : {0, 4}) {
            std::string corrupted = bytes;
            for (std::size_t i = 0; i < 4; ++i) corrupted[word + half + i] = static_cast<char>(0xff);
            INFO("word at " << word << ", half " << half);
            REQUIRE_NOTHROW(load_or_error(corrupted));
        }
    }
    // A segment table claiming a huge segment.
    std::string huge = bytes;
    for (std::size_t i = 12; i < 16; ++i) huge[i] = static_cast<char>(0x7f);
    REQUIRE_THROWS_AS(plan::plan_from_bytes(huge, "<huge>"), lpu::Error);
}
