#pragma once
// A small persistent thread pool for the kernels. parallel_for splits [0, count)
// into at most one contiguous chunk per thread (static and deterministic: chunk
// t is [count*t/T, count*(t+1)/T)), and the caller and the workers take the
// chunks one by one until none is left; it returns when all are done. Which
// thread runs a chunk does not change what it computes, and a worker that the
// host has not scheduled yet (a busy machine, more threads than cores) holds
// nobody up: the caller runs the chunks the workers have not taken.
//
// Rule: one caller at a time per pool. parallel_for from a second thread while a
// call is in flight, or from inside a body, throws lpu::InternalError instead of
// deadlocking. Several pools may exist at once (e.g. one per emulated chip):
// a waiting worker spins ~50 us for the next job, then sleeps on a futex, so
// pools used one after another do not compete for long.
#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace lpu::kernels {

// Kernels hand a thread at least this many multiply-adds: below it a worker's
// wake-up (about a microsecond when idle, far more on a busy host) costs more
// than the work it would take over.
inline constexpr std::int64_t kMinParallelFloats = 32 * 1024;

class ThreadPool {
public:
    // thread_count counts the calling thread: a pool of 1 runs everything inline.
    explicit ThreadPool(int thread_count);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int thread_count() const { return thread_count_; }

    // body(begin, end) for each non-empty chunk. The first exception thrown by a
    // body (in chunk order) is rethrown here after every chunk has finished.
    // `min_chunk` is the fewest items worth a thread of their own: work smaller
    // than two such chunks runs inline, because waking a worker costs more than
    // it saves (and far more when the host's cores are busy with other work).
    template <class Body>
    void parallel_for(std::int64_t count, Body&& body, std::int64_t min_chunk = 1) {
        using Stored = std::remove_reference_t<Body>;
        run(count, min_chunk, const_cast<void*>(static_cast<const void*>(&body)),
            [](void* context, std::int64_t begin, std::int64_t end) { (*static_cast<Stored*>(context))(begin, end); });
    }

private:
    using Trampoline = void (*)(void* context, std::int64_t begin, std::int64_t end);

    void run(std::int64_t count, std::int64_t min_chunk, void* context, Trampoline trampoline);
    void worker_loop();
    // Takes and runs chunks of the job published as `job` until none is left.
    void run_chunks(std::uint32_t job);
    void run_chunk(int index);

    int thread_count_;
    std::vector<std::thread> workers_;
    std::vector<std::exception_ptr> errors_;  // one slot per chunk

    // The current job; written by the caller before bumping generation_.
    std::int64_t job_count_ = 0;
    int job_chunks_ = 1;  // chunks of the current job, <= thread_count_
    void* job_context_ = nullptr;
    Trampoline job_trampoline_ = nullptr;

    std::atomic<std::uint64_t> generation_{0};  // bumped once per job (and at shutdown)
    // The chunks to take, in one word so that a claim is one atomic step: the
    // job's number (the low 32 bits of its generation), its chunk count and the
    // next chunk (16 bits each). A worker takes a chunk only of the job it woke
    // for, so one that wakes late takes none and reads nothing of a later job.
    std::atomic<std::uint64_t> next_chunk_{0};
    std::atomic<int> done_chunks_{0};           // of the current job
    std::atomic<bool> stopping_{false};
    std::atomic<bool> busy_{false};             // a parallel_for is in flight
};

// Process-wide pool sized by the environment variable LPU_THREADS (1..1024), or
// by std::thread::hardware_concurrency() when it is unset. Throws lpu::Error on
// a malformed LPU_THREADS.
ThreadPool& default_thread_pool();

}  // namespace lpu::kernels
