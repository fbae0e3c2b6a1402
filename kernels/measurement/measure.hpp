// The timing loop shared by every family: warm-up outside the timed region, L2 flush before each cold
// sample, CUDA-graph batches for short launches, adaptive stopping, and NVML readings while it samples.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>

#include "clock_monitor.hpp"
#include "cuda_resources.cuh"
#include "measurement_plan.hpp"
#include "stopping_rule.hpp"

namespace cubench {

/// Everything the measurement of one case can be told.
struct measurement_options {
  bool cold = true;
  stopping_params stopping;
  plan_params plan;
  int warmup_min_launches = 3;
  double warmup_min_ms = 20.0;  // of GPU time: the launch-time estimate that picks the timing mode
  // Wall time of samples taken, exactly as the kept ones, and dropped: under a power cap the SM clock needs
  // a few hundred milliseconds of the case's own duty cycle to reach the level it then holds.
  double settle_s = 0.2;
  double clock_poll_s = 0.025;
  // Allocations of its buffers a case is measured in, each with its share of the stopping rule (run_case).
  int placements = 8;
  // Launches per sample; 0: chosen from the warm-up estimate (run_case fixes later placements to the first's).
  int launches_per_sample = 0;
};

/// Enqueues one launch of a case on the stream, reading input set `set`; must be capturable in a graph.
using launch_fn = std::function<void(cudaStream_t stream, int set)>;

/// Clears the L2 before a cold sample: one L2-sized buffer, allocated once, written on the stream.
class l2_flusher {
 public:
  /// Sizes the buffer from the device's L2.
  explicit l2_flusher(int device);
  /// Overwrites the whole L2 with the buffer, in stream order.
  void flush(cudaStream_t stream);
  /// The L2's size in bytes.
  std::size_t l2_bytes() const { return l2_bytes_; }

 private:
  std::size_t l2_bytes_;
  device_buffer buffer_;
};

/// One case's timing: per-launch samples and what produced them.
struct measurement {
  std::string timing_mode;  // events or graph
  int launches_per_sample = 1;
  std::string cache_mode;   // cold or hot
  std::vector<double> samples_ms;  // per launch, in the order measured
  sample_summary summary;
  stop_reason reason = stop_reason::keep_going;
  clock_report clocks;
};

/// Warms up, picks events or graph timing, lets clocks settle, samples until the stopping rule says so. The clock
/// readings taken while sampling fold into `clocks`' current case: call clocks.start_case() before a case.
measurement measure_launches(const launch_fn& launch, int input_sets, cudaStream_t stream, l2_flusher& flusher,
                             clock_monitor& clocks, const measurement_options& options);

}  // namespace cubench
