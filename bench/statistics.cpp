#include "statistics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <boost/math/distributions/students_t.hpp>

namespace cubench {
namespace {

// SplitMix64 (Steele, Lea and Flood, 2014): a tiny, fast generator whose output is fixed by its definition, so
// a seed gives the same bootstrap on every platform and standard library.
class splitmix64 {
 public:
  explicit splitmix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t operator()() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

void require_nonempty(const std::vector<double>& values, const char* what) {
  if (values.empty()) throw std::invalid_argument(std::string(what) + ": expected at least one value, found none");
}

// P(Binomial(n, 1/2) = i) through log-gamma, so that large n does not underflow 2^-n.
double binomial_half_pmf(std::size_t n, std::size_t i) {
  const double dn = static_cast<double>(n);
  const double di = static_cast<double>(i);
  return std::exp(std::lgamma(dn + 1) - std::lgamma(di + 1) - std::lgamma(dn - di + 1) - dn * std::log(2.0));
}

// Counts of each U in 0..m*n over all C(m+n, m) orderings without ties: the coefficients of the Gaussian
// binomial [m+n choose m]_q, built one factor (1 - q^(n+i)) / (1 - q^i) at a time so every partial product is
// itself a Gaussian binomial with coefficients below C(m+n, m), exact in a double up to m = n = 20.
std::vector<double> mann_whitney_null_counts(std::size_t m, std::size_t n) {
  std::vector<double> counts(m * n + 1, 0.0);
  counts[0] = 1.0;
  for (std::size_t i = 1; i <= m; ++i) {
    const std::size_t top = i * n;
    for (std::size_t k = top; k >= n + i; --k) counts[k] -= counts[k - (n + i)];
    for (std::size_t k = i; k <= top; ++k) counts[k] += counts[k - i];
  }
  return counts;
}

// P(Binomial(n, p) >= m).
double binomial_upper_tail(std::size_t n, double p, std::size_t m) {
  if (m == 0 || p >= 1.0) return 1.0;
  if (p <= 0.0) return 0.0;
  const double dn = static_cast<double>(n);
  double sum = 0.0;
  for (std::size_t k = m; k <= n; ++k) {
    const double dk = static_cast<double>(k);
    sum += std::exp(std::lgamma(dn + 1) - std::lgamma(dk + 1) - std::lgamma(dn - dk + 1) + dk * std::log(p) +
                    (dn - dk) * std::log1p(-p));
  }
  return std::min(1.0, sum);
}

// Vose's alias method: column i of n keeps outcome i with probability threshold[i] / 2^32, else gives alias[i];
// a uniform column and a uniform 32-bit coin then draw each outcome with its probability, in constant time.
struct alias_table {
  std::vector<std::uint64_t> threshold;  // up to 2^32 (always keep), so that a 32-bit coin compares directly
  std::vector<std::size_t> alias;

  explicit alias_table(const std::vector<double>& probabilities)
      : threshold(probabilities.size(), std::uint64_t{1} << 32), alias(probabilities.size()) {
    const std::size_t n = probabilities.size();
    const double total = std::accumulate(probabilities.begin(), probabilities.end(), 0.0);
    std::vector<double> scaled(n);
    std::vector<std::size_t> small;
    std::vector<std::size_t> large;
    for (std::size_t i = 0; i < n; ++i) {
      alias[i] = i;
      scaled[i] = probabilities[i] * static_cast<double>(n) / total;
      (scaled[i] < 1.0 ? small : large).push_back(i);
    }
    while (!small.empty() && !large.empty()) {
      const std::size_t s = small.back();
      const std::size_t l = large.back();
      small.pop_back();
      threshold[s] = static_cast<std::uint64_t>(std::ldexp(scaled[s], 32));
      alias[s] = l;
      scaled[l] -= 1.0 - scaled[s];
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
  }
};

// The bootstrap distribution of the median's ranks for one sample size, ready to draw from.
struct median_rank_sampler {
  std::vector<median_rank_pair> outcomes;
  alias_table table;

  explicit median_rank_sampler(std::vector<median_rank_pair> distribution)
      : outcomes(std::move(distribution)), table(probabilities(outcomes)) {}

  static std::vector<double> probabilities(const std::vector<median_rank_pair>& outcomes) {
    std::vector<double> p;
    p.reserve(outcomes.size());
    for (const auto& o : outcomes) p.push_back(o.probability);
    return p;
  }
};

// Building a distribution costs O(n^2); samples of one size recur across cases, so each thread keeps them.
const median_rank_sampler& sampler_for(std::size_t n) {
  thread_local std::unordered_map<std::size_t, median_rank_sampler> cache;
  auto found = cache.find(n);
  if (found == cache.end()) found = cache.emplace(n, median_rank_sampler(bootstrap_median_distribution(n))).first;
  return found->second;
}

// Medians of bootstrap resamples of one sorted sample.
class bootstrap_medians {
 public:
  explicit bootstrap_medians(const std::vector<double>& sorted) : sorted_(sorted) {
    if (sorted.size() > bootstrap_distribution_limit) {
      counts_.resize(sorted.size());
      return;
    }
    // Each alias column holds both of its medians, so that a draw is two loads and a select, not a chain.
    const median_rank_sampler& sampler = sampler_for(sorted.size());
    auto value = [&](std::size_t outcome) {
      const auto& o = sampler.outcomes[outcome];
      return 0.5 * (sorted[o.low] + sorted[o.high]);
    };
    columns_ = sampler.outcomes.size();
    threshold_ = sampler.table.threshold.data();
    for (std::size_t i = 0; i < columns_; ++i) {
      keep_.push_back(value(i));
      alias_.push_back(value(sampler.table.alias[i]));
    }
  }

  // Fills `medians` with the medians of as many resamples.
  void draw(splitmix64& rng, std::vector<double>& medians) {
    if (columns_ == 0) {
      for (double& m : medians) m = resample_median(rng);
      return;
    }
    for (double& m : medians) {
      const std::uint64_t random = rng();
      const auto column = static_cast<std::size_t>(((random >> 32) * columns_) >> 32);
      const double keep = keep_[column];
      const double alias = alias_[column];
      m = (random & 0xffffffffULL) < threshold_[column] ? keep : alias;
    }
  }

 private:
  // Builds the resample as counts per index, so that no resample is sorted.
  double resample_median(splitmix64& rng) {
    const std::size_t n = sorted_.size();
    std::fill(counts_.begin(), counts_.end(), 0U);
    const auto n64 = static_cast<std::uint64_t>(n);
    // Two indices per 64-bit draw by multiply-shift: reproducible on every standard library, unlike
    // std::uniform_int_distribution, and its bias (n / 2^32) is far below anything a percentile can show.
    for (std::size_t i = 0; i < n; i += 2) {
      const std::uint64_t random = rng();
      ++counts_[static_cast<std::size_t>(((random >> 32) * n64) >> 32)];
      if (i + 1 < n) ++counts_[static_cast<std::size_t>(((random & 0xffffffffULL) * n64) >> 32)];
    }
    const std::size_t lower_rank = (n - 1) / 2;
    const std::size_t upper_rank = n / 2;
    std::size_t seen = 0;
    std::size_t index = 0;
    while (seen + counts_[index] <= lower_rank) seen += counts_[index++];
    const double lower = sorted_[index];
    while (seen + counts_[index] <= upper_rank) seen += counts_[index++];
    return 0.5 * (lower + sorted_[index]);
  }

  const std::vector<double>& sorted_;
  std::size_t columns_ = 0;
  const std::uint64_t* threshold_ = nullptr;
  std::vector<double> keep_;
  std::vector<double> alias_;
  std::vector<std::uint32_t> counts_;
};

// The q-quantile of an already sorted, non-empty sample (R's type 7).
double sorted_quantile(const std::vector<double>& sorted, double q) {
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

// The type 7 quantiles at q and 1 - q (q < 1/2) in one pass: they depend only on the few smallest and largest
// values, kept in two short sorted arrays; most values are turned away by one comparison with an array's end.
std::pair<double, double> tail_quantiles(const std::vector<double>& values, double q) {
  const std::size_t n = values.size();
  const double low_h = static_cast<double>(n - 1) * q;
  const double high_h = static_cast<double>(n - 1) * (1.0 - q);
  const auto low_rank = static_cast<std::size_t>(std::floor(low_h));
  const auto high_rank = static_cast<std::size_t>(std::floor(high_h));
  const std::size_t keep = low_rank + 2;  // ranks 0 .. low_rank + 1 from the bottom, and as many from the top
  if (2 * keep >= n) {
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    return {sorted_quantile(sorted, q), sorted_quantile(sorted, 1.0 - q)};
  }
  std::vector<double> smallest(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(keep));
  std::sort(smallest.begin(), smallest.end());
  std::vector<double> largest = smallest;
  for (std::size_t i = keep; i < n; ++i) {
    const double v = values[i];
    if (v < smallest.back()) {
      const auto at = std::upper_bound(smallest.begin(), smallest.end() - 1, v);
      std::move_backward(at, smallest.end() - 1, smallest.end());
      *at = v;
    }
    if (v > largest.front()) {
      const auto at = std::lower_bound(largest.begin() + 1, largest.end(), v);
      std::move(largest.begin() + 1, at, largest.begin());
      *(at - 1) = v;
    }
  }
  const std::size_t offset = n - keep;  // rank of largest[0] in the whole sample
  const double low = smallest[low_rank] + (low_h - static_cast<double>(low_rank)) *
                                              (smallest[low_rank + 1] - smallest[low_rank]);
  const double high_next = high_rank + 1 < n ? largest[high_rank + 1 - offset] : largest[high_rank - offset];
  const double high = largest[high_rank - offset] + (high_h - static_cast<double>(high_rank)) *
                                                        (high_next - largest[high_rank - offset]);
  return {low, high};
}

}  // namespace

double median(std::vector<double> values) {
  require_nonempty(values, "median");
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return 0.5 * (lower + upper);
}

double quantile(std::vector<double> values, double q) {
  require_nonempty(values, "quantile");
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("quantile: expected 0 <= q <= 1");
  std::sort(values.begin(), values.end());
  return sorted_quantile(values, q);
}

double geometric_mean(const std::vector<double>& values) {
  require_nonempty(values, "geometric_mean");
  double log_sum = 0.0;
  for (double v : values) {
    if (!(v > 0.0)) throw std::invalid_argument("geometric_mean: expected positive values");
    log_sum += std::log(v);
  }
  return std::exp(log_sum / static_cast<double>(values.size()));
}

median_interval median_confidence_interval(std::vector<double> values, double confidence) {
  require_nonempty(values, "median_confidence_interval");
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  const double tail = (1.0 - confidence) / 2.0;
  // k is the largest rank with P(B <= k - 1) <= tail, B ~ Binomial(n, 1/2); then [x(k), x(n+1-k)] covers
  // the median with probability 1 - 2 P(B <= k - 1).
  std::size_t k = 0;
  double below = 0.0;
  while (k < n / 2) {
    const double next = below + binomial_half_pmf(n, k);
    if (next > tail) break;
    below = next;
    ++k;
  }
  median_interval interval;
  if (k == 0) {
    interval.low_rank = 1;
    interval.high_rank = n;
    interval.coverage = 1.0 - 2.0 * binomial_half_pmf(n, 0);
  } else {
    interval.low_rank = k;
    interval.high_rank = n + 1 - k;
    interval.coverage = 1.0 - 2.0 * below;
  }
  interval.low = values[interval.low_rank - 1];
  interval.high = values[interval.high_rank - 1];
  return interval;
}

mann_whitney_result mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y) {
  require_nonempty(x, "mann_whitney_u");
  require_nonempty(y, "mann_whitney_u");
  const std::size_t n1 = x.size();
  const std::size_t n2 = y.size();
  const std::size_t total = n1 + n2;

  std::vector<std::pair<double, bool>> pooled;  // value, from x
  pooled.reserve(total);
  for (double v : x) pooled.emplace_back(v, true);
  for (double v : y) pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  double rank_sum_x = 0.0;
  double tie_term = 0.0;  // sum of t^3 - t over groups of t tied values
  for (std::size_t i = 0; i < total;) {
    std::size_t j = i;
    while (j < total && pooled[j].first == pooled[i].first) ++j;
    const double midrank = 0.5 * static_cast<double>(i + 1 + j);
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    for (std::size_t k = i; k < j; ++k)
      if (pooled[k].second) rank_sum_x += midrank;
    i = j;
  }

  const double dn1 = static_cast<double>(n1);
  const double dn2 = static_cast<double>(n2);
  mann_whitney_result result;
  result.u = rank_sum_x - dn1 * (dn1 + 1.0) / 2.0;
  const double u_max = std::max(result.u, dn1 * dn2 - result.u);

  if (tie_term == 0.0 && n1 <= mann_whitney_exact_limit && n2 <= mann_whitney_exact_limit) {
    const auto counts = mann_whitney_null_counts(std::min(n1, n2), std::max(n1, n2));
    const double orderings = std::accumulate(counts.begin(), counts.end(), 0.0);
    double upper_tail = 0.0;
    for (auto u = static_cast<std::size_t>(u_max); u < counts.size(); ++u) upper_tail += counts[u];
    result.p_value = std::min(1.0, 2.0 * upper_tail / orderings);
    result.exact = true;
    return result;
  }

  const double dn = static_cast<double>(total);
  const double variance = dn1 * dn2 / 12.0 * ((dn + 1.0) - tie_term / (dn * (dn - 1.0)));
  if (!(variance > 0.0)) {
    result.p_value = 1.0;
    return result;
  }
  const double z = (u_max - dn1 * dn2 / 2.0 - 0.5) / std::sqrt(variance);
  result.p_value = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return result;
}

ratio_interval median_ratio_bootstrap(const std::vector<double>& baseline, const std::vector<double>& candidate,
                                      std::uint64_t seed, int resamples, double confidence) {
  require_nonempty(baseline, "median_ratio_bootstrap");
  require_nonempty(candidate, "median_ratio_bootstrap");
  if (resamples < 1) throw std::invalid_argument("median_ratio_bootstrap: expected at least one resample");
  std::vector<double> base_sorted = baseline;
  std::vector<double> cand_sorted = candidate;
  std::sort(base_sorted.begin(), base_sorted.end());
  std::sort(cand_sorted.begin(), cand_sorted.end());
  if (!(base_sorted.front() > 0.0) || !(cand_sorted.front() > 0.0))
    throw std::invalid_argument("median_ratio_bootstrap: expected positive times");

  ratio_interval result;
  result.ratio = median(cand_sorted) / median(base_sorted);

  splitmix64 rng(seed);
  bootstrap_medians base_medians(base_sorted);
  bootstrap_medians cand_medians(cand_sorted);
  std::vector<double> ratios(static_cast<std::size_t>(resamples));
  std::vector<double> base_draws(ratios.size());
  cand_medians.draw(rng, ratios);
  base_medians.draw(rng, base_draws);
  for (std::size_t i = 0; i < ratios.size(); ++i) ratios[i] /= base_draws[i];
  std::tie(result.low, result.high) = tail_quantiles(ratios, (1.0 - confidence) / 2.0);
  return result;
}

std::vector<median_rank_pair> bootstrap_median_distribution(std::size_t n) {
  if (n == 0) throw std::invalid_argument("bootstrap_median_distribution: expected n >= 1");
  const double dn = static_cast<double>(n);
  auto fraction = [dn](std::size_t i) { return static_cast<double>(i) / dn; };
  std::vector<median_rank_pair> outcomes;
  // With N(<=i) ~ Binomial(n, i/n) the number of draws at or below rank i (1-based), the k-th smallest draw is
  // at rank i with probability P(N(<=i) >= k) - P(N(<=i-1) >= k).
  if (n % 2 == 1) {
    const std::size_t middle = (n + 1) / 2;
    for (std::size_t i = 1; i <= n; ++i) {
      const double p = binomial_upper_tail(n, fraction(i), middle) - binomial_upper_tail(n, fraction(i - 1), middle);
      if (p > 0.0) outcomes.push_back({static_cast<std::uint32_t>(i - 1), static_cast<std::uint32_t>(i - 1), p});
    }
    return outcomes;
  }
  // Even n: the two middle draws, a = n/2 and a + 1. They sit at ranks i < j when exactly a draws are at or below
  // i with at least one at i, and the other a all at or above j with at least one at j; the rest of the mass of
  // "a-th draw at rank i" has both at i.
  const std::size_t a = n / 2;
  const double da = static_cast<double>(a);
  const double choose = std::exp(std::lgamma(dn + 1) - 2.0 * std::lgamma(da + 1));
  for (std::size_t i = 1; i <= n; ++i) {
    const double at_i = binomial_upper_tail(n, fraction(i), a) - binomial_upper_tail(n, fraction(i - 1), a);
    const double lower_part = std::pow(fraction(i), da) - std::pow(fraction(i - 1), da);
    std::vector<median_rank_pair> apart;
    double apart_total = 0.0;
    for (std::size_t j = i + 1; j <= n; ++j) {
      const double p = choose * lower_part * (std::pow(fraction(n - j + 1), da) - std::pow(fraction(n - j), da));
      if (p <= 0.0) continue;
      apart.push_back({static_cast<std::uint32_t>(i - 1), static_cast<std::uint32_t>(j - 1), p});
      apart_total += p;
    }
    const double together = at_i - apart_total;
    if (together > 0.0)
      outcomes.push_back({static_cast<std::uint32_t>(i - 1), static_cast<std::uint32_t>(i - 1), together});
    outcomes.insert(outcomes.end(), apart.begin(), apart.end());
  }
  return outcomes;
}

std::uint64_t seed_from_text(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

mean_variance mean_and_variance(const std::vector<double>& values) {
  require_nonempty(values, "mean_and_variance");
  const double n = static_cast<double>(values.size());
  mean_variance m;
  m.mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double squares = 0.0;
  for (double v : values) squares += (v - m.mean) * (v - m.mean);
  m.variance = values.size() > 1 ? squares / (n - 1.0) : 0.0;
  return m;
}

std::vector<double> pooled(const std::vector<std::vector<double>>& groups) {
  std::vector<double> all;
  for (const auto& g : groups) all.insert(all.end(), g.begin(), g.end());
  return all;
}

double student_t_quantile(double probability, double degrees_of_freedom) {
  return boost::math::quantile(boost::math::students_t(degrees_of_freedom), probability);
}

welch_result welch_t_test(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() < 2 || y.size() < 2)
    throw std::invalid_argument("welch_t_test: expected at least two values a side, found " +
                                std::to_string(x.size()) + " and " + std::to_string(y.size()));
  const mean_variance mx = mean_and_variance(x), my = mean_and_variance(y);
  const double nx = static_cast<double>(x.size()), ny = static_cast<double>(y.size());
  welch_result r;
  r.difference = mx.mean - my.mean;
  const double ex = mx.variance / nx, ey = my.variance / ny;
  r.standard_error = std::sqrt(ex + ey);
  if (!(r.standard_error > 0.0)) {
    r.degrees_of_freedom = nx + ny - 2.0;
    r.p_value = r.difference == 0.0 ? 1.0 : 0.0;
    return r;
  }
  r.degrees_of_freedom = (ex + ey) * (ex + ey) / (ex * ex / (nx - 1.0) + ey * ey / (ny - 1.0));
  const boost::math::students_t t(r.degrees_of_freedom);
  const double statistic = std::abs(r.difference) / r.standard_error;
  r.p_value = std::min(1.0, 2.0 * boost::math::cdf(boost::math::complement(t, statistic)));
  r.half_width = boost::math::quantile(t, 0.975) * r.standard_error;
  return r;
}

}  // namespace cubench
