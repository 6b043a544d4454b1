#pragma once
// `lpu run` of a model, greedy over 256 steps, on a grid placed in one of the
// ways a user launches it: in one process, under `mpirun -n 2`, or over two
// TCP workers on loopback (tests/launch/tcp/tcp_run.sh). Tests compare the
// text each placement prints with one chip's.
#include <array>
#include <string>

#include "tests/support/paths.hpp"
#include "tests/support/run_command.hpp"

namespace lpu::test {

inline constexpr std::array<const char*, 3> kPlacements{"one process", "mpirun -n 2", "2 TCP workers"};

struct PlacedRun {
    CommandResult result;  // of the command (for the TCP workers, of the script)
    std::string text;      // what `lpu run` printed on stdout
};

// `grid` e.g. "--tp 4 --pp 2"; `how` one of kPlacements.
inline PlacedRun placed_run(const std::string& how, const std::string& model, const std::string& grid) {
    const std::string greedy = " --temperature 0 --steps 256 ";
    PlacedRun run;
    if (how == "one process") {
        run.result = run_lpu("run --model " + model + greedy + grid);
        run.text = run.result.out;
    } else if (how == "mpirun -n 2") {
        run.result = run_shell("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0 "
                               "timeout 120 mpirun --oversubscribe -n 2 " + lpu_binary() + " run --model " + model +
                               greedy + grid);
        run.text = run.result.out;
    } else {
        // tcp_run.sh: greedy, 256 steps, the grid from GRID; the coordinator's
        // stdout follows its "--- stdout" line.
        run.result = run_shell("GRID='" + grid + "' bash " + source_dir().string() + "/tests/launch/tcp/tcp_run.sh " +
                               lpu_binary() + " " + model + " " + model + " 2");
        const auto from = run.result.out.find("--- stdout\n"), to = run.result.out.find("--- stderr\n");
        if (run.result.out.find("coordinator exit=0\n") == std::string::npos || from == std::string::npos ||
            to == std::string::npos) {
            run.result.exit_code = run.result.exit_code == 0 ? 1 : run.result.exit_code;
            return run;
        }
        run.text = run.result.out.substr(from + 11, to - from - 11);
    }
    return run;
}

}  // namespace lpu::test
