#pragma once
// This machine's memory bandwidth, measured with memcpy, so benchmarks can
// report throughput as a ratio to it (ratios survive a change of machine,
// absolute numbers do not).
//
// Figure returned: BYTES COPIED per second (the size of the copy / time). The
// memory traffic is twice that (each byte is read once and written once); a
// kernel that only streams its inputs should be compared against this figure,
// which is what a single core's read+write stream sustains.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <vector>

namespace lpu::bench {

inline double memcpy_bytes_per_s(std::size_t buffer_bytes = std::size_t{256} << 20, int repeats = 5) {
    std::vector<std::byte> source(buffer_bytes, std::byte{1});
    std::vector<std::byte> target(buffer_bytes, std::byte{0});  // touched, so no page faults are timed
    double best_s = 1e30;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        std::memcpy(target.data(), source.data(), buffer_bytes);
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        best_s = std::min(best_s, elapsed.count());
        source[static_cast<std::size_t>(i) % buffer_bytes] = target[buffer_bytes - 1];  // keep the copy observable
    }
    return static_cast<double>(buffer_bytes) / best_s;
}

}  // namespace lpu::bench
