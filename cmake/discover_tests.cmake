# Run after a suite is built (cmake -P, see DiscoverTests.cmake): asks the Catch2
# executable for its test cases, and for those tagged [slow], and writes the
# CTest file that registers each one with its properties.
cmake_minimum_required(VERSION 3.25)

function(list_tests out)
  execute_process(
    COMMAND "${TEST_EXECUTABLE}" ${ARGN} --list-test-names-only
    OUTPUT_VARIABLE output
    RESULT_VARIABLE result
    WORKING_DIRECTORY "${TEST_WORKING_DIR}")
  if(NOT result MATCHES "^[0-9]+$")
    message(FATAL_ERROR "Listing the tests of ${TEST_EXECUTABLE} failed: ${result}\n${output}")
  endif()
  # A CMake list does not split inside square brackets, which test names hold
  # ("[0, count)"): they and semicolons travel as placeholders (see restore).
  string(REPLACE ";" "<semicolon>" output "${output}")
  string(REPLACE "[" "<open>" output "${output}")
  string(REPLACE "]" "<close>" output "${output}")
  string(REPLACE "\n" ";" output "${output}")
  list(FILTER output EXCLUDE REGEX "^$")
  set(${out} "${output}" PARENT_SCOPE)
endfunction()

# A listed test name as Catch printed it.
function(restore text out)
  string(REPLACE "<semicolon>" ";" text "${text}")
  string(REPLACE "<open>" "[" text "${text}")
  string(REPLACE "<close>" "]" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# A CMake bracket argument that holds `text` as it is.
function(bracket text out)
  set(${out} "[==[${text}]==]" PARENT_SCOPE)
endfunction()

list_tests(all_tests)
list_tests(slow_tests "[slow]")

set(script "")
foreach(listed IN LISTS all_tests)
  list(FIND slow_tests "${listed}" slow_index)
  restore("${listed}" test)
  # Catch reads commas and brackets in a test spec as syntax: escape them.
  set(spec "${test}")
  foreach(char , [ ])
    string(REPLACE "${char}" "\\${char}" spec "${spec}")
  endforeach()
  set(labels "${TEST_SUITE}")
  set(timeout ${TEST_TIMEOUT})
  if(NOT slow_index EQUAL -1)
    list(APPEND labels slow)
    set(timeout ${SLOW_TEST_TIMEOUT})
  endif()
  bracket("${test}" name)
  bracket("${spec}" spec)
  bracket("${TEST_EXECUTABLE}" executable)
  bracket("${TEST_WORKING_DIR}" working_dir)
  string(APPEND script
    "add_test(${name} ${executable} ${spec})\n"
    "set_tests_properties(${name} PROPERTIES WORKING_DIRECTORY ${working_dir} "
    "LABELS \"${labels}\" TIMEOUT ${timeout} SKIP_RETURN_CODE ${SKIP_RETURN_CODE})\n")
endforeach()
file(WRITE "${CTEST_FILE}" "${script}")
