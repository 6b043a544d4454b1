#pragma once
// Each `lpu` subcommand lives in its own file (NAME_command.cpp) and is listed here.
#include <CLI/CLI.hpp>

namespace lpu::cli {

void add_run_command(CLI::App& app);
void add_chat_command(CLI::App& app);
void add_topo_command(CLI::App& app);
void add_fabric_command(CLI::App& app);
void add_model_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_compile_command(CLI::App& app);
void add_launch_command(CLI::App& app);
void add_worker_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_plan_command(CLI::App& app);
void add_trace_command(CLI::App& app);
void add_sim_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);

inline void add_all_commands(CLI::App& app) {
    add_run_command(app);
    add_chat_command(app);
    add_compile_command(app);
    add_launch_command(app);
    add_worker_command(app);
    add_serve_command(app);
    add_plan_command(app);
    add_trace_command(app);
    add_sim_command(app);
    add_sweep_command(app);
    add_calibrate_command(app);
    add_topo_command(app);
    add_fabric_command(app);
    add_model_command(app);
    add_bench_command(app);
}

}  // namespace lpu::cli
