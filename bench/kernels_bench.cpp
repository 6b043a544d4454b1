// Matrix-vector throughput of the CPU kernels for every weight dtype (every
// column count here is a multiple of the K-quants' 256), as GB/s of
// weight bytes streamed and as a ratio to this machine's memcpy bandwidth
// (bytes copied per second, see memory_bandwidth.hpp), both measured in this run.
//   kernels_bench [--quick]   (LPU_THREADS sets the pool size)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bench/memory_bandwidth.hpp"
#include "runtime/kernels/dot.hpp"
#include "runtime/kernels/matvec.hpp"
#include "runtime/kernels/quantize.hpp"

namespace {

using namespace lpu::kernels;

std::vector<std::byte> random_weights(DType dtype, std::int64_t rows, std::int64_t cols) {
    std::mt19937 engine(42);
    std::uniform_real_distribution<float> distribution(-1.0f, 1.0f);
    std::vector<float> row(static_cast<std::size_t>(cols));
    const std::size_t row_bytes = dtype_bytes(dtype, row.size());
    std::vector<std::byte> bytes(row_bytes * static_cast<std::size_t>(rows));
    for (std::int64_t r = 0; r < rows; ++r) {
        for (auto& value : row) value = distribution(engine);
        quantize_row(dtype, row.data(), cols, bytes.data() + row_bytes * static_cast<std::size_t>(r));
    }
    return bytes;
}

// Best time of several runs lasting at least min_total_s altogether.
double best_matvec_s(const Matrix& w, const std::vector<float>& x, std::vector<float>& y, ThreadPool& pool,
                     double min_total_s) {
    matvec(w, x.data(), y.data(), pool);  // warm up
    double best_s = 1e30, total_s = 0.0;
    for (int run = 0; run < 5 || total_s < min_total_s; ++run) {
        const auto start = std::chrono::steady_clock::now();
        matvec(w, x.data(), y.data(), pool);
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        best_s = std::min(best_s, elapsed.count());
        total_s += elapsed.count();
    }
    return best_s;
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
    ThreadPool& pool = default_thread_pool();
    const double memcpy_bytes_s = lpu::bench::memcpy_bytes_per_s(std::size_t{256} << 20, quick ? 2 : 5);
    std::printf("threads %d, kernels %s, memcpy %.2f GB/s (bytes copied per second, 256 MiB, best run)\n",
                pool.thread_count(), dot_kernels().name, memcpy_bytes_s / 1e9);
    std::printf("%-12s %-5s %10s %12s %10s\n", "shape", "dtype", "time_us", "weight_GB/s", "/memcpy");
    const std::pair<std::int64_t, std::int64_t> shapes[] = {{768, 768}, {2048, 768}, {768, 2048}, {32000, 768}};
    for (const auto& [rows, cols] : shapes) {
        for (DType dtype : kFileDTypes) {
            const auto bytes = random_weights(dtype, rows, cols);
            const Matrix w{dtype, rows, cols, bytes.data()};
            std::vector<float> x(static_cast<std::size_t>(cols), 0.5f), y(static_cast<std::size_t>(rows));
            const double seconds = best_matvec_s(w, x, y, pool, quick ? 0.05 : 0.5);
            const double weight_bytes_s = static_cast<double>(w.size_bytes()) / seconds;
            const std::string shape = std::to_string(rows) + "x" + std::to_string(cols);
            std::printf("%-12s %-5s %10.1f %12.2f %10.2f\n", shape.c_str(), dtype_name(dtype).c_str(), seconds * 1e6,
                        weight_bytes_s / 1e9, weight_bytes_s / memcpy_bytes_s);
        }
    }
    return 0;
}
