#include "library_versions.hpp"

#include <dlfcn.h>

#include <cublasLt.h>
#include <cuda_runtime_api.h>
#include <library_types.h>

#include "cuda_call.cuh"

namespace cubench {
namespace {

constexpr const char* cudart_name = "cudart";
constexpr const char* cublas_name = "cuBLAS";
constexpr const char* cublaslt_name = "cuBLASLt";
constexpr const char* cusparse_name = "cuSPARSE";
constexpr const char* cudnn_name = "cuDNN";
constexpr const char* thrust_name = "Thrust";

// CUDART_VERSION and cudaRuntimeGetVersion both count 1000 * major + 10 * minor.
library_version cudart_version(int encoded) { return {encoded / 1000, encoded % 1000 / 10, 0, std::nullopt}; }

const library_version cublas_built{CUBLAS_VER_MAJOR, CUBLAS_VER_MINOR, CUBLAS_VER_PATCH, CUBLAS_VER_BUILD};
const library_version cusparse_built{CUSPARSE_VER_MAJOR, CUSPARSE_VER_MINOR, CUSPARSE_VER_PATCH, CUSPARSE_VER_BUILD};
#if CUBENCH_HAVE_CUDNN
const library_version cudnn_built{CUDNN_MAJOR, CUDNN_MINOR, CUDNN_PATCHLEVEL, std::nullopt};
#endif

// Every library answers the same three libraryPropertyType questions.
template <typename Get>
library_version queried_version(Get get) {
  library_version version;
  get(MAJOR_VERSION, &version.major);
  get(MINOR_VERSION, &version.minor);
  get(PATCH_LEVEL, &version.patch);
  return version;
}

// The file that defines `symbol` for this process: the dynamic linker's choice, which is what the
// runner's calls bound to when the library is linked dynamically.
std::string defining_file(const char* symbol, bool statically_linked) {
  if (statically_linked) return "static";
  void* address = dlsym(RTLD_DEFAULT, symbol);
  Dl_info info{};
  if (address == nullptr || dladdr(address, &info) == 0 || info.dli_fname == nullptr) {
    return std::string("unknown (") + symbol + " not found by dlsym)";
  }
  return info.dli_fname;
}

template <typename Query>
loaded_library probe(const char* name, const library_version& built, const char* symbol, bool statically_linked,
                     Query query) {
  loaded_library library{name, built, std::nullopt, defining_file(symbol, statically_linked), ""};
  try {
    library.loaded = query();
  } catch (const cuda_error& e) {
    library.error = e.what();
  }
  return library;
}

}  // namespace

std::string to_string(const library_version& version) {
  std::string text = std::to_string(version.major) + "." + std::to_string(version.minor) + "." +
                     std::to_string(version.patch);
  if (version.build) text += "." + std::to_string(*version.build);
  return text;
}

bool same_release(const library_version& a, const library_version& b) {
  return a.major == b.major && a.minor == b.minor && a.patch == b.patch;
}

std::vector<built_library> built_libraries() {
  return {
      {cudart_name, cudart_version(CUDART_VERSION), "", false},
      {cublas_name, cublas_built, "", false},
      // cuBLASLt ships with cuBLAS and shares its version macros.
      {cublaslt_name, cublas_built, "", false},
      {cusparse_name, cusparse_built, "", false},
#if CUBENCH_HAVE_CUDNN
      {cudnn_name, cudnn_built, "", false},
#else
      {cudnn_name, std::nullopt, CUBENCH_CUDNN_REASON, false},
#endif
      {thrust_name, thrust_built_version(), "", true},
  };
}

std::vector<loaded_library> loaded_libraries() {
  constexpr bool static_cuda = CUBENCH_STATIC_CUDA;
  std::vector<loaded_library> libraries;
  libraries.push_back(probe(cudart_name, cudart_version(CUDART_VERSION), "cudaRuntimeGetVersion", static_cuda, [] {
    int encoded = 0;
    BENCH_CUDA_TRY(cudaRuntimeGetVersion(&encoded));
    return cudart_version(encoded);
  }));
  libraries.push_back(probe(cublas_name, cublas_built, "cublasGetProperty", static_cuda, [] {
    return queried_version(
        [](libraryPropertyType type, int* value) { BENCH_CUBLAS_TRY(cublasGetProperty(type, value)); });
  }));
  libraries.push_back(probe(cublaslt_name, cublas_built, "cublasLtGetProperty", static_cuda, [] {
    return queried_version(
        [](libraryPropertyType type, int* value) { BENCH_CUBLAS_TRY(cublasLtGetProperty(type, value)); });
  }));
  libraries.push_back(probe(cusparse_name, cusparse_built, "cusparseGetProperty", static_cuda, [] {
    return queried_version(
        [](libraryPropertyType type, int* value) { BENCH_CUSPARSE_TRY(cusparseGetProperty(type, value)); });
  }));
#if CUBENCH_HAVE_CUDNN
  // cuDNN is linked dynamically in both link modes.
  libraries.push_back(probe(cudnn_name, cudnn_built, "cudnnGetProperty", false, [] {
    return queried_version(
        [](libraryPropertyType type, int* value) { BENCH_CUDNN_TRY(cudnnGetProperty(type, value)); });
  }));
#endif
  return libraries;
}

}  // namespace cubench
