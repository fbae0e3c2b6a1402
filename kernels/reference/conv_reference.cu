#include "conv_reference.cuh"

#include <stdexcept>
#include <string>

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "cuda_call.cuh"

namespace cubench {
namespace {

__device__ inline double widen(float x) { return x; }
__device__ inline double widen(__half x) { return __half2float(x); }
__device__ inline double widen(__nv_bfloat16 x) { return __bfloat162float(x); }

struct reference_tensors {
  conv_geometry g;
  conv_layout layout;
  tensor_strides x, w, y;
  std::int64_t p_count, q_count, cg, kg;
};

// Each kernel walks the output in storage order and sums exactly as cpu_conv_reference.cpp does.
template <typename T>
__global__ void forward_kernel(reference_tensors t, const T* __restrict__ x, const T* __restrict__ w, double* y) {
  const conv_geometry& g = t.g;
  const tensor_index extents{g.n, g.k, t.p_count, t.q_count};
  const std::int64_t count = element_count(extents);
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const tensor_index o = unflatten(t.layout, extents, i);
    const std::int64_t c0 = o.c / t.kg * t.cg;
    double sum = 0;
    for (std::int64_t c = 0; c < t.cg; ++c)
      for (std::int64_t r = 0; r < g.r; ++r) {
        const std::int64_t h = conv_input_coordinate(o.h, r, g.stride, g.pad, g.dilation);
        if (h < 0 || h >= g.h) continue;
        for (std::int64_t s = 0; s < g.s; ++s) {
          const std::int64_t iw = conv_input_coordinate(o.w, s, g.stride, g.pad, g.dilation);
          if (iw < 0 || iw >= g.w) continue;
          sum = fma(widen(x[offset_of(t.x, {o.n, c0 + c, h, iw})]), widen(w[offset_of(t.w, {o.c, c, r, s})]), sum);
        }
      }
    y[i] = sum;
  }
}

template <typename T>
__global__ void backward_data_kernel(reference_tensors t, const T* __restrict__ dy, const T* __restrict__ w,
                                     double* dx) {
  const conv_geometry& g = t.g;
  const tensor_index extents = input_extents(g);
  const std::int64_t count = element_count(extents);
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const tensor_index o = unflatten(t.layout, extents, i);
    const std::int64_t k0 = o.c / t.cg * t.kg, c_in_group = o.c % t.cg;
    double sum = 0;
    for (std::int64_t k = 0; k < t.kg; ++k)
      for (std::int64_t r = 0; r < g.r; ++r) {
        const std::int64_t p_scaled = o.h + g.pad - r * g.dilation;
        if (p_scaled % g.stride != 0) continue;
        const std::int64_t p = p_scaled / g.stride;
        if (p < 0 || p >= t.p_count) continue;
        for (std::int64_t s = 0; s < g.s; ++s) {
          const std::int64_t q_scaled = o.w + g.pad - s * g.dilation;
          if (q_scaled % g.stride != 0) continue;
          const std::int64_t q = q_scaled / g.stride;
          if (q < 0 || q >= t.q_count) continue;
          sum = fma(widen(dy[offset_of(t.y, {o.n, k0 + k, p, q})]), widen(w[offset_of(t.w, {k0 + k, c_in_group, r, s})]),
                    sum);
        }
      }
    dx[i] = sum;
  }
}

template <typename T>
__global__ void backward_filter_kernel(reference_tensors t, const T* __restrict__ x, const T* __restrict__ dy,
                                       double* dw) {
  const conv_geometry& g = t.g;
  const tensor_index extents = filter_extents(g);
  const std::int64_t count = element_count(extents);
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const tensor_index o = unflatten(t.layout, extents, i);  // n: output channel, c: channel in group, h, w: r, s
    const std::int64_t c_input = o.n / t.kg * t.cg + o.c;
    double sum = 0;
    for (std::int64_t n = 0; n < g.n; ++n)
      for (std::int64_t p = 0; p < t.p_count; ++p) {
        const std::int64_t h = conv_input_coordinate(p, o.h, g.stride, g.pad, g.dilation);
        if (h < 0 || h >= g.h) continue;
        for (std::int64_t q = 0; q < t.q_count; ++q) {
          const std::int64_t iw = conv_input_coordinate(q, o.w, g.stride, g.pad, g.dilation);
          if (iw < 0 || iw >= g.w) continue;
          sum = fma(widen(dy[offset_of(t.y, {n, o.n, p, q})]), widen(x[offset_of(t.x, {n, c_input, h, iw})]), sum);
        }
      }
    dw[i] = sum;
  }
}

constexpr int reference_threads = 256;

// Enough blocks for every output of a large tensor to get its own thread on a large GPU, without a grid
// beyond what a small output needs.
unsigned reference_blocks(std::int64_t outputs) {
  const std::int64_t blocks = (outputs + reference_threads - 1) / reference_threads;
  return static_cast<unsigned>(blocks < 65536 ? blocks : 65536);
}

template <typename T>
void launch_reference(const reference_tensors& t, conv_direction direction, const void* first, const void* second,
                      double* out, cudaStream_t stream) {
  const T* a = static_cast<const T*>(first);
  const T* b = static_cast<const T*>(second);
  switch (direction) {
    case conv_direction::fwd:
      forward_kernel<T><<<reference_blocks(element_count(output_extents(t.g))), reference_threads, 0, stream>>>(t, a,
                                                                                                               b, out);
      break;
    case conv_direction::bwd_data:
      backward_data_kernel<T>
          <<<reference_blocks(element_count(input_extents(t.g))), reference_threads, 0, stream>>>(t, a, b, out);
      break;
    case conv_direction::bwd_filter:
      backward_filter_kernel<T>
          <<<reference_blocks(element_count(filter_extents(t.g))), reference_threads, 0, stream>>>(t, a, b, out);
      break;
  }
  BENCH_CUDA_TRY(cudaGetLastError());
}

}  // namespace

void reference_conv(const conv_geometry& g, conv_layout layout, conv_direction direction, storage_type input,
                    const void* first, const void* second, double* out, cudaStream_t stream) {
  if (const char* problem = conv_geometry_problem(g))
    throw std::invalid_argument(std::string("reference_conv: ") + problem);
  const reference_tensors t{g,
                            layout,
                            dense_strides(layout, input_extents(g)),
                            dense_strides(layout, filter_extents(g)),
                            dense_strides(layout, output_extents(g)),
                            conv_output_h(g),
                            conv_output_w(g),
                            channels_per_group(g),
                            filters_per_group(g)};
  switch (input) {
    case storage_type::f32:
      return launch_reference<float>(t, direction, first, second, out, stream);
    case storage_type::f16:
      return launch_reference<__half>(t, direction, first, second, out, stream);
    case storage_type::bf16:
      return launch_reference<__nv_bfloat16>(t, direction, first, second, out, stream);
    default:
      break;
  }
  throw std::invalid_argument("reference_conv: convolutions take fp32, fp16 or bf16 inputs");
}

}  // namespace cubench
