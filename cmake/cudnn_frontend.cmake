# Sets `out` to the folder of cudnn-frontend's headers: `chosen` when it is not empty, else the folder that
# scripts/install-cudnn-frontend installs them in. The script names the pinned version, so a change to it
# configures the calling project again. The host build hands the folder to `bench build`; each runner uses it.
function(cubench_cudnn_frontend_dir out chosen source_dir)
  if(chosen)
    set(${out} "${chosen}" PARENT_SCOPE)
    return()
  endif()
  set(script "${source_dir}/scripts/install-cudnn-frontend")
  execute_process(COMMAND "${script}" --print-dir
    OUTPUT_VARIABLE dir OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${script}")
  set(${out} "${dir}" PARENT_SCOPE)
endfunction()
