# Strict warnings on our own targets only.
function(sy_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-missing-field-initializers
    # g++ 12 false positives in libstdc++ string code at -O3 (GCC bug 105329).
    -Wno-restrict
    # g++ 12 false positive on coroutine frames under sanitizers (GCC bug 109224).
    -Wno-mismatched-new-delete)
endfunction()

# sy_module(name SOURCES ... DEPS ...): one CMake library target per src/ folder.
function(sy_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(sy_${name} STATIC ${M_SOURCES})
  target_include_directories(sy_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(sy_${name} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  sy_warnings(sy_${name})
endfunction()
