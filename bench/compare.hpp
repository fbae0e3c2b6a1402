// `bench compare`'s model: pairs result rows across toolkits and runs, and decides per case and candidate the
// time, numerics and provenance verdicts that reports print and the CI gate reads (docs/compare.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "result_record.hpp"
#include "results_reader.hpp"

namespace cubench {

/// Settings of the decision rules; the defaults are the documented ones.
struct compare_options {
  std::string baseline;           ///< a side label or toolkit; empty: the first toolkit of the first input
  double min_effect = 0.02;       ///< changes of the median below this fraction count as same
  double alpha = 0.01;            ///< significance level of the U test
  double drift_factor = 4.0;      ///< error growth over the baseline that counts as drift
  std::size_t min_samples = 10;   ///< fewer samples on a side: interval overlap instead of the U test
  std::size_t min_placements = 3; ///< placements a side needs for the test on their medians instead of the U test
  int bootstrap_resamples = 1000; ///< resamples of the ratio-of-medians interval
  double mode_change_allowance_ms = 0.005; ///< sides timed in different modes: a change per launch up to this is ambiguous
  bool across_gpus = false;       ///< each GPU of a toolkit and run is a side of its own (--across-gpus)
};

/// What a comparison found, most severe first: the order reports sort by.
enum class finding {
  incorrect,        ///< candidate over tolerance, NaN or Inf in the output, or elements never written
  failed,           ///< candidate failed, crashed, timed out or ran out of memory
  slower,           ///< candidate slower beyond the minimum effect
  mismatch,         ///< the library loaded is not the one built against (either side)
  incompatible,     ///< the driver is older than the toolkit's major version needs (either side)
  missing,          ///< the case is in the baseline but not in the candidate
  drift,            ///< error grew by more than the drift factor, still within tolerance
  ambiguous,        ///< timing cannot tell same from a change beyond the minimum effect
  throttled,        ///< clock flag set during measurement (either side)
  ptx_jit,          ///< an in-house kernel ran from PTX JIT, not SASS (either side)
  minor_compat,     ///< driver older than the toolkit's own minimum, running by minor-version compatibility
  added,            ///< the case is in the candidate but not in the baseline
  faster,           ///< candidate faster beyond the minimum effect
  bitwise_changed,  ///< the output's bits differ from the baseline's (information)
};

/// All findings, most severe first.
const std::vector<finding>& all_findings();
/// The name of a finding as --fail-on and the reports spell it.
std::string_view to_string(finding f);
/// Parses a finding name; std::nullopt when the text is not one.
std::optional<finding> parse_finding(std::string_view text);

/// The timing verdict of a case and candidate.
enum class time_verdict { same, faster, slower, ambiguous, not_compared };
/// The name of a time verdict.
std::string_view to_string(time_verdict v);

/// How a time verdict was reached.
enum class time_method { welch_placements, u_test_exact, u_test_normal, interval_overlap, none };
/// The name of a time method.
std::string_view to_string(time_method m);

/// The timing statistics of one case and candidate against the baseline.
struct time_comparison {
  time_verdict verdict = time_verdict::not_compared;
  time_method method = time_method::none;
  std::size_t baseline_samples = 0;
  std::size_t candidate_samples = 0;
  std::optional<double> baseline_median_ms;
  std::optional<double> candidate_median_ms;
  std::optional<double> ratio;     ///< candidate median / baseline median: above 1 is slower
  std::optional<double> ratio_low;   ///< 95% interval of the ratio (bootstrap, or from the rows' intervals)
  std::optional<double> ratio_high;
  std::optional<double> p_value;   ///< two-sided: Mann-Whitney U, or Welch's t over the placements' medians
  std::optional<double> u;         ///< U of the candidate's samples (U test only)
  std::size_t baseline_placements = 0;   ///< placements compared (test on their medians only)
  std::size_t candidate_placements = 0;
};

/// The identity that pairs rows across toolkits and runs (docs/results-schema.md).
struct case_key {
  std::string family;
  std::string impl;
  std::string variant;
  std::string dtype;
  std::string params;
  std::string gpu_name;
  std::optional<std::size_t> gpu_slot;  ///< the GPU among its side's GPUs of this model; only where a side ran several
};

/// The GPU of a case key as reports name it: the model, then its slot ("gpu1") where the key carries one.
std::string gpu_title(const case_key& key);

/// One toolkit of one run, or with across_gpus one GPU of it: what a baseline or a candidate is.
struct compare_side {
  std::string label;  ///< the toolkit, or "toolkit@run_id" when several runs share a toolkit; then " gpuK" per GPU
  std::string toolkit;
  std::string run_id;
  std::string gpu_uuid;                 ///< with across_gpus, the side's GPU; empty otherwise
  std::string gpu_name;                 ///< with across_gpus, the side's GPU model; empty otherwise
  std::optional<std::size_t> gpu_slot;  ///< with across_gpus, the GPU among its run's GPUs of that model
};

/// A case and candidate: the rows compared, the statistics and what they show.
struct case_comparison {
  case_key key;
  std::string case_id;
  std::size_t candidate = 0;                  ///< index into compare_report::sides
  const result_record* baseline_row = nullptr;   ///< null when the case is only in the candidate
  const result_record* candidate_row = nullptr;  ///< null when the case is only in the baseline
  time_comparison time;
  std::optional<double> error_growth;  ///< candidate norm_rel_err / baseline norm_rel_err
  std::vector<finding> findings;       ///< most severe first
  std::vector<std::string> notes;      ///< why each finding was raised, and anything else a reader should know
};

/// Geometric mean of the time ratios of one family, candidate and GPU.
struct geomean_summary {
  std::string family;
  std::size_t candidate = 0;
  std::string gpu_name;
  std::size_t cases = 0;
  double geomean_ratio = 1.0;
};

/// Everything `bench compare` found; owns the rows it points into, so it moves but does not copy.
struct compare_report {
  compare_report() = default;
  compare_report(compare_report&&) = default;
  compare_report& operator=(compare_report&&) = default;
  compare_report(const compare_report&) = delete;
  compare_report& operator=(const compare_report&) = delete;

  compare_options options;
  std::vector<run_input> inputs;
  std::vector<compare_side> sides;
  std::size_t baseline = 0;                  ///< index into sides
  std::vector<case_comparison> comparisons;  ///< most severe first
  std::vector<geomean_summary> geomeans;     ///< by family, candidate, GPU
  std::vector<std::string> input_notes;      ///< rows that could not be paired, and why

  /// The comparisons with a given finding.
  std::size_t count(finding f) const;
};

/// Pairs the inputs' rows and decides every verdict; throws input_error when there is nothing to compare or the
/// baseline names no side.
compare_report compare_runs(std::vector<run_input> inputs, const compare_options& options);

/// The time verdict of two sample sets: the U test with the ratio of medians and its bootstrap interval when both
/// hold at least options.min_samples; `seed` fixes the bootstrap.
time_comparison compare_samples(const std::vector<double>& baseline, const std::vector<double>& candidate,
                                const compare_options& options, std::uint64_t seed);

/// The time verdict from the samples of each side's placements (allocations of the case's buffers), each side with
/// at least two: Welch's t test on the logarithms of the placements' medians, the ratio of their geometric means and
/// its 95% t interval.
time_comparison compare_placements(const std::vector<std::vector<double>>& baseline,
                                   const std::vector<std::vector<double>>& candidate, const compare_options& options);

/// The time verdict from two medians and their confidence intervals, for sides with few samples.
time_comparison compare_intervals(double baseline_median, double baseline_low, double baseline_high,
                                  double candidate_median, double candidate_low, double candidate_high,
                                  const compare_options& options);

/// Parses a comma-separated --fail-on list; throws std::invalid_argument naming the unknown entry.
std::set<finding> parse_fail_on(std::string_view list);

/// Whether any comparison has a finding in `fail_on`.
bool crosses_gate(const compare_report& report, const std::set<finding>& fail_on);

/// The library versions of a row agree on major.minor.patch (a fourth field, such as a build number, is ignored).
bool library_versions_match(std::string_view built, std::string_view loaded);

}  // namespace cubench
