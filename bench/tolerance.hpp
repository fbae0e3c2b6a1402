// How far a GEMM result may be from the fp64 reference before it is `incorrect` (docs/measurement.md).
#pragma once

#include <cstdint>
#include <string>

namespace cubench {

/// Unit roundoffs that bound a dtype's GEMM error: inputs, accumulation and output.
struct gemm_roundoff {
  double input = 0;       // rounding of the inputs inside the computation (tf32 only)
  double accumulate = 0;  // unit roundoff of the accumulator
  double output = 0;      // rounding of the result to the output type
};

/// The unit roundoffs of a GEMM dtype; throws std::invalid_argument for an unknown dtype.
gemm_roundoff gemm_roundoff_of(const std::string& dtype);

/// The largest normwise relative error ||C - Cref||_2 / ||Cref||_2 accepted for a dtype and inner
/// dimension k: 2 u_out + 4 (sqrt(2) u_in + sqrt(k) u_acc); 0 for int8, which must be exact.
double gemm_tolerance(const std::string& dtype, std::int64_t k);

}  // namespace cubench
