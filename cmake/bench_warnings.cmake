# One INTERFACE target carries the warning flags; every target links it.
# nvcc receives the host-compiler flags through -Xcompiler.
if(NOT TARGET bench_warnings)
  add_library(bench_warnings INTERFACE)
  set(_bench_host_warnings -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
  target_compile_options(bench_warnings INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:${_bench_host_warnings}>
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>)
  if(BENCH_ENABLE_WERROR)
    target_compile_options(bench_warnings INTERFACE
      $<$<COMPILE_LANGUAGE:CXX>:-Werror>
      $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Werror>)
  endif()
endif()
