# The layering of DESIGN.md, checked at configure time: a file may include only
# headers of its own layer or of the layers below it. Each entry is a folder;
# later entries are higher. Tests, benchmarks and tools may include anything.
set(LPU_LAYERS
  base schema topology plan
  sim sim/chip sim/clock sim/fabric
  collectives runtime study launch serve cli)

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

function(lpu_check_layers)
  set(violations "")
  foreach(layer ${LPU_LAYERS})
    file(GLOB sources CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}
         ${PROJECT_SOURCE_DIR}/${layer}/*.hpp ${PROJECT_SOURCE_DIR}/${layer}/*.cpp
         ${PROJECT_SOURCE_DIR}/${layer}/*/*.hpp ${PROJECT_SOURCE_DIR}/${layer}/*/*.cpp)
    foreach(source ${sources})
      lpu_layer_rank("${source}" own)
      file(STRINGS ${PROJECT_SOURCE_DIR}/${source} includes REGEX "^#include \"[a-z_]+/")
      foreach(line ${includes})
        string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" header "${line}")
        lpu_layer_rank("${header}" target)
        if(target GREATER own)
          list(APPEND violations "  ${source} includes ${header}")
        endif()
      endforeach()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES violations)
  if(violations)
    list(JOIN violations "\n" text)
    message(FATAL_ERROR "Includes that point up the layers (DESIGN.md):\n${text}")
  endif()
endfunction()
