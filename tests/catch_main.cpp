// The main of every test suite: Catch2's session, plus the exit code of a run
// whose test cases were all skipped (tests/support/skip.hpp).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "tests/support/skip.hpp"

namespace {

// Test cases run and skipped in this process.
struct SkipCount {
    int started = 0;
    int skipped = 0;
    bool current_skipped = false;
};
SkipCount skip_count;

class SkipListener : public Catch::TestEventListenerBase {
public:
    using TestEventListenerBase::TestEventListenerBase;
    void testCaseStarting(Catch::TestCaseInfo const& info) override {
        TestEventListenerBase::testCaseStarting(info);
        ++skip_count.started;
        skip_count.current_skipped = false;
    }
    void testCaseEnded(Catch::TestCaseStats const& stats) override {
        if (skip_count.current_skipped) ++skip_count.skipped;
        TestEventListenerBase::testCaseEnded(stats);
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(SkipListener)

void lpu::test::note_skipped() { skip_count.current_skipped = true; }

int main(int argc, char* argv[]) {
    const int failed = Catch::Session().run(argc, argv);
    // Catch returns the number of failed assertions (or, when listing, of
    // tests): any non-zero result stays a failure, never the skip code.
    if (failed != 0) return failed == lpu::test::kSkipExitCode ? 1 : failed;
    const bool all_skipped = skip_count.started > 0 && skip_count.skipped == skip_count.started;
    return all_skipped ? lpu::test::kSkipExitCode : 0;
}
