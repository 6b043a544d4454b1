#include "tests/support/run_command.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/paths.hpp"

namespace lpu::test {
namespace {
std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}
}  // namespace

CommandResult run_shell(const std::string& command_line) {
    static int counter = 0;
    auto dir = std::filesystem::temp_directory_path() /
               ("lpu-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir);
    const auto out_path = dir / "out", err_path = dir / "err";
    const std::string full = command_line + " >" + out_path.string() + " 2>" + err_path.string() + " </dev/null";
    const int status = std::system(full.c_str());
    CommandResult result;
    // std::system runs /bin/sh -c: a child killed by a signal shows as 128+N.
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
        if (result.exit_code > 128) result.signal = result.exit_code - 128;
    } else if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
    }
    result.out = slurp(out_path);
    result.err = slurp(err_path);
    std::filesystem::remove_all(dir);
    return result;
}

CommandResult run_lpu(const std::string& arguments) { return run_shell(lpu_binary() + " " + arguments); }

}  // namespace lpu::test
