// Row-split CSR SpMM: a group of lanes_n x lanes_k lanes (a power of two within a warp) per row and column tile.
// The lanes_n lanes of a group cover values_per_lane adjacent columns each, so that a row of row-major B is read
// in 16-byte pieces by neighbouring lanes; the lanes_k lanes take every lanes_k-th entry of the row and are summed
// by shuffles. For a single column this is the vector-CSR SpMV (lanes_k = 32 for long rows).
#include "cuda_call.cuh"
#include "spmm_inhouse.hpp"
#include "spmm_values.cuh"

namespace cubench {
namespace {

constexpr int block_threads = 256;

struct row_split_args {
  std::int64_t rows, n;
  std::int64_t b_row, b_col, c_row, c_col;  // element strides: (k, j) of B is at k b_row + j b_col
  int lanes_n, lanes_k;
  std::int64_t tiles;
};

template <typename T, int V, bool Vector>
__global__ void __launch_bounds__(block_threads)
    row_split_kernel(row_split_args a, const std::int32_t* __restrict__ offsets, const std::int32_t* __restrict__ cols,
                     const T* __restrict__ values, const T* __restrict__ b, T* __restrict__ c) {
  using acc_t = typename accumulator_of<T>::type;
  const int group = a.lanes_n * a.lanes_k;
  const int in_group = static_cast<int>(threadIdx.x) & (group - 1);
  const int nn = in_group % a.lanes_n, kk = in_group / a.lanes_n;
  const std::int64_t row = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / group;
  // Every lane of the warp takes part in the shuffles, so lanes past the last row stay, with an empty row.
  const bool active = row < a.rows;
  const std::int32_t begin = active ? offsets[row] : 0, end = active ? offsets[row + 1] : 0;
  for (std::int64_t tile = blockIdx.y; tile < a.tiles; tile += gridDim.y) {
    const std::int64_t j0 = (tile * a.lanes_n + nn) * V;
    acc_t acc[V];
#pragma unroll
    for (int v = 0; v < V; ++v) acc[v] = 0;
    if (j0 < a.n) {
      // Unrolled so that several rows of B are in flight per lane.
#pragma unroll 4
      for (std::int32_t k = begin + kk; k < end; k += a.lanes_k)
        multiply_add_columns<T, V, Vector>(acc, widen(values[k]), b + cols[k] * a.b_row + j0 * a.b_col, j0, a.n,
                                           a.b_col);
    }
    for (int offset = a.lanes_n; offset < group; offset *= 2) {
#pragma unroll
      for (int v = 0; v < V; ++v) acc[v] += __shfl_xor_sync(0xffffffffu, acc[v], offset);
    }
    if (!active || kk != 0 || j0 >= a.n) continue;
    store_columns<T, V, Vector>(acc, c + row * a.c_row + j0 * a.c_col, j0, a.n, a.c_col);
  }
}

// The kernel instance a plan runs: 16-byte packs, or four scalar columns per lane.
template <typename T>
auto* row_split_instance(const inhouse_plan& plan) {
  return plan.vector_loads ? &row_split_kernel<T, vector_width<T>, true> : &row_split_kernel<T, 4, false>;
}

template <typename T>
void launch_typed(const inhouse_plan& plan, const spmm_shape& shape, const spmm_operands& o, cudaStream_t stream) {
  const bool row_major = shape.order == dense_order::row_major;
  const row_split_args args{shape.rows,
                            shape.n,
                            row_major ? shape.n : 1,
                            row_major ? 1 : shape.cols,
                            row_major ? shape.n : 1,
                            row_major ? 1 : shape.rows,
                            plan.lanes_n,
                            plan.lanes_k,
                            plan.tiles};
  const std::int64_t threads = shape.rows * plan.lanes_n * plan.lanes_k;
  const dim3 grid(static_cast<unsigned>((threads + block_threads - 1) / block_threads),
                  static_cast<unsigned>(std::min<std::int64_t>(plan.tiles, 65535)));
  const auto kernel = row_split_instance<T>(plan);
  kernel<<<grid, block_threads, 0, stream>>>(args, o.a.row_offsets, o.a.col_indices, static_cast<const T*>(o.a.values),
                                            static_cast<const T*>(o.b), static_cast<T*>(o.c));
  BENCH_CUDA_TRY(cudaGetLastError());
}

template <typename T>
cudaFuncAttributes attributes_typed(const inhouse_plan& plan) {
  cudaFuncAttributes attributes{};
  BENCH_CUDA_TRY(cudaFuncGetAttributes(&attributes, row_split_instance<T>(plan)));
  return attributes;
}

}  // namespace

void launch_row_split(const inhouse_plan& plan, const spmm_shape& shape, const spmm_operands& operands,
                      cudaStream_t stream) {
  with_value_type(shape.storage, "launch_row_split", [&](auto tag) {
    launch_typed<typename decltype(tag)::type>(plan, shape, operands, stream);
  });
}

cudaFuncAttributes row_split_attributes(const inhouse_plan& plan, const spmm_shape& shape) {
  return with_value_type(shape.storage, "row_split_attributes",
                         [&](auto tag) { return attributes_typed<typename decltype(tag)::type>(plan); });
}

}  // namespace cubench
