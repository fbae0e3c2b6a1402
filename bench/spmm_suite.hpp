// SpMM cases: the rows of an spmm suite (bench/suites/spmm_*.csv), what identifies and counts them, and
// where their matrices come from. C (rows x n) = A (rows x cols, sparse) * B (cols x n, dense), beta = 0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "csr_matrix.hpp"
#include "suite_parser.hpp"

namespace cubench {

/// One SpMM case as a suite row gives it (a row with `|` lists gives the cross product of its items).
struct spmm_case_spec {
  std::string impl;       // cusparse, inhouse
  std::string algorithm;  // cusparse: default, csr_alg1..3, coo_alg1..4, blocked_ell_alg1; inhouse: row_split, merge
  std::string dtype;      // fp64, fp32, fp16, bf16: A, B and C alike
  std::string layout;     // row or col: the order of the dense B and C
  std::string matrix;     // a .mtx file in the matrix folder, or a canonical generator spec (gen:...)
  std::int64_t n = 0;     // dense columns of B and C
  unsigned line = 0;      // where the suite file defines it
};

/// The environment variable naming the folder of .mtx files, when --matrix-dir does not.
inline constexpr const char* matrix_dir_variable = "CUBENCH_MATRIX_DIR";

/// The columns an spmm suite has, in any order.
const std::vector<std::string_view>& spmm_suite_columns();

/// The algorithms an impl offers.
const std::vector<std::string_view>& spmm_algorithms(std::string_view impl);

/// Reads the cases of an spmm suite table; throws suite_error naming the file, line and column of a bad cell
/// or of a case listed twice.
std::vector<spmm_case_spec> parse_spmm_suite(const suite_table& table);

/// Reads an spmm suite file.
std::vector<spmm_case_spec> read_spmm_suite(const std::string& path);

/// The case's shape as sorted `key=value` pairs joined by `;`: layout, matrix, n.
std::string spmm_params(const spmm_case_spec& spec);

/// The stable key of a case: `spmm/impl/algorithm/dtype/params`.
std::string spmm_case_id(const spmm_case_spec& spec);

/// Bytes of one value of A, B or C for a dtype.
int spmm_value_bytes(const std::string& dtype);

/// Operations of one launch: a multiply and an add per stored entry and dense column, 2 nnz n.
double spmm_flop(const spmm_case_spec& spec, std::int64_t nnz);

/// Minimum bytes one launch moves: A's offsets, indices and values, B once and C once (beta is 0).
double spmm_min_bytes(const spmm_case_spec& spec, std::int64_t rows, std::int64_t cols, std::int64_t nnz);

/// The largest normwise relative error accepted: GEMM's bound (bench/tolerance.hpp) with the longest row as the
/// inner dimension, since each output element sums one row's products.
double spmm_tolerance(const std::string& dtype, std::int64_t longest_row);

/// The folder that .mtx names resolve in: `flag` when not empty, else $CUBENCH_MATRIX_DIR, else "".
std::string resolve_matrix_dir(const std::string& flag);

/// A suite's matrix: generated from its spec, or read from matrix_dir/name with duplicates summed. Throws
/// matrix_market_error for a bad or missing file, std::invalid_argument when no folder was given.
csr_matrix load_spmm_matrix(const std::string& matrix, const std::string& matrix_dir);

}  // namespace cubench
