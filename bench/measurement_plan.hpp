// How a case is timed, decided from its size and a first estimate of its run time: how many input sets
// to rotate through so that a small problem still starts from a cold L2, and whether to time launches one
// by one with events or in batches captured in a CUDA graph. Pure functions, tested on the CPU.
#pragma once

#include <cstddef>

namespace cubench {

/// The knobs of the measurement plan.
struct plan_params {
  double graph_below_ms = 0.020;      // launches faster than this are timed in graph batches
  double graph_sample_ms = 0.5;       // aim for graph samples about this long
  int max_launches_per_sample = 10000;
  int max_input_sets = 256;
  double max_rotation_bytes = 4.0e9;  // device memory the rotation may take
};

/// Input sets to rotate through: enough that the sets together are at least twice the L2, so that each
/// launch finds its operands evicted; 1 in hot mode or when one set already is that large.
int rotation_sets(double working_set_bytes, std::size_t l2_bytes, bool cold, const plan_params& params);

/// Launches per sample: 1 (events) at or above graph_below_ms; else enough for a graph sample of about
/// graph_sample_ms, and in cold mode at least one launch per input set so that every sample rotates
/// through all of them.
int launches_per_sample(double launch_ms, int input_sets, bool cold, const plan_params& params);

/// Bytes held in a spacer allocation while a case allocates its buffers for placement `placement` (0-based) of its
/// measurement over several allocations: none for the first, then 10 MiB more for each, so that every placement's
/// buffers start at other addresses than the last one's, which the allocator would otherwise hand out again.
std::size_t placement_spacer_bytes(int placement);

}  // namespace cubench
