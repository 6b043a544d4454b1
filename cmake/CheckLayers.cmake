# The layering of DESIGN.md, checked at configure time: a file may include only
# headers of its own layer or of the layers below it. Each entry is a folder;
# later entries are higher, and a file belongs to the longest entry its path
# starts with (so runtime/model/ is above runtime/kernels/). Folders that are
# split by concept without an order between them (collectives/algorithms/,
# launch/'s backends) are one layer with their parent.
set(LPU_LAYERS
  base schema topology plan
  sim sim/chip sim/clock sim/fabric
  collectives
  runtime runtime/kernels runtime/model runtime/chip runtime/compiler runtime/engine
  study launch serve cli)
# Folders outside the layers: tests, benchmarks and tools may include anything.
set(LPU_OUTSIDE_LAYERS tests bench fuzz examples scripts cmake)

function(lpu_layer_rank path out)
  set(best -1)
  set(best_length 0)
  set(rank 0)
  foreach(layer ${LPU_LAYERS})
    string(LENGTH "${layer}/" length)
    string(SUBSTRING "${path}" 0 ${length} prefix)
    if(prefix STREQUAL "${layer}/" AND length GREATER best_length)
      set(best ${rank})
      set(best_length ${length})
    endif()
    math(EXPR rank "${rank} + 1")
  endforeach()
  set(${out} ${best} PARENT_SCOPE)
endfunction()

# Every source of every top-level folder (except the build trees and the
# folders outside the layers), at any depth: a new folder is checked too, and
# one that is in no layer is an error rather than a blind spot.
function(lpu_layered_sources out)
  file(GLOB children RELATIVE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/*)
  set(sources "")
  foreach(child ${children})
    if(NOT IS_DIRECTORY ${PROJECT_SOURCE_DIR}/${child} OR child MATCHES "^(\\.|build)"
       OR child IN_LIST LPU_OUTSIDE_LAYERS)
      continue()
    endif()
    file(GLOB_RECURSE found CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}
         ${PROJECT_SOURCE_DIR}/${child}/*.hpp ${PROJECT_SOURCE_DIR}/${child}/*.cpp ${PROJECT_SOURCE_DIR}/${child}/*.inc)
    list(APPEND sources ${found})
  endforeach()
  set(${out} ${sources} PARENT_SCOPE)
endfunction()

function(lpu_check_layers)
  lpu_layered_sources(sources)
  set(violations "")
  foreach(source ${sources})
    lpu_layer_rank("${source}" own)
    if(own EQUAL -1)
      list(APPEND violations "  ${source} is in no layer (add its folder to LPU_LAYERS or LPU_OUTSIDE_LAYERS)")
      continue()
    endif()
    file(STRINGS ${PROJECT_SOURCE_DIR}/${source} includes REGEX "^#include \"[a-z_]+/")
    foreach(line ${includes})
      string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" header "${line}")
      lpu_layer_rank("${header}" target)
      if(target GREATER own)
        list(APPEND violations "  ${source} includes ${header}")
      endif()
    endforeach()
  endforeach()
  if(violations)
    list(JOIN violations "\n" text)
    message(FATAL_ERROR "The layering of DESIGN.md is broken:\n${text}")
  endif()
endfunction()
