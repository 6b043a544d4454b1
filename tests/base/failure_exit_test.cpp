#include "base/failure_exit.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <new>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "base/error.hpp"

namespace lpu {
namespace {

struct Ending {
    int status = -1;
    std::string line;
};

template <class Exception>
Ending ending_of(const Exception& exception) {
    std::ostringstream err;
    const int status = report_failure(std::make_exception_ptr(exception), err);
    return {status, err.str()};
}

TEST_CASE("bad input ends with exit status 2, a bug with 1 and 'internal'", "[base][failure_exit]") {
    const Ending input = ending_of(Error("--chips 0 must be at least 1"));
    CHECK(input.status == 2);
    CHECK(input.line == "error: --chips 0 must be at least 1\n");

    const Ending bug = ending_of(InternalError("block 4 of 4 blocks does not exist"));
    CHECK(bug.status == 1);
    CHECK(bug.line == "error: internal: block 4 of 4 blocks does not exist\n");

    const Ending other = ending_of(std::out_of_range("map::at"));
    CHECK(other.status == 1);
    CHECK(other.line == "error: internal: map::at\n");
}

TEST_CASE("require and invariant throw different types; neither is caught as the other", "[base][failure_exit]") {
    CHECK_THROWS_AS(require(false, "input"), Error);
    CHECK_THROWS_AS(invariant(false, "bug"), InternalError);
    CHECK_THROWS_WITH(invariant(false, [] { return std::string("built on failure"); }), "built on failure");
    CHECK_NOTHROW(invariant(true, "holds"));
    bool caught_as_input = false;
    try {
        invariant(false, "bug");
    } catch (const Error&) {
        caught_as_input = true;
    } catch (const InternalError&) {
    }
    CHECK_FALSE(caught_as_input);
}

TEST_CASE("out of memory and refused paths are input, said in one line", "[base][failure_exit]") {
    const Ending memory = ending_of(std::bad_alloc());
    CHECK(memory.status == 2);
    CHECK(memory.line == "error: out of memory\n");

    const Ending path = ending_of(std::filesystem::filesystem_error(
        "create_directories", std::filesystem::path("/a/b"), std::make_error_code(std::errc::not_a_directory)));
    CHECK(path.status == 2);
    CHECK(path.line == "error: Not a directory: '/a/b'\n");
}

}  // namespace
}  // namespace lpu
