#include "cli/app.hpp"

#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "base/failure_exit.hpp"
#include "base/log.hpp"
#include "cli/commands.hpp"
#include "launch/interrupts.hpp"

namespace lpu::cli {

int run_cli(int argc, char** argv) {
    launch::install_interrupt_handlers();
    CLI::App app{"lpu: distributed inference on emulated LPUs (deterministic, SRAM-only chips)"};
    app.require_subcommand(1);
    app.fallthrough();  // global options such as --log-level also work after the subcommand
    app.set_help_all_flag("--help-all", "Show help for every subcommand");
    std::string log_level = "warn";
    app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")
        ->capture_default_str()
        ->each([](const std::string& level) { log::set_level(level); });
    add_all_commands(app);
    try {
        app.parse(argc, argv);
        return 0;
    } catch (const CLI::RuntimeError& e) {
        return e.get_exit_code();  // a command that printed its findings and fails, e.g. `plan check`
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --help-all
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    } catch (...) {
        return report_failure(std::current_exception(), std::cerr);
    }
}

}  // namespace lpu::cli
