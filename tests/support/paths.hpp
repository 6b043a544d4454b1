#pragma once
// Where tests find the shared model files, the lpu binary and the programs they run.
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

namespace lpu::test {

inline std::filesystem::path shared_models_dir() {
    return std::filesystem::path(LPU_SOURCE_DIR) / ".." / "shared" / "models";
}

// The path of a shared model file, or empty when ../shared/models is absent
// (the caller then skips with the message the models README asks for).
inline std::string shared_model(const std::string& name) {
    auto path = shared_models_dir() / name;
    if (!std::filesystem::exists(path)) return {};
    return path.string();
}

// Use at the top of a test: returns from it, with a visible warning, when the
// shared models are not there.
#define LPU_REQUIRE_SHARED_MODEL(var, name)                                 \
    const std::string var = ::lpu::test::shared_model(name);               \
    if (var.empty()) {                                                     \
        WARN("skipped: ../shared/models not found");                       \
        return;                                                            \
    }

inline std::string lpu_binary() { return LPU_BIN; }

// tests/programs/mpi_executor_check, run under mpirun.
inline std::string mpi_executor_check_binary() { return LPU_MPI_EXECUTOR_CHECK; }

// tests/programs/tcp_probe, a hostile peer for `lpu worker`.
inline std::string tcp_probe_binary() { return LPU_TCP_PROBE; }

}  // namespace lpu::test
