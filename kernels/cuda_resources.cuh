// Move-only owners of CUDA resources: each creates its resource in its constructor (throwing
// cubench::cuda_error on failure) and releases it in its destructor.
#pragma once

#include <cstddef>
#include <utility>

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cusparse.h>

#include "cuda_call.cuh"

namespace cubench {

/// Owns one handle and releases it with `Release`; empty after being moved from.
template <typename Handle, typename Release>
class unique_handle {
 public:
  /// Takes ownership of `handle`.
  explicit unique_handle(Handle handle) noexcept : handle_(handle) {}
  ~unique_handle() {
    if (handle_ != Handle{}) Release{}(handle_);
  }
  unique_handle(const unique_handle&) = delete;
  unique_handle& operator=(const unique_handle&) = delete;
  unique_handle(unique_handle&& other) noexcept : handle_(std::exchange(other.handle_, Handle{})) {}
  unique_handle& operator=(unique_handle&& other) noexcept {
    if (this != &other) {
      if (handle_ != Handle{}) Release{}(handle_);
      handle_ = std::exchange(other.handle_, Handle{});
    }
    return *this;
  }

  /// The owned handle, for passing to library calls.
  Handle get() const noexcept { return handle_; }

 private:
  Handle handle_;
};

namespace detail {

struct stream_release {
  void operator()(cudaStream_t stream) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cudaStreamDestroy(stream)); }
};
struct event_release {
  void operator()(cudaEvent_t event) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cudaEventDestroy(event)); }
};
struct device_memory_release {
  void operator()(void* pointer) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cudaFree(pointer)); }
};
struct cublas_release {
  void operator()(cublasHandle_t handle) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cublasDestroy(handle)); }
};
struct cublaslt_release {
  void operator()(cublasLtHandle_t handle) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cublasLtDestroy(handle)); }
};
struct cusparse_release {
  void operator()(cusparseHandle_t handle) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cusparseDestroy(handle)); }
};

template <typename Handle, typename Create>
Handle created(Create create) {
  Handle handle{};
  create(&handle);
  return handle;
}

}  // namespace detail

/// A non-blocking CUDA stream on the current device.
class cuda_stream : public unique_handle<cudaStream_t, detail::stream_release> {
 public:
  cuda_stream()
      : unique_handle(detail::created<cudaStream_t>(
            [](cudaStream_t* s) { BENCH_CUDA_TRY(cudaStreamCreateWithFlags(s, cudaStreamNonBlocking)); })) {}
};

/// A CUDA event that records timing.
class cuda_event : public unique_handle<cudaEvent_t, detail::event_release> {
 public:
  cuda_event()
      : unique_handle(detail::created<cudaEvent_t>([](cudaEvent_t* e) { BENCH_CUDA_TRY(cudaEventCreate(e)); })) {}
};

/// Records `start` on the stream, calls `enqueue` to put the timed work on it, and records `stop`.
template <typename Enqueue>
void record_around(cudaStream_t stream, const cuda_event& start, const cuda_event& stop, Enqueue&& enqueue) {
  BENCH_CUDA_TRY(cudaEventRecord(start.get(), stream));
  enqueue();
  BENCH_CUDA_TRY(cudaEventRecord(stop.get(), stream));
}

/// Waits for `stop` and returns the milliseconds from `start` to it.
inline float elapsed_ms(const cuda_event& start, const cuda_event& stop) {
  BENCH_CUDA_TRY(cudaEventSynchronize(stop.get()));
  float ms = 0;
  BENCH_CUDA_TRY(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return ms;
}

/// `bytes` of device memory on the current device, uninitialized.
class device_buffer : public unique_handle<void*, detail::device_memory_release> {
 public:
  explicit device_buffer(std::size_t bytes)
      : unique_handle(detail::created<void*>([bytes](void** p) { BENCH_CUDA_TRY(cudaMalloc(p, bytes)); })),
        bytes_(bytes) {}

  /// The buffer's size in bytes.
  std::size_t size() const noexcept { return bytes_; }
  /// The buffer's start, typed for a kernel or library argument.
  template <typename T>
  T* as() const noexcept {
    return static_cast<T*>(get());
  }

 private:
  std::size_t bytes_;
};

/// A cuBLAS handle bound to the current device.
class cublas_handle : public unique_handle<cublasHandle_t, detail::cublas_release> {
 public:
  cublas_handle()
      : unique_handle(detail::created<cublasHandle_t>([](cublasHandle_t* h) { BENCH_CUBLAS_TRY(cublasCreate(h)); })) {}
};

/// A cuBLASLt handle.
class cublaslt_handle : public unique_handle<cublasLtHandle_t, detail::cublaslt_release> {
 public:
  cublaslt_handle()
      : unique_handle(
            detail::created<cublasLtHandle_t>([](cublasLtHandle_t* h) { BENCH_CUBLAS_TRY(cublasLtCreate(h)); })) {}
};

/// A cuSPARSE handle bound to the current device.
class cusparse_handle : public unique_handle<cusparseHandle_t, detail::cusparse_release> {
 public:
  cusparse_handle()
      : unique_handle(
            detail::created<cusparseHandle_t>([](cusparseHandle_t* h) { BENCH_CUSPARSE_TRY(cusparseCreate(h)); })) {}
};

#if CUBENCH_HAVE_CUDNN
namespace detail {
struct cudnn_release {
  void operator()(cudnnHandle_t handle) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cudnnDestroy(handle)); }
};
}  // namespace detail

/// A cuDNN handle bound to the current device.
class cudnn_handle : public unique_handle<cudnnHandle_t, detail::cudnn_release> {
 public:
  cudnn_handle()
      : unique_handle(detail::created<cudnnHandle_t>([](cudnnHandle_t* h) { BENCH_CUDNN_TRY(cudnnCreate(h)); })) {}
};
#endif

}  // namespace cubench
