// The fp64 SpMM reference and the check of an SpMM output against it, on the GPU. The reference sums each
// output element over its row's entries in stored order with fused multiply-adds, so its bits are the same under
// every toolkit and equal to cpu_reference_spmm's (bench/cpu_spmm_reference.hpp).
#pragma once

#include <cstdint>

#include <cuda_runtime_api.h>

#include "cpu_spmm_reference.hpp"
#include "gemm_reference.cuh"
#include "storage_type.hpp"

namespace cubench {

/// An SpMM on the device: A in CSR with 32-bit indices, values and B stored as `storage`, C = A B with B
/// (cols x n) and C (rows x n) in `order` with tight leading dimensions.
struct spmm_problem {
  const std::int32_t* row_offsets = nullptr;
  const std::int32_t* col_indices = nullptr;
  const void* values = nullptr;
  const void* b = nullptr;
  storage_type storage = storage_type::f32;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t n = 0;
  dense_order order = dense_order::row_major;
};

/// The reference of one contiguous slice of C: rows [first, first + count) for row-major C, columns for
/// column-major C, written to `c` in C's order.
void reference_spmm(const spmm_problem& problem, std::int64_t first, std::int64_t count, double* c,
                    cudaStream_t stream);

/// Compares every element of C with the reference, slice by slice so that the check's own memory stays near
/// 25 bytes x slice_elements: norms add up over slices, maxima and counts combine, and the hash of a check in
/// several slices mixes each slice's hash with its index. max_rel_err takes each slice's own 1%-of-RMS floor.
output_metrics compare_spmm_with_reference(const spmm_problem& problem, storage_type output, const void* c,
                                           cudaStream_t stream, std::int64_t slice_elements = std::int64_t{1} << 26);

/// Device bytes compare_spmm_with_reference needs beyond the operands.
double spmm_check_bytes(const spmm_problem& problem, std::int64_t slice_elements = std::int64_t{1} << 26);

}  // namespace cubench
