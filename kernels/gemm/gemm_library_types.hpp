// How cuBLAS and cuBLASLt spell a suite dtype: data types, compute type, and the scalars alpha = 1, beta = 0.
#pragma once

#include <cstdint>
#include <string>

#include <cublas_v2.h>
#include <library_types.h>

namespace cubench {

/// The library types of one GEMM dtype.
struct gemm_library_types {
  cudaDataType_t ab;
  cudaDataType_t c;
  cublasComputeType_t compute;
  cudaDataType_t scale;
};

/// fp64: 64F throughout; fp32: 32F; tf32: 32F data with CUBLAS_COMPUTE_32F_FAST_TF32; fp16 and bf16: 16-bit
/// data with 32F compute; int8: 8I data, 32I output and compute. Throws std::invalid_argument otherwise.
gemm_library_types gemm_library_types_of(const std::string& dtype);

/// alpha and beta in the scale type's representation, for host-pointer mode.
class gemm_scalars {
 public:
  /// Scalars for a scale type of CUDA_R_64F, CUDA_R_32F or CUDA_R_32I.
  explicit gemm_scalars(cudaDataType_t scale) : scale_(scale) {}
  /// A pointer to 1 in the scale type.
  const void* alpha() const;
  /// A pointer to 0 in the scale type.
  const void* beta() const;

 private:
  cudaDataType_t scale_;
  double one_d_ = 1.0, zero_d_ = 0.0;
  float one_f_ = 1.0f, zero_f_ = 0.0f;
  std::int32_t one_i_ = 1, zero_i_ = 0;
};

/// CUBLAS_OP_N or CUBLAS_OP_T for a layout letter.
cublasOperation_t cublas_operation(char trans);

}  // namespace cubench
