#include "cpu_reference.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace cubench {

void validate(const gemm_problem& p) {
  auto check = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("gemm_problem: " + what);
  };
  check(p.trans_a == 'N' || p.trans_a == 'T', "trans_a must be 'N' or 'T'");
  check(p.trans_b == 'N' || p.trans_b == 'T', "trans_b must be 'N' or 'T'");
  check(p.m > 0 && p.n > 0 && p.k > 0, "m, n and k must be positive");
  check(p.lda >= (p.trans_a == 'N' ? p.m : p.k), "lda must be at least the rows of the stored A");
  check(p.ldb >= (p.trans_b == 'N' ? p.k : p.n), "ldb must be at least the rows of the stored B");
  check(p.ldc >= p.m, "ldc must be at least m");
}

void cpu_reference_gemm(const gemm_problem& p, const double* a, const double* b, double* c) {
  validate(p);
  const std::int64_t a_row = p.trans_a == 'N' ? 1 : p.lda, a_col = p.trans_a == 'N' ? p.lda : 1;
  const std::int64_t b_row = p.trans_b == 'N' ? 1 : p.ldb, b_col = p.trans_b == 'N' ? p.ldb : 1;
  for (std::int64_t j = 0; j < p.n; ++j) {
    for (std::int64_t i = 0; i < p.m; ++i) {
      double sum = 0.0;
      for (std::int64_t l = 0; l < p.k; ++l) sum = std::fma(a[i * a_row + l * a_col], b[l * b_row + j * b_col], sum);
      c[i + j * p.ldc] = sum;
    }
  }
}

}  // namespace cubench
