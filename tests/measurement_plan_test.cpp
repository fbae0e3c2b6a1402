#include <gtest/gtest.h>

#include "measurement_plan.hpp"

namespace cubench {
namespace {

constexpr std::size_t l2 = 50u << 20;

TEST(rotation_sets, hot_mode_and_large_problems_use_one_set) {
  plan_params params;
  EXPECT_EQ(rotation_sets(1e6, l2, false, params), 1);
  EXPECT_EQ(rotation_sets(2.0 * l2, l2, true, params), 1);
  EXPECT_EQ(rotation_sets(3.0 * l2, l2, true, params), 1);
}

TEST(rotation_sets, small_problems_cover_twice_the_l2) {
  plan_params params;
  // 16 x 4096 x 4096 bf16: 33.7 MB a set, so 4 sets (134 MB) exceed 2 x 52.4 MB; 3 would not.
  const double decode = 2.0 * (16.0 * 4096 + 4096.0 * 4096 + 16.0 * 4096);
  EXPECT_EQ(rotation_sets(decode, l2, true, params), 4);
  EXPECT_GE(rotation_sets(decode, l2, true, params) * decode, 2.0 * l2);
}

TEST(rotation_sets, capped_by_count_and_memory) {
  plan_params params;
  EXPECT_EQ(rotation_sets(1000.0, l2, true, params), params.max_input_sets);
  params.max_rotation_bytes = 10e6;
  EXPECT_EQ(rotation_sets(4e6, l2, true, params), 2);
  params.max_rotation_bytes = 1e6;
  EXPECT_EQ(rotation_sets(4e6, l2, true, params), 1);
}

TEST(launches_per_sample, events_for_long_launches) {
  plan_params params;
  EXPECT_EQ(launches_per_sample(0.020, 8, true, params), 1);
  EXPECT_EQ(launches_per_sample(5.0, 1, false, params), 1);
}

TEST(launches_per_sample, graph_batches_for_short_launches) {
  plan_params params;
  EXPECT_EQ(launches_per_sample(0.010, 1, false, params), 50);
  EXPECT_EQ(launches_per_sample(0.010, 120, true, params), 120);
  EXPECT_EQ(launches_per_sample(0.0001, 1, false, params), 5000);
  EXPECT_EQ(launches_per_sample(0.00001, 1, false, params), params.max_launches_per_sample);
  EXPECT_EQ(launches_per_sample(0.019, 1, false, params), 27);
}

TEST(placement_spacer_bytes, none_first_then_a_different_size_each) {
  EXPECT_EQ(placement_spacer_bytes(0), 0u);
  for (int p = 1; p < 8; ++p) EXPECT_GT(placement_spacer_bytes(p), placement_spacer_bytes(p - 1));
  EXPECT_EQ(placement_spacer_bytes(3), std::size_t{30} << 20);
}

}  // namespace
}  // namespace cubench
