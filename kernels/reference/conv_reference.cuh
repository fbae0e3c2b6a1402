// The fp64 convolution reference on the GPU: a plain direct convolution, one thread per output element,
// summing in the fixed order of cpu_reference_conv (bench/cpu_conv_reference.hpp), so that its bits are the
// same under every toolkit and equal to the CPU reference's. Outputs are compared with
// compare_with_reference (gemm_reference.cuh), which gives the same metrics as for GEMM.
#pragma once

#include <cuda_runtime_api.h>

#include "conv_shape.hpp"
#include "storage_type.hpp"

namespace cubench {

/// Computes the direction's output in fp64, dense in `layout`, from its two inputs stored as `input`:
/// fwd: y from (first = x, second = w); bwd_data: dx from (first = dy, second = w); bwd_filter: dw from
/// (first = x, second = dy). Throws std::invalid_argument for an invalid geometry or storage type.
void reference_conv(const conv_geometry& g, conv_layout layout, conv_direction direction, storage_type input,
                    const void* first, const void* second, double* out, cudaStream_t stream);

}  // namespace cubench
