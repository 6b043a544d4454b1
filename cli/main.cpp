// The `lpu` executable: everything is in lpu::cli::run_cli.
#include "cli/app.hpp"

int main(int argc, char** argv) { return lpu::cli::run_cli(argc, argv); }
