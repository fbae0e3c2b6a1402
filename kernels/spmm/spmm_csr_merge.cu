// Merge-based CSR SpMM for irregular rows: the merge path of row ends and entries (Merrill and Garland, "Merge-based
// parallel sparse matrix-vector multiplication", SC 2016) is cut into chunks of equal length, one per group of
// lanes_n lanes, so that a row of a million entries is shared by many groups and a run of empty rows costs no more
// than its length. Rows that begin and end within a chunk are written directly. A row that spans chunks leaves a
// partial sum in each: a tail in every chunk it continues past, a head in the chunk where it ends. The fix-up pass
// adds, for each such row, its tails in chunk order and then its head, and rounds once.
#include "cuda_call.cuh"
#include "spmm_inhouse.hpp"
#include "spmm_values.cuh"

namespace cubench {
namespace {

constexpr int block_threads = 256;

struct merge_args {
  std::int64_t rows, nnz, n;
  std::int64_t b_row, b_col, c_row, c_col;  // element strides: (k, j) of B is at k b_row + j b_col
  int lanes_n;
  std::int64_t tiles, items_per_chunk, chunks;
};

// Where diagonal d of the merge path crosses: i row ends and k entries consumed, i + k = d. A row's end comes
// after all its entries: row_ends[i] <= k.
__device__ inline void merge_path_search(std::int64_t d, const std::int32_t* row_ends, std::int64_t rows,
                                         std::int64_t nnz, std::int64_t& i, std::int64_t& k) {
  std::int64_t low = d > nnz ? d - nnz : 0, high = d < rows ? d : rows;
  while (low < high) {
    const std::int64_t pivot = (low + high) / 2;
    if (row_ends[pivot] <= d - pivot - 1)
      low = pivot + 1;
    else
      high = pivot;
  }
  i = low;
  k = d - low;
}

// The partial rows: slot 2 chunk holds the chunk's head, slot 2 chunk + 1 its tail; each row number is -1 when
// the chunk has none.
template <typename Acc>
struct partial_rows {
  Acc* values;  // [2 chunks][n]
  std::int32_t* rows;  // [2 chunks]
};

template <typename Acc, int V>
__device__ inline void store_partial(const Acc (&acc)[V], const merge_args& a, std::int64_t slot, std::int64_t j0,
                                     Acc* __restrict__ partials) {
#pragma unroll
  for (int v = 0; v < V; ++v) {
    if (j0 + v < a.n) partials[slot * a.n + j0 + v] = acc[v];
  }
}

template <typename T, int V, bool Vector>
__global__ void __launch_bounds__(block_threads)
    merge_kernel(merge_args a, const std::int32_t* __restrict__ offsets, const std::int32_t* __restrict__ cols,
                 const T* __restrict__ values, const T* __restrict__ b, T* __restrict__ c,
                 partial_rows<typename accumulator_of<T>::type> partial) {
  using acc_t = typename accumulator_of<T>::type;
  const std::int64_t chunk = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / a.lanes_n;
  const int nn = static_cast<int>(threadIdx.x) % a.lanes_n;
  if (chunk >= a.chunks) return;
  const std::int64_t d0 = chunk * a.items_per_chunk;
  const std::int64_t d1 = d0 + a.items_per_chunk < a.rows + a.nnz ? d0 + a.items_per_chunk : a.rows + a.nnz;
  std::int64_t i0, k0, i1, k1;
  merge_path_search(d0, offsets + 1, a.rows, a.nnz, i0, k0);
  merge_path_search(d1, offsets + 1, a.rows, a.nnz, i1, k1);
  // A head: the first row began in an earlier chunk (which left a tail) and ends here. A tail: the last row is
  // left unfinished after at least one of its entries.
  const bool head = i0 < i1 && k0 > offsets[i0];
  const bool tail = i1 < a.rows && k1 > offsets[i1];
  if (blockIdx.y == 0 && nn == 0) {
    partial.rows[2 * chunk] = head ? static_cast<std::int32_t>(i0) : -1;
    partial.rows[2 * chunk + 1] = tail ? static_cast<std::int32_t>(i1) : -1;
  }
  for (std::int64_t tile = blockIdx.y; tile < a.tiles; tile += gridDim.y) {
    const std::int64_t j0 = (tile * a.lanes_n + nn) * V;
    if (j0 >= a.n) continue;
    std::int64_t k = k0;
    // The rows that end in this chunk, then the one it leaves unfinished.
    for (std::int64_t i = i0; i < i1 || (i == i1 && tail); ++i) {
      acc_t acc[V];
#pragma unroll
      for (int v = 0; v < V; ++v) acc[v] = 0;
      const std::int64_t end = i < i1 ? offsets[i + 1] : k1;
#pragma unroll 4
      for (; k < end; ++k)
        multiply_add_columns<T, V, Vector>(acc, widen(values[k]), b + cols[k] * a.b_row + j0 * a.b_col, j0, a.n,
                                           a.b_col);
      if (i == i1)
        store_partial(acc, a, 2 * chunk + 1, j0, partial.values);
      else if (i == i0 && head)
        store_partial(acc, a, 2 * chunk, j0, partial.values);
      else
        store_columns<T, V, Vector>(acc, c + i * a.c_row + j0 * a.c_col, j0, a.n, a.c_col);
    }
  }
}

// One block row per chunk; the chunk that holds the first tail of a row sums that row's tails in chunk order,
// then the head of the chunk where it ends, and writes the row once.
template <typename T>
__global__ void merge_fixup_kernel(merge_args a, partial_rows<typename accumulator_of<T>::type> partial,
                                   T* __restrict__ c) {
  using acc_t = typename accumulator_of<T>::type;
  for (std::int64_t chunk = blockIdx.x; chunk < a.chunks; chunk += gridDim.x) {
    const std::int32_t row = partial.rows[2 * chunk + 1];
    if (row < 0 || (chunk > 0 && partial.rows[2 * chunk - 1] == row)) continue;
    for (std::int64_t j = blockIdx.y * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; j < a.n;
         j += static_cast<std::int64_t>(gridDim.y) * blockDim.x) {
      acc_t sum = 0;
      std::int64_t q = chunk;
      for (; q < a.chunks && partial.rows[2 * q + 1] == row; ++q) sum += partial.values[(2 * q + 1) * a.n + j];
      if (q < a.chunks && partial.rows[2 * q] == row) sum += partial.values[2 * q * a.n + j];
      c[row * a.c_row + j * a.c_col] = narrow<T>(sum);
    }
  }
}

template <typename T>
auto* merge_instance(const inhouse_plan& plan) {
  return plan.vector_loads ? &merge_kernel<T, vector_width<T>, true> : &merge_kernel<T, 4, false>;
}

template <typename T>
void launch_typed(const inhouse_plan& plan, const spmm_shape& shape, const spmm_operands& o, void* scratch,
                  cudaStream_t stream) {
  using acc_t = typename accumulator_of<T>::type;
  const bool row_major = shape.order == dense_order::row_major;
  const merge_args args{shape.rows,
                        shape.nnz,
                        shape.n,
                        row_major ? shape.n : 1,
                        row_major ? 1 : shape.cols,
                        row_major ? shape.n : 1,
                        row_major ? 1 : shape.rows,
                        plan.lanes_n,
                        plan.tiles,
                        plan.items_per_chunk,
                        plan.chunks};
  const std::int64_t partial_bytes = (2 * plan.chunks * shape.n * static_cast<std::int64_t>(sizeof(acc_t)) + 255) / 256 * 256;
  const partial_rows<acc_t> partial{static_cast<acc_t*>(scratch),
                                    reinterpret_cast<std::int32_t*>(static_cast<char*>(scratch) + partial_bytes)};
  const std::int64_t threads = plan.chunks * plan.lanes_n;
  const dim3 grid(static_cast<unsigned>((threads + block_threads - 1) / block_threads),
                  static_cast<unsigned>(std::min<std::int64_t>(plan.tiles, 65535)));
  merge_instance<T>(plan)<<<grid, block_threads, 0, stream>>>(args, o.a.row_offsets, o.a.col_indices,
                                                               static_cast<const T*>(o.a.values),
                                                               static_cast<const T*>(o.b), static_cast<T*>(o.c), partial);
  BENCH_CUDA_TRY(cudaGetLastError());
  const dim3 fixup_grid(static_cast<unsigned>(std::min<std::int64_t>(plan.chunks, std::int64_t{1} << 30)),
                        static_cast<unsigned>(std::min<std::int64_t>((shape.n + block_threads - 1) / block_threads, 65535)));
  merge_fixup_kernel<T><<<fixup_grid, block_threads, 0, stream>>>(args, partial, static_cast<T*>(o.c));
  BENCH_CUDA_TRY(cudaGetLastError());
}

template <typename T>
cudaFuncAttributes attributes_typed(const inhouse_plan& plan) {
  cudaFuncAttributes attributes{};
  BENCH_CUDA_TRY(cudaFuncGetAttributes(&attributes, merge_instance<T>(plan)));
  return attributes;
}

}  // namespace

void launch_merge(const inhouse_plan& plan, const spmm_shape& shape, const spmm_operands& operands, void* scratch,
                  cudaStream_t stream) {
  with_value_type(shape.storage, "launch_merge", [&](auto tag) {
    launch_typed<typename decltype(tag)::type>(plan, shape, operands, scratch, stream);
  });
}

cudaFuncAttributes merge_attributes(const inhouse_plan& plan, const spmm_shape& shape) {
  return with_value_type(shape.storage, "merge_attributes",
                         [&](auto tag) { return attributes_typed<typename decltype(tag)::type>(plan); });
}

}  // namespace cubench
