# Every dependency is a Debian package installed by scripts/install-deps.
find_package(Threads REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CapnProto REQUIRED)
find_package(MPI REQUIRED COMPONENTS CXX)
find_package(Catch2 2 REQUIRED)
find_package(PkgConfig REQUIRED)
# cpp-httplib, as Debian builds it: a shared library with its header (serve/).
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

# Standalone Asio is header-only and ships no CMake or pkg-config file.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(asio_standalone INTERFACE)
target_include_directories(asio_standalone SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(asio_standalone INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(asio_standalone INTERFACE Threads::Threads)
