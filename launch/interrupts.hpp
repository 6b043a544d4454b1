#pragma once
// Ctrl-C (SIGINT) and SIGTERM, for every `lpu` command: say so on stderr and
// exit at once with 128 + the signal's number. In a distributed run that is
// the clean way out: the process's sockets and MPI connections close with it,
// so every peer sees it go and exits non-zero naming it (mpirun forwards
// Ctrl-C to the ranks as SIGTERM). A handler is installed even where the
// shell left the signal ignored (a background job), so `kill -INT` always works.
//
// A server wants the first signal to mean "finish up" instead: while a
// GracefulStop lives, the first SIGINT or SIGTERM calls its callback and the
// process goes on; a second one exits at once as above.
#include <functional>
#include <thread>

namespace lpu::launch {

void install_interrupt_handlers();

class GracefulStop {
public:
    // `on_signal` runs on a thread of the GracefulStop's own (not in the signal
    // handler, so it may lock and allocate), at most once, with the signal's number.
    explicit GracefulStop(std::function<void(int signal_number)> on_signal);
    ~GracefulStop();  // signals are fatal again
    GracefulStop(const GracefulStop&) = delete;
    GracefulStop& operator=(const GracefulStop&) = delete;

private:
    int pipe_[2] = {-1, -1};  // the handler writes the signal's number, 0 ends the watcher
    std::thread watcher_;
};

}  // namespace lpu::launch
