#pragma once
// Where tests find the shared model files, the lpu binary and the programs they run.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "tests/support/skip.hpp"

namespace lpu::test {

// The paths of this checkout and build are compiled into tests/support/paths.cpp
// alone, so that no other test object depends on where the clone lies (a clone
// elsewhere reuses the compiler cache).

// The project's source folder (tests read their stored data under it).
std::filesystem::path source_dir();

inline std::filesystem::path shared_models_dir() { return source_dir() / ".." / "shared" / "models"; }

// The path of a shared model file, or empty when it is absent.
inline std::string shared_model(const std::string& name) {
    auto path = shared_models_dir() / name;
    if (!std::filesystem::exists(path)) return {};
    return path.string();
}

// Whether a missing shared model must fail the test rather than skip it:
// LPU_REQUIRE_SHARED_MODELS=1, which CI sets so that it never passes on skips.
inline bool shared_models_required() {
    const char* value = std::getenv("LPU_REQUIRE_SHARED_MODELS");
    return value != nullptr && std::string(value) == "1";
}

// Use at the top of a test: skips it (tests/support/skip.hpp) when the shared
// model `name` is not there, or fails it when the models are required.
#define LPU_REQUIRE_SHARED_MODEL(var, name)                                                         \
    const std::string var = ::lpu::test::shared_model(name);                                       \
    if (var.empty()) {                                                                             \
        if (::lpu::test::shared_models_required()) {                                               \
            FAIL("../shared/models/" << (name) << " not found, and LPU_REQUIRE_SHARED_MODELS=1");  \
        }                                                                                          \
        LPU_SKIP("../shared/models not found");                                                    \
    }

// The lpu binary of this build.
std::string lpu_binary();

// tests/programs/mpi_executor_check, run under mpirun.
std::string mpi_executor_check_binary();

// tests/programs/tcp_probe, a hostile peer for `lpu worker`.
std::string tcp_probe_binary();

}  // namespace lpu::test
