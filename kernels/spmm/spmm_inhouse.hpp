// The in-house CSR SpMM kernels, compiled by each toolkit's nvcc: row-split (a group of lanes per row) and
// merge-based (equal shares of row ends and entries per group, after Merrill and Garland's merge-path SpMV).
// Both take B and C row- or column-major; row-major B and C whose width is a multiple of a 16-byte vector are
// read and written 16 bytes at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <cuda_runtime_api.h>

#include "spmm_cases.hpp"

namespace cubench {

/// How a launch spreads the work over lanes; chosen from the shape alone.
struct inhouse_plan {
  int lanes_n = 1;                // lanes across the dense columns of a row (row-split) or chunk (merge)
  int lanes_k = 1;                // row-split: lanes across a row's entries, summed by shuffles at the end
  int values_per_lane = 1;        // dense columns each lane computes
  bool vector_loads = false;      // those columns read and written in one 16-byte access
  std::int64_t tiles = 1;         // column tiles of lanes_n x values_per_lane columns
  std::int64_t items_per_chunk = 0;  // merge: merge-path items (row ends and entries) per chunk
  std::int64_t chunks = 0;           // merge: chunks of the merge path
};

/// The column layout both kernels share: lanes_n, values_per_lane, vector_loads and tiles.
inhouse_plan plan_columns(const spmm_shape& shape);

/// The plan's parameters as the results' algorithm column shows them.
std::string describe_plan(const inhouse_plan& plan);

/// Row-split: lanes_n x lanes_k lanes per row, lanes_k from the mean row length.
inhouse_plan plan_row_split(const spmm_shape& shape);
/// Enqueues the row-split kernel.
void launch_row_split(const inhouse_plan& plan, const spmm_shape& shape, const spmm_operands& operands,
                      cudaStream_t stream);
/// The attributes of the row-split kernel instance the plan runs.
cudaFuncAttributes row_split_attributes(const inhouse_plan& plan, const spmm_shape& shape);

/// Merge-based: chunks of equal merge-path length, at most 256 MiB of partial rows.
inhouse_plan plan_merge(const spmm_shape& shape);
/// Device bytes of the partial rows that chunks hand to the fix-up pass.
std::size_t merge_scratch_bytes(const inhouse_plan& plan, const spmm_shape& shape);
/// Enqueues the merge kernel and its fix-up pass, which adds the rows that span chunks in a fixed order.
void launch_merge(const inhouse_plan& plan, const spmm_shape& shape, const spmm_operands& operands, void* scratch,
                  cudaStream_t stream);
/// The attributes of the merge kernel instance the plan runs.
cudaFuncAttributes merge_attributes(const inhouse_plan& plan, const spmm_shape& shape);

}  // namespace cubench
