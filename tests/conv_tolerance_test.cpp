#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "conv_tolerance.hpp"
#include "tolerance.hpp"

namespace cubench {
namespace {

TEST(conv_tolerance, is_the_gemm_tolerance_of_the_reduction_for_direct_sums) {
  for (const char* dtype : {"fp32", "tf32", "fp16", "bf16"})
    EXPECT_EQ(conv_tolerance(dtype, 576, conv_summation::direct), gemm_tolerance(dtype, 576)) << dtype;
}

TEST(conv_tolerance, gives_transforms_their_margin) {
  EXPECT_EQ(conv_tolerance("fp32", 576, conv_summation::transform),
            conv_transform_margin * gemm_tolerance("fp32", 576));
}

TEST(conv_tolerance, still_tells_fp32_from_a_silent_tf32) {
  // Rounding both inputs to tf32 (10 mantissa bits) gives a normwise error near sqrt(2) 2^-11 on random data;
  // even a Winograd or FFT algorithm in fp32 must stay well under it, for the deepest ResNet-50 reduction.
  const double silent_tf32_error = std::sqrt(2.0) * std::ldexp(1.0, -11);
  EXPECT_LT(conv_tolerance("fp32", 4608, conv_summation::transform), silent_tf32_error / 4);
  EXPECT_GT(conv_tolerance("tf32", 4608, conv_summation::direct), silent_tf32_error);
}

TEST(conv_tolerance, rejects_what_gemm_tolerance_rejects) {
  EXPECT_THROW(conv_tolerance("fp8", 9, conv_summation::direct), std::invalid_argument);
  EXPECT_THROW(conv_tolerance("fp16", 0, conv_summation::direct), std::invalid_argument);
}

}  // namespace
}  // namespace cubench
