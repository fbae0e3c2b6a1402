#include "doctor_driver.hpp"

#include "driver_requirements.hpp"

namespace cubench {
namespace {

doctor_finding finding(std::string subject, doctor_verdict verdict, std::string summary, std::string fix = "") {
  return make_finding("driver", std::move(subject), verdict, std::move(summary), std::move(fix));
}

std::string release_minimum(const version_number& cuda) {
  for (const auto& row : toolkit_driver_requirements())
    if (row.major == cuda.major() && row.minor == cuda.minor()) return std::string(row.min_driver);
  return "";
}

std::string major_minimum(int major) {
  for (const auto& row : major_driver_requirements())
    if (row.major == major) return std::string(row.min_driver);
  return "";
}

std::string on_off(bool on) { return on ? "on" : "off"; }

doctor_finding gpu_finding(const gpu_description& gpu) {
  const std::string cc = std::to_string(gpu.cc_major) + "." + std::to_string(gpu.cc_minor);
  std::string summary = (gpu.name.empty() ? std::string("unnamed GPU") : gpu.name) + ", compute capability " + cc +
                        " (sm_" + std::to_string(gpu.cc_major) + std::to_string(gpu.cc_minor) + ")";
  summary += gpu.mig_enabled ? ", MIG " + on_off(*gpu.mig_enabled) : ", no MIG";
  summary += gpu.ecc_enabled ? ", ECC " + on_off(*gpu.ecc_enabled) : ", no ECC";
  doctor_finding result = finding("GPU " + std::to_string(gpu.index), doctor_verdict::ok, summary);
  if (!gpu.uuid.empty()) result.details.push_back(gpu.uuid);
  const std::string index = std::to_string(gpu.index);
  if (gpu.mig_enabled && *gpu.mig_enabled) {
    result.verdict = doctor_verdict::warn;
    result.details.push_back("MIG is on: CUDA sees MIG instances, not the whole GPU, and results describe one slice");
    result.fix = "To measure the whole GPU, turn MIG off while it is idle: nvidia-smi -i " + index + " -mig 0 (as root).";
  }
  if (gpu.mig_enabled && gpu.mig_pending && *gpu.mig_pending != *gpu.mig_enabled) {
    result.verdict = doctor_verdict::warn;
    result.details.push_back("MIG turns " + on_off(*gpu.mig_pending) + " at the next GPU reset");
    result.fix = "Reset the GPU (nvidia-smi -r -i " + index + ", as root, with no process on it) or reboot before measuring.";
  }
  if (gpu.ecc_enabled && gpu.ecc_pending && *gpu.ecc_pending != *gpu.ecc_enabled) {
    result.verdict = doctor_verdict::warn;
    result.details.push_back("ECC turns " + on_off(*gpu.ecc_pending) + " at the next reboot; memory bandwidth and "
                             "capacity change with it");
    result.fix = "Reboot before measuring, so that results are taken in the ECC mode the GPU will keep.";
  }
  return result;
}

}  // namespace

std::string cuda_version_text(int cuda_driver_version) {
  return cuda_version_of(cuda_driver_version).major_minor();
}

version_number cuda_version_of(int cuda_driver_version) {
  return version_number{{cuda_driver_version / 1000, cuda_driver_version % 1000 / 10}};
}

driver_fit_answer driver_fit_for(const driver_state& driver, const version_number& cuda) {
  driver_fit_answer answer;
  answer.minimum_driver = release_minimum(cuda);
  const std::string needs = "CUDA " + cuda.major_minor() + " needs " +
                            (answer.minimum_driver.empty() ? "a newer driver" : answer.minimum_driver);
  const std::string major_min = major_minimum(cuda.major());
  const std::string runs = driver.cuda_driver_version ? " runs CUDA up to " + cuda_version_text(driver.cuda_driver_version) : "";
  const std::string who = "driver " + (driver.driver_version.empty() ? std::string("(version unknown)") : driver.driver_version) + runs;
  if (driver.driver_version.empty() && driver.cuda_driver_version == 0) {
    answer.explanation = "no NVIDIA driver; " + needs;
    return answer;
  }
  if (!driver.driver_version.empty()) {
    const driver_check check = check_driver(cuda.major_minor(), driver.driver_version);
    switch (check.support) {
      case driver_support::full:
        answer.fit = driver_fit::native;
        answer.explanation = who + "; " + needs;
        return answer;
      case driver_support::minor_compatibility:
        answer.fit = driver_fit::minor_version_compatibility;
        answer.explanation = who + "; " + needs + ", and every CUDA " + std::to_string(cuda.major()) + ".x runs from " +
                             major_min + " through minor-version compatibility";
        return answer;
      case driver_support::unsupported:
        answer.fit = driver_fit::too_old;
        answer.explanation = who + "; " + needs +
                             (major_min.empty() || major_min == answer.minimum_driver
                                  ? std::string()
                                  : " (" + major_min + " for any CUDA " + std::to_string(cuda.major()) +
                                        ".x through minor-version compatibility)");
        return answer;
      case driver_support::unknown:
        break;
    }
  }
  if (driver.cuda_driver_version == 0) {
    answer.fit = driver_fit::too_old;
    answer.explanation = who + ", and the table has no row for CUDA " + cuda.major_minor();
    return answer;
  }
  const version_number driver_cuda = cuda_version_of(driver.cuda_driver_version);
  if (!major_minor_less(driver_cuda, cuda)) {
    answer.fit = driver_fit::native;
  } else if (driver_cuda.major() == cuda.major() && !major_min.empty() && !driver.driver_version.empty() &&
             compare_versions(driver.driver_version, major_min).value_or(-1) >= 0) {
    answer.fit = driver_fit::minor_version_compatibility;
  } else {
    answer.fit = driver_fit::too_old;
  }
  answer.explanation = who + "; " + needs;
  return answer;
}

std::vector<doctor_finding> driver_findings(const driver_state& driver, const std::optional<version_number>& newest_toolkit) {
  std::vector<doctor_finding> findings;
  const std::string newest_minimum = newest_toolkit ? release_minimum(*newest_toolkit) : "";
  if (!driver.libcuda_error.empty()) {
    doctor_finding result = finding("NVIDIA driver", doctor_verdict::warn,
                                    "no NVIDIA driver: libcuda.so.1 cannot be loaded, so this machine can build CUDA "
                                    "code but not run it");
    result.details.push_back("libcuda.so.1: " + driver.libcuda_error);
    if (!driver.nvml_error.empty()) result.details.push_back("NVML: " + driver.nvml_error);
    if (!driver.driver_version.empty()) result.details.push_back("NVML reports driver " + driver.driver_version);
    result.fix = "Install the NVIDIA driver" +
                 (newest_minimum.empty() ? std::string()
                                         : ", " + newest_minimum + " or newer to run CUDA " + newest_toolkit->major_minor()) +
                 "; in a container, start it with the GPUs passed in (NVIDIA Container Toolkit).";
    findings.push_back(std::move(result));
    return findings;
  }
  const std::string version = driver.driver_version.empty() ? "of unknown version" : driver.driver_version;
  const std::string runs = driver.cuda_driver_version ? ", runs CUDA up to " + cuda_version_text(driver.cuda_driver_version) : "";
  doctor_finding main = finding("NVIDIA driver", doctor_verdict::ok, "driver " + version + runs);
  if (driver.cu_init_code == cuda_error_stub_library) {
    main.verdict = doctor_verdict::error;
    main.summary = "libcuda.so.1 is the toolkit's link-time stub, not the driver (cuInit: " + driver.cu_init_error + ")";
    main.fix = "Remove the toolkit's lib64/stubs folder from LD_LIBRARY_PATH and the loader cache; the stub exists "
               "only for linking.";
  } else if (driver.cu_init_code == cuda_error_no_device) {
    main.verdict = doctor_verdict::warn;
    main.summary += ", but cuInit finds no GPU (" + driver.cu_init_error + ")";
    main.fix = "Check that nvidia-smi lists the GPU and that CUDA_VISIBLE_DEVICES does not hide it.";
  } else if (driver.cu_init_code != 0) {
    main.verdict = doctor_verdict::error;
    main.summary += ", but cuInit fails: " + driver.cu_init_error;
    main.fix = "Read nvidia-smi and dmesg for the driver's complaint; after a driver upgrade the kernel module and "
               "the libraries only match again after a reboot.";
  }
  findings.push_back(std::move(main));

  if (!driver.nvml_error.empty()) {
    findings.push_back(finding("NVML", doctor_verdict::warn, "GPU details are unavailable: " + driver.nvml_error,
                               "Install the driver's NVML library (libnvidia-ml.so.1) of the same version as the driver."));
  } else if (driver.gpus.empty()) {
    findings.push_back(finding("GPUs", doctor_verdict::warn, "NVML lists no GPU",
                               "Check that nvidia-smi lists the GPU; in a container, start it with the GPUs passed in."));
  }
  for (const auto& gpu : driver.gpus) findings.push_back(gpu_finding(gpu));
  return findings;
}

}  // namespace cubench
