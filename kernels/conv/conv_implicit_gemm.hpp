// The in-house forward convolution: an implicit GEMM on mma.sync tensor cores (sm_80 and newer), fp16 or bf16
// in and out with fp32 accumulation, NHWC activations and KRSC filters, one group. Compiled by every
// toolkit's nvcc, like the in-house GEMM, as a canary for code generation.
#pragma once

#include <string>

#include <cuda_runtime_api.h>

#include "conv_shape.hpp"
#include "reference/storage_type.hpp"

namespace cubench {

/// The output tile one block computes: `m` output pixels by `n` output channels, 32 deep per pipeline stage.
struct implicit_gemm_tile {
  int m = 128;
  int n = 128;
};

/// The largest tile (128x128, 128x64, 64x64) that still gives at least two blocks per multiprocessor, and no
/// tile wider than 64 channels for 64 or fewer output channels.
implicit_gemm_tile choose_implicit_gemm_tile(const conv_geometry& g, int sm_count);

/// Checks the geometry fits the kernel (one group, extents within its 32-bit indexing, the grid) and grants
/// the kernel its shared memory; throws case_not_supported with the reason.
void prepare_implicit_gemm(const conv_geometry& g, storage_type type, implicit_gemm_tile tile);

/// Enqueues y = conv(x, w); 16-byte copies where c is a multiple of 8 and x and w are 16-byte aligned,
/// element by element otherwise.
void launch_implicit_gemm(const conv_geometry& g, storage_type type, implicit_gemm_tile tile, const void* x,
                          const void* w, void* y, cudaStream_t stream);

/// Whether launch_implicit_gemm copies x and w in 16-byte pieces for these operands.
bool implicit_gemm_vector_loads(const conv_geometry& g, const void* x, const void* w);

/// The attributes of the kernel instance that launch_implicit_gemm runs.
cudaFuncAttributes implicit_gemm_attributes(storage_type type, implicit_gemm_tile tile);

/// "tile=MxNx32 stages=4 loads=vector|scalar", for the algorithm column.
std::string implicit_gemm_description(implicit_gemm_tile tile, bool vector_loads);

}  // namespace cubench
