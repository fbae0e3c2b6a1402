// When to stop sampling a case: at least a minimum of samples and of time, then until the median's confidence
// interval is narrow enough or a cap is reached. Pure functions over vectors of samples; the median and
// its interval come from statistics.hpp.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace cubench {

/// Summary statistics of a set of samples, as results.csv reports them.
struct sample_summary {
  std::size_t count = 0;
  double median = 0;
  double mean = 0;
  double min = 0;
  double max = 0;
  double stddev = 0;     // sample standard deviation (n - 1); 0 for a single sample
  // 95% confidence interval of the median: the order-statistics interval, widened to the batch-means interval
  // where that is wider (drift in time); min..max when too few samples.
  double ci_low = 0;
  double ci_high = 0;
  double ci_coverage = 0;  // the interval's exact coverage, under 0.95 only when too few samples
  double noise_rel = 0;  // (ci_high - ci_low) / median
};

/// Summarizes samples given in the order they were measured; throws std::invalid_argument when there are none.
sample_summary summarize_samples(std::vector<double> samples);

/// Half-width of the batch-means 95% interval of the median: the samples, in the order measured, cut into ten
/// consecutive batches, and Student's t over the batches' medians. Unlike the order-statistics interval, which
/// assumes independent samples, it widens when the level drifts during the case (clocks settling under a power
/// cap). 0 when there are fewer than two samples a batch.
double batch_means_half_width(const std::vector<double>& samples);

/// Half-width of the 95% interval of the mean of the placements' medians (Student's t over them): each placement holds
/// the samples of one allocation of a case's buffers, whose position in memory can move a kernel's time by more than
/// the samples of one allocation show. Any grouping of samples into independent units will do (bench run passes the
/// samples of each runner process). 0 for fewer than two groups.
double placement_half_width(const std::vector<std::vector<double>>& placements);

/// Summarizes the samples of every placement together, in the order given; the interval widens, where that is wider,
/// to the placements' interval around the median.
sample_summary summarize_placements(const std::vector<std::vector<double>>& placements);

/// Widens the summary's interval, where that is wider, to median +- half_width, and recomputes noise_rel.
void widen_interval(sample_summary& summary, double half_width);

/// Why sampling stopped, or that it goes on.
enum class stop_reason { keep_going, converged, time_cap, sample_cap };

/// The schema's name of a stop reason (`converged`, `time_cap`, `sample_cap`); empty for keep_going.
std::string_view to_string(stop_reason reason);

/// The knobs of the adaptive stopping rule.
struct stopping_params {
  std::size_t min_samples = 10;
  std::size_t max_samples = 50000;
  double target_noise_rel = 0.005;  // relative width of the median's 95% confidence interval
  double min_time_s = 0.5;          // time spent sampling before the case may converge
  double time_cap_s = 1.0;          // time spent sampling one case
};

/// One placement's share of a case's stopping rule: the minimum time, the time cap and the sample cap divided among
/// `placements` (at least 1), the minimum of samples not, since each placement's median needs its own.
stopping_params placement_share(const stopping_params& params, int placements);

/// Decides after a sample whether to stop: never before min_samples; then, once min_time_s has passed,
/// converged when the median's confidence interval is narrower than the target (looked at when `check_noise`,
/// or at a cap), else time_cap or sample_cap when one is reached.
stop_reason decide_stop(const std::vector<double>& samples, double elapsed_s, const stopping_params& params,
                        bool check_noise);

/// Whether the rule should be evaluated at this sample count: every sample up to 100, then each time the
/// count has grown by 2%, so that a long run costs O(n log n) and not O(n^2).
bool stop_check_due(std::size_t count, std::size_t last_checked);

}  // namespace cubench
