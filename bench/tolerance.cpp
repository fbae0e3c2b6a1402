#include "tolerance.hpp"

#include <cmath>
#include <stdexcept>

namespace cubench {
namespace {

// Inputs are drawn in each dtype, so the reference sees the very same values; the error comes only
// from rounding inside the computation (docs/measurement.md). Rounding the output costs at most u_out
// per element, so at most u_out normwise: twice that leaves room. Input rounding and accumulation follow a
// random walk whose estimate gets four times headroom. A wrong tile or a lost 32-wide k-block still gives
// an error of order sqrt(32 / k), above every tolerance.
constexpr double output_margin = 2.0;
constexpr double random_walk_margin = 4.0;

}  // namespace

gemm_roundoff gemm_roundoff_of(const std::string& dtype) {
  const double u64 = std::ldexp(1.0, -53), u32 = std::ldexp(1.0, -24);
  if (dtype == "fp64") return {0.0, u64, u64};
  if (dtype == "fp32") return {0.0, u32, u32};
  // Tensor cores may truncate fp32 to tf32 rather than round it: up to one ulp of tf32, 2^-10.
  if (dtype == "tf32") return {std::ldexp(1.0, -10), u32, u32};
  if (dtype == "fp16") return {0.0, u32, std::ldexp(1.0, -11)};
  if (dtype == "bf16") return {0.0, u32, std::ldexp(1.0, -8)};
  if (dtype == "int8") return {0.0, 0.0, 0.0};
  throw std::invalid_argument("unknown GEMM dtype '" + dtype + "'");
}

double gemm_tolerance(const std::string& dtype, std::int64_t k) {
  if (k < 1) throw std::invalid_argument("GEMM inner dimension must be positive, found " + std::to_string(k));
  const gemm_roundoff u = gemm_roundoff_of(dtype);
  return output_margin * u.output +
         random_walk_margin * (std::sqrt(2.0) * u.input + std::sqrt(static_cast<double>(k)) * u.accumulate);
}

}  // namespace cubench
