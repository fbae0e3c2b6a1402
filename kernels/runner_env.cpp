#include "runner_env.hpp"

#include <cstdio>
#include <functional>
#include <iomanip>

#include <nlohmann/json.hpp>

#include "cuda_call.cuh"
#include "cuda_resources.cuh"
#include "runner_build_info.hpp"

namespace cubench {
namespace {

// nvidia-smi's spelling of a GPU's UUID, which NVML looks GPUs up by.
std::string uuid_text(const cudaUUID_t& uuid) {
  static constexpr int group_ends[] = {4, 6, 8, 10, 16};
  std::string text = "GPU-";
  int group = 0;
  for (int i = 0; i < 16; ++i) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(uuid.bytes[i]));
    text += hex;
    if (i + 1 == group_ends[group] && i + 1 < 16) {
      text += '-';
      ++group;
    }
  }
  return text;
}

std::string cuda_version_text(int encoded) {
  return std::to_string(encoded / 1000) + "." + std::to_string(encoded % 1000 / 10);
}

// The runtime reports "no driver" as version 0, and "no device" through cudaGetDeviceCount.
std::string collect_devices(runner_env& env) {
  BENCH_CUDA_TRY(cudaDriverGetVersion(&env.driver_cuda_version));
  if (env.driver_cuda_version == 0) return "no CUDA driver: libcuda.so.1 could not be loaded";
  int count = 0;
  try {
    BENCH_CUDA_TRY(cudaGetDeviceCount(&count));
  } catch (const cuda_error& e) {
    return std::string("no usable CUDA device: ") + e.what();
  }
  if (count == 0) return "no CUDA device";
  for (int index = 0; index < count; ++index) {
    cudaDeviceProp properties{};
    BENCH_CUDA_TRY(cudaGetDeviceProperties(&properties, index));
    gpu_env gpu;
    gpu.index = index;
    gpu.name = properties.name;
    gpu.uuid = uuid_text(properties.uuid);
    gpu.cc_major = properties.major;
    gpu.cc_minor = properties.minor;
    gpu.sm_count = properties.multiProcessorCount;
    try {
      gpu.image = probe_kernel_image(index);
    } catch (const cuda_error& e) {
      gpu.image_error = e.what();
    }
    env.gpus.push_back(std::move(gpu));
  }
  return "";
}

library_init try_init(const char* name, const std::function<void()>& create) {
  try {
    create();
    return {name, ""};
  } catch (const cuda_error& e) {
    return {name, e.what()};
  }
}

// Creating each handle shows that the loaded library works with this driver and GPU, not only that it loaded.
std::vector<library_init> init_libraries_on_gpu0() {
  BENCH_CUDA_TRY(cudaSetDevice(0));
  std::vector<library_init> inits;
  inits.push_back(try_init("cudart", [] { BENCH_CUDA_TRY(cudaFree(nullptr)); }));
  inits.push_back(try_init("cuBLAS", [] { const cublas_handle handle; }));
  inits.push_back(try_init("cuBLASLt", [] { const cublaslt_handle handle; }));
  inits.push_back(try_init("cuSPARSE", [] { const cusparse_handle handle; }));
#if CUBENCH_HAVE_CUDNN
  inits.push_back(try_init("cuDNN", [] { const cudnn_handle handle; }));
#endif
  return inits;
}

const library_init* init_of(const runner_env& env, const std::string& name) {
  for (const auto& init : env.inits) {
    if (init.name == name) return &init;
  }
  return nullptr;
}

}  // namespace

runner_env collect_env() {
  runner_env env;
  env.libraries = loaded_libraries();
  env.device_error = collect_devices(env);
  std::vector<std::string> uuids;
  for (const auto& gpu : env.gpus) uuids.push_back(gpu.uuid);
  env.nvml = probe_nvml(uuids);
  for (std::size_t i = 0; i < env.gpus.size() && i < env.nvml.gpus.size(); ++i) {
    env.gpus[i].max_sm_clock_mhz = env.nvml.gpus[i].max_sm_clock_mhz;
    env.gpus[i].nvml_index = env.nvml.gpus[i].index;
  }
  if (!env.gpus.empty()) env.inits = init_libraries_on_gpu0();
  return env;
}

std::vector<std::string> env_mismatches(const runner_env& env) {
  std::vector<std::string> lines;
  for (const auto& library : env.libraries) {
    if (library.loaded && !library.matches()) {
      lines.push_back(library.name + ": built against " + to_string(library.built) + ", loaded " +
                      to_string(*library.loaded) + " from " + library.path);
    }
  }
  return lines;
}

int env_exit_status(const runner_env& env) {
  // Without a usable device some runtimes (11.x) cannot even report their version; device_error says why.
  for (const auto& library : env.libraries) {
    if (!library.error.empty() && env.device_error.empty()) return runner_exit::failure;
  }
  for (const auto& init : env.inits) {
    if (!init.error.empty()) return runner_exit::failure;
  }
  if (!env_mismatches(env).empty()) return runner_exit::version_mismatch;
  if (!env.device_error.empty()) return runner_exit::no_device;
  return runner_exit::ok;
}

void write_env_text(const runner_env& env, std::ostream& out) {
  out << build_summary() << "\n";
  out << "driver: ";
  if (env.driver_cuda_version == 0) {
    out << "none";
  } else {
    out << (env.nvml.driver_version.empty() ? "version unknown" : env.nvml.driver_version) << ", runs CUDA "
        << cuda_version_text(env.driver_cuda_version) << " and older";
  }
  out << "\n";
  out << "nvml: " << (env.nvml.error.empty() ? env.nvml.library_path : env.nvml.error) << "\n";
  if (!env.device_error.empty()) out << "GPUs: none (" << env.device_error << ")\n";
  for (const auto& gpu : env.gpus) {
    out << "GPU " << gpu.index << ": " << gpu.name << ", " << gpu.uuid << ", compute capability " << gpu.cc_major << "."
        << gpu.cc_minor << ", " << gpu.sm_count << " SMs, max SM clock ";
    if (gpu.max_sm_clock_mhz) {
      out << *gpu.max_sm_clock_mhz << " MHz";
    } else {
      out << "unknown";
    }
    if (gpu.image) {
      out << ", runs sm_" << gpu.image->binary_version << " code (PTX " << gpu.image->ptx_version
          << ")";
    } else {
      out << ", NO KERNEL IMAGE: " << gpu.image_error;
    }
    out << "\n";
  }

  const auto column = [&out](const std::string& text, int width) { out << std::left << std::setw(width) << text; };
  column("library", 10);
  column("built", 14);
  column("loaded", 10);
  column("GPU 0", 8);
  out << "file\n";
  for (const auto& library : env.libraries) {
    column(library.name, 10);
    column(to_string(library.built), 14);
    column(library.loaded ? to_string(*library.loaded) : "error", 10);
    const library_init* init = init_of(env, library.name);
    column(init == nullptr ? "-" : init->error.empty() ? "ok" : "FAILED", 8);
    out << library.path << "\n";
  }
  for (const auto& library : env.libraries) {
    if (!library.error.empty()) out << "ERROR " << library.name << ": " << library.error << "\n";
  }
  for (const auto& init : env.inits) {
    if (!init.error.empty()) out << "INIT FAILED " << init.name << " on GPU 0: " << init.error << "\n";
  }
  for (const auto& line : env_mismatches(env)) out << "MISMATCH " << line << "\n";
}

nlohmann::json env_json(const runner_env& env) {
  auto gpus = nlohmann::json::array();
  for (const auto& gpu : env.gpus) {
    nlohmann::json entry = {
        {"index", gpu.index},
        {"nvml_index", gpu.nvml_index ? nlohmann::json(*gpu.nvml_index) : nlohmann::json()},
        {"name", gpu.name},
        {"uuid", gpu.uuid},
        {"compute_capability", std::to_string(gpu.cc_major) + "." + std::to_string(gpu.cc_minor)},
        {"sm_count", gpu.sm_count},
        {"max_sm_clock_mhz", gpu.max_sm_clock_mhz ? nlohmann::json(*gpu.max_sm_clock_mhz) : nlohmann::json()},
        {"binary_arch", gpu.image ? nlohmann::json(gpu.image->binary_version) : nlohmann::json()},
        {"ptx_arch", gpu.image ? nlohmann::json(gpu.image->ptx_version) : nlohmann::json()},
        {"kernel_image_error", gpu.image_error},
    };
    gpus.push_back(std::move(entry));
  }
  auto libraries = nlohmann::json::array();
  for (const auto& library : env.libraries) {
    const library_init* init = init_of(env, library.name);
    libraries.push_back({
        {"name", library.name},
        {"built", to_string(library.built)},
        {"loaded", library.loaded ? nlohmann::json(to_string(*library.loaded)) : nlohmann::json()},
        {"path", library.path},
        {"matches", library.matches()},
        {"error", library.error},
        {"init_on_gpu0", init == nullptr ? nlohmann::json() : nlohmann::json(init->error.empty() ? "ok" : init->error)},
    });
  }
  return {
      {"runner", build_info_json()},
      {"driver",
       {
           {"version", env.nvml.driver_version},
           {"cuda_version", env.driver_cuda_version == 0 ? "" : cuda_version_text(env.driver_cuda_version)},
           {"nvml_library", env.nvml.library_path},
           {"nvml_error", env.nvml.error},
       }},
      {"gpus", gpus},
      {"device_error", env.device_error},
      {"libraries", libraries},
      {"mismatches", env_mismatches(env)},
      {"exit_status", env_exit_status(env)},
  };
}

}  // namespace cubench
