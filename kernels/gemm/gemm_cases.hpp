// The GEMM family: its suite rows as cases, and the interface its implementations (cuBLAS, cuBLASLt,
// the in-house kernels) share. Matrices are column-major, BLAS style: C = op(A) op(B), beta = 0.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>

#include "case_registry.hpp"
#include "gemm_suite.hpp"
#include "reference/storage_type.hpp"
#include "suite_parser.hpp"

namespace cubench {

/// Everything about a GEMM's shape that an implementation needs, leading dimensions and batch strides
/// included (all in elements).
struct gemm_shape {
  std::string dtype;
  gemm_storage storage{};
  char trans_a = 'N';
  char trans_b = 'N';
  std::int64_t m = 0, n = 0, k = 0;
  std::int64_t lda = 0, ldb = 0, ldc = 0;
  std::int64_t batch = 1;
  std::int64_t stride_a = 0, stride_b = 0, stride_c = 0;
};

/// The shape of a suite case with tightly packed operands: lda, ldb and ldc equal the stored rows.
gemm_shape gemm_shape_of(const gemm_case_spec& spec);

/// Device pointers of one input set.
struct gemm_operands {
  const void* a = nullptr;
  const void* b = nullptr;
  void* c = nullptr;
};

/// One way of computing a GEMM case.
class gemm_impl {
 public:
  virtual ~gemm_impl() = default;
  /// Checks the GPU and runner can run this shape; throws case_not_supported with the reason.
  virtual void configure(case_context& context) = 0;
  /// Set-up that belongs to the first call: handles bound to the stream, heuristics.
  virtual void prepare(case_context& context) = 0;
  /// Enqueues the GEMM on the stream; capturable in a CUDA graph.
  virtual void launch(cudaStream_t stream, const gemm_operands& operands) = 0;
  /// Fills the library or kernel-binary provenance and the chosen algorithm.
  virtual void describe(case_context& context, result_record& record) const = 0;
};

/// cublasGemmEx, or cublasGemmStridedBatchedEx for a batch.
std::unique_ptr<gemm_impl> make_cublas_gemm(const gemm_shape& shape);
/// cublasLtMatmul with the heuristic's first algorithm.
std::unique_ptr<gemm_impl> make_cublaslt_gemm(const gemm_shape& shape);
/// The in-house kernels: mma.sync tensor cores for fp16 and bf16, SIMT for fp32.
std::unique_ptr<gemm_impl> make_inhouse_gemm(const gemm_shape& shape);

/// The cases of a gemm suite table; throws suite_error naming the bad cell.
std::vector<registered_case> gemm_suite_cases(const suite_table& table);

}  // namespace cubench
