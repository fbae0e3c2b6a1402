// The GPUs a run uses: listed by NVML (through the driver probe), or a fake list for tests on the CPU.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cubench {

/// One GPU as a run records it.
struct gpu_info {
  /// NVML's index (PCI order).
  unsigned index = 0;
  /// "GPU-..." as NVML prints it; runners are pinned to it through CUDA_VISIBLE_DEVICES.
  std::string uuid;
  /// e.g. "NVIDIA H100 80GB HBM3".
  std::string name;
  /// e.g. "9.0"; empty when unknown.
  std::string compute_capability;
};

/// The machine's driver and GPUs, or why they could not be listed.
struct gpu_inventory {
  /// nvmlSystemGetDriverVersion, e.g. "580.159.04".
  std::string driver_version;
  /// The newest CUDA the driver runs, e.g. "13.0".
  std::string cuda_driver_version;
  /// Every GPU, in NVML's order.
  std::vector<gpu_info> gpus;
  /// Why no GPU was found (NVML missing, driver not loaded); empty when the list is complete.
  std::string error;
};

/// The environment variable that replaces NVML with N fake GPUs (GPU-fake-0, ...) so that the orchestration runs
/// end to end on a machine without a GPU.
inline constexpr const char* fake_gpus_variable = "CUBENCH_FAKE_GPUS";

/// Lists the GPUs through NVML, or the fake ones when CUBENCH_FAKE_GPUS is set.
gpu_inventory enumerate_gpus();

/// N fake GPUs with stable UUIDs and the driver version "fake".
gpu_inventory fake_gpu_inventory(unsigned count);

/// The GPUs named by `selection`: "all" or comma-separated NVML indices ("0,1") or UUIDs; on a bad or unknown item
/// `error` names it and lists the GPUs there are.
std::vector<gpu_info> select_gpus(const gpu_inventory& inventory, std::string_view selection, std::string& error);

/// The folder name a GPU's files go under in a run (its UUID, unique across machines).
std::string gpu_folder_name(const gpu_info& gpu);

}  // namespace cubench
