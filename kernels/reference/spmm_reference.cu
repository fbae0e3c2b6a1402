#include "spmm_reference.cuh"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <thrust/execution_policy.h>
#include <thrust/functional.h>
#include <thrust/transform_reduce.h>

#include "cuda_call.cuh"
#include "cuda_resources.cuh"
#include "spmm/spmm_values.cuh"

namespace cubench {
namespace {

struct reference_args {
  std::int64_t rows, n, first, count;
  std::int64_t b_row_stride, b_col_stride;  // B's element (k, j) is at k b_row_stride + j b_col_stride
  bool row_major;
};

// One thread per element of the slice, in C's order, so that neighbouring threads read neighbouring B values
// in row-major order; each sums its row's entries in stored order, from 0, with fused multiply-adds.
template <typename T>
__global__ void reference_spmm_kernel(reference_args args, const std::int32_t* __restrict__ offsets,
                                      const std::int32_t* __restrict__ cols, const T* __restrict__ values,
                                      const T* __restrict__ b, double* __restrict__ c) {
  const std::int64_t elements = args.row_major ? args.count * args.n : args.count * args.rows;
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < elements;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t i = args.row_major ? args.first + e / args.n : e % args.rows;
    const std::int64_t j = args.row_major ? e % args.n : args.first + e / args.rows;
    double sum = 0.0;
    for (std::int32_t k = offsets[i]; k < offsets[i + 1]; ++k)
      sum = fma(static_cast<double>(widen(values[k])),
                static_cast<double>(widen(b[cols[k] * args.b_row_stride + j * args.b_col_stride])), sum);
    c[e] = sum;
  }
}

template <typename T>
void launch_reference(const spmm_problem& p, const reference_args& args, double* c, cudaStream_t stream) {
  reference_spmm_kernel<T><<<1024, 256, 0, stream>>>(args, p.row_offsets, p.col_indices, static_cast<const T*>(p.values),
                                                     static_cast<const T*>(p.b), c);
  BENCH_CUDA_TRY(cudaGetLastError());
}

// Rows (row-major) or columns (column-major) of C per slice.
std::int64_t slice_lines(const spmm_problem& p, std::int64_t slice_elements) {
  const std::int64_t line = p.order == dense_order::row_major ? p.n : p.rows;
  return std::max<std::int64_t>(1, slice_elements / line);
}

std::int64_t line_count(const spmm_problem& p) { return p.order == dense_order::row_major ? p.rows : p.n; }

struct square {
  __host__ __device__ double operator()(double x) const { return x * x; }
};

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

void reference_spmm(const spmm_problem& p, std::int64_t first, std::int64_t count, double* c, cudaStream_t stream) {
  const bool row_major = p.order == dense_order::row_major;
  if (p.rows < 1 || p.cols < 1 || p.n < 1) throw std::invalid_argument("reference_spmm: empty problem");
  if (first < 0 || count < 1 || first + count > line_count(p))
    throw std::invalid_argument("reference_spmm: the slice lies outside C");
  const reference_args args{p.rows, p.n, first, count, row_major ? p.n : 1, row_major ? 1 : p.cols, row_major};
  with_value_type(p.storage, "reference_spmm",
                  [&](auto tag) { launch_reference<typename decltype(tag)::type>(p, args, c, stream); });
}

double spmm_check_bytes(const spmm_problem& p, std::int64_t slice_elements) {
  const std::int64_t line = p.order == dense_order::row_major ? p.n : p.rows;
  const double elements =
      static_cast<double>(std::min(slice_lines(p, slice_elements), line_count(p))) * static_cast<double>(line);
  // The reference (8 bytes), and compare_with_reference's unpacked element (16) and written flag (1).
  return 25.0 * elements;
}

output_metrics compare_spmm_with_reference(const spmm_problem& p, storage_type output, const void* c,
                                           cudaStream_t stream, std::int64_t slice_elements) {
  const std::int64_t lines = line_count(p), per_slice = std::min(slice_lines(p, slice_elements), lines);
  const std::int64_t line = p.order == dense_order::row_major ? p.n : p.rows;
  const device_buffer reference(static_cast<std::size_t>(per_slice * line) * sizeof(double));
  const auto policy = thrust::cuda::par.on(stream);
  output_metrics total;
  double sum_sq_diff = 0, sum_sq_ref = 0;
  const std::int64_t slices = (lines + per_slice - 1) / per_slice;
  for (std::int64_t s = 0; s < slices; ++s) {
    const std::int64_t first = s * per_slice, count = std::min(per_slice, lines - first), elements = count * line;
    reference_spmm(p, first, count, reference.as<double>(), stream);
    const void* slice = static_cast<const char*>(c) + first * line * storage_bytes(output);
    const output_metrics m = compare_with_reference(output, slice, reference.as<double>(), elements, stream);
    if (slices == 1) return m;
    // compare_with_reference gives ||C - Cref|| / ||Cref||; with the slice's ||Cref|| that is ||C - Cref||. A slice
    // whose reference is all zero gives no ratio: max_abs_err sqrt(elements) bounds its difference instead.
    const double ref_sq = thrust::transform_reduce(policy, reference.as<double>(), reference.as<double>() + elements,
                                                   square{}, 0.0, thrust::plus<double>{});
    const double diff = ref_sq > 0 ? m.norm_rel_err * std::sqrt(ref_sq)
                                   : m.max_abs_err * std::sqrt(static_cast<double>(elements));
    sum_sq_diff += diff * diff;
    sum_sq_ref += ref_sq;
    total.max_abs_err = std::max(total.max_abs_err, m.max_abs_err);
    total.max_rel_err = std::max(total.max_rel_err, m.max_rel_err);
    total.nan_count += m.nan_count;
    total.inf_count += m.inf_count;
    total.unwritten_count += m.unwritten_count;
    total.hash += mix(m.hash ^ mix(static_cast<std::uint64_t>(s)));
  }
  total.norm_rel_err = sum_sq_ref > 0 ? std::sqrt(sum_sq_diff / sum_sq_ref) : (sum_sq_diff > 0 ? INFINITY : 0.0);
  return total;
}

}  // namespace cubench
