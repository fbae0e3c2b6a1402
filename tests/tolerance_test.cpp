#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "tolerance.hpp"

namespace cubench {
namespace {

TEST(gemm_tolerance, int8_must_be_exact) { EXPECT_EQ(gemm_tolerance("int8", 4096), 0.0); }

TEST(gemm_tolerance, grows_with_the_square_root_of_k) {
  const double u = std::ldexp(1.0, -24);
  EXPECT_DOUBLE_EQ(gemm_tolerance("fp32", 1), 2.0 * u + 4.0 * u);
  EXPECT_DOUBLE_EQ(gemm_tolerance("fp32", 4096), 2.0 * u + 4.0 * 64.0 * u);
  EXPECT_GT(gemm_tolerance("fp64", 1 << 20), gemm_tolerance("fp64", 1 << 10));
}

TEST(gemm_tolerance, low_precision_is_dominated_by_output_or_input_rounding) {
  const double accumulation = 4.0 * 64.0 * std::ldexp(1.0, -24);
  EXPECT_DOUBLE_EQ(gemm_tolerance("bf16", 4096), 2.0 * std::ldexp(1.0, -8) + accumulation);
  EXPECT_DOUBLE_EQ(gemm_tolerance("fp16", 4096), 2.0 * std::ldexp(1.0, -11) + accumulation);
  EXPECT_DOUBLE_EQ(gemm_tolerance("tf32", 4096),
                   2.0 * std::ldexp(1.0, -24) + 4.0 * std::sqrt(2.0) * std::ldexp(1.0, -10) + accumulation);
}

TEST(gemm_tolerance, orders_dtypes_by_precision) {
  const std::int64_t k = 8192;
  EXPECT_LT(gemm_tolerance("fp64", k), gemm_tolerance("fp32", k));
  EXPECT_LT(gemm_tolerance("fp32", k), gemm_tolerance("tf32", k));
  EXPECT_LT(gemm_tolerance("fp16", k), gemm_tolerance("bf16", k));
}

TEST(gemm_tolerance, still_catches_a_lost_k_block) {
  // Dropping one 32-wide k-block of random data leaves a relative error of about sqrt(32 / k).
  for (const char* dtype : {"fp64", "fp32", "tf32", "fp16", "bf16"}) {
    for (std::int64_t k : {64, 4096, 65536}) {
      EXPECT_LT(gemm_tolerance(dtype, k), std::sqrt(32.0 / static_cast<double>(k)) / 2) << dtype << " k=" << k;
    }
  }
}

TEST(gemm_tolerance, rejects_unknown_dtype_and_bad_k) {
  EXPECT_THROW(gemm_tolerance("fp8", 16), std::invalid_argument);
  EXPECT_THROW(gemm_tolerance("fp32", 0), std::invalid_argument);
}

}  // namespace
}  // namespace cubench
