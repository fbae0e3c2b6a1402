#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "cpu_spmm_reference.hpp"
#include "matrix_generators.hpp"

namespace cubench {
namespace {

// A = [1 0 2; 0 0 0; 0 3 0; 4 5 6] (4 x 3): one empty row, one full row.
csr_matrix small_matrix() {
  csr_matrix a;
  a.rows = 4;
  a.cols = 3;
  a.row_offsets = {0, 2, 2, 3, 6};
  a.col_indices = {0, 2, 1, 0, 1, 2};
  a.values = {1, 2, 3, 4, 5, 6};
  return a;
}

TEST(cpu_reference_spmm, small_known_product_in_both_orders) {
  // B = [1 2; 3 4; 5 6] (3 x 2); A B = [11 14; 0 0; 9 12; 49 64].
  const std::vector<double> b_rows{1, 2, 3, 4, 5, 6}, b_cols{1, 3, 5, 2, 4, 6};
  std::vector<double> c(8, -1);
  cpu_reference_spmm(small_matrix(), b_rows.data(), 2, dense_order::row_major, c.data());
  EXPECT_EQ(c, (std::vector<double>{11, 14, 0, 0, 9, 12, 49, 64}));
  cpu_reference_spmm(small_matrix(), b_cols.data(), 2, dense_order::col_major, c.data());
  EXPECT_EQ(c, (std::vector<double>{11, 0, 9, 49, 14, 0, 12, 64}));
}

TEST(cpu_reference_spmm, sums_each_row_in_stored_order_with_fused_multiply_add) {
  // 2^53 + 1 - 2^53 is 0 summed in stored order (the tie rounds to even), 1 in any order that adds the 1 last.
  csr_matrix a;
  a.rows = 1;
  a.cols = 3;
  a.row_offsets = {0, 3};
  a.col_indices = {0, 1, 2};
  a.values = {9007199254740992.0, 1, -9007199254740992.0};
  const std::vector<double> b{1, 1, 1};
  double c = -1;
  cpu_reference_spmm(a, b.data(), 1, dense_order::row_major, &c);
  EXPECT_EQ(c, 0.0);
}

TEST(cpu_reference_spmm, equals_a_dense_product_on_a_generated_matrix) {
  csr_matrix a = generate_matrix(parse_generator_spec("gen:uniform:rows=37:cols=29:nnz=300:seed=4"));
  std::mt19937_64 rng(8);
  std::uniform_int_distribution<int> small(-8, 8);
  for (std::int64_t k = 0; k < a.nnz(); ++k) a.values.push_back(small(rng));
  const std::int64_t n = 5;
  std::vector<double> dense(static_cast<std::size_t>(a.rows * a.cols), 0.0), b(static_cast<std::size_t>(a.cols * n));
  for (std::int64_t r = 0; r < a.rows; ++r)
    for (auto k = a.row_offsets[r]; k < a.row_offsets[r + 1]; ++k)
      dense[static_cast<std::size_t>(r * a.cols + a.col_indices[static_cast<std::size_t>(k)])] =
          a.values[static_cast<std::size_t>(k)];
  for (auto& x : b) x = small(rng);
  std::vector<double> c(static_cast<std::size_t>(a.rows * n));
  cpu_reference_spmm(a, b.data(), n, dense_order::row_major, c.data());
  // Small integers: every order of summation gives the same exact result.
  for (std::int64_t i = 0; i < a.rows; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double expected = 0;
      for (std::int64_t l = 0; l < a.cols; ++l)
        expected += dense[static_cast<std::size_t>(i * a.cols + l)] * b[static_cast<std::size_t>(l * n + j)];
      EXPECT_EQ(c[static_cast<std::size_t>(i * n + j)], expected) << i << "," << j;
    }
  }
}

TEST(cpu_reference_spmm, rejects_a_matrix_without_values_or_an_empty_width) {
  csr_matrix a = small_matrix();
  std::vector<double> x(16);
  EXPECT_THROW(cpu_reference_spmm(a, x.data(), 0, dense_order::row_major, x.data()), std::invalid_argument);
  a.values.clear();
  EXPECT_THROW(cpu_reference_spmm(a, x.data(), 1, dense_order::row_major, x.data()), std::invalid_argument);
}

}  // namespace
}  // namespace cubench
