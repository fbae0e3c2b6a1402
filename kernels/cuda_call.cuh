// One macro family for CUDA runtime and library calls: each throws cubench::cuda_error naming the file, the
// line, the error's name and text, and the call as written. Destructors use BENCH_CUDA_TRY_NOEXCEPT.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cusparse.h>
#if CUBENCH_HAVE_CUDNN
#include <cudnn.h>
#endif

namespace cubench {

/// Where a failed call was written, and how.
struct call_site {
  /// The call's source text.
  const char* call;
  /// The source file.
  const char* file;
  /// The line in that file.
  int line;
};

/// A failed CUDA runtime, driver-library or vendor-library call.
class cuda_error : public std::runtime_error {
 public:
  /// Builds "file:line: call failed: name: text" from the parts.
  cuda_error(const call_site& site, std::string error_name, const std::string& error_text)
      : std::runtime_error(std::string(site.file) + ":" + std::to_string(site.line) + ": " + site.call +
                           " failed: " + error_name + ": " + error_text),
        error_name_(std::move(error_name)) {}

  /// The error's symbolic name, e.g. "cudaErrorMemoryAllocation" or "CUBLAS_STATUS_NOT_SUPPORTED".
  const std::string& error_name() const noexcept { return error_name_; }

 private:
  std::string error_name_;
};

namespace detail {

/// An error's symbolic name and its description.
struct error_description {
  std::string name;
  std::string text;
};

inline bool failed(cudaError_t status) { return status != cudaSuccess; }
inline bool failed(cublasStatus_t status) { return status != CUBLAS_STATUS_SUCCESS; }
inline bool failed(cusparseStatus_t status) { return status != CUSPARSE_STATUS_SUCCESS; }

inline error_description describe(cudaError_t status) { return {cudaGetErrorName(status), cudaGetErrorString(status)}; }
inline error_description describe(cublasStatus_t status) {
  return {cublasGetStatusName(status), cublasGetStatusString(status)};
}
inline error_description describe(cusparseStatus_t status) {
  return {cusparseGetErrorName(status), cusparseGetErrorString(status)};
}

#if CUBENCH_HAVE_CUDNN
inline bool failed(cudnnStatus_t status) { return status != CUDNN_STATUS_SUCCESS; }
inline error_description describe(cudnnStatus_t status) {
#if CUDNN_MAJOR >= 9
  // cudnnGetErrorString gives only the status name; cuDNN 9 keeps the failing call's explanation per thread.
  char detail[512] = {};
  cudnnGetLastErrorString(detail, sizeof detail);
  return {cudnnGetErrorString(status), detail[0] != '\0' ? detail : "no detail from cuDNN"};
#else
  return {cudnnGetErrorString(status), "no detail from cuDNN"};
#endif
}
#endif

/// An NVML return code (nvmlReturn_t); NVML is opened at run time (nvml_probe.cpp), so no header defines it.
enum class nvml_status : int { success = 0 };
inline bool failed(nvml_status status) { return status != nvml_status::success; }
/// Names an NVML code through the loaded NVML's nvmlErrorString (defined in nvml_probe.cpp).
error_description describe(nvml_status status);

template <typename Status>
void throw_on_error(Status status, const call_site& site) {
  if (!failed(status)) return;
  auto [name, text] = describe(status);
  throw cuda_error(site, std::move(name), text);
}

// Destructors must not throw: the failure is reported and the program goes on.
template <typename Status>
void log_on_error(Status status, const call_site& site) noexcept {
  if (!failed(status)) return;
  try {
    const auto [name, text] = describe(status);
    std::fprintf(stderr, "%s:%d: %s failed: %s: %s\n", site.file, site.line, site.call, name.c_str(), text.c_str());
  } catch (...) {
    std::fprintf(stderr, "%s:%d: %s failed\n", site.file, site.line, site.call);
  }
}

}  // namespace detail
}  // namespace cubench

/// Calls a CUDA runtime function; throws cubench::cuda_error unless it returns cudaSuccess.
#define BENCH_CUDA_TRY(call) \
  ::cubench::detail::throw_on_error<cudaError_t>((call), ::cubench::call_site{#call, __FILE__, __LINE__})

/// Calls a cuBLAS or cuBLASLt function; throws cubench::cuda_error unless it returns CUBLAS_STATUS_SUCCESS.
#define BENCH_CUBLAS_TRY(call) \
  ::cubench::detail::throw_on_error<cublasStatus_t>((call), ::cubench::call_site{#call, __FILE__, __LINE__})

/// Calls a cuSPARSE function; throws cubench::cuda_error unless it returns CUSPARSE_STATUS_SUCCESS.
#define BENCH_CUSPARSE_TRY(call) \
  ::cubench::detail::throw_on_error<cusparseStatus_t>((call), ::cubench::call_site{#call, __FILE__, __LINE__})

/// Calls a cuDNN function; throws cubench::cuda_error unless it returns CUDNN_STATUS_SUCCESS.
#define BENCH_CUDNN_TRY(call) \
  ::cubench::detail::throw_on_error<cudnnStatus_t>((call), ::cubench::call_site{#call, __FILE__, __LINE__})

/// Calls an NVML function loaded by nvml_probe.cpp; throws cubench::cuda_error unless it returns NVML_SUCCESS.
#define BENCH_NVML_TRY(call)                                                \
  ::cubench::detail::throw_on_error<::cubench::detail::nvml_status>((call), \
                                                                    ::cubench::call_site{#call, __FILE__, __LINE__})

/// Calls any function of the family above and reports a failure on stderr instead of throwing.
#define BENCH_CUDA_TRY_NOEXCEPT(call) \
  ::cubench::detail::log_on_error((call), ::cubench::call_site{#call, __FILE__, __LINE__})
