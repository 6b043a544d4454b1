#include "base/log.hpp"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

#include "base/error.hpp"

namespace lpu::log {
namespace {
std::mutex registry_mutex;
spdlog::level::level_enum current_level = spdlog::level::warn;
}  // namespace

std::shared_ptr<spdlog::logger> get(const std::string& module) {
    std::lock_guard lock(registry_mutex);
    if (auto existing = spdlog::get(module)) return existing;
    auto logger = spdlog::stderr_color_mt(module);
    logger->set_level(current_level);
    logger->set_pattern("[%H:%M:%S.%e] [%n] [%l] %v");
    return logger;
}

void set_level(const std::string& level) {
    auto parsed = spdlog::level::from_str(level);
    // from_str maps unknown names to "off"; only "off" itself may mean off.
    require(parsed != spdlog::level::off || level == "off",
            "unknown log level '" + level + "' (use trace, debug, info, warn, error, critical, off)");
    std::lock_guard lock(registry_mutex);
    current_level = parsed;
    spdlog::set_level(parsed);
}

}  // namespace lpu::log
