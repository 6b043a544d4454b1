#pragma once
// The fabric figures `lpu run` reports, as the launch tests compare them: the
// summary line on stderr, and the in-process run of the story that
// distributed runs must match.
#include <string>

#include "tests/support/run_command.hpp"

namespace lpu::test {

// The "lpu run: fabric over ..." line of a run's stderr, or "" when there is none.
inline std::string fabric_line(const std::string& err) {
    const std::string prefix = "lpu run: fabric over ";
    const auto at = err.find(prefix);
    return at == std::string::npos ? "" : err.substr(at, err.find('\n', at) - at);
}

// stories260K, tp 4 x pp 2, greedy, in this process: `extra` appended (e.g. --json).
inline CommandResult in_process_story(const std::string& model, const std::string& extra) {
    std::string arguments = "run --model ";
    arguments.append(model).append(" --temperature 0 --tp 4 --pp 2 ").append(extra);
    return run_lpu(arguments);
}

}  // namespace lpu::test
