#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "compare.hpp"
#include "compare_command.hpp"
#include "csv_writer.hpp"
#include "driver_requirements.hpp"

namespace cubench {
namespace {

const std::string data_dir = BENCH_TEST_DATA_DIR "/compare";

std::vector<double> lognormal_sample(std::uint64_t seed, double median_ms, double spread, int n = 30) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(std::log(median_ms), spread);
  std::vector<double> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = dist(rng);
  return v;
}

TEST(compare_samples, flags_a_clear_slowdown) {
  const auto t = compare_samples(lognormal_sample(1, 0.5, 0.01), lognormal_sample(2, 0.525, 0.01), {}, 7);
  EXPECT_EQ(t.verdict, time_verdict::slower);
  EXPECT_EQ(t.method, time_method::u_test_normal);
  EXPECT_LT(*t.p_value, 0.01);
  EXPECT_NEAR(*t.ratio, 1.05, 0.01);
  EXPECT_GT(*t.ratio_low, 1.0);
  EXPECT_EQ(t.baseline_samples, 30u);
}

TEST(compare_samples, flags_a_clear_speedup) {
  const auto t = compare_samples(lognormal_sample(3, 0.5, 0.01), lognormal_sample(4, 0.45, 0.01), {}, 7);
  EXPECT_EQ(t.verdict, time_verdict::faster);
  EXPECT_LT(*t.ratio_high, 1.0);
}

TEST(compare_samples, calls_equal_distributions_same) {
  const auto t = compare_samples(lognormal_sample(5, 0.5, 0.01), lognormal_sample(6, 0.5, 0.01), {}, 7);
  EXPECT_EQ(t.verdict, time_verdict::same);
}

TEST(compare_samples, calls_a_significant_change_below_the_minimum_effect_same) {
  const auto t = compare_samples(lognormal_sample(7, 0.5, 0.002), lognormal_sample(8, 0.505, 0.002), {}, 7);
  EXPECT_LT(*t.p_value, 1e-6);
  EXPECT_EQ(t.verdict, time_verdict::same);
  compare_options strict;
  strict.min_effect = 0.005;
  EXPECT_EQ(compare_samples(lognormal_sample(7, 0.5, 0.002), lognormal_sample(8, 0.505, 0.002), strict, 7).verdict,
            time_verdict::slower);
}

TEST(compare_samples, calls_noise_too_wide_for_the_minimum_effect_ambiguous) {
  const auto t = compare_samples(lognormal_sample(9, 0.5, 0.06), lognormal_sample(10, 0.51, 0.06), {}, 7);
  EXPECT_GE(*t.p_value, 0.01);
  EXPECT_TRUE(*t.ratio_low < 1.0 / 1.02 || *t.ratio_high > 1.02);
  EXPECT_EQ(t.verdict, time_verdict::ambiguous);
}

TEST(compare_samples, uses_the_exact_test_for_small_samples) {
  const auto t = compare_samples(lognormal_sample(11, 0.5, 0.01, 12), lognormal_sample(12, 0.55, 0.01, 12), {}, 7);
  EXPECT_EQ(t.method, time_method::u_test_exact);
  EXPECT_EQ(t.verdict, time_verdict::slower);
}

// Samples of `levels.size()` placements, each at its level times `median_ms`, with 0.05% noise.
std::vector<std::vector<double>> placement_samples(std::uint64_t seed, double median_ms,
                                                   const std::vector<double>& levels, int per_placement = 10) {
  std::vector<std::vector<double>> placements;
  for (std::size_t p = 0; p < levels.size(); ++p)
    placements.push_back(lognormal_sample(seed * 100 + p, median_ms * levels[p], 0.0005, per_placement));
  return placements;
}

std::vector<double> pooled(const std::vector<std::vector<double>>& placements) {
  std::vector<double> all;
  for (const auto& p : placements) all.insert(all.end(), p.begin(), p.end());
  return all;
}

TEST(compare_placements, does_not_call_a_placement_effect_a_change) {
  // The in-house SpMM on memplus of docs/gpu-validation.md: two levels 3.5% apart, decided by where the buffers
  // land. Three of four allocations at the low level in one run and at the high level in the other: the samples'
  // U test sees a 3.5% slowdown; the allocations' medians do not show one.
  const auto base = placement_samples(1, 0.029, {1.0, 1.0, 1.035, 1.0});
  const auto cand = placement_samples(2, 0.029, {1.035, 1.035, 1.0, 1.035});
  EXPECT_EQ(compare_samples(pooled(base), pooled(cand), {}, 7).verdict, time_verdict::slower);
  const auto t = compare_placements(base, cand, {});
  EXPECT_EQ(t.method, time_method::welch_placements);
  EXPECT_EQ(t.baseline_placements, 4u);
  EXPECT_GT(*t.p_value, 0.01);
  EXPECT_NEAR(*t.ratio, std::sqrt(1.035), 0.001);  // geometric means: 1.035^(1/4) over 1.035^(3/4)
  EXPECT_EQ(t.verdict, time_verdict::ambiguous);
}

TEST(compare_placements, flags_a_change_every_placement_shows) {
  const std::vector<double> levels{1.0, 1.003, 0.998, 1.001};
  const auto base = placement_samples(3, 0.2, levels);
  auto slowed = levels;
  for (auto& l : slowed) l *= 1.05;
  const auto t = compare_placements(base, placement_samples(4, 0.2, slowed), {});
  EXPECT_EQ(t.verdict, time_verdict::slower);
  EXPECT_LT(*t.p_value, 1e-4);
  EXPECT_NEAR(*t.ratio, 1.05, 0.002);
  EXPECT_GT(*t.ratio_low, 1.04);
  EXPECT_LT(*t.ratio_high, 1.06);
  EXPECT_EQ(compare_placements(base, placement_samples(5, 0.2, levels), {}).verdict, time_verdict::same);
  for (auto& l : slowed) l = l / 1.05 / 1.05;
  EXPECT_EQ(compare_placements(base, placement_samples(6, 0.2, slowed), {}).verdict, time_verdict::faster);
}

TEST(compare_intervals, decides_by_overlap_and_minimum_effect) {
  const compare_options options;
  auto verdict = [&](double bm, double bl, double bh, double cm, double cl, double ch) {
    return compare_intervals(bm, bl, bh, cm, cl, ch, options).verdict;
  };
  EXPECT_EQ(verdict(1.0, 0.99, 1.01, 1.10, 1.09, 1.11), time_verdict::slower);
  EXPECT_EQ(verdict(1.0, 0.99, 1.01, 0.90, 0.89, 0.91), time_verdict::faster);
  // Disjoint, but below the minimum effect.
  EXPECT_EQ(verdict(1.0, 0.999, 1.001, 1.01, 1.009, 1.011), time_verdict::same);
  // Overlapping with a small change, and overlapping with a large one.
  EXPECT_EQ(verdict(1.0, 0.95, 1.05, 1.01, 0.96, 1.06), time_verdict::same);
  EXPECT_EQ(verdict(1.0, 0.90, 1.10, 1.05, 0.95, 1.15), time_verdict::ambiguous);
  const auto t = compare_intervals(1.0, 0.99, 1.01, 1.10, 1.09, 1.11, options);
  EXPECT_EQ(t.method, time_method::interval_overlap);
  EXPECT_DOUBLE_EQ(*t.ratio, 1.10);
  EXPECT_DOUBLE_EQ(*t.ratio_low, 1.09 / 1.01);
  EXPECT_DOUBLE_EQ(*t.ratio_high, 1.11 / 0.99);
  EXPECT_FALSE(t.p_value.has_value());
}

// The fixture runs (tests/data/compare/make_fixtures.py) plant one finding per case; this checks each lands.
class fixture_comparison : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<run_input> inputs;
    inputs.push_back(read_run(data_dir + "/runs/nightly"));
    inputs.push_back(read_run(data_dir + "/runs/older-host"));
    report = new compare_report(compare_runs(std::move(inputs), compare_options{}));
  }
  static void TearDownTestSuite() { delete report; }

  static std::vector<std::string> findings(const std::string& case_prefix, const std::string& candidate,
                                           const std::string& gpu = "NVIDIA H100 80GB HBM3") {
    const case_comparison* found = find(case_prefix, candidate, gpu);
    if (found == nullptr) return {"<no comparison>"};
    std::vector<std::string> names;
    for (finding f : found->findings) names.emplace_back(to_string(f));
    return names;
  }

  static const case_comparison* find(const std::string& case_prefix, const std::string& candidate,
                                     const std::string& gpu = "NVIDIA H100 80GB HBM3") {
    for (const auto& c : report->comparisons)
      if (c.case_id.rfind(case_prefix, 0) == 0 && report->sides[c.candidate].label == candidate &&
          c.key.gpu_name == gpu)
        return &c;
    return nullptr;
  }

  static compare_report* report;
};

compare_report* fixture_comparison::report = nullptr;

using names = std::vector<std::string>;

TEST_F(fixture_comparison, orders_sides_as_given_with_the_first_toolkit_as_baseline) {
  ASSERT_EQ(report->sides.size(), 4u);
  EXPECT_EQ(report->sides[0].label, "11.8");
  EXPECT_EQ(report->sides[1].label, "12.4");
  EXPECT_EQ(report->sides[2].label, "13.0");
  EXPECT_EQ(report->sides[3].label, "12.8");
  EXPECT_EQ(report->baseline, 0u);
}

TEST_F(fixture_comparison, finds_each_planted_finding) {
  EXPECT_EQ(findings("gemm/cublas/gemm_ex/fp32/", "12.4"), names{});
  EXPECT_EQ(findings("gemm/cublas/gemm_ex/fp32/", "13.0", "NVIDIA A100-SXM4-80GB"), names{});
  EXPECT_EQ(findings("gemm/cublaslt/matmul/bf16/", "13.0"), names{"slower"});
  EXPECT_EQ(findings("gemm/cublaslt/matmul/bf16/", "12.4"), names{});
  EXPECT_EQ(findings("gemm/cublas/strided_batched/", "12.4"), names{"faster"});
  EXPECT_EQ(findings("spmm/cusparse/csr_alg2/", "13.0"), names{"ambiguous"});
  EXPECT_EQ(findings("conv/cudnn/implicit_gemm/", "13.0"), names{"incorrect"});
  EXPECT_EQ(findings("gemm/inhouse/", "13.0"), (names{"ptx_jit", "bitwise_changed"}));
  EXPECT_EQ(findings("gemm/cublas/gemm_ex/fp64/", "12.4"), names{"drift"});
  EXPECT_EQ(findings("spmm/cusparse/csr_alg1/", "12.4"), names{"mismatch"});
  EXPECT_EQ(findings("conv/im2col_cublas/", "13.0"), names{"failed"});
  EXPECT_EQ(findings("spmm/cusparse/coo/", "12.4"), names{"throttled"});
  EXPECT_EQ(findings("gemm/cublas/gemm_ex/tf32/", "13.0"), names{"slower"});
  EXPECT_EQ(findings("gemm/cublas/gemm_ex/int8/", "12.4"), names{"missing"});
  EXPECT_EQ(findings("gemm/cublaslt/matmul_heuristic/", "13.0"), names{"added"});
  EXPECT_EQ(findings("gemm/cublas/gemm_ex/fp32/", "12.8"), names{"minor_compat"});
}

TEST_F(fixture_comparison, keeps_the_statistics_behind_each_verdict) {
  const auto* slower = find("gemm/cublaslt/matmul/bf16/", "13.0");
  ASSERT_NE(slower, nullptr);
  EXPECT_EQ(slower->time.method, time_method::u_test_normal);
  EXPECT_NEAR(*slower->time.ratio, 1.08, 0.01);
  EXPECT_EQ(slower->time.baseline_samples, 30u);

  const auto* few = find("gemm/cublas/gemm_ex/tf32/", "13.0");
  ASSERT_NE(few, nullptr);
  EXPECT_EQ(few->time.method, time_method::interval_overlap);
  EXPECT_EQ(few->time.candidate_samples, 5u);

  const auto* drift = find("gemm/cublas/gemm_ex/fp64/", "12.4");
  ASSERT_NE(drift, nullptr);
  EXPECT_NEAR(*drift->error_growth, 10.0, 1e-9);

  const auto* crashed = find("conv/im2col_cublas/", "13.0");
  ASSERT_NE(crashed, nullptr);
  EXPECT_EQ(crashed->time.verdict, time_verdict::not_compared);
  ASSERT_FALSE(crashed->notes.empty());
  EXPECT_EQ(crashed->notes.front(), "candidate crashed: signal 11 (SIGSEGV)\nin cublasGemmEx, after 3 cases");
}

TEST_F(fixture_comparison, lists_every_case_on_one_side_only) {
  // int8 is only in the baseline (missing for 12.4 and 13.0); 12.8 ran two of the baseline's 13 cases.
  EXPECT_EQ(report->count(finding::missing), 2u + 11u);
  EXPECT_EQ(report->count(finding::added), 1u);
  ASSERT_EQ(report->input_notes.size(), 1u);
  EXPECT_NE(report->input_notes[0].find("older-host: no samples file"), std::string::npos);
}

TEST_F(fixture_comparison, sorts_most_severe_first) {
  for (std::size_t i = 1; i < report->comparisons.size(); ++i) {
    const auto& a = report->comparisons[i - 1];
    const auto& b = report->comparisons[i];
    const auto severity = [](const case_comparison& c) {
      return c.findings.empty() ? all_findings().size() : static_cast<std::size_t>(c.findings.front());
    };
    EXPECT_LE(severity(a), severity(b)) << a.case_id << " before " << b.case_id;
  }
  EXPECT_EQ(report->comparisons.front().findings.front(), finding::incorrect);
}

TEST_F(fixture_comparison, summarises_geometric_means_per_family_candidate_and_gpu) {
  std::map<std::string, double> by_group;
  for (const auto& g : report->geomeans)
    by_group[report->sides[g.candidate].label + " " + g.gpu_name + " " + g.family] = g.geomean_ratio;
  ASSERT_EQ(by_group.count("13.0 NVIDIA H100 80GB HBM3 gemm"), 1u);
  EXPECT_GT(by_group["13.0 NVIDIA H100 80GB HBM3 gemm"], 1.0);
  EXPECT_EQ(by_group.count("12.4 NVIDIA A100-SXM4-80GB gemm"), 1u);
}

TEST_F(fixture_comparison, shows_no_gpu_slot_where_each_run_has_one_gpu_of_a_model) {
  for (const auto& c : report->comparisons) {
    EXPECT_FALSE(c.key.gpu_slot.has_value()) << c.case_id;
    for (const auto& note : c.notes) EXPECT_NE(note.rfind("gpu", 0), 0u) << note;
  }
  for (const auto& side : report->sides) EXPECT_EQ(side.label.find(" gpu"), std::string::npos) << side.label;
}

TEST(compare_runs, takes_the_baseline_by_label_or_toolkit) {
  std::vector<run_input> inputs;
  inputs.push_back(read_run(data_dir + "/runs/nightly"));
  compare_options options;
  options.baseline = "12.4";
  const auto report = compare_runs(std::move(inputs), options);
  EXPECT_EQ(report.sides[report.baseline].label, "12.4");
}

TEST(compare_runs, names_the_sides_when_the_baseline_is_unknown) {
  std::vector<run_input> inputs;
  inputs.push_back(read_run(data_dir + "/runs/nightly"));
  compare_options options;
  options.baseline = "12.9";
  try {
    compare_runs(std::move(inputs), options);
    FAIL() << "no error";
  } catch (const input_error& e) {
    EXPECT_STREQ(e.what(), "--baseline: expected one of 11.8, 12.4, 13.0, found '12.9'");
  }
}

result_record synthetic_row(const std::string& toolkit, const std::string& run_id) {
  result_record r;
  r.run_id = run_id;
  r.case_id = "gemm/cublas/gemm_ex/fp32/m=64";
  r.family = "gemm";
  r.impl = "cublas";
  r.variant = "gemm_ex";
  r.dtype = "fp32";
  r.params = "m=64";
  r.toolkit = toolkit;
  r.gpu_uuid = "GPU-1";
  r.gpu_name = "NVIDIA H100 80GB HBM3";
  r.status = case_status::passed;
  r.median_ms = 1.0;
  r.ci_low_ms = 0.99;
  r.ci_high_ms = 1.01;
  r.tolerance = 1e-5;
  r.norm_rel_err = 1e-7;
  r.library = "cublas";
  r.library_built_version = "12.4.5.8";
  r.library_loaded_version = "12.4.5.8";
  r.driver_version = "580.82.07";
  return r;
}

// An input of the given rows, each with 30 samples around its median, spread over `placements` placements.
run_input synthetic_input(std::vector<result_record> rows, int placements = 1) {
  run_input input;
  input.source = "synthetic";
  input.results.path = "synthetic/results.csv";
  input.samples_path = "synthetic/samples.csv";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    input.results.lines.push_back(static_cast<unsigned>(i + 2));
    sample_series& series = input.samples[sample_series_key(rows[i])];
    series.time_ms = lognormal_sample(i, *rows[i].median_ms, 0.01);
    for (std::size_t s = 0; s < series.time_ms.size(); ++s)
      series.placement.push_back(static_cast<int>(s * static_cast<std::size_t>(placements) / series.time_ms.size()));
  }
  input.results.records = std::move(rows);
  return input;
}

std::vector<finding> compare_pair(const result_record& base, const result_record& cand,
                                  std::vector<std::string>* notes = nullptr) {
  std::vector<run_input> inputs;
  inputs.push_back(synthetic_input({base, cand}));
  auto report = compare_runs(std::move(inputs), compare_options{});
  EXPECT_EQ(report.comparisons.size(), 1u);
  if (notes) *notes = report.comparisons.at(0).notes;
  return report.comparisons.at(0).findings;
}

TEST(compare_runs, tests_the_placements_medians_where_each_side_has_enough) {
  result_record slow = synthetic_row("13.0", "nightly");
  slow.median_ms = 1.1;
  for (const int placements : {1, 2, 3}) {
    std::vector<run_input> inputs;
    inputs.push_back(synthetic_input({synthetic_row("12.4", "nightly"), slow}, placements));
    const auto report = compare_runs(std::move(inputs), compare_options{});
    const case_comparison& c = report.comparisons.at(0);
    EXPECT_EQ(c.findings.front(), finding::slower) << placements;
    EXPECT_EQ(c.time.method, placements >= 3 ? time_method::welch_placements : time_method::u_test_normal);
    const bool noted = std::find(c.notes.begin(), c.notes.end(),
                                 "decided on the samples: 2 and 2 placements, the test on their medians needs 3 a "
                                 "side") != c.notes.end();
    EXPECT_EQ(noted, placements == 2) << placements;
    EXPECT_EQ(c.time.candidate_placements, placements >= 3 ? 3u : 0u);
  }
}

TEST(compare_runs, labels_runs_of_one_toolkit_by_run_id) {
  std::vector<run_input> inputs;
  inputs.push_back(synthetic_input({synthetic_row("12.4", "monday")}));
  inputs.push_back(synthetic_input({synthetic_row("12.4", "tuesday")}));
  const auto report = compare_runs(std::move(inputs), compare_options{});
  ASSERT_EQ(report.sides.size(), 2u);
  EXPECT_EQ(report.sides[0].label, "12.4@monday");
  EXPECT_EQ(report.sides[1].label, "12.4@tuesday");
  ASSERT_EQ(report.comparisons.size(), 1u);
  EXPECT_TRUE(report.comparisons[0].findings.empty());
  EXPECT_EQ(report.comparisons[0].time.verdict, time_verdict::same);
}

TEST(compare_runs, refuses_a_single_side) {
  std::vector<run_input> inputs;
  inputs.push_back(synthetic_input({synthetic_row("12.4", "r")}));
  try {
    compare_runs(std::move(inputs), compare_options{});
    FAIL() << "no error";
  } catch (const input_error& e) {
    EXPECT_STREQ(e.what(), "expected at least two toolkits or runs to compare, found only 12.4");
  }
}

TEST(compare_runs, notes_a_case_repeated_within_a_side) {
  std::vector<run_input> inputs;
  inputs.push_back(
      synthetic_input({synthetic_row("11.8", "r"), synthetic_row("11.8", "r"), synthetic_row("12.4", "r")}));
  const auto report = compare_runs(std::move(inputs), compare_options{});
  ASSERT_EQ(report.input_notes.size(), 1u);
  EXPECT_EQ(report.input_notes[0],
            "synthetic/results.csv:3: case gemm/cublas/gemm_ex/fp32/m=64 on NVIDIA H100 80GB HBM3 repeats the one on "
            "synthetic/results.csv:2 for the same toolkit and run; only the first is compared");
}

// One run of 12.4 and 13.0 on two H100s of one host, two cases each. GPU-b is gpu_index 0 and GPU-a gpu_index 1, and
// GPU-a's rows come first, so that slots follow the index, not the uuid or the file. `slowdown` scales the median
// and interval of the rows of "toolkit uuid"; `other_host` gives 13.0 other uuids, as a second machine would.
std::vector<result_record> two_gpu_rows(const std::map<std::string, double>& slowdown = {}, bool other_host = false) {
  std::vector<result_record> rows;
  for (const std::string uuid : {"GPU-a", "GPU-b"})
    for (const std::string toolkit : {"12.4", "13.0"})
      for (const std::string params : {"m=64", "m=128"}) {
        auto r = synthetic_row(toolkit, "r");
        r.params = params;
        r.case_id = "gemm/cublas/gemm_ex/fp32/" + params;
        r.gpu_uuid = uuid + (other_host && toolkit == "13.0" ? "-other" : "");
        r.gpu_index = uuid == "GPU-a" ? 1 : 0;
        const auto factor = slowdown.find(toolkit + " " + uuid);
        if (factor != slowdown.end()) {
          r.median_ms = *r.median_ms * factor->second;
          r.ci_low_ms = *r.ci_low_ms * factor->second;
          r.ci_high_ms = *r.ci_high_ms * factor->second;
        }
        rows.push_back(r);
      }
  return rows;
}

compare_report compare_rows(std::vector<result_record> rows, bool across_gpus) {
  std::vector<run_input> inputs;
  inputs.push_back(synthetic_input(std::move(rows)));
  compare_options options;
  options.across_gpus = across_gpus;
  return compare_runs(std::move(inputs), options);
}

std::vector<std::string> side_labels(const compare_report& report) {
  std::vector<std::string> labels;
  for (const auto& side : report.sides) labels.push_back(side.label);
  return labels;
}

TEST(compare_runs, pairs_the_gpus_of_one_model_by_slot) {
  const auto report = compare_rows(two_gpu_rows({{"13.0 GPU-a", 1.10}}), false);
  EXPECT_EQ(side_labels(report), (std::vector<std::string>{"12.4", "13.0"}));
  EXPECT_TRUE(report.input_notes.empty()) << report.input_notes.front();
  ASSERT_EQ(report.comparisons.size(), 4u);
  for (const auto& c : report.comparisons) {
    ASSERT_TRUE(c.baseline_row && c.candidate_row) << c.case_id;
    EXPECT_EQ(c.baseline_row->gpu_uuid, c.candidate_row->gpu_uuid) << c.case_id;
    ASSERT_TRUE(c.key.gpu_slot.has_value()) << c.case_id;
    const bool second = c.candidate_row->gpu_uuid == "GPU-a";
    EXPECT_EQ(*c.key.gpu_slot, second ? 1u : 0u) << c.case_id;
    EXPECT_EQ(c.findings, second ? std::vector<finding>{finding::slower} : std::vector<finding>{}) << c.case_id;
    EXPECT_EQ(gpu_title(c.key), second ? "NVIDIA H100 80GB HBM3 gpu1" : "NVIDIA H100 80GB HBM3 gpu0");
    EXPECT_EQ(c.notes.at(0), second ? "gpu1 is GPU-a on both sides" : "gpu0 is GPU-b on both sides");
  }
}

TEST(compare_runs, pairs_gpu_k_with_gpu_k_of_another_machine) {
  const auto report = compare_rows(two_gpu_rows({}, true), false);
  ASSERT_EQ(report.comparisons.size(), 4u);
  for (const auto& c : report.comparisons) {
    ASSERT_TRUE(c.baseline_row && c.candidate_row) << c.case_id;
    EXPECT_EQ(c.baseline_row->gpu_uuid + "-other", c.candidate_row->gpu_uuid) << c.case_id;
    EXPECT_EQ(c.notes.at(0), "gpu" + std::to_string(c.key.gpu_slot.value_or(9)) + " is " + c.baseline_row->gpu_uuid +
                                 " in the baseline, " + c.candidate_row->gpu_uuid + " in the candidate");
  }
}

TEST(compare_runs, notes_a_repeat_only_on_the_same_gpu) {
  auto rows = two_gpu_rows();
  rows.push_back(rows.front());
  const auto report = compare_rows(rows, false);
  EXPECT_EQ(report.comparisons.size(), 4u);
  ASSERT_EQ(report.input_notes.size(), 1u);
  EXPECT_EQ(report.input_notes[0],
            "synthetic/results.csv:10: case gemm/cublas/gemm_ex/fp32/m=64 on NVIDIA H100 80GB HBM3 gpu1 repeats the "
            "one on synthetic/results.csv:2 for the same toolkit and run; only the first is compared");
}

TEST(compare_runs, compares_every_gpu_as_a_side_across_gpus) {
  // A card slower under both toolkits: GPU k against GPU k hides it, the GPUs compared find it.
  const std::map<std::string, double> slow_card{{"12.4 GPU-a", 1.10}, {"13.0 GPU-a", 1.10}};
  const auto by_slot = compare_rows(two_gpu_rows(slow_card), false);
  EXPECT_EQ(by_slot.count(finding::slower), 0u);

  const auto report = compare_rows(two_gpu_rows(slow_card), true);
  EXPECT_EQ(side_labels(report), (std::vector<std::string>{"12.4 gpu0", "12.4 gpu1", "13.0 gpu0", "13.0 gpu1"}));
  EXPECT_EQ(report.baseline, 0u);
  EXPECT_EQ(report.sides[0].gpu_uuid, "GPU-b");
  EXPECT_EQ(report.sides[1].gpu_uuid, "GPU-a");
  EXPECT_TRUE(report.input_notes.empty());
  ASSERT_EQ(report.comparisons.size(), 6u);
  for (const auto& c : report.comparisons) {
    EXPECT_FALSE(c.key.gpu_slot.has_value());
    const std::string& label = report.sides[c.candidate].label;
    const bool on_slow_card = label == "12.4 gpu1" || label == "13.0 gpu1";
    EXPECT_EQ(c.findings, on_slow_card ? std::vector<finding>{finding::slower} : std::vector<finding>{})
        << c.case_id << " " << label;
    EXPECT_EQ(c.baseline_row->gpu_uuid, "GPU-b");
  }
  EXPECT_TRUE(crosses_gate(report, {finding::slower}));

  std::vector<run_input> inputs;
  inputs.push_back(synthetic_input(two_gpu_rows(slow_card)));
  compare_options options;
  options.across_gpus = true;
  options.baseline = "13.0 gpu1";
  EXPECT_EQ(compare_runs(std::move(inputs), options).baseline, 3u);
}

TEST(compare_runs, across_gpus_with_one_gpu_a_run_changes_only_the_labels) {
  auto slow = synthetic_row("12.4", "r");
  slow.median_ms = 1.1;
  slow.ci_low_ms = 1.09;
  slow.ci_high_ms = 1.11;
  const auto by_toolkit = compare_rows({synthetic_row("11.8", "r"), slow}, false);
  const auto by_gpu = compare_rows({synthetic_row("11.8", "r"), slow}, true);
  EXPECT_EQ(side_labels(by_gpu), (std::vector<std::string>{"11.8 gpu0", "12.4 gpu0"}));
  ASSERT_EQ(by_gpu.comparisons.size(), 1u);
  ASSERT_EQ(by_toolkit.comparisons.size(), 1u);
  EXPECT_EQ(by_gpu.comparisons[0].findings, std::vector<finding>{finding::slower});
  EXPECT_EQ(by_gpu.comparisons[0].findings, by_toolkit.comparisons[0].findings);
  EXPECT_EQ(by_gpu.comparisons[0].notes, by_toolkit.comparisons[0].notes);
  EXPECT_EQ(*by_gpu.comparisons[0].time.ratio, *by_toolkit.comparisons[0].time.ratio);

  try {
    compare_rows({synthetic_row("12.4", "r")}, true);
    FAIL() << "no error";
  } catch (const input_error& e) {
    EXPECT_STREQ(e.what(), "expected at least two GPUs, toolkits or runs to compare, found only 12.4 gpu0");
  }
}

TEST(compare_runs, names_the_model_in_gpu_labels_when_a_run_mixes_models) {
  std::vector<run_input> inputs;
  inputs.push_back(read_run(data_dir + "/runs/nightly"));
  compare_options options;
  options.across_gpus = true;
  options.baseline = "12.4";
  const auto report = compare_runs(std::move(inputs), options);
  EXPECT_EQ(side_labels(report),
            (std::vector<std::string>{"11.8 gpu0 [NVIDIA H100 80GB HBM3]", "11.8 gpu0 [NVIDIA A100-SXM4-80GB]",
                                      "12.4 gpu0 [NVIDIA H100 80GB HBM3]", "12.4 gpu0 [NVIDIA A100-SXM4-80GB]",
                                      "13.0 gpu0 [NVIDIA H100 80GB HBM3]", "13.0 gpu0 [NVIDIA A100-SXM4-80GB]"}));
  EXPECT_EQ(report.sides[report.baseline].label, "12.4 gpu0 [NVIDIA H100 80GB HBM3]");
}

TEST(compare_runs, calls_non_finite_or_unwritten_output_incorrect) {
  auto cand = synthetic_row("12.4", "r");
  cand.inf_count = 2;
  EXPECT_EQ(compare_pair(synthetic_row("11.8", "r"), cand), std::vector<finding>{finding::incorrect});
  cand = synthetic_row("12.4", "r");
  cand.unwritten_count = 64;
  EXPECT_EQ(compare_pair(synthetic_row("11.8", "r"), cand), std::vector<finding>{finding::incorrect});
  cand = synthetic_row("12.4", "r");
  cand.norm_rel_err = 1e-3;
  std::vector<std::string> notes;
  EXPECT_EQ(compare_pair(synthetic_row("11.8", "r"), cand, &notes), std::vector<finding>{finding::incorrect});
  EXPECT_EQ(notes, std::vector<std::string>{"candidate norm_rel_err 0.001 exceeds tolerance 1e-05"});
}

TEST(compare_runs, calls_error_growth_within_tolerance_drift) {
  auto cand = synthetic_row("12.4", "r");
  cand.norm_rel_err = 5e-7;  // 5x the baseline's 1e-7
  EXPECT_EQ(compare_pair(synthetic_row("11.8", "r"), cand), std::vector<finding>{finding::drift});
  cand.norm_rel_err = 3e-7;  // 3x: under the default factor of 4
  EXPECT_EQ(compare_pair(synthetic_row("11.8", "r"), cand), std::vector<finding>{});
}

TEST(compare_runs, checks_library_versions_on_major_minor_patch) {
  auto cand = synthetic_row("12.4", "r");
  cand.library_loaded_version = "12.4.5.9";
  EXPECT_EQ(compare_pair(synthetic_row("11.8", "r"), cand), std::vector<finding>{});
  cand.library_loaded_version = "12.4.2.65";
  std::vector<std::string> notes;
  EXPECT_EQ(compare_pair(synthetic_row("11.8", "r"), cand, &notes), std::vector<finding>{finding::mismatch});
  EXPECT_EQ(notes, std::vector<std::string>{"candidate cublas built against 12.4.5.8, loaded 12.4.2.65"});
  EXPECT_TRUE(library_versions_match("9.1", "9.1.0"));
  EXPECT_FALSE(library_versions_match("9.1.0", "9.10.0"));
}

TEST(compare_runs, judges_the_driver_against_the_toolkit) {
  auto cand = synthetic_row("12.4", "r");
  cand.driver_version = "535.104.05";  // 12.x runs from 525.60.13, 12.4 needs 550.54.14
  std::vector<std::string> notes;
  EXPECT_EQ(compare_pair(synthetic_row("11.8", "r"), cand, &notes), std::vector<finding>{finding::minor_compat});
  EXPECT_EQ(notes, std::vector<std::string>{"candidate driver 535.104.05 is older than 550.54.14, the minimum for "
                                            "CUDA 12.4: runs by minor-version compatibility, with reduced features"});
  cand.driver_version = "520.61.05";
  EXPECT_EQ(compare_pair(synthetic_row("11.8", "r"), cand, &notes), std::vector<finding>{finding::incompatible});
  EXPECT_EQ(notes, std::vector<std::string>{
                       "candidate driver 520.61.05 is older than 525.60.13, the minimum for any CUDA 12.x"});
}

TEST(compare_runs, flags_provenance_on_either_side) {
  auto base = synthetic_row("11.8", "r");
  base.clock_flag = true;
  base.throttle_reasons = "hw_power_brake";
  std::vector<std::string> notes;
  EXPECT_EQ(compare_pair(base, synthetic_row("12.4", "r"), &notes), std::vector<finding>{finding::throttled});
  EXPECT_EQ(notes, std::vector<std::string>{"baseline ran throttled (hw_power_brake)"});
}

TEST(compare_runs, calls_a_change_within_the_clock_change_of_a_throttled_card_ambiguous) {
  auto base = synthetic_row("11.8", "r");
  auto cand = synthetic_row("12.4", "r");
  cand.median_ms = 1.03;
  base.sm_clock_mhz = 1785;
  cand.sm_clock_mhz = 1650;  // 8% lower: explains 3% slower
  cand.clock_flag = true;
  cand.throttle_reasons = "sw_power_cap";
  std::vector<std::string> notes;
  EXPECT_EQ(compare_pair(base, cand, &notes), (std::vector<finding>{finding::ambiguous, finding::throttled}));
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[1], "slower by 2.9%, within the SM clock's change (1785 -> 1650 MHz, lowest seen) on a throttled "
                      "card: ambiguous");

  cand.sm_clock_mhz = 1760;  // 1.4% lower: does not explain 3%
  EXPECT_EQ(compare_pair(base, cand), (std::vector<finding>{finding::slower, finding::throttled}));
  cand.sm_clock_mhz = 1650;
  cand.clock_flag = false;  // neither side throttled: the clocks are not the card's state
  EXPECT_EQ(compare_pair(base, cand), std::vector<finding>{finding::slower});
}

TEST(compare_runs, names_a_change_of_timing_mode_or_of_the_algorithm_chosen) {
  auto base = synthetic_row("13.0", "a");
  auto cand = synthetic_row("13.0", "b");
  base.timing_mode = cand.timing_mode = "events";
  base.algorithm = cand.algorithm = "plan=eng62_k2=4 notes=TENSOR_CORE";
  std::vector<std::string> notes;
  compare_pair(base, cand, &notes);
  EXPECT_TRUE(notes.empty());
  cand.timing_mode = "graph";
  cand.algorithm = "plan=eng62_k2=5 notes=TENSOR_CORE";
  compare_pair(base, cand, &notes);
  EXPECT_EQ(notes, (std::vector<std::string>{
                       "timing_mode differs: events vs graph",
                       "algorithm differs: plan=eng62_k2=4 notes=TENSOR_CORE vs plan=eng62_k2=5 notes=TENSOR_CORE"}));
}

TEST(compare_runs, calls_a_change_within_the_launch_overhead_of_a_timing_mode_change_ambiguous) {
  // The cuBLAS fp32 777x555x333 TN GEMM of docs/gpu-validation.md: graph-timed in one run, events in the other.
  auto base = synthetic_row("13.0", "a");
  auto cand = synthetic_row("13.0", "b");
  base.timing_mode = "graph";
  cand.timing_mode = "events";
  base.median_ms = 0.0169;
  cand.median_ms = 0.0195;
  std::vector<std::string> notes;
  EXPECT_EQ(compare_pair(base, cand, &notes).front(), finding::ambiguous);
  // The medians are the samples' (1% lognormal around 0.0169 and 0.0195 ms).
  EXPECT_EQ(notes.at(1),
            "slower by 15.2% (2.6 us a launch), timed with graph against events: within the launch overhead one "
            "mode holds and the other spreads (5 us allowed): ambiguous");
  // Beyond the overhead, and in one mode, the change stands.
  cand.median_ms = 0.0300;
  EXPECT_EQ(compare_pair(base, cand, &notes).front(), finding::slower);
  cand.median_ms = 0.0195;
  cand.timing_mode = "graph";
  EXPECT_EQ(compare_pair(base, cand, &notes).front(), finding::slower);
}

TEST(driver_requirements, knows_the_documented_minimums) {
  EXPECT_EQ(check_driver("11.8", "520.61.05").support, driver_support::full);
  EXPECT_EQ(check_driver("12.4", "550.54.14").support, driver_support::full);
  EXPECT_EQ(check_driver("13.0", "580.65.06").support, driver_support::full);
  EXPECT_EQ(check_driver("12.4", "550.54.13").support, driver_support::minor_compatibility);
  EXPECT_EQ(check_driver("12.4", "550.54.13").required, "550.54.14");
  EXPECT_EQ(check_driver("11.8", "450.80.02").support, driver_support::minor_compatibility);
  EXPECT_EQ(check_driver("11.8", "450.80.01").support, driver_support::unsupported);
  EXPECT_EQ(check_driver("13.0", "575.57.08").support, driver_support::unsupported);
  EXPECT_EQ(check_driver("13.0", "575.57.08").required, "580.65.06");
  EXPECT_EQ(check_driver("12.7", "560.35.03").support, driver_support::unknown);
  EXPECT_EQ(check_driver("14.0", "600.1").support, driver_support::unknown);
  EXPECT_EQ(check_driver("12.4", "").support, driver_support::unknown);
  EXPECT_EQ(check_driver("12.4.131", "550.54.14").support, driver_support::full);
}

TEST(driver_requirements, compares_versions_numerically) {
  EXPECT_EQ(compare_versions("550.54.14", "550.100"), -1);
  EXPECT_EQ(compare_versions("570.26", "570.26.0"), 0);
  EXPECT_EQ(compare_versions("580.65.06", "575.57.08"), 1);
  EXPECT_EQ(compare_versions("12.x", "12.4"), std::nullopt);
}

TEST(parse_fail_on, reads_a_list_and_names_an_unknown_entry) {
  EXPECT_EQ(parse_fail_on("slower,incorrect"), (std::set<finding>{finding::slower, finding::incorrect}));
  EXPECT_TRUE(parse_fail_on("").empty());
  try {
    parse_fail_on("slower,slowness");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "--fail-on: expected one of incorrect, failed, slower, mismatch, incompatible, missing, drift, "
                 "ambiguous, throttled, ptx_jit, minor_compat, added, faster, bitwise_changed, found 'slowness'");
  }
}

// A run directory whose two toolkits agree on everything.
std::string write_quiet_run() {
  const auto dir = std::filesystem::temp_directory_path() / ("compare_test_quiet_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir / "results.csv");
  csv_appender out((dir / "results.csv").string(), results_header());
  out.append(results_row(synthetic_row("12.4", "r")));
  out.append(results_row(synthetic_row("13.0", "r")));
  return dir.string();
}

TEST(run_compare, exits_0_when_nothing_crosses_the_gate) {
  compare_arguments arguments;
  arguments.inputs = {write_quiet_run()};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_compare(arguments, out, err, false), 0);
  EXPECT_NE(out.str().find("gate (--fail-on incorrect,failed,slower): passed"), std::string::npos) << out.str();
  std::filesystem::remove_all(arguments.inputs[0]);
}

TEST(run_compare, exits_1_when_a_finding_in_fail_on_occurs) {
  compare_arguments arguments;
  arguments.inputs = {data_dir + "/runs/nightly"};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_compare(arguments, out, err, false), 1);
  arguments.fail_on = "mismatch";
  EXPECT_EQ(run_compare(arguments, out, err, false), 1);
  arguments.fail_on = "incompatible";
  EXPECT_EQ(run_compare(arguments, out, err, false), 0);
  EXPECT_EQ(err.str(), "");
}

TEST(run_compare, exits_2_on_usage_and_input_errors) {
  compare_arguments arguments;
  arguments.inputs = {data_dir + "/runs/nightly"};
  arguments.fail_on = "sloth";
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_compare(arguments, out, err, false), 2);
  EXPECT_NE(err.str().find("--fail-on: expected one of"), std::string::npos);

  arguments.fail_on = "slower";
  arguments.inputs = {data_dir + "/malformed/bad_number.csv"};
  err.str("");
  EXPECT_EQ(run_compare(arguments, out, err, false), 2);
  const std::string message = err.str();
  EXPECT_EQ(message.rfind("bench compare: " + data_dir + "/malformed/bad_number.csv:3:", 0), 0u) << message;
  EXPECT_NE(message.find(": expected a number, found 'fast' (column median_ms)\n"), std::string::npos) << message;

  arguments.inputs = {data_dir + "/runs/nightly"};
  arguments.formats = "terminal,pdf";
  err.str("");
  EXPECT_EQ(run_compare(arguments, out, err, false), 2);
  EXPECT_EQ(err.str(),
            "bench compare: --format: expected one of terminal, csv, markdown, junit, html, found 'pdf'\n");
}

TEST(run_compare, writes_every_file_format_under_out) {
  const auto dir = std::filesystem::temp_directory_path() / ("compare_test_out_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  compare_arguments arguments;
  arguments.inputs = {data_dir + "/runs/nightly"};
  arguments.out_dir = dir.string();
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_compare(arguments, out, err, false), 1);
  for (const char* name : {"compare.csv", "summary.md", "junit.xml", "report.html"})
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / name)) << name;
  EXPECT_NE(out.str().find("bench compare: 12.4, 13.0 against baseline 11.8"), std::string::npos);
  EXPECT_NE(err.str().find("wrote " + (dir / "report.html").string()), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(run_compare, compares_the_gpus_with_across_gpus) {
  const auto dir = std::filesystem::temp_directory_path() / ("compare_test_gpus_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir / "results.csv");
  {
    csv_appender rows((dir / "results.csv").string(), results_header());
    for (const auto& row : two_gpu_rows({{"12.4 GPU-a", 1.10}, {"13.0 GPU-a", 1.10}})) rows.append(results_row(row));
  }
  compare_arguments arguments;
  arguments.inputs = {dir.string()};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_compare(arguments, out, err, false), 0) << out.str() << err.str();
  arguments.across_gpus = true;
  out.str("");
  EXPECT_EQ(run_compare(arguments, out, err, false), 1) << out.str() << err.str();
  EXPECT_NE(out.str().find("bench compare: 12.4 gpu1, 13.0 gpu0, 13.0 gpu1 against baseline 12.4 gpu0"),
            std::string::npos)
      << out.str();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cubench
