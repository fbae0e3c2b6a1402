// Measures `bench compare` (docs/compare.md records the figures):
//   compare_benchmark speed [CASES [TOOLKITS [SAMPLES]]]  generates runs of CASES cases x TOOLKITS toolkits with
//                                                          SAMPLES samples each and times read, compare, reports
//   compare_benchmark quality [TRIALS]                     simulates A/A and 5%-slowdown comparisons under
//                                                          GPU-like noise and prints how often each is flagged,
//                                                          then with placement effects, by samples and by
//                                                          placements
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "compare.hpp"
#include "csv_writer.hpp"
#include "report_html.hpp"
#include "report_writer.hpp"
#include "results_reader.hpp"
#include "statistics.hpp"
#include "stopping_rule.hpp"

namespace {

using namespace cubench;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// Writes one run directory: every case on every toolkit, lognormal samples with 1% spread, and every tenth case
// 3% slower on the last toolkit so that the reports have something to list.
void generate_run(const std::filesystem::path& dir, int cases, int toolkits, int samples) {
  std::filesystem::create_directories(dir);
  std::ofstream results(dir / "results.csv");
  std::ofstream sample_file(dir / "samples.csv");
  results << csv_line(results_header()) << "\n";
  sample_file << csv_line(samples_header()) << "\n";
  const char* families[] = {"gemm", "spmm", "conv"};
  const char* dtypes[] = {"fp32", "fp16", "bf16", "tf32", "fp64"};
  std::mt19937_64 rng(12345);
  for (int t = 0; t < toolkits; ++t) {
    const std::string toolkit = "12." + std::to_string(t);
    for (int c = 0; c < cases; ++c) {
      result_record r;
      r.run_id = "speed";
      r.family = families[c % 3];
      r.impl = "impl" + std::to_string(c % 7);
      r.variant = "variant" + std::to_string(c % 11);
      r.dtype = dtypes[c % 5];
      r.params = "k=" + std::to_string(64 * (c / 5 + 1)) + ";m=" + std::to_string(c) + ";n=4096";
      r.case_id = r.family + "/" + r.impl + "/" + r.variant + "/" + r.dtype + "/" + r.params;
      r.toolkit = toolkit;
      r.gpu_index = 0;
      r.gpu_uuid = "GPU-8f0c5e2a-1b7d-4c3e-9a61-0d2f7e4b5c01";
      r.gpu_name = "NVIDIA H100 80GB HBM3";
      r.status = case_status::passed;
      r.tolerance = 1e-5;
      r.norm_rel_err = 2e-7;
      r.output_hash = "9e3779b97f4a7c15";
      r.driver_version = "580.82.07";
      const double base = 0.05 + 0.001 * (c % 1000);
      const double scale = (t == toolkits - 1 && c % 10 == 0) ? 1.03 : 1.0;
      std::lognormal_distribution<double> noise(std::log(base * scale), 0.01);
      std::vector<double> times(static_cast<std::size_t>(samples));
      for (auto& v : times) v = noise(rng);
      r.samples = samples;
      r.median_ms = median(times);
      const auto interval = median_confidence_interval(times);
      r.ci_low_ms = interval.low;
      r.ci_high_ms = interval.high;
      results << csv_line(results_row(r)) << "\n";
      for (int i = 0; i < samples; ++i)
        sample_file << csv_line(samples_row({r.run_id, r.case_id, r.toolkit, r.gpu_uuid, i,
                                             times[static_cast<std::size_t>(i)]}))
                    << "\n";
    }
  }
}

int speed(int cases, int toolkits, int samples) {
  const auto dir = std::filesystem::temp_directory_path() / "cubench-compare-benchmark";
  std::filesystem::remove_all(dir);
  auto start = clock_type::now();
  generate_run(dir / "run", cases, toolkits, samples);
  std::printf("generated %d cases x %d toolkits x %d samples in %.2f s\n", cases, toolkits, samples,
              seconds_since(start));

  const auto total_start = clock_type::now();
  const std::clock_t cpu_start = std::clock();
  start = clock_type::now();
  std::vector<run_input> inputs;
  inputs.push_back(read_run((dir / "run").string()));
  const double read_s = seconds_since(start);

  start = clock_type::now();
  const compare_report report = compare_runs(std::move(inputs), compare_options{});
  const double compare_s = seconds_since(start);

  start = clock_type::now();
  report_settings settings;
  settings.fail_on = parse_fail_on("slower,incorrect,failed");
  settings.chart_script = embedded_chart_js();
  std::string per_format;
  for (report_format format : all_report_formats()) {
    const auto format_start = clock_type::now();
    const auto name = format == report_format::terminal ? std::string("terminal.txt")
                                                        : std::string(report_file_name(format));
    std::ofstream out(dir / name, std::ios::binary);
    make_report_writer(format, settings)->write(report, out);
    char figure[64];
    std::snprintf(figure, sizeof figure, "%s%s %.3f s", per_format.empty() ? "" : ", ",
                  std::string(to_string(format)).c_str(), seconds_since(format_start));
    per_format += figure;
  }
  const double reports_s = seconds_since(start);
  const double total_s = seconds_since(total_start);
  const double cpu_s = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;

  std::printf("read %.3f s, compare %.3f s, reports %.3f s (%s)\n", read_s, compare_s, reports_s, per_format.c_str());
  std::printf("total %.3f s wall, %.3f s CPU on %u threads, for %zu comparisons (%zu slower)\n", total_s, cpu_s,
              std::thread::hardware_concurrency(), report.comparisons.size(), report.count(finding::slower));
  std::filesystem::remove_all(dir);
  return 0;
}

// One noise model: draws a sample of per-launch times around a median.
struct noise_model {
  const char* name;
  double spread;
  int kind;                // 0: lognormal, 1: shifted gamma (a floor plus a right tail), 2: lognormal, 2% outliers +20%
  double run_shift = 0.0;  // the second run's systematic offset (clocks, placement), on top of any real change

  std::vector<double> draw(std::mt19937_64& rng, double median_ms, int n) const {
    std::vector<double> times(static_cast<std::size_t>(n));
    std::lognormal_distribution<double> lognormal(std::log(median_ms), spread);
    // Gamma(shape 2): a right-skewed tail above a floor, with standard deviation `spread` of the median.
    const double shape = 2.0;
    const double scale = spread * median_ms / std::sqrt(shape);
    std::gamma_distribution<double> gamma(shape, scale);
    const double floor_ms = median_ms - (shape - 1.0 / 3.0) * scale;  // gamma's median is about shape - 1/3 scales
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (auto& t : times) {
      if (kind == 1) {
        t = floor_ms + gamma(rng);
      } else {
        t = lognormal(rng);
        if (kind == 2 && unit(rng) < 0.02) t *= 1.2;
      }
    }
    return times;
  }
};

int quality(int trials) {
  const noise_model models[] = {
      {"lognormal 0.5%", 0.005, 0},
      {"lognormal 1%", 0.01, 0},
      {"lognormal 2%", 0.02, 0},
      {"gamma 0.5%", 0.005, 1},
      {"gamma 1%", 0.01, 1},
      {"gamma 2%", 0.02, 1},
      {"lognormal 1% + 2% outliers", 0.01, 2},
      {"lognormal 1%, runs 1% apart", 0.01, 0, 0.01},
      {"lognormal 5% (too noisy)", 0.05, 0},
  };
  const compare_options options;
  const int samples = 30;
  std::printf("%d trials per row, %d samples a side, defaults: min effect %.0f%%, alpha %.2f, %d resamples\n",
              trials, samples, options.min_effect * 100, options.alpha, options.bootstrap_resamples);
  std::printf("%-28s %12s %12s %12s %14s %12s\n", "noise", "A/A flagged", "A/A ambig.", "5% slower", "5% ambiguous",
              "5% same");
  std::mt19937_64 rng(20251120);
  for (const auto& model : models) {
    int aa_flagged = 0, aa_ambiguous = 0, slow_detected = 0, slow_ambiguous = 0, slow_same = 0;
    for (int t = 0; t < trials; ++t) {
      const double median_ms = 0.05 * std::exp(std::uniform_real_distribution<double>(0.0, 5.0)(rng));
      const auto base = model.draw(rng, median_ms, samples);
      const auto same = model.draw(rng, median_ms * (1.0 + model.run_shift), samples);
      const auto slow = model.draw(rng, median_ms * 1.05 * (1.0 + model.run_shift), samples);
      const auto aa = compare_samples(base, same, options, static_cast<std::uint64_t>(2 * t));
      if (aa.verdict == time_verdict::slower || aa.verdict == time_verdict::faster) ++aa_flagged;
      if (aa.verdict == time_verdict::ambiguous) ++aa_ambiguous;
      const auto ab = compare_samples(base, slow, options, static_cast<std::uint64_t>(2 * t + 1));
      if (ab.verdict == time_verdict::slower) ++slow_detected;
      if (ab.verdict == time_verdict::ambiguous) ++slow_ambiguous;
      if (ab.verdict == time_verdict::same) ++slow_same;
    }
    auto pct = [trials](int n) { return 100.0 * n / trials; };
    std::printf("%-28s %11.2f%% %11.2f%% %11.2f%% %13.2f%% %11.2f%%\n", model.name, pct(aa_flagged),
                pct(aa_ambiguous), pct(slow_detected), pct(slow_ambiguous), pct(slow_same));
  }
  return 0;
}

// Where a run's level moves with what is not in its samples: each of a run's placements (allocations of the case's
// buffers) at a level of its own, or all of them at the process's level.
struct placement_model {
  const char* name;
  int kind;      // 0: no placement effect, 1: lognormal placement levels, 2: two levels, 3: one level per process
  double effect;

  // One run: `placements` groups of `per_placement` lognormal(1%) samples around each placement's level, the
  // placements spread evenly over `processes` runner processes.
  std::vector<std::vector<double>> draw(std::mt19937_64& rng, double median_ms, int placements, int per_placement,
                                        int processes = 1) const {
    std::lognormal_distribution<double> level(0.0, effect);
    std::bernoulli_distribution high(0.5);
    double process_level = 1.0;
    std::vector<std::vector<double>> groups;
    for (int p = 0; p < placements; ++p) {
      if (kind == 3 && p % (placements / processes) == 0) process_level = std::exp(level(rng));
      double at = process_level;
      if (kind == 1) at = std::exp(level(rng));
      if (kind == 2 && high(rng)) at = 1.0 + effect;
      groups.push_back(noise_model{"", 0.01, 0}.draw(rng, median_ms * at, per_placement));
    }
    return groups;
  }
};

// The same comparisons decided on the pooled samples (U test) and on the placements' medians (Welch).
int placement_quality(int trials) {
  const placement_model models[] = {
      {"no placement effect", 0, 0.0},
      {"placements lognormal 1%", 1, 0.01},
      {"two levels 3.5% apart", 2, 0.035},
      {"one level per run, 1%", 3, 0.01},
  };
  const compare_options options;
  const int per_placement = 10;
  std::printf("\n%d trials per row, placements of %d samples a side (lognormal 1%% within a placement)\n", trials,
              per_placement);
  std::printf("%-28s %10s %14s %14s %14s %14s\n", "placement effect", "placements", "A/A samples", "A/A placements",
              "5% samples", "5% placements");
  std::mt19937_64 rng(20261123);
  for (const int placements : {4, 8}) {
    for (const auto& model : models) {
      int aa[2] = {0, 0}, slow[2] = {0, 0};
      for (int t = 0; t < trials; ++t) {
        const double median_ms = 0.05 * std::exp(std::uniform_real_distribution<double>(0.0, 5.0)(rng));
        const auto base = model.draw(rng, median_ms, placements, per_placement);
        const auto same = model.draw(rng, median_ms, placements, per_placement);
        const auto slowed = model.draw(rng, median_ms * 1.05, placements, per_placement);
        const auto seed = static_cast<std::uint64_t>(t);
        const time_verdict aa_verdicts[2] = {compare_samples(pooled(base), pooled(same), options, seed).verdict,
                                             compare_placements(base, same, options).verdict};
        const time_verdict slow_verdicts[2] = {compare_samples(pooled(base), pooled(slowed), options, seed).verdict,
                                               compare_placements(base, slowed, options).verdict};
        for (int m = 0; m < 2; ++m) {
          if (aa_verdicts[m] == time_verdict::slower || aa_verdicts[m] == time_verdict::faster) ++aa[m];
          if (slow_verdicts[m] == time_verdict::slower) ++slow[m];
        }
      }
      auto pct = [trials](int n) { return 100.0 * n / trials; };
      std::printf("%-28s %10d %13.2f%% %13.2f%% %13.2f%% %13.2f%%\n", model.name, placements, pct(aa[0]), pct(aa[1]),
                  pct(slow[0]), pct(slow[1]));
    }
  }

  // A level per process (cuSPARSE's on the H100): 8 placements a side, spread over more processes. Besides the
  // verdicts, how often an A/A pair's row intervals fail to overlap, with the interval over the placements' medians
  // and with it widened over the processes' medians (bench run's join); two calibrated 95% intervals around the
  // same value fail to overlap about 0.56% of the time.
  const placement_model per_process{"one level per process, 1%", 3, 0.01};
  std::printf("\n%s, 8 placements a side over several processes, decided on the placements' medians\n",
              per_process.name);
  std::printf("%10s %22s %14s %14s %18s %18s\n", "processes", "placements a process", "A/A flagged", "5% flagged",
              "A/A apart, plac.", "A/A apart, proc.");
  const auto row_intervals = [](const std::vector<std::vector<double>>& groups, int processes) {
    const sample_summary by_placements = summarize_placements(groups);
    std::vector<std::vector<double>> process_samples(static_cast<std::size_t>(processes));
    const std::size_t per_process_groups = groups.size() / static_cast<std::size_t>(processes);
    for (std::size_t g = 0; g < groups.size(); ++g)
      process_samples[g / per_process_groups].insert(process_samples[g / per_process_groups].end(), groups[g].begin(),
                                                     groups[g].end());
    sample_summary by_processes = by_placements;
    widen_interval(by_processes, placement_half_width(process_samples));
    return std::pair<sample_summary, sample_summary>{by_placements, by_processes};
  };
  const auto apart = [](const sample_summary& a, const sample_summary& b) {
    return a.ci_high < b.ci_low || b.ci_high < a.ci_low;
  };
  for (const int processes : {1, 2, 4, 8}) {
    int aa = 0, slow = 0, apart_placements = 0, apart_processes = 0;
    for (int t = 0; t < trials; ++t) {
      const double median_ms = 0.05 * std::exp(std::uniform_real_distribution<double>(0.0, 5.0)(rng));
      const auto base = per_process.draw(rng, median_ms, 8, per_placement, processes);
      const auto same = per_process.draw(rng, median_ms, 8, per_placement, processes);
      const auto slowed = per_process.draw(rng, median_ms * 1.05, 8, per_placement, processes);
      const time_verdict verdict = compare_placements(base, same, options).verdict;
      if (verdict == time_verdict::slower || verdict == time_verdict::faster) ++aa;
      if (compare_placements(base, slowed, options).verdict == time_verdict::slower) ++slow;
      const auto base_rows = row_intervals(base, processes);
      const auto same_rows = row_intervals(same, processes);
      apart_placements += apart(base_rows.first, same_rows.first);
      apart_processes += apart(base_rows.second, same_rows.second);
    }
    std::printf("%10d %22d %13.2f%% %13.2f%% %17.2f%% %17.2f%%\n", processes, 8 / processes, 100.0 * aa / trials,
                100.0 * slow / trials, 100.0 * apart_placements / trials, 100.0 * apart_processes / trials);
  }
  return 0;
}

int usage() {
  std::fprintf(stderr,
               "usage: compare_benchmark speed [CASES [TOOLKITS [SAMPLES]]]\n"
               "       compare_benchmark quality [TRIALS]\n");
  return 2;
}

int number(const char* text, int fallback) {
  if (text == nullptr) return fallback;
  const int n = std::atoi(text);
  return n > 0 ? n : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string mode = argv[1];
  auto arg = [&](int i) { return i < argc ? argv[i] : nullptr; };
  if (mode == "speed") return speed(number(arg(2), 10000), number(arg(3), 3), number(arg(4), 30));
  if (mode == "quality") {
    const int trials = number(arg(2), 10000);
    return quality(trials) != 0 ? 1 : placement_quality(trials);
  }
  return usage();
}
