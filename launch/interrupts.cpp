#include "launch/interrupts.hpp"

#include <atomic>
#include <csignal>
#include <cstring>

#include <unistd.h>

#include "base/error.hpp"
#include "base/output_file.hpp"

namespace lpu::launch {
namespace {

// The write end of a GracefulStop's pipe (-1: none), and whether its one
// graceful signal has come. Lock-free atomics are async-signal-safe.
std::atomic<int> graceful_pipe{-1};
std::atomic<bool> graceful_signal_taken{false};

// Async-signal-safe: only atomics, write(2) and _exit(2).
extern "C" void on_interrupt(int signal_number) {
    const int pipe = graceful_pipe.load();
    if (pipe >= 0 && !graceful_signal_taken.exchange(true)) {
        const auto number = static_cast<unsigned char>(signal_number);
        const ssize_t ignored = write(pipe, &number, 1);
        (void)ignored;
        return;
    }
    const char* message = signal_number == SIGINT ? "lpu: interrupted (SIGINT), stopping\n"
                                                  : "lpu: terminated (SIGTERM), stopping\n";
    const ssize_t ignored = write(STDERR_FILENO, message, std::strlen(message));
    (void)ignored;
    remove_unfinished_outputs();  // a file half written is not left behind
    _exit(128 + signal_number);
}

}  // namespace

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

GracefulStop::GracefulStop(std::function<void(int signal_number)> on_signal) {
    require(::pipe(pipe_) == 0, std::string("cannot create the signal pipe: ") + std::strerror(errno));
    graceful_signal_taken = false;
    int expected = -1;
    invariant(graceful_pipe.compare_exchange_strong(expected, pipe_[1]), "only one GracefulStop may live at a time");
    watcher_ = std::thread([this, on_signal = std::move(on_signal)] {
        unsigned char number = 0;
        while (::read(pipe_[0], &number, 1) < 0 && errno == EINTR) {
        }
        if (number != 0) on_signal(number);
    });
}

GracefulStop::~GracefulStop() {
    graceful_pipe = -1;
    // Ends the watcher unless a signal already did (the pipe holds the byte either way).
    const unsigned char end = 0;
    const ssize_t ignored = ::write(pipe_[1], &end, 1);
    (void)ignored;
    watcher_.join();
    ::close(pipe_[0]);
    ::close(pipe_[1]);
}

}  // namespace lpu::launch
