#include "measure.hpp"

#include <chrono>
#include <utility>

#include "cuda_call.cuh"
#include "stream_blocker.hpp"

namespace cubench {
namespace {

using wall_clock = std::chrono::steady_clock;

double seconds_since(wall_clock::time_point start) {
  return std::chrono::duration<double>(wall_clock::now() - start).count();
}

std::size_t device_l2_bytes(int device) {
  int bytes = 0;
  BENCH_CUDA_TRY(cudaDeviceGetAttribute(&bytes, cudaDevAttrL2CacheSize, device));
  return static_cast<std::size_t>(bytes);
}

struct graph_release {
  void operator()(cudaGraph_t graph) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cudaGraphDestroy(graph)); }
};
struct graph_exec_release {
  void operator()(cudaGraphExec_t exec) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cudaGraphExecDestroy(exec)); }
};
using owned_graph = unique_handle<cudaGraph_t, graph_release>;
using owned_graph_exec = unique_handle<cudaGraphExec_t, graph_exec_release>;

// Captures `launches` launches, rotating through the input sets, into an executable graph.
owned_graph_exec capture_batch(const launch_fn& launch, int launches, int input_sets, cudaStream_t stream) {
  BENCH_CUDA_TRY(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  cudaGraph_t captured = nullptr;
  try {
    for (int i = 0; i < launches; ++i) launch(stream, i % input_sets);
  } catch (...) {
    // Leave the stream out of capture mode whatever failed inside it.
    BENCH_CUDA_TRY_NOEXCEPT(cudaStreamEndCapture(stream, &captured));
    if (captured != nullptr) BENCH_CUDA_TRY_NOEXCEPT(cudaGraphDestroy(captured));
    throw;
  }
  BENCH_CUDA_TRY(cudaStreamEndCapture(stream, &captured));
  const owned_graph graph(captured);
  cudaGraphExec_t exec = nullptr;
  BENCH_CUDA_TRY(cudaGraphInstantiateWithFlags(&exec, graph.get(), 0));
  return owned_graph_exec(exec);
}

// Event-timed milliseconds of what `timed` enqueues, after what `untimed` enqueues. Both wait behind the blocker
// until the host has enqueued them, so that the events see the GPU's time and not the host's enqueueing, which a
// library call can make longer than a short kernel.
template <typename Untimed, typename Timed>
double blocked_ms(cudaStream_t stream, stream_blocker& blocker, const cuda_event& start, const cuda_event& stop,
                  Untimed untimed, Timed timed) {
  blocker.block(stream);
  untimed();
  BENCH_CUDA_TRY(cudaEventRecord(start.get(), stream));
  timed();
  BENCH_CUDA_TRY(cudaEventRecord(stop.get(), stream));
  blocker.release();
  BENCH_CUDA_TRY(cudaEventSynchronize(stop.get()));
  float ms = 0;
  BENCH_CUDA_TRY(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return ms;
}

}  // namespace

l2_flusher::l2_flusher(int device) : l2_bytes_(device_l2_bytes(device)), buffer_(l2_bytes_ > 0 ? l2_bytes_ : 1) {}

void l2_flusher::flush(cudaStream_t stream) {
  BENCH_CUDA_TRY(cudaMemsetAsync(buffer_.get(), 0, buffer_.size(), stream));
}

measurement measure_launches(const launch_fn& launch, int input_sets, cudaStream_t stream, l2_flusher& flusher,
                             clock_monitor& clocks, const measurement_options& options) {
  const cuda_event start, stop;
  stream_blocker blocker;
  const auto nothing = [] {};
  measurement m;
  m.cache_mode = options.cold ? "cold" : "hot";

  // Warm-up, hot, launch by launch: brings clocks up and gives the estimate of the GPU's time per launch that picks
  // the timing mode (with the host's enqueueing in it, a short kernel behind a slow library call would pick launch
  // by launch in one run and a graph in the next).
  std::vector<double> warmup_ms;
  double warmup_total = 0;
  while (static_cast<int>(warmup_ms.size()) < options.warmup_min_launches || warmup_total < options.warmup_min_ms) {
    const int set = static_cast<int>(warmup_ms.size()) % input_sets;
    warmup_ms.push_back(blocked_ms(stream, blocker, start, stop, nothing, [&] { launch(stream, set); }));
    warmup_total += warmup_ms.back();
  }
  // The first launch may still pay for lazy loading: the estimate leaves it out.
  const double estimate_ms =
      summarize_samples({warmup_ms.begin() + (warmup_ms.size() > 1 ? 1 : 0), warmup_ms.end()}).median;

  m.launches_per_sample = options.launches_per_sample > 0
                              ? options.launches_per_sample
                              : launches_per_sample(estimate_ms, input_sets, options.cold, options.plan);
  owned_graph_exec batch(nullptr);
  if (m.launches_per_sample > 1) {
    m.timing_mode = "graph";
    batch = capture_batch(launch, m.launches_per_sample, input_sets, stream);
    // The first replay uploads the graph; it is not a sample.
    BENCH_CUDA_TRY(cudaGraphLaunch(batch.get(), stream));
    BENCH_CUDA_TRY(cudaStreamSynchronize(stream));
  } else {
    m.timing_mode = "events";
  }

  // One sample, per launch: a graph replay or one launch, after an L2 flush when cold. A replay is flushed too: the
  // end of the previous replay leaves its last input sets in the L2, and a batch that ends a few launches after set
  // 0 (72 launches of 17 sets) would start warm, by 2% on a 4.6 us GEMM on the H100.
  const auto flush_if_cold = [&] {
    if (options.cold) flusher.flush(stream);
  };
  const auto take_sample = [&](int index) {
    const double ms = blocked_ms(stream, blocker, start, stop, flush_if_cold, [&] {
      if (batch.get() != nullptr) {
        BENCH_CUDA_TRY(cudaGraphLaunch(batch.get(), stream));
      } else {
        launch(stream, index % input_sets);
      }
    });
    return ms / m.launches_per_sample;
  };
  const auto settle_start = wall_clock::now();
  for (int index = 0; seconds_since(settle_start) < options.settle_s; ++index) take_sample(index);

  clocks.sample();
  const auto sampling_start = wall_clock::now();
  auto last_poll = sampling_start;
  std::size_t last_checked = 0;
  for (;;) {
    m.samples_ms.push_back(take_sample(static_cast<int>(m.samples_ms.size())));
    if (std::chrono::duration<double>(wall_clock::now() - last_poll).count() >= options.clock_poll_s) {
      clocks.sample();
      last_poll = wall_clock::now();
    }
    const bool check_noise = stop_check_due(m.samples_ms.size(), last_checked);
    if (check_noise) last_checked = m.samples_ms.size();
    m.reason = decide_stop(m.samples_ms, seconds_since(sampling_start), options.stopping, check_noise);
    if (m.reason != stop_reason::keep_going) break;
  }
  clocks.sample();
  m.clocks = clocks.report();
  m.summary = summarize_samples(m.samples_ms);
  return m;
}

}  // namespace cubench
