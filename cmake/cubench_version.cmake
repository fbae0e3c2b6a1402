# Writes <binary dir>/version.cpp from bench/version.cpp.in: cubench's version (the calling project's
# PROJECT_VERSION) and the commit of the checkout at `source_dir`. The host build and every runner use it.
function(cubench_configure_version source_dir output)
  find_package(Git QUIET)
  set(CUBENCH_GIT_SHA unknown)
  if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
      WORKING_DIRECTORY ${source_dir}
      OUTPUT_VARIABLE sha OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE sha_result)
    if(sha_result EQUAL 0)
      set(CUBENCH_GIT_SHA ${sha})
    endif()
  endif()
  configure_file(${source_dir}/bench/version.cpp.in ${output} @ONLY)
endfunction()
