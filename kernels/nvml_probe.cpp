#include "nvml_probe.hpp"

#include <dlfcn.h>

#include <memory>
#include <stdexcept>

#include "cuda_call.cuh"

namespace cubench {
namespace {

using detail::nvml_status;

// The few NVML functions used, with nvml.h's signatures; C enums pass as int.
struct nvml_device_st;
using nvml_device = nvml_device_st*;
using init_fn = nvml_status (*)();
using shutdown_fn = nvml_status (*)();
using error_string_fn = const char* (*)(nvml_status status);
using driver_version_fn = nvml_status (*)(char* version, unsigned length);
using handle_by_uuid_fn = nvml_status (*)(const char* uuid, nvml_device* device);
using max_clock_fn = nvml_status (*)(nvml_device device, int clock_type, unsigned* clock_mhz);
using index_fn = nvml_status (*)(nvml_device device, unsigned* index);

constexpr int nvml_clock_sm = 1;
constexpr unsigned nvml_driver_version_size = 80;
constexpr const char* nvml_soname = "libnvidia-ml.so.1";

// detail::describe(nvml_status) has no handle to pass the library through; set while NVML is loaded.
error_string_fn loaded_error_string = nullptr;

struct library_closer {
  void operator()(void* library) const noexcept { dlclose(library); }
};

template <typename Function>
Function nvml_function(void* library, const char* name) {
  void* address = dlsym(library, name);
  if (address == nullptr) throw std::runtime_error(std::string(nvml_soname) + " lacks " + name);
  return reinterpret_cast<Function>(address);
}

// nvmlShutdown balances a successful nvmlInit, also when a later query throws.
class nvml_session {
 public:
  nvml_session(init_fn init, shutdown_fn shutdown) : shutdown_(shutdown) { BENCH_NVML_TRY(init()); }
  ~nvml_session() { BENCH_CUDA_TRY_NOEXCEPT(shutdown_()); }
  nvml_session(const nvml_session&) = delete;
  nvml_session& operator=(const nvml_session&) = delete;

 private:
  shutdown_fn shutdown_;
};

std::string file_defining(void* address) {
  Dl_info info{};
  if (dladdr(address, &info) == 0 || info.dli_fname == nullptr) return nvml_soname;
  return info.dli_fname;
}

}  // namespace

namespace detail {

error_description describe(nvml_status status) {
  const int code = static_cast<int>(status);
  return {"NVML error " + std::to_string(code),
          loaded_error_string != nullptr ? loaded_error_string(status) : "no NVML loaded to explain it"};
}

}  // namespace detail

nvml_report probe_nvml(const std::vector<std::string>& gpu_uuids) {
  nvml_report report;
  const std::unique_ptr<void, library_closer> library(dlopen(nvml_soname, RTLD_NOW | RTLD_LOCAL));
  if (!library) {
    const char* why = dlerror();
    report.error = why != nullptr ? why : std::string(nvml_soname) + " could not be loaded";
    return report;
  }
  try {
    const auto init = nvml_function<init_fn>(library.get(), "nvmlInit_v2");
    const auto shutdown = nvml_function<shutdown_fn>(library.get(), "nvmlShutdown");
    const auto driver_version = nvml_function<driver_version_fn>(library.get(), "nvmlSystemGetDriverVersion");
    const auto handle_by_uuid = nvml_function<handle_by_uuid_fn>(library.get(), "nvmlDeviceGetHandleByUUID");
    const auto max_clock = nvml_function<max_clock_fn>(library.get(), "nvmlDeviceGetMaxClockInfo");
    const auto device_index = nvml_function<index_fn>(library.get(), "nvmlDeviceGetIndex");
    loaded_error_string = nvml_function<error_string_fn>(library.get(), "nvmlErrorString");
    report.library_path = file_defining(reinterpret_cast<void*>(init));

    const nvml_session session(init, shutdown);
    char version[nvml_driver_version_size] = {};
    BENCH_NVML_TRY(driver_version(version, nvml_driver_version_size));
    report.driver_version = version;
    for (const auto& uuid : gpu_uuids) {
      nvml_gpu gpu{uuid, std::nullopt, std::nullopt, ""};
      try {
        nvml_device device = nullptr;
        BENCH_NVML_TRY(handle_by_uuid(uuid.c_str(), &device));
        unsigned index = 0;
        BENCH_NVML_TRY(device_index(device, &index));
        gpu.index = index;
        unsigned clock_mhz = 0;
        BENCH_NVML_TRY(max_clock(device, nvml_clock_sm, &clock_mhz));
        gpu.max_sm_clock_mhz = clock_mhz;
      } catch (const cuda_error& e) {
        gpu.error = e.what();
      }
      report.gpus.push_back(std::move(gpu));
    }
  } catch (const std::exception& e) {
    report.error = e.what();
  }
  loaded_error_string = nullptr;
  return report;
}

}  // namespace cubench
