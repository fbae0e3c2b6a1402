#include "clock_monitor.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace cubench {
namespace {

// The NVML functions used, with nvml.h's signatures; C enums pass as int, nvmlReturn_t as int (0 = success).
struct nvml_device_st;
using nvml_device = nvml_device_st*;
using init_fn = int (*)();
using shutdown_fn = int (*)();
using handle_by_uuid_fn = int (*)(const char* uuid, nvml_device* device);
using clock_fn = int (*)(nvml_device device, int clock_type, unsigned* clock_mhz);
using temperature_fn = int (*)(nvml_device device, int sensor, unsigned* celsius);
using power_fn = int (*)(nvml_device device, unsigned* milliwatts);
using reasons_fn = int (*)(nvml_device device, unsigned long long* reasons);

constexpr int nvml_success = 0;
constexpr int nvml_clock_sm = 1;
constexpr int nvml_temperature_gpu = 0;
constexpr const char* nvml_soname = "libnvidia-ml.so.1";

// nvmlClocksEventReasons bits (nvml.h); the first two are not slowdowns.
constexpr unsigned long long reason_gpu_idle = 0x1, reason_application_clocks = 0x2;
constexpr std::pair<unsigned long long, const char*> reason_names[] = {
    {0x4, "sw_power_cap"},     {0x8, "hw_slowdown"},           {0x10, "sync_boost"},
    {0x20, "sw_thermal"},      {0x40, "hw_thermal"},           {0x80, "hw_power_brake"},
    {0x100, "display_clocks"},
};

template <typename Function>
Function find(void* library, const char* name) {
  return reinterpret_cast<Function>(dlsym(library, name));
}

}  // namespace

struct clock_monitor::nvml_api {
  void* library = nullptr;
  shutdown_fn shutdown = nullptr;
  nvml_device device = nullptr;
  clock_fn clock = nullptr;
  temperature_fn temperature = nullptr;
  power_fn power = nullptr;
  reasons_fn reasons = nullptr;
  std::optional<int> max_sm_clock_mhz;

  ~nvml_api() {
    if (shutdown != nullptr) shutdown();
    if (library != nullptr) dlclose(library);
  }
};

clock_monitor::clock_monitor(const std::string& gpu_uuid) : api_(std::make_unique<nvml_api>()) {
  api_->library = dlopen(nvml_soname, RTLD_NOW | RTLD_LOCAL);
  if (api_->library == nullptr) {
    const char* why = dlerror();
    case_.error = why != nullptr ? why : std::string(nvml_soname) + " could not be loaded";
    return;
  }
  const auto init = find<init_fn>(api_->library, "nvmlInit_v2");
  const auto shutdown = find<shutdown_fn>(api_->library, "nvmlShutdown");
  const auto by_uuid = find<handle_by_uuid_fn>(api_->library, "nvmlDeviceGetHandleByUUID");
  const auto max_clock = find<clock_fn>(api_->library, "nvmlDeviceGetMaxClockInfo");
  api_->clock = find<clock_fn>(api_->library, "nvmlDeviceGetClockInfo");
  api_->temperature = find<temperature_fn>(api_->library, "nvmlDeviceGetTemperature");
  api_->power = find<power_fn>(api_->library, "nvmlDeviceGetPowerUsage");
  // Drivers from 535 call them clock-event reasons and keep the older name as an alias.
  api_->reasons = find<reasons_fn>(api_->library, "nvmlDeviceGetCurrentClocksEventReasons");
  if (api_->reasons == nullptr)
    api_->reasons = find<reasons_fn>(api_->library, "nvmlDeviceGetCurrentClocksThrottleReasons");
  if (!init || !shutdown || !by_uuid || !max_clock || !api_->clock || !api_->temperature || !api_->power ||
      !api_->reasons) {
    case_.error = std::string(nvml_soname) + " lacks a function the clock monitor needs";
    return;
  }
  if (const int status = init(); status != nvml_success) {
    case_.error = "nvmlInit_v2 failed with NVML error " + std::to_string(status);
    return;
  }
  api_->shutdown = shutdown;
  if (const int status = by_uuid(gpu_uuid.c_str(), &api_->device); status != nvml_success) {
    case_.error = "nvmlDeviceGetHandleByUUID(" + gpu_uuid + ") failed with NVML error " + std::to_string(status);
    api_->device = nullptr;
    return;
  }
  unsigned mhz = 0;
  if (max_clock(api_->device, nvml_clock_sm, &mhz) == nvml_success) api_->max_sm_clock_mhz = static_cast<int>(mhz);
}

clock_monitor::~clock_monitor() = default;

void clock_monitor::start_case() {
  const std::string error = case_.error;
  case_ = clock_report{};
  case_.error = api_->device == nullptr ? error : std::string();
  case_.max_sm_clock_mhz = api_->max_sm_clock_mhz;
  reasons_seen_ = 0;
}

void clock_monitor::sample() {
  if (api_->device == nullptr) return;
  unsigned value = 0;
  if (api_->clock(api_->device, nvml_clock_sm, &value) == nvml_success) {
    const int mhz = static_cast<int>(value);
    case_.min_sm_clock_mhz = case_.min_sm_clock_mhz ? std::min(*case_.min_sm_clock_mhz, mhz) : mhz;
  }
  if (api_->temperature(api_->device, nvml_temperature_gpu, &value) == nvml_success) {
    const int celsius = static_cast<int>(value);
    case_.max_temperature_c = case_.max_temperature_c ? std::max(*case_.max_temperature_c, celsius) : celsius;
  }
  if (api_->power(api_->device, &value) == nvml_success) {
    const double watts = value / 1000.0;
    case_.max_power_w = case_.max_power_w ? std::max(*case_.max_power_w, watts) : watts;
  }
  unsigned long long reasons = 0;
  if (api_->reasons(api_->device, &reasons) == nvml_success) reasons_seen_ |= reasons;
}

clock_report clock_monitor::report() const {
  clock_report r = case_;
  if (api_->device == nullptr) return r;
  r.throttle_reasons = throttle_reason_names(reasons_seen_);
  if (r.min_sm_clock_mhz && r.max_sm_clock_mhz)
    r.flagged = clock_flag(reasons_seen_, *r.min_sm_clock_mhz, *r.max_sm_clock_mhz);
  return r;
}

std::string throttle_reason_names(unsigned long long mask) {
  std::string names;
  for (const auto& [bit, name] : reason_names) {
    if ((mask & bit) == 0) continue;
    if (!names.empty()) names += '|';
    names += name;
  }
  const unsigned long long known = reason_gpu_idle | reason_application_clocks | 0x1fcULL;
  if ((mask & ~known) != 0) {
    if (!names.empty()) names += '|';
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%llx", mask & ~known);
    names += hex;
  }
  return names;
}

bool clock_flag(unsigned long long reasons, int min_sm_clock_mhz, int max_sm_clock_mhz) {
  const bool throttled = (reasons & ~(reason_gpu_idle | reason_application_clocks)) != 0;
  return throttled || min_sm_clock_mhz < 0.9 * max_sm_clock_mhz;
}

}  // namespace cubench
