// The measurement core: timing modes picked by launch length, stopping, and the NVML clock report.
#include "clock_monitor.hpp"
#include "cuda_resources.cuh"
#include "gpu_test_support.cuh"
#include "measure.hpp"

namespace cubench {
namespace {

__global__ void spin_kernel(long long cycles) {
  const long long start = clock64();
  while (clock64() - start < cycles) {
  }
}

// A launch that keeps one SM busy for about `us` microseconds at the GPU's base clock or faster.
launch_fn spin_for(double us) {
  int khz = 0;
  BENCH_CUDA_TRY(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, 0));
  const long long cycles = static_cast<long long>(us * khz / 1000.0);
  return [cycles](cudaStream_t stream, int) {
    spin_kernel<<<1, 1, 0, stream>>>(cycles);
    BENCH_CUDA_TRY(cudaGetLastError());
  };
}

TEST(throttle_reason_names, leaves_out_idle_and_application_clocks) {
  EXPECT_EQ(throttle_reason_names(0x1 | 0x2), "");
  EXPECT_EQ(throttle_reason_names(0x4 | 0x40), "sw_power_cap|hw_thermal");
  EXPECT_EQ(throttle_reason_names(0x1000), "0x1000");
}

TEST(clock_flag, throttled_or_slow) {
  EXPECT_FALSE(clock_flag(0x1, 1980, 1980));
  EXPECT_TRUE(clock_flag(0x4, 1980, 1980));
  EXPECT_TRUE(clock_flag(0, 1700, 1980));
  EXPECT_FALSE(clock_flag(0, 1800, 1980));
}

TEST(clock_monitor, unknown_gpu_leaves_readings_empty_with_a_reason) {
  clock_monitor monitor("GPU-00000000-0000-0000-0000-000000000000");
  monitor.start_case();
  monitor.sample();
  const clock_report report = monitor.report();
  EXPECT_FALSE(report.min_sm_clock_mhz.has_value());
  EXPECT_FALSE(report.error.empty());
}

TEST(measure_launches, long_launches_are_timed_one_by_one) {
  BENCH_SKIP_WITHOUT_GPU();
  const cuda_stream stream;
  l2_flusher flusher(0);
  EXPECT_GT(flusher.l2_bytes(), 0u);
  clock_monitor clocks("GPU-00000000-0000-0000-0000-000000000000");
  measurement_options options;
  options.stopping.time_cap_s = 0.5;
  const measurement m = measure_launches(spin_for(200), 1, stream.get(), flusher, clocks, options);
  EXPECT_EQ(m.timing_mode, "events");
  EXPECT_EQ(m.launches_per_sample, 1);
  EXPECT_EQ(m.cache_mode, "cold");
  EXPECT_GE(m.samples_ms.size(), 10u);
  EXPECT_GT(m.summary.median, 0.100);
  EXPECT_LT(m.summary.median, 0.400);
  EXPECT_NE(m.reason, stop_reason::keep_going);
}

TEST(measure_launches, short_launches_are_batched_in_a_graph) {
  BENCH_SKIP_WITHOUT_GPU();
  const cuda_stream stream;
  l2_flusher flusher(0);
  clock_monitor clocks("GPU-00000000-0000-0000-0000-000000000000");
  measurement_options options;
  options.cold = false;
  options.stopping.time_cap_s = 0.5;
  const measurement m = measure_launches(spin_for(4), 1, stream.get(), flusher, clocks, options);
  EXPECT_EQ(m.timing_mode, "graph");
  EXPECT_GT(m.launches_per_sample, 1);
  EXPECT_EQ(m.cache_mode, "hot");
  EXPECT_GT(m.summary.median, 0.002);
  EXPECT_LT(m.summary.median, 0.020);
}

TEST(measure_launches, keeps_the_batch_it_is_given) {
  BENCH_SKIP_WITHOUT_GPU();
  const cuda_stream stream;
  l2_flusher flusher(0);
  clock_monitor clocks("GPU-00000000-0000-0000-0000-000000000000");
  measurement_options options;
  options.stopping.time_cap_s = 0.2;
  options.launches_per_sample = 7;
  const measurement batched = measure_launches(spin_for(200), 1, stream.get(), flusher, clocks, options);
  EXPECT_EQ(batched.timing_mode, "graph");
  EXPECT_EQ(batched.launches_per_sample, 7);
  options.launches_per_sample = 1;
  const measurement single = measure_launches(spin_for(4), 1, stream.get(), flusher, clocks, options);
  EXPECT_EQ(single.timing_mode, "events");
  EXPECT_EQ(single.launches_per_sample, 1);
}

}  // namespace
}  // namespace cubench
