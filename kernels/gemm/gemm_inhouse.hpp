// The in-house GEMM kernels, compiled by each toolkit's nvcc: the canary for changes in code generation.
// Column-major operands as cuBLAS takes them; alpha = 1, beta = 0.
#pragma once

#include <cuda_runtime_api.h>

#include "gemm_cases.hpp"

namespace cubench {

/// Tensor cores through mma.sync.m16n8k16 (sm_80 and newer): fp16 or bf16 in and out, fp32 accumulation,
/// 256 x 128 x 64 tiles in a cp.async pipeline of `stages` stages, as prepare_inhouse_mma returned them.
void launch_inhouse_mma(const gemm_shape& shape, int stages, const gemm_operands& operands, cudaStream_t stream);

/// Checks the shape fits the mma kernel's grid and grants the kernel the shared memory of its pipeline (96 or
/// 144 KiB); returns the pipeline's stages (2 or 3, as many as the current GPU's shared memory holds). Throws
/// case_not_supported when the shape or the pipeline does not fit.
int prepare_inhouse_mma(const gemm_shape& shape);

/// The attributes of the mma kernel instance that launch_inhouse_mma runs for this shape.
cudaFuncAttributes inhouse_mma_attributes(const gemm_shape& shape);

/// fp32 on the CUDA cores: 128 x 128 x 8 tiles, 8 x 8 outputs per thread.
void launch_inhouse_simt(const gemm_shape& shape, const gemm_operands& operands, cudaStream_t stream);

/// Checks the shape fits the SIMT kernel's grid; throws case_not_supported when it does not.
void prepare_inhouse_simt(const gemm_shape& shape);

/// The attributes of the SIMT kernel instance that launch_inhouse_simt runs for this shape.
cudaFuncAttributes inhouse_simt_attributes(const gemm_shape& shape);

}  // namespace cubench
