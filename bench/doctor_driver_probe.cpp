// The dlopen side of the driver check. The signatures below are the few C functions the doctor needs, declared
// here from cuda.h and nvml.h as the driver exports them, because the CLI includes no CUDA header.
#include <dlfcn.h>

#include <memory>

#include "doctor_driver.hpp"

namespace cubench {
namespace {

using cu_result = int;
using cu_init_fn = cu_result (*)(unsigned int flags);
using cu_driver_get_version_fn = cu_result (*)(int* driver_version);
using cu_get_error_name_fn = cu_result (*)(cu_result error, const char** name);

using nvml_return = int;
struct nvml_device_st;
using nvml_device = nvml_device_st*;
using nvml_init_fn = nvml_return (*)();
using nvml_shutdown_fn = nvml_return (*)();
using nvml_error_string_fn = const char* (*)(nvml_return result);
using nvml_system_get_driver_version_fn = nvml_return (*)(char* version, unsigned int length);
using nvml_device_get_count_fn = nvml_return (*)(unsigned int* count);
using nvml_device_get_handle_by_index_fn = nvml_return (*)(unsigned int index, nvml_device* device);
using nvml_device_get_text_fn = nvml_return (*)(nvml_device device, char* text, unsigned int length);
using nvml_device_get_cuda_compute_capability_fn = nvml_return (*)(nvml_device device, int* major, int* minor);
using nvml_device_get_mig_mode_fn = nvml_return (*)(nvml_device device, unsigned int* current, unsigned int* pending);
// nvmlEnableState_t is a C enum of 0 and 1, passed as int.
using nvml_device_get_ecc_mode_fn = nvml_return (*)(nvml_device device, int* current, int* pending);

constexpr nvml_return nvml_success = 0;
// NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE is 80, NVML_DEVICE_NAME_V2_BUFFER_SIZE and NVML_DEVICE_UUID_V2_BUFFER_SIZE 96.
constexpr unsigned int nvml_text_buffer_size = 96;
constexpr unsigned int nvml_device_mig_enable = 1;

struct library_closer {
  void operator()(void* handle) const { dlclose(handle); }
};
using library_handle = std::unique_ptr<void, library_closer>;

// RTLD_NODELETE keeps libcuda mapped after dlclose: the driver starts threads in cuInit that outlive the handle.
library_handle open_library(const std::string& name, std::string& error) {
  library_handle handle(dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE));
  if (!handle) {
    const char* text = dlerror();
    error = text ? text : name + ": dlopen failed";
  }
  return handle;
}

template <typename Function>
Function find_function(void* library, const char* name, std::string& error) {
  dlerror();
  void* address = dlsym(library, name);
  if (address == nullptr && error.empty()) {
    const char* text = dlerror();
    error = text ? text : std::string(name) + " not found";
  }
  return reinterpret_cast<Function>(address);
}

std::string nvml_text(nvml_error_string_fn error_string, const char* call, nvml_return result) {
  std::string text = std::string(call) + " returned " + std::to_string(result);
  if (error_string) text += " (" + std::string(error_string(result)) + ")";
  return text;
}

void probe_cuda(const std::string& name, driver_state& state) {
  const library_handle library = open_library(name, state.libcuda_error);
  if (!library) return;
  const auto cu_init = find_function<cu_init_fn>(library.get(), "cuInit", state.libcuda_error);
  const auto get_version =
      find_function<cu_driver_get_version_fn>(library.get(), "cuDriverGetVersion", state.libcuda_error);
  std::string optional_error;
  const auto get_error_name = find_function<cu_get_error_name_fn>(library.get(), "cuGetErrorName", optional_error);
  if (!state.libcuda_error.empty()) return;

  int version = 0;
  if (get_version(&version) == 0) state.cuda_driver_version = version;
  const cu_result init = cu_init(0);
  if (init != 0) {
    state.cu_init_code = init;
    const char* error_name = nullptr;
    if (get_error_name == nullptr || get_error_name(init, &error_name) != 0 || error_name == nullptr)
      error_name = "CUDA error";
    state.cu_init_error = std::string(error_name) + " (" + std::to_string(init) + ")";
  }
}

void probe_nvml(const std::string& name, driver_state& state) {
  const library_handle library = open_library(name, state.nvml_error);
  if (!library) return;
  std::string& error = state.nvml_error;
  void* lib = library.get();
  const auto init = find_function<nvml_init_fn>(lib, "nvmlInit_v2", error);
  const auto shutdown = find_function<nvml_shutdown_fn>(lib, "nvmlShutdown", error);
  const auto error_string = find_function<nvml_error_string_fn>(lib, "nvmlErrorString", error);
  const auto driver_version = find_function<nvml_system_get_driver_version_fn>(lib, "nvmlSystemGetDriverVersion", error);
  const auto device_count = find_function<nvml_device_get_count_fn>(lib, "nvmlDeviceGetCount_v2", error);
  const auto handle_by_index = find_function<nvml_device_get_handle_by_index_fn>(lib, "nvmlDeviceGetHandleByIndex_v2", error);
  const auto device_name = find_function<nvml_device_get_text_fn>(lib, "nvmlDeviceGetName", error);
  const auto device_uuid = find_function<nvml_device_get_text_fn>(lib, "nvmlDeviceGetUUID", error);
  const auto compute_capability =
      find_function<nvml_device_get_cuda_compute_capability_fn>(lib, "nvmlDeviceGetCudaComputeCapability", error);
  const auto mig_mode = find_function<nvml_device_get_mig_mode_fn>(lib, "nvmlDeviceGetMigMode", error);
  const auto ecc_mode = find_function<nvml_device_get_ecc_mode_fn>(lib, "nvmlDeviceGetEccMode", error);
  if (!error.empty()) return;

  if (const nvml_return result = init(); result != nvml_success) {
    error = nvml_text(error_string, "nvmlInit_v2", result);
    return;
  }
  char text[nvml_text_buffer_size] = {};
  if (driver_version(text, nvml_text_buffer_size) == nvml_success) state.driver_version = text;
  unsigned int count = 0;
  if (const nvml_return result = device_count(&count); result != nvml_success) {
    error = nvml_text(error_string, "nvmlDeviceGetCount_v2", result);
    count = 0;
  }
  for (unsigned int index = 0; index < count; ++index) {
    nvml_device device = nullptr;
    if (const nvml_return result = handle_by_index(index, &device); result != nvml_success) {
      error = nvml_text(error_string, "nvmlDeviceGetHandleByIndex_v2", result);
      continue;
    }
    gpu_description gpu;
    gpu.index = index;
    if (device_name(device, text, nvml_text_buffer_size) == nvml_success) gpu.name = text;
    if (device_uuid(device, text, nvml_text_buffer_size) == nvml_success) gpu.uuid = text;
    compute_capability(device, &gpu.cc_major, &gpu.cc_minor);
    unsigned int mig_current = 0;
    unsigned int mig_pending = 0;
    if (mig_mode(device, &mig_current, &mig_pending) == nvml_success) {
      gpu.mig_enabled = mig_current == nvml_device_mig_enable;
      gpu.mig_pending = mig_pending == nvml_device_mig_enable;
    }
    int ecc_current = 0;
    int ecc_pending = 0;
    if (ecc_mode(device, &ecc_current, &ecc_pending) == nvml_success) {
      gpu.ecc_enabled = ecc_current != 0;
      gpu.ecc_pending = ecc_pending != 0;
    }
    state.gpus.push_back(std::move(gpu));
  }
  shutdown();
}

}  // namespace

driver_state probe_driver(const driver_library_names& names) {
  driver_state state;
  probe_cuda(names.cuda, state);
  probe_nvml(names.nvml, state);
  return state;
}

}  // namespace cubench
