#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "cpu_reference.hpp"

namespace cubench {
namespace {

TEST(cpu_reference_gemm, small_known_product_in_every_layout) {
  // A = [1 2; 3 4], B = [5 6; 7 8] (row-wise); A*B = [19 22; 43 50]; column-major storage.
  const std::vector<double> a_n{1, 3, 2, 4}, a_t{1, 2, 3, 4}, b_n{5, 7, 6, 8}, b_t{5, 6, 7, 8};
  const std::vector<double> expected{19, 43, 22, 50};
  for (char ta : {'N', 'T'}) {
    for (char tb : {'N', 'T'}) {
      gemm_problem p{ta, tb, 2, 2, 2, 2, 2, 2};
      std::vector<double> c(4, -1);
      cpu_reference_gemm(p, (ta == 'N' ? a_n : a_t).data(), (tb == 'N' ? b_n : b_t).data(), c.data());
      EXPECT_EQ(c, expected) << ta << tb;
    }
  }
}

TEST(cpu_reference_gemm, rectangular_with_padded_leading_dimensions) {
  // op(A) = A^T with A stored 3x2 (k x m) in lda 4; B stored 3x4 (k x n) in ldb 5; C 2x4 in ldc 3.
  const std::int64_t m = 2, n = 4, k = 3;
  gemm_problem p{'T', 'N', m, n, k, 4, 5, 3};
  std::vector<double> a(4 * m, 0), b(5 * n, 0), c(3 * n, -7);
  for (int i = 0; i < m; ++i)
    for (int l = 0; l < k; ++l) a[l + i * 4] = i + 10.0 * l;
  for (int l = 0; l < k; ++l)
    for (int j = 0; j < n; ++j) b[l + j * 5] = l - j;
  cpu_reference_gemm(p, a.data(), b.data(), c.data());
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      double expected = 0;
      for (int l = 0; l < k; ++l) expected += (i + 10.0 * l) * (l - j);
      EXPECT_EQ(c[i + j * 3], expected) << i << "," << j;
    }
  }
  EXPECT_EQ(c[2], -7) << "the padding row of C is left alone";
}

TEST(cpu_reference_gemm, sums_in_order_with_fused_multiply_add) {
  // 2^53 + 1 - 2^53 is 0 summed left to right in fp64 (the tie rounds to even), 1 in any order that adds
  // the 1 last.
  gemm_problem p{'N', 'N', 1, 1, 3, 1, 3, 1};
  const double big = 9007199254740992.0;
  const std::vector<double> a{big, 1, -big}, b{1, 1, 1};
  double c = -1;
  cpu_reference_gemm(p, a.data(), b.data(), &c);
  EXPECT_EQ(c, 0.0);
}

TEST(cpu_reference_gemm, transposes_agree_on_random_data) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1, 1);
  const std::int64_t m = 7, n = 5, k = 9;
  std::vector<double> a(m * k), b(k * n);
  for (auto& x : a) x = u(rng);
  for (auto& x : b) x = u(rng);
  std::vector<double> a_t(m * k), b_t(k * n);
  for (int i = 0; i < m; ++i)
    for (int l = 0; l < k; ++l) a_t[l + i * k] = a[i + l * m];
  for (int l = 0; l < k; ++l)
    for (int j = 0; j < n; ++j) b_t[j + l * n] = b[l + j * k];
  std::vector<double> c_nn(m * n), c_tt(m * n);
  cpu_reference_gemm({'N', 'N', m, n, k, m, k, m}, a.data(), b.data(), c_nn.data());
  cpu_reference_gemm({'T', 'T', m, n, k, k, n, m}, a_t.data(), b_t.data(), c_tt.data());
  EXPECT_EQ(c_nn, c_tt);
}

TEST(cpu_reference_gemm, rejects_bad_problems) {
  std::vector<double> x(16);
  EXPECT_THROW(cpu_reference_gemm({'N', 'N', 4, 2, 2, 3, 2, 4}, x.data(), x.data(), x.data()), std::invalid_argument);
  EXPECT_THROW(cpu_reference_gemm({'C', 'N', 2, 2, 2, 2, 2, 2}, x.data(), x.data(), x.data()), std::invalid_argument);
  EXPECT_THROW(cpu_reference_gemm({'N', 'N', 0, 2, 2, 2, 2, 2}, x.data(), x.data(), x.data()), std::invalid_argument);
}

}  // namespace
}  // namespace cubench
