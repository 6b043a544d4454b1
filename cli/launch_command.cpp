// `lpu launch`: the mpirun command line that runs a compiled plan on a
// cluster, printed (to copy into a batch script) or executed with --exec.
//
// Ranks: one per pipeline stage by default (a TP group exchanges the most, so
// it stays inside one rank), capped by the slots the hosts offer; --ranks
// overrides. Ranks are mapped by slot, so consecutive ranks (consecutive
// stages) share a host while it has slots.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "cli/commands.hpp"
#include "cli/flag_checks.hpp"
#include "plan/plan_io.hpp"

namespace lpu::cli {
namespace {

struct LaunchOptions {
    std::string plan_path;
    std::string model_path;
    std::string hosts;  // "name[:slots],name[:slots],..."
    std::string hostfile;
    int ranks = 0;
    bool exec = false;
    std::string lpu = "lpu";
    std::vector<std::string> run_arguments;  // after --
};

// Slots a "name:slots" entry offers (1 without a count).
int host_slots(const std::string& host) {
    const auto colon = host.rfind(':');
    if (colon == std::string::npos) return 1;
    try {
        const int slots = std::stoi(host.substr(colon + 1));
        require(slots >= 1, "");
        return slots;
    } catch (const std::exception&) {
        throw Error("--hosts entry '" + host + "': slots must be a positive number (name:slots)");
    }
}

std::string shell_quote(const std::string& word) {
    if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=,@") ==
                             std::string::npos) {
        return word;
    }
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::vector<std::string> split_hosts(const std::string& list) {
    std::vector<std::string> hosts;
    std::stringstream stream(list);
    for (std::string host; std::getline(stream, host, ',');) {
        require(!host.empty(), "--hosts '" + list + "' has an empty entry");
        hosts.push_back(host);
    }
    return hosts;
}

std::vector<std::string> mpirun_command(const LaunchOptions& options, const plan::Plan& plan) {
    const int chips = static_cast<int>(plan.chips.size());
    int slots = 0;
    for (const auto& host : split_hosts(options.hosts)) slots += host_slots(host);
    int ranks = options.ranks;
    if (ranks == 0) {
        ranks = static_cast<int>(plan.grid.pp);
        if (slots > 0) ranks = std::min(ranks, slots);
    }
    require(ranks >= 1 && ranks <= chips, "--ranks " + std::to_string(ranks) + " must be between 1 and the plan's " +
                                              std::to_string(chips) + " chips");
    std::vector<std::string> command = {"mpirun", "-n", std::to_string(ranks), "--map-by", "slot"};
    if (!options.hosts.empty()) command.insert(command.end(), {"--host", options.hosts});
    if (!options.hostfile.empty()) command.insert(command.end(), {"--hostfile", options.hostfile});
    command.insert(command.end(), {options.lpu, "run", "--model", options.model_path, "--plan", options.plan_path,
                                   "--print-placement"});
    command.insert(command.end(), options.run_arguments.begin(), options.run_arguments.end());
    return command;
}

void launch(const LaunchOptions& options) {
    require(options.hosts.empty() || options.hostfile.empty(), "give --hosts or --hostfile, not both");
    const plan::Plan plan = plan::load_plan(options.plan_path);  // refuses a damaged file before anything runs
    const auto command = mpirun_command(options, plan);
    std::string line;
    for (const auto& word : command) line += (line.empty() ? "" : " ") + shell_quote(word);
    std::printf("%s\n", line.c_str());
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
    command->add_option("--plan", options->plan_path, "Plan file from `lpu compile`")->required()->check(CLI::ExistingFile);
    command->add_option("-m,--model", options->model_path, "Model file the plan was compiled for")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_option("--hosts", options->hosts, "Hosts as name[:slots], comma-separated");
    command->add_option("--hostfile", options->hostfile, "An Open MPI hostfile")->check(CLI::ExistingFile);
    command->add_option("--ranks", options->ranks, "Processes (default: one per pipeline stage, capped by the slots)")
        ->check(positive_number);
    command->add_option("--lpu", options->lpu, "Path of the lpu binary on the hosts")->capture_default_str();
    command->add_flag("--exec", options->exec, "Run the command instead of only printing it");
    command->add_option("run_arguments", options->run_arguments, "Arguments for `lpu run` after --");
    command->footer(
        "Example:\n  lpu launch --plan story.lpuplan --model stories260K.gguf --hosts node1:4,node2:4 -- --temperature 0\n"
        "  lpu launch --plan story.lpuplan --model stories260K.gguf --exec -- --steps 64");
    command->callback([options] { launch(*options); });
}

}  // namespace lpu::cli
