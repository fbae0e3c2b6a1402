// The NVIDIA driver as NVML describes it. NVML is opened at run time from the driver's libnvidia-ml.so.1,
// so the runner links no NVML stub and starts where NVML is missing.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cubench {

/// NVML's facts about one GPU.
struct nvml_gpu {
  /// The "GPU-..." identifier it was looked up by.
  std::string uuid;
  /// NVML's index of the GPU, as nvidia-smi numbers it (PCI order, whatever CUDA_VISIBLE_DEVICES hides).
  std::optional<unsigned> index;
  /// The highest SM clock the GPU allows, in MHz; nullopt when NVML could not say.
  std::optional<unsigned> max_sm_clock_mhz;
  /// Why NVML could not describe the GPU; empty when it did.
  std::string error;
};

/// What NVML said, or why it could not say it.
struct nvml_report {
  /// The NVML shared object that was loaded; empty when none was.
  std::string library_path;
  /// The driver's version, e.g. "580.159.04"; empty when unknown.
  std::string driver_version;
  /// One entry per requested UUID, in the same order.
  std::vector<nvml_gpu> gpus;
  /// Why NVML was unavailable (not loadable, or nvmlInit failed); empty when it answered.
  std::string error;
};

/// Loads NVML, reads the driver version and each GPU's index and maximum SM clock, and unloads it again.
nvml_report probe_nvml(const std::vector<std::string>& gpu_uuids);

}  // namespace cubench
