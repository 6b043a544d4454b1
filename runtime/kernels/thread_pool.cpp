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
constexpr int kMaxThreads = 1024;  // chunk counts fit the 16 bits of a claim (thread_pool.hpp)

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
    for (int index = 1; index < thread_count; ++index) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
    stopping_.store(true, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (auto& worker : workers_) worker.join();
}

void ThreadPool::run_chunk(int index) {
    const std::int64_t begin = job_count_ * index / job_chunks_;
    const std::int64_t end = job_count_ * (index + 1) / job_chunks_;
    if (begin == end) return;
    try {
        job_trampoline_(job_context_, begin, end);
    } catch (...) {
        errors_[static_cast<std::size_t>(index)] = std::current_exception();
    }
}

void ThreadPool::worker_loop() {
    std::uint64_t seen = 0;
    while (true) {
        seen = wait_for_change(generation_, seen);
        if (stopping_.load(std::memory_order_relaxed)) return;
        run_chunks(static_cast<std::uint32_t>(seen));
    }
}

void ThreadPool::run_chunks(std::uint32_t job) {
    std::uint64_t claim = next_chunk_.load(std::memory_order_acquire);
    while (true) {
        const auto chunks = static_cast<int>((claim >> 16) & 0xFFFFu);
        const auto index = static_cast<int>(claim & 0xFFFFu);
        if (static_cast<std::uint32_t>(claim >> 32) != job || index >= chunks) return;
        // acquire: the job's fields, written before the claim word was published.
        if (!next_chunk_.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel)) continue;
        run_chunk(index);
        if (done_chunks_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks) done_chunks_.notify_one();
        claim = next_chunk_.load(std::memory_order_acquire);
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
        const auto job = static_cast<std::uint32_t>(generation_.load(std::memory_order_relaxed) + 1);
        done_chunks_.store(0, std::memory_order_relaxed);
        next_chunk_.store(std::uint64_t{job} << 32 | static_cast<std::uint64_t>(job_chunks_) << 16,
                          std::memory_order_release);
        generation_.fetch_add(1, std::memory_order_release);
        generation_.notify_all();
        run_chunks(job);
        // done_chunks_ only counts up, so wait until it reaches every chunk.
        for (int done = done_chunks_.load(std::memory_order_acquire); done != job_chunks_;) {
            done = wait_for_change(done_chunks_, done);
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
