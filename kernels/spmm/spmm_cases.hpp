// The SpMM family: its suite rows as cases, and the interface its implementations (cuSPARSE, the in-house
// CSR kernels) share. C (rows x n) = A (rows x cols, CSR) B (cols x n), alpha = 1, beta = 0; B and C are both
// row-major or both column-major, with tight leading dimensions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>

#include "case_registry.hpp"
#include "cpu_spmm_reference.hpp"
#include "csr_matrix.hpp"
#include "reference/storage_type.hpp"
#include "spmm_suite.hpp"
#include "suite_parser.hpp"

namespace cubench {

/// Everything about an SpMM's shape that an implementation needs.
struct spmm_shape {
  std::string dtype;
  storage_type storage = storage_type::f32;
  dense_order order = dense_order::row_major;
  std::int64_t rows = 0, cols = 0, nnz = 0, n = 0;
  std::int64_t longest_row = 0;
  double mean_row = 0;
};

/// A CSR matrix on the device: 32-bit offsets and column indices, values stored in the case's dtype.
struct device_csr {
  const std::int32_t* row_offsets = nullptr;
  const std::int32_t* col_indices = nullptr;
  const void* values = nullptr;
};

/// Device pointers of one input set.
struct spmm_operands {
  device_csr a;
  const void* b = nullptr;
  void* c = nullptr;
};

/// One way of computing an SpMM case.
class spmm_impl {
 public:
  virtual ~spmm_impl() = default;
  /// Checks the GPU and runner can run this shape; throws case_not_supported with the reason.
  virtual void configure(case_context& context) = 0;
  /// Set-up that belongs to the first call, for every input set: descriptors, format conversions, buffers,
  /// the library's preprocessing. `host` is the matrix's structure.
  virtual void prepare(case_context& context, const csr_matrix& host, const std::vector<spmm_operands>& sets) = 0;
  /// Enqueues the SpMM of input set `set` on the stream; capturable in a CUDA graph.
  virtual void launch(cudaStream_t stream, int set) = 0;
  /// Fills the library or kernel-binary provenance and the algorithm's description.
  virtual void describe(case_context& context, result_record& record) const = 0;
};

/// cusparseSpMM with the spec's algorithm (CSR, COO or blocked-ELL).
std::unique_ptr<spmm_impl> make_cusparse_spmm(const spmm_shape& shape, const std::string& algorithm);
/// The in-house kernels: `row_split` or `merge` (kernels/spmm/spmm_inhouse.hpp).
std::unique_ptr<spmm_impl> make_inhouse_spmm(const spmm_shape& shape, const std::string& algorithm);

/// Sets the folder .mtx names of the suites resolve in (resolve_matrix_dir gives it from --matrix-dir).
void set_matrix_dir(const std::string& dir);

/// The cases of an spmm suite table; throws suite_error naming the bad cell.
std::vector<registered_case> spmm_suite_cases(const suite_table& table);

}  // namespace cubench
