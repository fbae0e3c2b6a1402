# CTest tests that run the per-toolkit runners. Runners come from their own sub-builds (kernels/, through
# `bench build`), not from this build, so the tests exist only for runners present at configure time:
# BENCH_RUNNERS lists them, or else every ${CMAKE_BINARY_DIR}/runners/*/bench-runner is taken.
# tests/runner_cli_test.sh holds the checks; it exits 77 to skip (GPU checks without a GPU, and back).

set(BENCH_RUNNERS "" CACHE STRING
  "bench-runner executables to test (;-separated); empty: every ${CMAKE_BINARY_DIR}/runners/*/bench-runner")

function(bench_add_runner_tests)
  set(runners ${BENCH_RUNNERS})
  if(NOT runners)
    file(GLOB runners ${CMAKE_BINARY_DIR}/runners/*/bench-runner)
  endif()
  if(NOT runners)
    message(STATUS "Runner tests: no runner found; build them with `bench build`, then configure again")
    return()
  endif()
  set(script ${CMAKE_CURRENT_SOURCE_DIR}/runner_cli_test.sh)
  set(tests "")
  foreach(runner IN LISTS runners)
    get_filename_component(name "${runner}" DIRECTORY)
    get_filename_component(name "${name}" NAME)
    message(STATUS "Runner tests: ${name} (${runner})")
    foreach(check IN ITEMS version list cases-file env-without-gpu env-with-gpu needed)
      add_test(NAME runner_cli.${name}.${check} COMMAND bash ${script} ${check} ${runner})
      list(APPEND tests runner_cli.${name}.${check})
    endforeach()
    # Any other runner's toolkit may hold a library with one of this runner's SONAMEs but another version.
    set(others ${runners})
    list(REMOVE_ITEM others ${runner})
    add_test(NAME runner_cli.${name}.mismatch COMMAND bash ${script} mismatch ${runner} ${others})
    list(APPEND tests runner_cli.${name}.mismatch)
  endforeach()
  set_tests_properties(${tests} PROPERTIES SKIP_RETURN_CODE 77)
endfunction()

bench_add_runner_tests()
