// A plain fp64 SpMM on the CPU, summing in the same fixed order as the GPU reference (kernels/reference/),
// so that tests can check that kernel bit for bit.
#pragma once

#include <cstdint>

#include "csr_matrix.hpp"

namespace cubench {

/// How a dense matrix is laid out: row-major (leading dimension = its columns) or column-major (= its rows).
enum class dense_order { row_major, col_major };

/// C (a.rows x n) = A B for B (a.cols x n), both in `order` with tight leading dimensions: each element sums
/// its row's entries in stored order with fused multiply-adds, from 0. Throws std::invalid_argument when A has
/// no values or n < 1.
void cpu_reference_spmm(const csr_matrix& a, const double* b, std::int64_t n, dense_order order, double* c);

}  // namespace cubench
