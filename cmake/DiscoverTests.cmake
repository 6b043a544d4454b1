# lpu_discover_tests(TARGET SUITE): registers every TEST_CASE of a Catch2 suite as
# its own CTest test once the suite is built (as Catch's catch_discover_tests does),
# with the properties every test of the project has:
#   LABELS            the suite's name, and `slow` for test cases tagged [slow]
#                     (scripts/test runs those in the Release build only)
#   TIMEOUT           LPU_TEST_TIMEOUT seconds, LPU_SLOW_TEST_TIMEOUT for [slow]
#                     ones: a hang fails in minutes instead of eating the CI budget
#   SKIP_RETURN_CODE  the code of a test case that skipped (tests/support/skip.hpp)
#   WORKING_DIRECTORY the project root, so that ../shared/models resolves
set(LPU_TEST_TIMEOUT 300 CACHE STRING "Seconds a test may run before CTest fails it")
set(LPU_SLOW_TEST_TIMEOUT 900 CACHE STRING "Seconds a [slow] test may run before CTest fails it")
set(LPU_DISCOVER_TESTS_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/discover_tests.cmake)

function(lpu_discover_tests target suite)
  set(tests_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake")
  add_custom_command(
    TARGET ${target} POST_BUILD
    BYPRODUCTS "${tests_file}"
    COMMAND "${CMAKE_COMMAND}"
            -D "TEST_EXECUTABLE=$<TARGET_FILE:${target}>"
            -D "TEST_WORKING_DIR=${PROJECT_SOURCE_DIR}"
            -D "TEST_SUITE=${suite}"
            -D "TEST_TIMEOUT=${LPU_TEST_TIMEOUT}"
            -D "SLOW_TEST_TIMEOUT=${LPU_SLOW_TEST_TIMEOUT}"
            -D "SKIP_RETURN_CODE=77"
            -D "CTEST_FILE=${tests_file}"
            -P "${LPU_DISCOVER_TESTS_SCRIPT}"
    VERBATIM)
  # CTest reads the list when it runs; before the first build it names the suite as not built.
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake")
  file(WRITE "${include_file}"
    "if(EXISTS \"${tests_file}\")\n"
    "  include(\"${tests_file}\")\n"
    "else()\n"
    "  add_test(${target}_NOT_BUILT ${target}_NOT_BUILT)\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
