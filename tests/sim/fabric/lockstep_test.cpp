#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "sim/clock/chip_clocks.hpp"
#include "sim/fabric/lockstep.hpp"

namespace lpu::sim {
namespace {

// 900 MHz clocks at the given offsets.
FreeRunningClocks clocks(const std::vector<double>& ppm) {
    std::vector<OscillatorParams> params(ppm.size());
    for (std::size_t i = 0; i < ppm.size(); ++i) params[i].offset_ppm = ppm[i];
    return FreeRunningClocks(params);
}

// 240 ns latency and 20 ns per vector, no jitter: arrival is exact.
LinkModel exact_link() {
    LinkTiming timing;
    timing.latency_ps = 240'000;
    timing.bytes_per_second = 16'000'000'000;
    timing.jitter_stddev_ps = 0;
    return LinkModel(timing, 1);
}

ScheduledTransfer transfer(std::int64_t send, std::int64_t read, std::int64_t bytes = 320,
                           std::int64_t buffer_vectors = 4) {
    ScheduledTransfer t;
    t.source = 0;
    t.destination = 1;
    t.send_cycle = send;
    t.read_cycle = read;
    t.bytes = bytes;
    t.buffer_vectors = buffer_vectors;
    return t;
}

// The report's one violation: transfer `victim` overwritten by transfer
// `by`, `by_cycles` before it was read.
const LockstepViolation& single_overwrite(const LockstepReport& report, std::size_t victim, std::size_t by,
                                          std::int64_t by_cycles) {
    REQUIRE(report.violations.size() == 1);
    const LockstepViolation& overwritten = report.violations.front();
    CHECK(overwritten.kind == ViolationKind::overwritten);
    CHECK(overwritten.transfer == victim);
    CHECK(overwritten.overwritten_by == by);
    CHECK(overwritten.by_cycles == by_cycles);
    return overwritten;
}

}  // namespace

TEST_CASE("Lockstep: a read after arrival passes, one before it is reported late", "[sim][lockstep]") {
    auto perfect = clocks({0, 0});
    // 240 ns + 20 ns = 260 ns = 234 cycles at 900 MHz.
    const std::vector<ScheduledTransfer> transfers = {transfer(1'000, 1'234), transfer(2'000, 2'230)};
    const LockstepReport report = check_lockstep(transfers, perfect, exact_link());
    CHECK(report.transfers == 2);
    REQUIRE(report.violations.size() == 1);
    const LockstepViolation& late = report.violations.front();
    CHECK(late.kind == ViolationKind::late);
    CHECK(late.transfer == 1);
    CHECK(late.source == 0);
    CHECK(late.destination == 1);
    CHECK(late.by_ps == late.arrival_ps - late.read_ps);
    CHECK(late.by_ps == Approx(4 * 1111).margin(2));
    CHECK(late.by_cycles == 4);
    CHECK(describe(late).find("transfer 1 (chip 0 -> 1) read") == 0);
    CHECK_THROWS_WITH(require_lockstep(report), Catch::Contains("lockstep violated: 1 of 2 transfers"));
}

TEST_CASE("Lockstep: drift between free-running clocks eats the slack", "[sim][lockstep]") {
    // The reader runs 100 ppm fast: 20 cycles of slack last 200,000 cycles.
    auto drifting = clocks({0, 100});
    std::vector<ScheduledTransfer> transfers;
    for (std::int64_t i = 0; i < 40; ++i) {
        auto t = transfer(i * 10'000, i * 10'000 + 234 + 20);
        t.buffer = static_cast<std::uint32_t>(i);  // own buffer: no overwrites
        transfers.push_back(t);
    }
    const LockstepReport report = check_lockstep(transfers, drifting, exact_link());
    REQUIRE_FALSE(report.ok());
    CHECK(report.violations.front().transfer == 20);
    for (const auto& violation : report.violations) CHECK(violation.kind == ViolationKind::late);
    CHECK(report.violations.size() == 20);
}

TEST_CASE("Lockstep: a ring buffer slot overwritten before it is read", "[sim][lockstep]") {
    auto perfect = clocks({0, 0});
    // Depth 2 vectors: the third transfer reuses the first one's slot and lands
    // (at 3,000 + 234) before the first is read at 4,000.
    const std::vector<ScheduledTransfer> transfers = {transfer(1'000, 4'000, 320, 2), transfer(2'000, 4'100, 320, 2),
                                                      transfer(3'000, 4'200, 320, 2)};
    const LockstepReport report = check_lockstep(transfers, perfect, exact_link());
    const LockstepViolation& overwritten = single_overwrite(report, 0, 2, 4'000 - 3'234);
    CHECK(describe(overwritten).find("overwritten by transfer 2") != std::string::npos);

    // Reading the first one in time makes it safe.
    const std::vector<ScheduledTransfer> fixed = {transfer(1'000, 3'100, 320, 2), transfer(2'000, 4'100, 320, 2),
                                                  transfer(3'000, 4'200, 320, 2)};
    CHECK(check_lockstep(fixed, perfect, exact_link()).ok());
}

TEST_CASE("Lockstep: multi-vector transfers overwrite from the first wrapped vector", "[sim][lockstep]") {
    auto perfect = clocks({0, 0});
    // Ring of 3 vectors: transfer 0 takes slots 0-1, transfer 1 slots 2-4 (wrapping
    // onto 0-1 with its 2nd and 3rd vectors, which land at +252 and +270 cycles).
    const std::vector<ScheduledTransfer> transfers = {transfer(0, 2'000, 640, 3), transfer(1'740, 2'100, 960, 3)};
    const LockstepReport report = check_lockstep(transfers, perfect, exact_link());
    REQUIRE(report.violations.size() == 1);
    CHECK(report.violations.front().kind == ViolationKind::overwritten);
    CHECK(report.violations.front().by_cycles == 2'000 - (1'740 + 252));
}

TEST_CASE("Lockstep: a ring fills in ring_sequence order, not in the order transfers are listed",
          "[sim][lockstep]") {
    auto perfect = clocks({0, 0});
    // Depth 1: the second in ring order takes the first one's slot. Listed the
    // other way round, transfer 1 is first in the ring and transfer 0 lands
    // on it (at 2,000 + 234) before it is read at 4,000.
    std::vector<ScheduledTransfer> transfers = {transfer(2'000, 4'100, 320, 1), transfer(1'000, 4'000, 320, 1)};
    transfers[0].ring_sequence = 1;
    transfers[1].ring_sequence = 0;
    single_overwrite(check_lockstep(transfers, perfect, exact_link()), 1, 0, 4'000 - 2'234);
}

TEST_CASE("Lockstep: every transfer that wraps onto a slot is checked, not only the first", "[sim][lockstep]") {
    auto perfect = clocks({0, 0});
    // Depth 2: transfer 0 takes slots 0-1; transfer 1 (slot 2) wraps onto slot 0
    // after transfer 0 is read, transfer 2 (slot 3) onto slot 1 before it is:
    // sent earlier, it lands at 1,234, before the read at 2,000.
    const std::vector<ScheduledTransfer> transfers = {transfer(0, 2'000, 640, 2), transfer(1'900, 3'000, 320, 2),
                                                      transfer(1'000, 3'000, 320, 2)};
    single_overwrite(check_lockstep(transfers, perfect, exact_link()), 0, 2, 2'000 - 1'234);
}

TEST_CASE("Lockstep: malformed transfers are refused by name", "[sim][lockstep]") {
    auto perfect = clocks({0, 0});
    std::vector<ScheduledTransfer> bad = {transfer(0, 500, 1'000, 2)};
    CHECK_THROWS_WITH(check_lockstep(bad, perfect, exact_link()), Catch::Contains("do not fit its receive buffer"));
    bad = {transfer(0, 500)};
    bad[0].destination = 7;
    CHECK_THROWS_WITH(check_lockstep(bad, perfect, exact_link()), Catch::Contains("transfer 0"));
    bad = {transfer(0, 500, 320, 2), transfer(10, 600, 320, 3)};
    CHECK_THROWS_WITH(check_lockstep(bad, perfect, exact_link()), Catch::Contains("depths 2 and 3"));
    bad = {transfer(0, 500, 0)};
    CHECK_THROWS_WITH(check_lockstep(bad, perfect, exact_link()), Catch::Contains("bytes"));
}

}  // namespace lpu::sim
