// The NVIDIA driver and its GPUs, read from libcuda.so.1 and libnvidia-ml.so.1 opened at run time, so that the
// CLI itself links neither.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "doctor_report.hpp"
#include "version_parsing.hpp"

namespace cubench {

/// One GPU as NVML describes it.
struct gpu_description {
  /// NVML's index.
  unsigned index = 0;
  /// Marketing name, e.g. "NVIDIA H100 80GB HBM3".
  std::string name;
  /// "GPU-..." identifier.
  std::string uuid;
  /// Compute capability major, e.g. 9.
  int cc_major = 0;
  /// Compute capability minor, e.g. 0.
  int cc_minor = 0;
  /// MIG mode now; nullopt when the GPU has no MIG.
  std::optional<bool> mig_enabled;
  /// MIG mode after the next GPU reset; nullopt when the GPU has no MIG.
  std::optional<bool> mig_pending;
  /// ECC mode now; nullopt when the GPU has no ECC.
  std::optional<bool> ecc_enabled;
  /// ECC mode after the next reboot; nullopt when the GPU has no ECC.
  std::optional<bool> ecc_pending;
};

/// What the driver libraries said, or why they could not say it.
struct driver_state {
  /// Why libcuda.so.1 could not be opened or lacks a function (the dlerror text); empty when it was used.
  std::string libcuda_error;
  /// cuDriverGetVersion: the newest CUDA the driver runs, as 1000 * major + 10 * minor (12040); 0 when unknown.
  int cuda_driver_version = 0;
  /// cuInit's error as "CUDA_ERROR_NAME (code)"; empty when cuInit succeeded or was not reached.
  std::string cu_init_error;
  /// cuInit's numeric result; 0 on success or when it was not reached.
  int cu_init_code = 0;
  /// Why NVML could not be opened or initialized; empty when it answered.
  std::string nvml_error;
  /// nvmlSystemGetDriverVersion, e.g. "550.54.14"; empty when unknown.
  std::string driver_version;
  /// The GPUs NVML lists.
  std::vector<gpu_description> gpus;
};

/// The driver libraries to open; tests point these at stubs they build.
struct driver_library_names {
  /// The CUDA driver API library.
  std::string cuda = "libcuda.so.1";
  /// The NVML library.
  std::string nvml = "libnvidia-ml.so.1";
};

/// cuInit's "no CUDA-capable device" result, which only means that no GPU is visible.
inline constexpr int cuda_error_no_device = 100;
/// cuInit's result when libcuda.so.1 is the toolkit's link-time stub rather than the driver.
inline constexpr int cuda_error_stub_library = 34;

/// Opens the driver libraries with dlopen and asks them for versions and GPUs; never throws.
driver_state probe_driver(const driver_library_names& names = {});

/// "12.4" for 12040.
std::string cuda_version_text(int cuda_driver_version);

/// The CUDA release a driver version number stands for: {12, 4} for 12040.
version_number cuda_version_of(int cuda_driver_version);

/// How the installed driver runs code built with one CUDA release.
enum class driver_fit {
  /// No driver answered, so nothing can run.
  no_driver,
  /// The driver meets the release's own minimum (or its CUDA version is at least the release's).
  native,
  /// Below the release's minimum but at or above its major's: runs through minor-version compatibility, without
  /// JIT compilation of PTX newer than the driver.
  minor_version_compatibility,
  /// The driver cannot run it.
  too_old,
};

/// driver_fit plus the numbers behind it.
struct driver_fit_answer {
  /// The verdict.
  driver_fit fit = driver_fit::no_driver;
  /// The minimum Linux driver for the release itself (driver_requirements.hpp), e.g. "550.54.14"; empty when unknown.
  std::string minimum_driver;
  /// One clause with the numbers, e.g. "driver 535.104.05 runs CUDA up to 12.2; CUDA 12.4 needs 550.54.14".
  std::string explanation;
};

/// Whether `driver` runs code built with CUDA `cuda`, by the driver requirements table and cuDriverGetVersion.
driver_fit_answer driver_fit_for(const driver_state& driver, const version_number& cuda);

/// The driver check: whether there is a driver, which CUDA it runs, and each GPU with its MIG and ECC state;
/// `newest_toolkit` (when known) names the toolkit whose minimum driver the fix asks for.
std::vector<doctor_finding> driver_findings(const driver_state& driver, const std::optional<version_number>& newest_toolkit);

}  // namespace cubench
