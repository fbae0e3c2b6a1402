#include "gemm_library_types.hpp"

#include <stdexcept>

namespace cubench {

gemm_library_types gemm_library_types_of(const std::string& dtype) {
  if (dtype == "fp64") return {CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F, CUDA_R_64F};
  if (dtype == "fp32") return {CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, CUDA_R_32F};
  if (dtype == "tf32") return {CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, CUDA_R_32F};
  if (dtype == "fp16") return {CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F, CUDA_R_32F};
  if (dtype == "bf16") return {CUDA_R_16BF, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUDA_R_32F};
  if (dtype == "int8") return {CUDA_R_8I, CUDA_R_32I, CUBLAS_COMPUTE_32I, CUDA_R_32I};
  throw std::invalid_argument("unknown GEMM dtype '" + dtype + "'");
}

const void* gemm_scalars::alpha() const {
  if (scale_ == CUDA_R_64F) return &one_d_;
  if (scale_ == CUDA_R_32I) return &one_i_;
  return &one_f_;
}

const void* gemm_scalars::beta() const {
  if (scale_ == CUDA_R_64F) return &zero_d_;
  if (scale_ == CUDA_R_32I) return &zero_i_;
  return &zero_f_;
}

cublasOperation_t cublas_operation(char trans) { return trans == 'T' ? CUBLAS_OP_T : CUBLAS_OP_N; }

}  // namespace cubench
