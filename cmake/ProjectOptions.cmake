# Compile options shared by every project target (not by dependencies).
add_library(lpu_options INTERFACE)
target_compile_options(lpu_options INTERFACE -Wall -Wextra -Wpedantic)
# Float expressions round as written: never fused into FMAs behind our back
# (GCC fuses by default where a target has FMA), so the portable and SIMD builds
# of the block-quantised kernels give the same bits.
target_compile_options(lpu_options INTERFACE -ffp-contract=off)
if(LPU_WERROR)
  target_compile_options(lpu_options INTERFACE -Werror)
endif()
target_include_directories(lpu_options INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})

if(LPU_SANITIZE)
  # -g1: line tables are all a sanitizer's or fuzzer's stack trace needs, and
  # full debug info (RelWithDebInfo's -g) made each compile a quarter slower.
  target_compile_options(lpu_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g1)
  target_link_options(lpu_options INTERFACE -fsanitize=address,undefined)
endif()

# Fuzzing (clang only): every project file gets libFuzzer's coverage
# instrumentation; the fuzz targets link the fuzzer itself (fuzz/).
if(LPU_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "LPU_FUZZ needs clang (scripts/fuzz configures it)")
  endif()
  target_compile_options(lpu_options INTERFACE -fsanitize=fuzzer-no-link)
endif()

# Kernels pick AVX2/FMA at run time per function (target attributes), so the
# binary still runs on CPUs without them; nothing here needs -march=native.
