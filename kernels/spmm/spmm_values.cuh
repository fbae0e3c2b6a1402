// Values as the SpMM kernels read and write them: each storage type with the type it accumulates in (fp64 for
// fp64, fp32 otherwise), packs of V values for 16-byte loads and stores, and the dispatch from a storage type to
// the kernel instances of its C++ type.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "reference/storage_type.hpp"

namespace cubench {

/// The type a kernel accumulates T in.
template <typename T>
struct accumulator_of {
  using type = float;
};
template <>
struct accumulator_of<double> {
  using type = double;
};

/// A stored value widened to its accumulator type.
__device__ inline double widen(double x) { return x; }
__device__ inline float widen(float x) { return x; }
__device__ inline float widen(__half x) { return __half2float(x); }
__device__ inline float widen(__nv_bfloat16 x) { return __bfloat162float(x); }

/// An accumulated value rounded to the storage type, to nearest.
template <typename T>
__device__ T narrow(typename accumulator_of<T>::type x);
template <>
__device__ inline double narrow<double>(double x) {
  return x;
}
template <>
__device__ inline float narrow<float>(float x) {
  return x;
}
template <>
__device__ inline __half narrow<__half>(float x) {
  return __float2half_rn(x);
}
template <>
__device__ inline __nv_bfloat16 narrow<__nv_bfloat16>(float x) {
  return __float2bfloat16_rn(x);
}

/// a b + c with one rounding, in the accumulator type.
__device__ inline float multiply_add(float a, float b, float c) { return __fmaf_rn(a, b, c); }
__device__ inline double multiply_add(double a, double b, double c) { return __fma_rn(a, b, c); }

/// V consecutive values, aligned so that one instruction loads or stores them.
template <typename T, int V>
struct alignas(sizeof(T) * V) value_pack {
  T v[V];
};

/// Values of T in one 16-byte load.
template <typename T>
constexpr int vector_width = static_cast<int>(16 / sizeof(T));

/// acc[v] += x in[v stride] for a lane's V columns j0 + v < n: one 16-byte pack when Vector (stride 1, V whole
/// columns), else V scalar loads.
template <typename T, int V, bool Vector>
__device__ inline void multiply_add_columns(typename accumulator_of<T>::type (&acc)[V], typename accumulator_of<T>::type x,
                                            const T* in, std::int64_t j0, std::int64_t n, std::int64_t stride) {
  if constexpr (Vector) {
    const value_pack<T, V> p = *reinterpret_cast<const value_pack<T, V>*>(in);
#pragma unroll
    for (int v = 0; v < V; ++v) acc[v] = multiply_add(x, widen(p.v[v]), acc[v]);
  } else {
#pragma unroll
    for (int v = 0; v < V; ++v) {
      if (j0 + v < n) acc[v] = multiply_add(x, widen(in[v * stride]), acc[v]);
    }
  }
}

/// out[v stride] = acc[v] rounded to T, for a lane's V columns j0 + v < n, as multiply_add_columns reads them.
template <typename T, int V, bool Vector>
__device__ inline void store_columns(const typename accumulator_of<T>::type (&acc)[V], T* out, std::int64_t j0,
                                     std::int64_t n, std::int64_t stride) {
  if constexpr (Vector) {
    value_pack<T, V> p;
#pragma unroll
    for (int v = 0; v < V; ++v) p.v[v] = narrow<T>(acc[v]);
    *reinterpret_cast<value_pack<T, V>*>(out) = p;
  } else {
#pragma unroll
    for (int v = 0; v < V; ++v) {
      if (j0 + v < n) out[v * stride] = narrow<T>(acc[v]);
    }
  }
}

/// A type as a value, for passing to a generic lambda.
template <typename T>
struct value_tag {
  using type = T;
};

/// Calls f(value_tag<T>{}) with the C++ type of an SpMM storage type (fp64, fp32, fp16, bf16); `what` names the
/// caller in the error for any other type.
template <typename F>
decltype(auto) with_value_type(storage_type storage, const char* what, F&& f) {
  switch (storage) {
    case storage_type::f64:
      return f(value_tag<double>{});
    case storage_type::f32:
      return f(value_tag<float>{});
    case storage_type::f16:
      return f(value_tag<__half>{});
    case storage_type::bf16:
      return f(value_tag<__nv_bfloat16>{});
    case storage_type::i8:
    case storage_type::i32:
      break;
  }
  throw std::invalid_argument(std::string(what) + ": SpMM takes fp64, fp32, fp16 or bf16 values");
}

}  // namespace cubench
