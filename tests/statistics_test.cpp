#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>

#include "statistics.hpp"

// Reference values come from SciPy 1.17.1 and NumPy (Python 3.11), computed once and written here:
//   scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method=...)  -> U (of x) and p
//   numpy.quantile(values, q)                                           -> linear (type 7) quantiles
//   scipy.stats.gmean(values)
//   1 - 2 * scipy.stats.binom.cdf(k - 1, n, 0.5)                         -> order-statistic coverage
//   scipy.stats.ttest_ind(x, y, equal_var=False), scipy.stats.t.ppf       -> Welch's t test, t quantiles

namespace cubench {
namespace {

TEST(median, odd_and_even_counts) {
  EXPECT_DOUBLE_EQ(median({3.0, 1.0, 2.0}), 2.0);
  EXPECT_DOUBLE_EQ(median({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_DOUBLE_EQ(median({7.0}), 7.0);
  EXPECT_THROW(median({}), std::invalid_argument);
}

TEST(quantile, matches_numpy_linear) {
  const std::vector<double> v{3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0};
  EXPECT_DOUBLE_EQ(quantile(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile(v, 0.1), 1.0);
  EXPECT_DOUBLE_EQ(quantile(v, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(quantile(v, 0.5), 3.5);
  EXPECT_DOUBLE_EQ(quantile(v, 0.9), 6.8999999999999995);
  EXPECT_DOUBLE_EQ(quantile(v, 1.0), 9.0);
  EXPECT_THROW(quantile(v, 1.5), std::invalid_argument);
}

TEST(geometric_mean, matches_scipy_gmean) {
  EXPECT_DOUBLE_EQ(geometric_mean({1.02, 0.98, 1.10, 0.95}), 1.0109638688305842);
  EXPECT_THROW(geometric_mean({1.0, 0.0}), std::invalid_argument);
  EXPECT_THROW(geometric_mean({}), std::invalid_argument);
}

TEST(median_confidence_interval, picks_binomial_ranks) {
  std::vector<double> thirty;
  for (int i = 30; i >= 1; --i) thirty.push_back(i);
  const auto ci = median_confidence_interval(thirty);
  EXPECT_EQ(ci.low_rank, 10u);
  EXPECT_EQ(ci.high_rank, 21u);
  EXPECT_DOUBLE_EQ(ci.low, 10.0);
  EXPECT_DOUBLE_EQ(ci.high, 21.0);
  EXPECT_NEAR(ci.coverage, 0.9572260547429323, 1e-12);

  const auto ten = median_confidence_interval({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  EXPECT_EQ(ten.low_rank, 2u);
  EXPECT_EQ(ten.high_rank, 9u);
  EXPECT_NEAR(ten.coverage, 0.978515625, 1e-12);

  // Five samples cannot reach 95%: the whole range, with the coverage it has.
  const auto five = median_confidence_interval({5, 4, 3, 2, 1});
  EXPECT_EQ(five.low_rank, 1u);
  EXPECT_EQ(five.high_rank, 5u);
  EXPECT_NEAR(five.coverage, 0.9375, 1e-12);
}

TEST(mann_whitney_u, exact_small_samples) {
  // method='exact'
  const auto r = mann_whitney_u({1.1, 2.3, 0.7, 4.2, 3.3}, {5.1, 6.2, 4.8, 3.9, 7.0, 5.5});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 1.0);
  EXPECT_NEAR(r.p_value, 0.008658008658008658, 1e-15);
}

TEST(mann_whitney_u, exact_unequal_sizes) {
  // method='exact'; numpy.random.default_rng(42).lognormal(0, 0.05, 12) and (0.03, 0.05, 15), rounded to 4 places.
  const std::vector<double> x{1.0154, 0.9493, 1.0382, 1.0482, 0.9071, 0.937,
                              1.0064, 0.9843, 0.9992, 0.9582, 1.045,  1.0397};
  const std::vector<double> y{1.0339, 1.0902, 1.0548, 0.9871, 1.0496, 0.9822, 1.0767, 1.0279,
                              1.021,  0.996,  1.0954, 1.0225, 1.0086, 1.0125, 1.0582};
  const auto r = mann_whitney_u(x, y);
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 48.0);
  EXPECT_NEAR(r.p_value, 0.041438322674020624, 1e-14);
  // Swapping the samples gives the complementary U and the same two-sided p.
  const auto swapped = mann_whitney_u(y, x);
  EXPECT_DOUBLE_EQ(swapped.u, 12.0 * 15.0 - 48.0);
  EXPECT_NEAR(swapped.p_value, r.p_value, 1e-14);
}

TEST(mann_whitney_u, exact_at_the_size_limit) {
  // method='exact'; the same generator, lognormal(0, 0.02, 20) and (0.01, 0.02, 20), rounded to 4 places.
  const std::vector<double> x{1.0073, 1.0083, 1.0087, 1.0438, 0.9919, 0.9898, 0.9839, 1.0124, 1.0228, 0.9977,
                              0.9833, 0.9836, 1.0131, 1.015,  1.0109, 0.9868, 1.0047, 1.0023, 1.0044, 1.0176};
  const std::vector<double> y{1.0146, 1.0239, 1.0114, 1.0159, 1.0229, 0.981,  1.0036, 1.0006, 0.9972, 1.0045,
                              1.0407, 0.9927, 1.0298, 0.9766, 1.0033, 1.0133, 1.022,  1.0245, 1.0262, 1.003};
  const auto r = mann_whitney_u(x, y);
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 153.0);
  EXPECT_NEAR(r.p_value, 0.21096432724812078, 1e-13);
}

TEST(mann_whitney_u, normal_approximation_with_ties) {
  // method='asymptotic' (continuity correction on, tie-corrected variance)
  const auto r = mann_whitney_u({1, 2, 2, 3, 3, 3, 4, 5}, {3, 4, 4, 5, 5, 6, 7, 7, 8});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 7.5);
  EXPECT_NEAR(r.p_value, 0.006373133838085873, 1e-12);
}

TEST(mann_whitney_u, normal_approximation_for_thirty_samples) {
  // method='asymptotic'; lognormal(log(0.1), 0.01, 30) and (log(0.1) + 0.004, 0.01, 30), rounded to 7 places.
  const std::vector<double> x{0.0995387, 0.1008617, 0.0998089, 0.0987324, 0.0988731, 0.0990848, 0.1004984, 0.1001425,
                              0.1006929, 0.0995737, 0.1001587, 0.1006276, 0.0996911, 0.1004578, 0.0993403, 0.0996376,
                              0.099619,  0.0988113, 0.1004882, 0.0995317, 0.1000125, 0.1004819, 0.1004475, 0.1006676,
                              0.0999016, 0.0995776, 0.0999203, 0.0983268, 0.0985633, 0.098686};
  const std::vector<double> y{0.0994045, 0.100803,  0.0994958, 0.1000218, 0.1017137, 0.1000437, 0.101144,  0.0994678,
                              0.1001948, 0.0994515, 0.100061,  0.101248,  0.0986814, 0.1008379, 0.1006398, 0.099806,
                              0.0989594, 0.1004732, 0.0998706, 0.1006347, 0.1004227, 0.1020219, 0.1001608, 0.0993784,
                              0.100581,  0.1006219, 0.1017748, 0.1012428, 0.1007597, 0.1018808};
  const auto r = mann_whitney_u(x, y);
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 275.0);
  EXPECT_NEAR(r.p_value, 0.009883401291685813, 1e-12);
}

TEST(mann_whitney_u, all_tied_is_no_evidence) {
  const auto r = mann_whitney_u({2.0, 2.0, 2.0}, {2.0, 2.0});
  EXPECT_DOUBLE_EQ(r.p_value, 1.0);
  EXPECT_THROW(mann_whitney_u({}, {1.0}), std::invalid_argument);
}

// Every resample of n values is equally likely, so for small n the distribution can be counted outright.
TEST(bootstrap_median_distribution, matches_enumeration_of_every_resample) {
  for (std::size_t n = 1; n <= 7; ++n) {
    std::map<std::pair<std::uint32_t, std::uint32_t>, double> counted;
    std::vector<std::uint32_t> draw(n, 0);
    const double each = std::pow(static_cast<double>(n), -static_cast<double>(n));
    while (true) {
      std::vector<std::uint32_t> sorted = draw;
      std::sort(sorted.begin(), sorted.end());
      counted[{sorted[(n - 1) / 2], sorted[n / 2]}] += each;
      std::size_t digit = 0;
      while (digit < n && ++draw[digit] == n) draw[digit++] = 0;
      if (digit == n) break;
    }
    const auto outcomes = bootstrap_median_distribution(n);
    double total = 0.0;
    for (const auto& o : outcomes) {
      const double expected = counted[std::make_pair(o.low, o.high)];
      EXPECT_NEAR(o.probability, expected, 1e-12) << "n=" << n << " ranks " << o.low << "," << o.high;
      total += o.probability;
    }
    EXPECT_NEAR(total, 1.0, 1e-12) << "n=" << n;
    EXPECT_EQ(outcomes.size(), counted.size()) << "n=" << n;
  }
}

TEST(bootstrap_median_distribution, sums_to_one_for_typical_sizes) {
  for (std::size_t n : {10u, 29u, 30u, 128u}) {
    double total = 0.0;
    for (const auto& o : bootstrap_median_distribution(n)) total += o.probability;
    EXPECT_NEAR(total, 1.0, 1e-9) << "n=" << n;
  }
}

TEST(median_ratio_bootstrap, is_deterministic_per_seed) {
  const std::vector<double> base{1.003, 1.012, 0.991, 1.024, 0.982, 1.006, 1.015, 0.994, 1.031, 0.972, 1.008};
  const std::vector<double> cand{1.052, 1.061, 1.043, 1.074, 1.035, 1.057, 1.066, 1.041, 1.083, 1.021, 1.049};
  const auto a = median_ratio_bootstrap(base, cand, 7);
  const auto b = median_ratio_bootstrap(base, cand, 7);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  EXPECT_DOUBLE_EQ(a.ratio, 1.052 / 1.006);
  EXPECT_LT(a.low, a.ratio);
  EXPECT_GT(a.high, a.ratio);
  const auto other = median_ratio_bootstrap(base, cand, 8);
  EXPECT_TRUE(other.low != a.low || other.high != a.high);
  EXPECT_THROW(median_ratio_bootstrap(base, {0.0, 1.0}, 1), std::invalid_argument);
}

// The percentile interval of the ratio of medians should cover the true ratio about 95% of the time. The data
// are lognormal like GPU timings (1% spread); the band allows for the simulation's own error (standard error
// about 1.1 points at 400 trials, 1.5 at 200) and the percentile bootstrap's known small-sample bias.
double bootstrap_coverage(std::size_t n, int trials) {
  std::mt19937_64 rng(20240601 + n);
  const double true_ratio = 1.05;
  std::lognormal_distribution<double> base_dist(std::log(0.2), 0.01);
  std::lognormal_distribution<double> cand_dist(std::log(0.2 * true_ratio), 0.01);
  int covered = 0;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> base(n);
    std::vector<double> cand(n);
    for (double& v : base) v = base_dist(rng);
    for (double& v : cand) v = cand_dist(rng);
    const auto ci = median_ratio_bootstrap(base, cand, seed_from_text("trial" + std::to_string(t)));
    if (ci.low <= true_ratio && true_ratio <= ci.high) ++covered;
  }
  return static_cast<double>(covered) / trials;
}

TEST(median_ratio_bootstrap, covers_the_true_ratio_about_95_percent) {
  const double coverage = bootstrap_coverage(30, 400);
  EXPECT_GE(coverage, 0.91);
  EXPECT_LE(coverage, 0.985);
}

TEST(median_ratio_bootstrap, covers_the_true_ratio_when_resampling_outright) {
  static_assert(150 > bootstrap_distribution_limit);
  const double coverage = bootstrap_coverage(150, 200);
  EXPECT_GE(coverage, 0.90);
  EXPECT_LE(coverage, 0.99);
}

TEST(seed_from_text, is_fnv1a) {
  EXPECT_EQ(seed_from_text(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(seed_from_text("a"), 0xaf63dc4c8601ec8cULL);
}

TEST(mean_and_variance, known_answers) {
  const mean_variance m = mean_and_variance({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(m.mean, 5.0);
  EXPECT_DOUBLE_EQ(m.variance, 32.0 / 7.0);
  EXPECT_EQ(mean_and_variance({3}).variance, 0.0);
  EXPECT_THROW(mean_and_variance({}), std::invalid_argument);
}

TEST(pooled, keeps_the_groups_in_order) {
  EXPECT_EQ(pooled({{1, 2}, {}, {3}}), (std::vector<double>{1, 2, 3}));
  EXPECT_TRUE(pooled({}).empty());
}

TEST(student_t_quantile, matches_scipy) {
  EXPECT_NEAR(student_t_quantile(0.975, 9), 2.262157162798205, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.975, 3), 3.1824463052837078, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.975, 5.520787746170677), 2.499331092946662, 1e-10);
}

TEST(welch_t_test, matches_scipy) {
  const welch_result r = welch_t_test({1, 2, 3, 4}, {2, 4, 6, 8, 10});
  EXPECT_DOUBLE_EQ(r.difference, -3.5);
  EXPECT_NEAR(r.difference / r.standard_error, -2.2514363231593695, 1e-12);
  EXPECT_NEAR(r.degrees_of_freedom, 5.520787746170677, 1e-12);
  EXPECT_NEAR(r.p_value, 0.06913359319239237, 1e-10);
  EXPECT_NEAR(r.half_width, 2.499331092946662 * r.standard_error, 1e-10);
}

TEST(welch_t_test, without_variance_a_difference_is_certain) {
  const welch_result differ = welch_t_test({2, 2, 2}, {1, 1});
  EXPECT_EQ(differ.p_value, 0.0);
  EXPECT_EQ(differ.half_width, 0.0);
  EXPECT_EQ(differ.degrees_of_freedom, 3.0);
  EXPECT_EQ(welch_t_test({1, 1}, {1, 1}).p_value, 1.0);
}

TEST(welch_t_test, needs_two_values_a_side) {
  EXPECT_THROW(welch_t_test({1}, {1, 2}), std::invalid_argument);
  EXPECT_THROW(welch_t_test({1, 2}, {}), std::invalid_argument);
}

}  // namespace
}  // namespace cubench
