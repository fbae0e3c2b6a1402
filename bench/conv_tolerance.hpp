// How far a convolution's output may be from the fp64 reference before it is `incorrect` (docs/conv.md):
// the GEMM tolerance of bench/tolerance.hpp for the number of terms an output sums, with a margin for
// algorithms that compute in a transformed domain.
#pragma once

#include <cstdint>
#include <string>

namespace cubench {

/// How an implementation sums the terms of an output.
enum class conv_summation {
  direct,     // products summed as a GEMM does (implicit or explicit GEMM, direct kernels)
  transform,  // Winograd or FFT: the transforms add rounding of their own
};

/// The headroom transform algorithms get over direct summation. Published fp32 errors of Winograd F(4x4, 3x3)
/// are a few times those of direct summation, which the GEMM tolerance already bounds with room to spare;
/// four times more keeps fp32 an order of magnitude under the error of a silent switch to TF32.
inline constexpr double conv_transform_margin = 4.0;

/// The largest normwise relative error accepted for a dtype (fp32, tf32, fp16, bf16) when each output sums
/// `reduction_length` terms: gemm_tolerance(dtype, reduction_length), times conv_transform_margin for
/// transform algorithms. Throws std::invalid_argument for an unknown dtype or a length under 1.
double conv_tolerance(const std::string& dtype, std::int64_t reduction_length, conv_summation summation);

}  // namespace cubench
