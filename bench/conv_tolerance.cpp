#include "conv_tolerance.hpp"

#include "tolerance.hpp"

namespace cubench {

double conv_tolerance(const std::string& dtype, std::int64_t reduction_length, conv_summation summation) {
  const double direct = gemm_tolerance(dtype, reduction_length);
  return summation == conv_summation::transform ? direct * conv_transform_margin : direct;
}

}  // namespace cubench
