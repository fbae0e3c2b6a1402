#include "timing_columns.hpp"

namespace cubench {

void record_summary(const sample_summary& summary, result_record& r) {
  r.samples = static_cast<int>(summary.count);
  r.median_ms = summary.median;
  r.mean_ms = summary.mean;
  r.min_ms = summary.min;
  r.max_ms = summary.max;
  r.stddev_ms = summary.stddev;
  r.ci_low_ms = summary.ci_low;
  r.ci_high_ms = summary.ci_high;
  r.noise_rel = summary.noise_rel;
  if (r.flop && summary.median > 0) r.tflops = *r.flop / (summary.median * 1e-3) / 1e12;
  if (r.bytes && summary.median > 0) r.gbps = *r.bytes / (summary.median * 1e-3) / 1e9;
}

}  // namespace cubench
