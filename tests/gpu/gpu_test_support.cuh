// What the GPU tests share: skipping with the reason where no GPU can run them, and copies to the host.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime_api.h>

#include "cuda_call.cuh"
#include "reference/storage_type.hpp"

namespace cubench {

/// Why this process cannot run GPU tests, or "" when device 0 can run them.
inline std::string gpu_unavailable_reason() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) return std::string("no usable CUDA device: ") + cudaGetErrorString(status);
  if (count == 0) return "no CUDA device";
  return "";
}

/// Skips the test, printing why, where no GPU is present.
#define BENCH_SKIP_WITHOUT_GPU()                                          \
  do {                                                                    \
    const std::string why = ::cubench::gpu_unavailable_reason();          \
    if (!why.empty()) GTEST_SKIP() << "GPU test skipped: " << why;        \
  } while (0)

/// Copies `count` elements of T from the device.
template <typename T>
std::vector<T> to_host(const void* device, std::int64_t count) {
  std::vector<T> host(static_cast<std::size_t>(count));
  BENCH_CUDA_TRY(cudaMemcpy(host.data(), device, host.size() * sizeof(T), cudaMemcpyDeviceToHost));
  return host;
}

/// Copies `count` elements stored as `type` from the device, widened to double.
inline std::vector<double> to_host_doubles(storage_type type, const void* device, std::int64_t count) {
  std::vector<double> out(static_cast<std::size_t>(count));
  switch (type) {
    case storage_type::f64:
      return to_host<double>(device, count);
    case storage_type::f32: {
      const auto v = to_host<float>(device, count);
      for (std::size_t i = 0; i < v.size(); ++i) out[i] = v[i];
      return out;
    }
    case storage_type::f16: {
      const auto v = to_host<__half>(device, count);
      for (std::size_t i = 0; i < v.size(); ++i) out[i] = __half2float(v[i]);
      return out;
    }
    case storage_type::bf16: {
      const auto v = to_host<__nv_bfloat16>(device, count);
      for (std::size_t i = 0; i < v.size(); ++i) out[i] = __bfloat162float(v[i]);
      return out;
    }
    case storage_type::i8: {
      const auto v = to_host<std::int8_t>(device, count);
      for (std::size_t i = 0; i < v.size(); ++i) out[i] = v[i];
      return out;
    }
    case storage_type::i32: {
      const auto v = to_host<std::int32_t>(device, count);
      for (std::size_t i = 0; i < v.size(); ++i) out[i] = v[i];
      return out;
    }
  }
  return out;
}

}  // namespace cubench
