#include "cpu_spmm_reference.hpp"

#include <cmath>
#include <stdexcept>

namespace cubench {

void cpu_reference_spmm(const csr_matrix& a, const double* b, std::int64_t n, dense_order order, double* c) {
  if (a.values.size() != a.col_indices.size())
    throw std::invalid_argument("cpu_reference_spmm: A must have a value per stored entry");
  if (n < 1) throw std::invalid_argument("cpu_reference_spmm: n must be positive");
  const bool row_major = order == dense_order::row_major;
  const std::int64_t b_row = row_major ? n : 1, b_col = row_major ? 1 : a.cols;
  const std::int64_t c_row = row_major ? n : 1, c_col = row_major ? 1 : a.rows;
  for (std::int64_t i = 0; i < a.rows; ++i) {
    const auto begin = a.row_offsets[static_cast<std::size_t>(i)], end = a.row_offsets[static_cast<std::size_t>(i + 1)];
    for (std::int64_t j = 0; j < n; ++j) {
      double sum = 0.0;
      for (auto k = begin; k < end; ++k)
        sum = std::fma(a.values[static_cast<std::size_t>(k)], b[a.col_indices[static_cast<std::size_t>(k)] * b_row + j * b_col],
                       sum);
      c[i * c_row + j * c_col] = sum;
    }
  }
}

}  // namespace cubench
