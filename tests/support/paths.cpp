#include "tests/support/paths.hpp"

namespace lpu::test {

std::filesystem::path source_dir() { return LPU_SOURCE_DIR; }
std::string lpu_binary() { return LPU_BIN; }
std::string mpi_executor_check_binary() { return LPU_MPI_EXECUTOR_CHECK; }
std::string tcp_probe_binary() { return LPU_TCP_PROBE; }

}  // namespace lpu::test
