#pragma once
// The `lpu` command line as a function, so tests can run it in-process.
namespace lpu::cli {

// Parses and runs one command. Returns the process exit code: 0 on success,
// 2 on bad input (after printing "error: ..." to stderr), 1 on internal errors.
int run_cli(int argc, char** argv);

}  // namespace lpu::cli
