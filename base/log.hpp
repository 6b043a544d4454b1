#pragma once
// One named spdlog logger per module ("model", "chip", "fabric", ...), all
// writing to stderr so that stdout carries only the program's output.
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace lpu::log {

// The logger for a module, created on first use with the current level.
std::shared_ptr<spdlog::logger> get(const std::string& module);

// Sets the level of every logger, present and future. Accepts spdlog's names:
// trace, debug, info, warn, error, critical, off. Throws lpu::Error otherwise.
void set_level(const std::string& level);

}  // namespace lpu::log
