#include "stopping_rule.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <utility>

#include "statistics.hpp"

namespace cubench {
namespace {

constexpr double ci_confidence = 0.95;
constexpr std::size_t batches = 10;

// Half-width of the 95% Student's t interval of the mean of `values` (at least two).
double t_half_width(const std::vector<double>& values) {
  const double n = static_cast<double>(values.size());
  return student_t_quantile(0.975, n - 1.0) * std::sqrt(mean_and_variance(values).variance / n);
}

}  // namespace

double batch_means_half_width(const std::vector<double>& samples) {
  const std::size_t per_batch = samples.size() / batches;
  if (per_batch < 2) return 0.0;
  std::vector<double> medians;
  medians.reserve(batches);
  for (std::size_t b = 0; b < batches; ++b) {
    // The last batch takes the remainder, so that every sample counts.
    const auto first = samples.begin() + static_cast<std::ptrdiff_t>(b * per_batch);
    const auto last = b + 1 == batches ? samples.end() : first + static_cast<std::ptrdiff_t>(per_batch);
    medians.push_back(median(std::vector<double>(first, last)));
  }
  return t_half_width(medians);
}

double placement_half_width(const std::vector<std::vector<double>>& placements) {
  std::vector<double> medians;
  for (const auto& samples : placements)
    if (!samples.empty()) medians.push_back(median(samples));
  return medians.size() < 2 ? 0.0 : t_half_width(medians);
}

sample_summary summarize_placements(const std::vector<std::vector<double>>& placements) {
  sample_summary s = summarize_samples(pooled(placements));
  widen_interval(s, placement_half_width(placements));
  return s;
}

void widen_interval(sample_summary& s, double half_width) {
  s.ci_low = std::min(s.ci_low, s.median - half_width);
  s.ci_high = std::max(s.ci_high, s.median + half_width);
  s.noise_rel = s.median > 0.0 ? (s.ci_high - s.ci_low) / s.median : 0.0;
}

stopping_params placement_share(const stopping_params& params, int placements) {
  const double share = 1.0 / std::max(placements, 1);
  stopping_params p = params;
  p.min_time_s *= share;
  p.time_cap_s *= share;
  p.max_samples = std::max<std::size_t>(
      p.min_samples, static_cast<std::size_t>(static_cast<double>(params.max_samples) * share));
  return p;
}

sample_summary summarize_samples(std::vector<double> samples) {
  if (samples.empty()) throw std::invalid_argument("summarize_samples: expected at least one sample, found none");
  sample_summary s;
  s.count = samples.size();
  const mean_variance moments = mean_and_variance(samples);
  s.mean = moments.mean;
  s.stddev = std::sqrt(moments.variance);
  const auto [min_it, max_it] = std::minmax_element(samples.begin(), samples.end());
  s.min = *min_it;
  s.max = *max_it;
  s.median = median(samples);
  const double drift_half_width = batch_means_half_width(samples);
  const median_interval interval = median_confidence_interval(std::move(samples), ci_confidence);
  s.ci_low = std::min(interval.low, s.median - drift_half_width);
  s.ci_high = std::max(interval.high, s.median + drift_half_width);
  s.ci_coverage = interval.coverage;
  s.noise_rel = s.median > 0.0 ? (s.ci_high - s.ci_low) / s.median : 0.0;
  return s;
}

std::string_view to_string(stop_reason reason) {
  switch (reason) {
    case stop_reason::converged:
      return "converged";
    case stop_reason::time_cap:
      return "time_cap";
    case stop_reason::sample_cap:
      return "sample_cap";
    case stop_reason::keep_going:
      break;
  }
  return "";
}

stop_reason decide_stop(const std::vector<double>& samples, double elapsed_s, const stopping_params& params,
                        bool check_noise) {
  const std::size_t n = samples.size();
  if (n < std::max<std::size_t>(params.min_samples, 1)) return stop_reason::keep_going;
  const bool time_up = elapsed_s >= params.time_cap_s;
  const bool count_up = n >= params.max_samples;
  if ((check_noise && elapsed_s >= params.min_time_s) || time_up || count_up) {
    const sample_summary summary = summarize_samples(samples);
    if (summary.ci_coverage >= ci_confidence && summary.noise_rel < params.target_noise_rel)
      return stop_reason::converged;
  }
  if (time_up) return stop_reason::time_cap;
  if (count_up) return stop_reason::sample_cap;
  return stop_reason::keep_going;
}

bool stop_check_due(std::size_t count, std::size_t last_checked) {
  if (count <= 100) return true;
  return static_cast<double>(count) >= 1.02 * static_cast<double>(last_checked);
}

}  // namespace cubench
