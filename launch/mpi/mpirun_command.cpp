#include "launch/mpi/mpirun_command.hpp"

#include <algorithm>
#include <exception>
#include <sstream>

#include "base/error.hpp"

namespace lpu::launch::mpi {
namespace {

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

std::vector<std::string> split_hosts(const std::string& list) {
    std::vector<std::string> hosts;
    std::stringstream stream(list);
    for (std::string host; std::getline(stream, host, ',');) {
        require(!host.empty(), "--hosts '" + list + "' has an empty entry");
        hosts.push_back(host);
    }
    return hosts;
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

}  // namespace

std::vector<std::string> mpirun_command(const MpirunRequest& request, const plan::Plan& plan) {
    const int chips = static_cast<int>(plan.chips.size());
    int slots = 0;
    for (const auto& host : split_hosts(request.hosts)) slots += host_slots(host);
    int ranks = request.ranks;
    if (ranks == 0) {
        ranks = static_cast<int>(plan.grid.pp);
        if (slots > 0) ranks = std::min(ranks, slots);
    }
    require(ranks >= 1 && ranks <= chips, "--ranks " + std::to_string(ranks) + " must be between 1 and the plan's " +
                                              std::to_string(chips) + " chips");
    // --bind-to none: the ranks of a pipeline take turns, and each may use every core of its host for its
    // turn (Open MPI would bind each of 2 or fewer ranks to one core; launch/host_threads.hpp).
    std::vector<std::string> command = {"mpirun", "-n", std::to_string(ranks), "--map-by", "slot", "--bind-to", "none"};
    if (!request.hosts.empty()) command.insert(command.end(), {"--host", request.hosts});
    if (!request.hostfile.empty()) command.insert(command.end(), {"--hostfile", request.hostfile});
    command.insert(command.end(), {request.lpu, "run", "--model", request.model_path, "--plan", request.plan_path,
                                   "--print-placement"});
    command.insert(command.end(), request.run_arguments.begin(), request.run_arguments.end());
    return command;
}

std::string shell_line(const std::vector<std::string>& words) {
    std::string line;
    for (const auto& word : words) {
        if (!line.empty()) line += ' ';
        line += shell_quote(word);
    }
    return line;
}

}  // namespace lpu::launch::mpi
