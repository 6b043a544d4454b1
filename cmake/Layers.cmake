# lpu_add_layer(NAME DEPS...): one static library per top-level folder, built from
# every .cpp below that folder. A folder with no sources yet is an interface library.
function(lpu_add_layer name)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(sources)
    add_library(lpu_${name} STATIC ${sources})
    target_link_libraries(lpu_${name} PUBLIC lpu_options ${ARGN})
  else()
    add_library(lpu_${name} INTERFACE)
    target_link_libraries(lpu_${name} INTERFACE lpu_options ${ARGN})
  endif()
endfunction()

# lpu_add_test_suite(NAME DIR DEPS...): one Catch2 executable per test folder DIR
# (relative to tests/); every TEST_CASE becomes its own CTest test, labelled NAME
# (cmake/DiscoverTests.cmake).
function(lpu_add_test_suite name dir)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.cpp)
  if(NOT sources)
    return()
  endif()
  add_executable(test_${name} ${sources})
  target_link_libraries(test_${name} PRIVATE lpu_catch_main lpu_test_support ${ARGN})
  # Catch2 costs about 2 s to parse in every test file: each suite parses it
  # once. (nlohmann/json too would slow the files that do not use it: loading a
  # larger header costs more than the few that include it would save.)
  target_precompile_headers(test_${name} PRIVATE <catch2/catch.hpp> <string> <vector>)
  lpu_discover_tests(test_${name} ${name})
endfunction()
