#include "launch/interrupts.hpp"

#include <csignal>
#include <cstring>

#include <unistd.h>

#include "base/output_file.hpp"

namespace lpu::launch {
namespace {

// Async-signal-safe: only write(2) and _exit(2).
extern "C" void on_interrupt(int signal_number) {
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

}  // namespace lpu::launch
