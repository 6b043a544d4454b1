// `lpu launch`: the mpirun command line that runs a compiled plan on a
// cluster (launch/mpi/mpirun_command.hpp), printed (to copy into a batch
// script) or executed with --exec.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "cli/commands.hpp"
#include "cli/flag_checks.hpp"
#include "launch/mpi/mpirun_command.hpp"
#include "plan/plan_io.hpp"

namespace lpu::cli {
namespace {

struct LaunchOptions {
    launch::mpi::MpirunRequest request;
    bool exec = false;
};

void launch(const LaunchOptions& options) {
    const auto& request = options.request;
    require(request.hosts.empty() || request.hostfile.empty(), "give --hosts or --hostfile, not both");
    const plan::Plan plan = plan::load_plan(request.plan_path);  // refuses a damaged file before anything runs
    const auto command = launch::mpi::mpirun_command(request, plan);
    std::printf("%s\n", launch::mpi::shell_line(command).c_str());
    std::fflush(stdout);
    if (!options.exec) return;
    std::vector<char*> argv;
    for (const auto& word : command) argv.push_back(const_cast<char*>(word.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    throw Error("cannot run mpirun: " + std::string(std::strerror(errno)) + " (is Open MPI installed?)");
}

}  // namespace

void add_launch_command(CLI::App& app) {
    auto options = std::make_shared<LaunchOptions>();
    auto* command = app.add_subcommand("launch", "Print (or run) the mpirun command that runs a plan on a cluster");
    command->add_option("--plan", options->request.plan_path, "Plan file from `lpu compile`")->required()->check(CLI::ExistingFile);
    command->add_option("-m,--model", options->request.model_path, "Model file the plan was compiled for")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_option("--hosts", options->request.hosts, "Hosts as name[:slots], comma-separated");
    command->add_option("--hostfile", options->request.hostfile, "An Open MPI hostfile")->check(CLI::ExistingFile);
    command->add_option("--ranks", options->request.ranks, "Processes (default: one per pipeline stage, capped by the slots)")
        ->check(positive_number);
    command->add_option("--lpu", options->request.lpu, "Path of the lpu binary on the hosts")->capture_default_str();
    command->add_flag("--exec", options->exec, "Run the command instead of only printing it");
    command->add_option("run_arguments", options->request.run_arguments, "Arguments for `lpu run` after --");
    command->footer(
        "Example:\n  lpu launch --plan story.lpuplan --model stories260K.gguf --hosts node1:4,node2:4 -- --temperature 0\n"
        "  lpu launch --plan story.lpuplan --model stories260K.gguf --exec -- --steps 64");
    command->callback([options] { launch(*options); });
}

}  // namespace lpu::cli
