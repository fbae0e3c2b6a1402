// Statistics over timing samples: pure functions of their inputs, tested against known answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace cubench {

/// The median; the mean of the two middle values for an even count. Throws std::invalid_argument when empty.
double median(std::vector<double> values);

/// The q-quantile (0 <= q <= 1) by linear interpolation between order statistics (R's type 7, numpy's default).
double quantile(std::vector<double> values, double q);

/// The mean and the sample variance (n - 1) of some values.
struct mean_variance {
  double mean = 0.0;
  double variance = 0.0;  ///< 0 for a single value
};

/// The mean and sample variance; throws std::invalid_argument when empty.
mean_variance mean_and_variance(const std::vector<double>& values);

/// The values of every group, one group after another.
std::vector<double> pooled(const std::vector<std::vector<double>>& groups);

/// exp(mean(log(x))); throws std::invalid_argument when empty or when a value is not positive.
double geometric_mean(const std::vector<double>& values);

/// A distribution-free confidence interval of the median, from two order statistics.
struct median_interval {
  double low = 0.0;
  double high = 0.0;
  std::size_t low_rank = 0;   ///< 1-based rank of the lower bound in the sorted sample
  std::size_t high_rank = 0;  ///< 1-based rank of the upper bound in the sorted sample
  double coverage = 0.0;      ///< exact coverage of [low, high], at least `confidence` unless the sample is too small
};

/// The narrowest symmetric order-statistic interval [x(k), x(n+1-k)] whose binomial coverage reaches `confidence`;
/// for samples too small to reach it, [min, max] with its (lower) coverage.
median_interval median_confidence_interval(std::vector<double> values, double confidence = 0.95);

/// Result of a two-sided Mann-Whitney U test.
struct mann_whitney_result {
  double u = 0.0;        ///< U of the first sample: the number of pairs (x, y) with x > y, ties counting one half
  double p_value = 1.0;  ///< two-sided
  bool exact = false;    ///< true when p comes from the exact null distribution rather than the normal approximation
};

/// Largest sample size for which mann_whitney_u uses the exact null distribution (when there are no ties).
inline constexpr std::size_t mann_whitney_exact_limit = 20;

/// Two-sided Mann-Whitney U test of x against y: exact when both sizes are at most mann_whitney_exact_limit and
/// no value is tied, else the normal approximation with tie correction and continuity correction.
/// Throws std::invalid_argument when either sample is empty.
mann_whitney_result mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y);

/// A ratio and its confidence interval.
struct ratio_interval {
  double ratio = 1.0;
  double low = 1.0;
  double high = 1.0;
};

/// One outcome of the median of a bootstrap resample of a sorted sample: (x[low] + x[high]) / 2.
struct median_rank_pair {
  std::uint32_t low = 0;   ///< 0-based rank in the sorted sample
  std::uint32_t high = 0;  ///< 0-based rank; equal to low for odd sizes
  double probability = 0.0;
};

/// The exact distribution of a resample's median over the sorted original's ranks, for a sample of size n >= 1:
/// what resampling n values with replacement and taking their median yields, without drawing any resample.
std::vector<median_rank_pair> bootstrap_median_distribution(std::size_t n);

/// Largest sample size for which median_ratio_bootstrap draws each resample's median from
/// bootstrap_median_distribution() instead of building the resample; both give the same distribution.
inline constexpr std::size_t bootstrap_distribution_limit = 128;

/// Default number of bootstrap resamples.
inline constexpr int default_bootstrap_resamples = 1000;

/// median(candidate) / median(baseline) with a percentile-bootstrap confidence interval: both samples are resampled
/// with replacement `resamples` times from a generator seeded with `seed`, so equal inputs give equal intervals
/// on every platform.
/// Throws std::invalid_argument when a sample is empty or a median is not positive.
ratio_interval median_ratio_bootstrap(const std::vector<double>& baseline, const std::vector<double>& candidate,
                                      std::uint64_t seed, int resamples = default_bootstrap_resamples,
                                      double confidence = 0.95);

/// The `probability` quantile of Student's t distribution with `degrees_of_freedom` > 0 (Boost.Math).
double student_t_quantile(double probability, double degrees_of_freedom);

/// Result of Welch's two-sample t test of mean(x) - mean(y), unequal variances.
struct welch_result {
  double difference = 0.0;      ///< mean(x) - mean(y)
  double standard_error = 0.0;  ///< sqrt(var(x)/nx + var(y)/ny)
  double degrees_of_freedom = 0.0;  ///< Welch-Satterthwaite; nx + ny - 2 when both variances are 0
  double p_value = 1.0;         ///< two-sided; 0 when both variances are 0 and the means differ
  double half_width = 0.0;      ///< of the 95% interval of the difference
};

/// Welch's t test; throws std::invalid_argument when either sample has fewer than two values.
welch_result welch_t_test(const std::vector<double>& x, const std::vector<double>& y);

/// A 64-bit seed derived from text (FNV-1a), stable across platforms and runs.
std::uint64_t seed_from_text(std::string_view text);

}  // namespace cubench
