// A plain fp64 GEMM on the CPU, summing in the same fixed order as the GPU reference
// (kernels/reference/), so that tests can check that kernel bit for bit on small shapes.
#pragma once

#include <cstdint>

namespace cubench {

/// A column-major GEMM problem: C (m x n) = op(A) (m x k) * op(B) (k x n); 'N' or 'T' per operand.
struct gemm_problem {
  char trans_a = 'N';
  char trans_b = 'N';
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::int64_t lda = 0;
  std::int64_t ldb = 0;
  std::int64_t ldc = 0;
};

/// Checks dimensions and leading dimensions; throws std::invalid_argument naming the bad one.
void validate(const gemm_problem& problem);

/// C = op(A) op(B) in fp64, each element summed over k = 0 .. k-1 in order with a fused multiply-add.
void cpu_reference_gemm(const gemm_problem& problem, const double* a, const double* b, double* c);

}  // namespace cubench
