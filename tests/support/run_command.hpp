#pragma once
// Runs a shell command for end-to-end tests of the lpu binary and captures its
// exit code, stdout and stderr.
#include <string>

namespace lpu::test {

struct CommandResult {
    int exit_code = -1;       // the process's exit status; -1 if it died by a signal
    int signal = 0;           // the signal that ended it, 0 when it exited
    std::string out;
    std::string err;
};

// `arguments` is appended to the lpu binary path and run through /bin/sh.
CommandResult run_lpu(const std::string& arguments);

// Runs any shell command line.
CommandResult run_shell(const std::string& command_line);

}  // namespace lpu::test
