#pragma once
// Skipping a test that cannot run on this machine (a shared model file, a CPU
// feature or a tool that is absent). LPU_SKIP(reason) prints
// "skipped: <reason>" and returns from the test case. The suites' main
// (tests/catch_main.cpp) exits with kSkipExitCode when every test case it ran
// was skipped and none failed; CTest runs one test case per process and
// reports that code as skipped (SKIP_RETURN_CODE), never as passed.
#include <catch2/catch.hpp>

namespace lpu::test {

inline constexpr int kSkipExitCode = 77;

// Marks the running test case as skipped (defined beside main).
void note_skipped();

}  // namespace lpu::test

#define LPU_SKIP(reason)                     \
    do {                                     \
        WARN("skipped: " << reason);         \
        ::lpu::test::note_skipped();         \
        return;                              \
    } while (false)
