#include "runtime/kernels/thread_pool.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace lpu::kernels {

namespace {

// Waiting threads spin this long before sleeping: kernels are called ~10 times
// per layer per token, so the next job (or the last chunk) usually arrives
// within microseconds, sooner than a futex sleep and wake-up round trip.
constexpr auto kSpinDuration = std::chrono::microseconds(50);
constexpr int kMaxThreads = 1024;

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// Spins until load() != stale or kSpinDuration passes, then sleeps on the
// atomic; returns the new value.
template <class T>
T wait_for_change(const std::atomic<T>& value, T stale) {
    T current = value.load(std::memory_order_acquire);
    const auto deadline = std::chrono::steady_clock::now() + kSpinDuration;
    for (int spin = 1; current == stale; ++spin) {
        cpu_relax();
        current = value.load(std::memory_order_acquire);
        if (spin % 64 == 0 && std::chrono::steady_clock::now() > deadline) break;
    }
    while (current == stale) {
        value.wait(stale, std::memory_order_acquire);
        current = value.load(std::memory_order_acquire);
    }
    return current;
}

}  // namespace

ThreadPool::ThreadPool(int thread_count) : thread_count_(thread_count) {
    require(thread_count >= 1 && thread_count <= kMaxThreads,
            "thread pool size " + std::to_string(thread_count) + " is outside [1, " + std::to_string(kMaxThreads) + "]");
    errors_.resize(static_cast<std::size_t>(thread_count));
    workers_.reserve(static_cast<std::size_t>(thread_count - 1));
    for (int index = 1; index < thread_count; ++index) {
        workers_.emplace_back([this, index] { worker_loop(index); });
    }
}

ThreadPool::~ThreadPool() {
    stopping_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (auto& worker : workers_) worker.join();
}

void ThreadPool::run_chunk(int index) {
    if (index >= job_chunks_) return;
    const std::int64_t begin = job_count_ * index / job_chunks_;
    const std::int64_t end = job_count_ * (index + 1) / job_chunks_;
    if (begin == end) return;
    try {
        job_trampoline_(job_context_, begin, end);
    } catch (...) {
        errors_[static_cast<std::size_t>(index)] = std::current_exception();
    }
}

void ThreadPool::worker_loop(int index) {
    std::uint64_t seen = 0;
    while (true) {
        seen = wait_for_change(generation_, seen);
        if (stopping_.load(std::memory_order_relaxed)) return;
        run_chunk(index);
        if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    }
}

void ThreadPool::run(std::int64_t count, std::int64_t min_chunk, void* context, Trampoline trampoline) {
    invariant(count >= 0, "parallel_for: negative count " + std::to_string(count));
    invariant(min_chunk >= 1, "parallel_for: min_chunk " + std::to_string(min_chunk) + " must be positive");
    if (count == 0) return;
    invariant(!busy_.exchange(true, std::memory_order_acquire),
              "ThreadPool::parallel_for called while the pool is already running a job (one caller at a time, "
              "no nested calls)");
    struct Release {
        std::atomic<bool>& flag;
        ~Release() { flag.store(false, std::memory_order_release); }
    } release{busy_};

    job_count_ = count;
    job_chunks_ = static_cast<int>(std::clamp<std::int64_t>(count / min_chunk, 1, thread_count_));
    job_context_ = context;
    job_trampoline_ = trampoline;
    for (auto& error : errors_) error = nullptr;

    // Too little work to be worth waking anyone: every chunk runs here, in order.
    if (job_chunks_ == 1) {
        run_chunk(0);
    } else {
        pending_.store(thread_count_ - 1, std::memory_order_relaxed);
        generation_.fetch_add(1, std::memory_order_release);
        generation_.notify_all();
        run_chunk(0);
        // pending_ only counts down, so wait until it stops being non-zero.
        for (int remaining = pending_.load(std::memory_order_acquire); remaining != 0;) {
            remaining = wait_for_change(pending_, remaining);
        }
    }
    for (auto& error : errors_) {
        if (error) std::rethrow_exception(error);
    }
}

ThreadPool& default_thread_pool() {
    static ThreadPool pool([] {
        const char* text = std::getenv("LPU_THREADS");
        if (text == nullptr || *text == '\0') {
            const unsigned hardware = std::thread::hardware_concurrency();
            return hardware == 0 ? 1 : static_cast<int>(std::min<unsigned>(hardware, kMaxThreads));
        }
        const std::string_view view(text);
        int threads = 0;
        const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), threads);
        require(error == std::errc() && end == view.data() + view.size() && threads >= 1 && threads <= kMaxThreads,
                "LPU_THREADS='" + std::string(view) + "' is not a thread count in [1, " + std::to_string(kMaxThreads) +
                    "]");
        return threads;
    }());
    return pool;
}

}  // namespace lpu::kernels
