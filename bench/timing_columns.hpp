// The timing and throughput columns of a results row, from the summary of its samples; the runner fills a row so
// from its placements, and `bench run` so when it joins the rows of several runner processes.
#pragma once

#include "result_record.hpp"
#include "stopping_rule.hpp"

namespace cubench {

/// Sets samples, median, mean, min, max, stddev, the interval and noise_rel from `summary`, and TFLOP/s and GB/s
/// from the row's flop and bytes where it has them.
void record_summary(const sample_summary& summary, result_record& record);

}  // namespace cubench
