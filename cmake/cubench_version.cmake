# Writes version.cpp from bench/version.cpp.in: cubench's version (the calling project's PROJECT_VERSION) and the
# commit of the checkout at `source_dir`, with "-dirty" when tracked files differ from it. The host build and every
# runner use it. It is written at configure time and again at every build, since a build folder configured at one
# commit is rebuilt at later ones; configure_file leaves the file alone while the text stays the same.

function(cubench_write_version source_dir output version)
  find_package(Git QUIET)
  set(CUBENCH_GIT_SHA unknown)
  if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
      WORKING_DIRECTORY ${source_dir}
      OUTPUT_VARIABLE sha OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE sha_result)
    if(sha_result EQUAL 0)
      set(CUBENCH_GIT_SHA ${sha})
      execute_process(COMMAND ${GIT_EXECUTABLE} status --porcelain --untracked-files=no
        WORKING_DIRECTORY ${source_dir}
        OUTPUT_VARIABLE changes OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE status_result)
      if(status_result EQUAL 0 AND NOT changes STREQUAL "")
        string(APPEND CUBENCH_GIT_SHA "-dirty")
      endif()
    endif()
  endif()
  set(PROJECT_VERSION ${version})
  configure_file(${source_dir}/bench/version.cpp.in ${output} @ONLY)
endfunction()

# Writes `output` now and adds the target `name`, which writes it again at every build: make the target that
# compiles `output` depend on it.
function(cubench_configure_version name source_dir output)
  cubench_write_version(${source_dir} ${output} ${PROJECT_VERSION})
  add_custom_target(${name}
    COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${source_dir} -DOUTPUT=${output} -DVERSION=${PROJECT_VERSION}
            -P ${CMAKE_CURRENT_FUNCTION_LIST_FILE}
    BYPRODUCTS ${output}
    VERBATIM)
endfunction()

if(CMAKE_SCRIPT_MODE_FILE)
  cubench_write_version(${SOURCE_DIR} ${OUTPUT} ${VERSION})
endif()
