#include "case_processes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "statistics.hpp"
#include "stopping_rule.hpp"

namespace cubench {
namespace {

// A passed row of `placements` placements whose samples are `level` + 0.001 * (sample index in its placement).
process_row passed_row(double level, int placements, int per_placement = 3) {
  process_row row;
  result_record& r = row.record;
  r.run_id = "run";
  r.case_id = "gemm/cublas/default/fp32/m=1";
  r.toolkit = "13.0";
  r.gpu_uuid = "GPU-0";
  r.status = case_status::passed;
  r.timing_mode = "events";
  r.launches_per_sample = 1;
  r.cache_mode = "cold";
  r.median_ms = level;
  r.stop_reason = "converged";
  r.flop = 2e9;
  r.first_call_ms = 10.0 * level;
  r.norm_rel_err = 1e-7;
  r.max_abs_err = 1e-6;
  r.output_hash = "00000000deadbeef";
  r.algorithm = "algo=1";
  r.sm_clock_mhz = 1980;
  r.temperature_c = 40;
  r.power_w = 300.0;
  r.clock_flag = false;
  r.timestamp = "2026-11-23T10:00:00Z";
  for (int p = 0; p < placements; ++p)
    for (int s = 0; s < per_placement; ++s) {
      row.samples.time_ms.push_back(level + 0.001 * s);
      row.samples.placement.push_back(p);
    }
  return row;
}

TEST(join_processes, one_row_is_returned_as_it_is) {
  const process_row row = passed_row(1.0, 2);
  const joined_case joined = join_processes({row});
  EXPECT_EQ(joined.record.median_ms, row.record.median_ms);
  EXPECT_EQ(joined.record.reason, "");
  ASSERT_EQ(joined.samples.size(), 6u);
  EXPECT_EQ(joined.samples[4].sample_index, 4);
  EXPECT_EQ(joined.samples[4].placement, 1);
  EXPECT_DOUBLE_EQ(joined.samples[4].time_ms, 1.001);
  EXPECT_THROW(join_processes({}), std::invalid_argument);
}

TEST(join_processes, placements_follow_one_another_and_the_interval_covers_the_processes) {
  process_row first = passed_row(1.0, 2);
  process_row second = passed_row(1.1, 2);
  second.record.sm_clock_mhz = 1755;
  second.record.clock_flag = true;
  second.record.throttle_reasons = "sw_power_cap";
  second.record.temperature_c = 55;
  second.record.algorithm = "algo=1 | algo=2";
  second.record.max_abs_err = 3e-6;
  second.record.first_call_ms = 30.0;
  second.record.stop_reason = "time_cap";
  second.record.timestamp = "2026-11-23T10:05:00Z";
  const joined_case joined = join_processes({first, second});
  const result_record& r = joined.record;

  ASSERT_EQ(joined.samples.size(), 12u);
  for (std::size_t i = 0; i < joined.samples.size(); ++i) {
    EXPECT_EQ(joined.samples[i].sample_index, static_cast<int>(i));
    EXPECT_EQ(joined.samples[i].placement, static_cast<int>(i / 3)) << i;
  }
  const sample_summary expected = summarize_placements({{1.0, 1.001, 1.002},
                                                        {1.0, 1.001, 1.002},
                                                        {1.1, 1.101, 1.102},
                                                        {1.1, 1.101, 1.102}});
  EXPECT_EQ(r.samples, 12);
  EXPECT_DOUBLE_EQ(*r.median_ms, expected.median);
  // Student's t over the two processes' medians, 1.001 and 1.101: t(0.975, 1) = 12.7062 times 0.1 / sqrt(2) / sqrt(2),
  // wider than the placements' interval, which takes the four placements for independent draws.
  EXPECT_DOUBLE_EQ(expected.median, 1.051);
  EXPECT_NEAR(*r.ci_low_ms, 1.051 - 12.7062047 * 0.05, 1e-6);
  EXPECT_NEAR(*r.ci_high_ms, 1.051 + 12.7062047 * 0.05, 1e-6);
  EXPECT_LT(*r.ci_low_ms, expected.ci_low);
  EXPECT_NEAR(*r.noise_rel, 2 * 12.7062047 * 0.05 / 1.051, 1e-6);
  EXPECT_DOUBLE_EQ(*r.tflops, 2e9 / (expected.median * 1e-3) / 1e12);
  EXPECT_EQ(r.stop_reason, "time_cap");
  EXPECT_DOUBLE_EQ(*r.first_call_ms, 20.0) << "the median of 10 and 30";
  EXPECT_EQ(r.sm_clock_mhz, 1755);
  EXPECT_EQ(r.clock_flag, true);
  EXPECT_EQ(r.throttle_reasons, "sw_power_cap");
  EXPECT_EQ(r.temperature_c, 55);
  EXPECT_EQ(r.algorithm, "algo=1 | algo=2");
  EXPECT_DOUBLE_EQ(*r.max_abs_err, 3e-6);
  EXPECT_EQ(r.output_hash, "00000000deadbeef");
  EXPECT_EQ(r.status, case_status::passed);
  EXPECT_EQ(r.reason, "");
  EXPECT_EQ(r.timestamp, "2026-11-23T10:05:00Z");
}

TEST(join_processes, the_most_severe_status_wins_and_keeps_what_the_others_measured) {
  const process_row first = passed_row(1.0, 2);
  process_row crashed;
  crashed.record = first.record;
  crashed.record.status = case_status::crashed;
  crashed.record.reason = "runner killed by SIGSEGV (Segmentation fault)";
  crashed.record.median_ms.reset();
  crashed.record.norm_rel_err.reset();
  crashed.record.output_hash.clear();
  const process_row third = passed_row(1.0, 2);
  const joined_case joined = join_processes({first, crashed, third});
  EXPECT_EQ(joined.record.status, case_status::crashed);
  EXPECT_EQ(joined.record.reason, "process 2 of 3: runner killed by SIGSEGV (Segmentation fault)");
  EXPECT_EQ(joined.samples.size(), 12u) << "the two processes that measured keep their samples";
  EXPECT_EQ(joined.samples.back().placement, 3);
  EXPECT_EQ(joined.record.output_hash, "00000000deadbeef");

  process_row incorrect = passed_row(1.0, 2);
  incorrect.record.status = case_status::incorrect;
  incorrect.record.reason = "norm_rel_err 0.5 over tolerance 1e-05";
  incorrect.record.norm_rel_err = 0.5;
  incorrect.record.output_hash = "00000000cafef00d";
  const joined_case wrong = join_processes({first, incorrect});
  EXPECT_EQ(wrong.record.status, case_status::incorrect);
  EXPECT_DOUBLE_EQ(*wrong.record.norm_rel_err, 0.5);
  EXPECT_EQ(wrong.record.reason,
            "process 2 of 2: norm_rel_err 0.5 over tolerance 1e-05; the output's bits differ between the processes "
            "(2 hashes); output_hash left empty");
  EXPECT_EQ(wrong.record.output_hash, "");
}

TEST(join_processes, other_processes_reasons_and_a_differing_timing_mode_are_named) {
  process_row first = passed_row(0.01, 1);
  process_row second = passed_row(0.01, 1);
  second.record.reason = "measured in 1 of 2 placements: placement 1 failed: out of memory";
  process_row third = passed_row(0.01, 1);
  third.record.launches_per_sample = 50;
  third.record.timing_mode = "graph";
  third.record.output_hash.clear();
  const joined_case joined = join_processes({first, second, third});
  EXPECT_EQ(joined.record.status, case_status::passed);
  EXPECT_EQ(joined.record.reason,
            "process 2 of 3: measured in 1 of 2 placements: placement 1 failed: out of memory; process 3 of 3 timed "
            "50 launch(es) a sample (graph), the row's mode is the first's");
  EXPECT_EQ(joined.record.timing_mode, "events");
  EXPECT_EQ(joined.record.launches_per_sample, 1);
  EXPECT_EQ(joined.record.output_hash, "") << "an output whose bits changed inside a process has no hash";
}

}  // namespace
}  // namespace cubench
