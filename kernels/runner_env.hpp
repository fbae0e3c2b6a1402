// `bench-runner --env`: the driver, the GPUs, and for each library the version built against next to the
// version and file actually loaded, so that a runner picking up another toolkit's library says so.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kernel_image_probe.hpp"
#include "library_versions.hpp"
#include "nvml_probe.hpp"

namespace cubench {

/// bench-runner's exit statuses (docs/runner.md).
namespace runner_exit {
/// Everything asked for was done; for --env, every library loaded is the one built against.
inline constexpr int ok = 0;
/// A CUDA or library call failed, or an unexpected error.
inline constexpr int failure = 1;
/// The command line was not understood.
inline constexpr int usage_error = 2;
/// --env: a loaded library's version differs from the one the runner was built against.
inline constexpr int version_mismatch = 3;
/// --env: no CUDA driver or no CUDA device; the library section was still printed.
inline constexpr int no_device = 4;
}  // namespace runner_exit

/// One CUDA device as the runtime and NVML describe it.
struct gpu_env {
  /// The CUDA ordinal.
  int index = 0;
  /// Marketing name, e.g. "NVIDIA H100 80GB HBM3".
  std::string name;
  /// "GPU-..." identifier, as NVML and nvidia-smi spell it.
  std::string uuid;
  /// Compute capability major, e.g. 9.
  int cc_major = 0;
  /// Compute capability minor, e.g. 0.
  int cc_minor = 0;
  /// Streaming multiprocessors.
  int sm_count = 0;
  /// NVML's maximum SM clock; nullopt when NVML could not say.
  std::optional<unsigned> max_sm_clock_mhz;
  /// NVML's index, as nvidia-smi numbers the GPU; nullopt when NVML could not say.
  std::optional<unsigned> nvml_index;
  /// The runner's code this GPU runs; nullopt when none fits (see image_error).
  std::optional<kernel_image> image;
  /// Why no code of the runner fits this GPU; empty when one does.
  std::string image_error;
};

/// Whether a library could create its handle on GPU 0.
struct library_init {
  /// The library's name, as in loaded_library.
  std::string name;
  /// The failure; empty when the handle was created.
  std::string error;
};

/// Everything --env reports.
struct runner_env {
  /// Each library: built against, loaded, and from which file.
  std::vector<loaded_library> libraries;
  /// cudaDriverGetVersion, as 1000 * major + 10 * minor; 0 when there is no driver.
  int driver_cuda_version = 0;
  /// What NVML said about the driver and the GPUs.
  nvml_report nvml;
  /// The CUDA devices this process sees.
  std::vector<gpu_env> gpus;
  /// Why there is no usable device; empty when there is at least one.
  std::string device_error;
  /// Handle creation on GPU 0, per library; empty without a GPU.
  std::vector<library_init> inits;
};

/// Gathers the environment; works without a GPU (the driver and GPU parts then say why they are empty).
runner_env collect_env();

/// The exit status: failure (a query or handle failed on a usable device), then version_mismatch, then no_device.
int env_exit_status(const runner_env& env);

/// One line per mismatch: "cuSPARSE: built against X, loaded Y from PATH".
std::vector<std::string> env_mismatches(const runner_env& env);

/// Writes the report for people.
void write_env_text(const runner_env& env, std::ostream& out);

/// The report as JSON (docs/runner.md lists its keys).
nlohmann::json env_json(const runner_env& env);

}  // namespace cubench
