// GEMM cases: the rows of a gemm suite (bench/suites/gemm_*.csv) and what identifies and counts them.
// Matrices are column-major as in BLAS: C (m x n) = op(A) (m x k) * op(B) (k x n), batch times.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "suite_parser.hpp"

namespace cubench {

/// One GEMM case as a suite row gives it.
struct gemm_case_spec {
  std::string impl;    // cublas, cublaslt, inhouse
  std::string dtype;   // fp64, fp32, tf32, fp16, bf16, int8
  std::string layout;  // op(A) then op(B): NN, NT, TN
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::int64_t batch = 1;
  unsigned line = 0;  // where the suite file defines it
};

/// The columns a gemm suite has, in any order.
const std::vector<std::string_view>& gemm_suite_columns();

/// Reads the cases of a gemm suite table; throws suite_error naming the file, line and column of a bad cell.
std::vector<gemm_case_spec> parse_gemm_suite(const suite_table& table);

/// Reads a gemm suite file.
std::vector<gemm_case_spec> read_gemm_suite(const std::string& path);

/// The kernel within the impl that runs a case (e.g. `gemm_ex`, `strided_batched`, `mma_sync_256x128x64`).
std::string gemm_variant(const gemm_case_spec& spec);

/// The case's shape as sorted `key=value` pairs joined by `;`.
std::string gemm_params(const gemm_case_spec& spec);

/// The stable key of a case: `gemm/impl/variant/dtype/params`.
std::string gemm_case_id(const gemm_case_spec& spec);

/// Bytes of one element of A and B for a dtype.
int gemm_input_bytes(const std::string& dtype);

/// Bytes of one element of C for a dtype (int8 accumulates into int32; fp16 and bf16 write their own type).
int gemm_output_bytes(const std::string& dtype);

/// Operations of one launch: a multiply and an add per term, 2 m n k per batch entry.
double gemm_flop(const gemm_case_spec& spec);

/// Minimum bytes one launch moves: A and B read once, C written once (beta is 0, so C is not read).
double gemm_min_bytes(const gemm_case_spec& spec);

}  // namespace cubench
