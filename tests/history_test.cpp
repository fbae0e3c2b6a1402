// The history check on synthetic nights: a step, a slow drift of 1% a night, flat noise; and the SQLite round trip.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "csv_writer.hpp"
#include "history.hpp"
#include "run_folder.hpp"
#include "scratch_dir.hpp"

namespace cubench {
namespace {

// `nights` values around `level` with relative gaussian noise, from a fixed seed.
std::vector<double> noisy(std::size_t nights, double level, double noise, std::uint32_t seed) {
  std::mt19937 engine(seed);
  std::normal_distribution<double> normal(0.0, noise);
  std::vector<double> values;
  for (std::size_t i = 0; i < nights; ++i) values.push_back(level * (1 + normal(engine)));
  return values;
}

TEST(check_series, a_known_step_has_the_textbook_z_score) {
  // History 1, 2, 3, 4, 5: median 3, MAD 1, sigma 1.4826; latest 10 is (10 - 3) / 1.4826 = 4.72 sigma away.
  const auto check = check_series({1, 2, 3, 4, 5, 10}, drift_options{});
  EXPECT_EQ(check.flag, series_flag::step);
  EXPECT_NEAR(check.robust_z, 7 / 1.4826, 1e-9);
  EXPECT_DOUBLE_EQ(check.reference, 3);
  EXPECT_NEAR(check.change, 10.0 / 3 - 1, 1e-12);
  EXPECT_EQ(check.history, 5u);
}

TEST(check_series, a_step_of_ten_percent_is_flagged_slower_and_a_drop_faster) {
  auto values = noisy(15, 1.0, 0.01, 1);
  values.back() = 1.10;
  auto check = check_series(values, drift_options{});
  EXPECT_EQ(check.flag, series_flag::step);
  EXPECT_GT(check.change, 0.05);
  values.back() = 0.88;
  check = check_series(values, drift_options{});
  EXPECT_EQ(check.flag, series_flag::step);
  EXPECT_LT(check.change, -0.05);
}

TEST(check_series, a_slow_drift_of_one_percent_a_night_is_caught_though_no_night_is_a_step) {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    auto values = noisy(15, 1.0, 0.005, seed);
    for (std::size_t t = 0; t < values.size(); ++t) values[t] *= 1 + 0.01 * static_cast<double>(t);
    const auto check = check_series(values, drift_options{});
    EXPECT_EQ(check.flag, series_flag::drift) << "seed " << seed << " z " << check.robust_z << " cusum " << check.cusum;
    EXPECT_LT(check.robust_z, drift_options{}.z_threshold) << "the z-score alone would miss it";
    EXPECT_GT(check.change, 0.08);
  }
}

TEST(check_series, flat_noise_is_not_flagged) {
  std::size_t flagged = 0;
  for (std::uint32_t seed = 1; seed <= 1000; ++seed)
    flagged += check_series(noisy(15, 2.5, 0.01, seed), drift_options{}).flag != series_flag::none;
  EXPECT_LE(flagged, 5u) << "false alarms in 1000 flat series with 1% noise";
  std::printf("flat series flagged: %zu of 1000\n", flagged);
}

TEST(check_series, too_short_a_history_gives_no_verdict) {
  const auto check = check_series({1, 1, 1, 2}, drift_options{});
  EXPECT_EQ(check.flag, series_flag::none);
  EXPECT_EQ(check.history, 3u);
}

// A finished run folder with one row per case: its median, or a status when it did not pass.
void write_run(const testing::scratch_dir& dir, const std::string& run_id, int night,
               const std::vector<std::pair<std::string, double>>& cases, const std::string& state = "finished") {
  const std::filesystem::path folder = std::filesystem::path(dir.path()) / run_id;
  std::filesystem::create_directories(folder);
  run_manifest manifest;
  manifest.run_id = run_id;
  char started[32];
  std::snprintf(started, sizeof started, "2026-11-%02dT02:00:00Z", night);
  manifest.started_at = started;
  manifest.state = state;
  write_manifest(folder / "manifest.json", manifest);
  csv_appender results((folder / "results.csv").string(), results_header());
  for (const auto& [case_id, median_ms] : cases) {
    result_record row;
    row.run_id = run_id;
    row.case_id = case_id;
    row.toolkit = "12.4";
    row.gpu_uuid = "GPU-1";
    row.gpu_name = "NVIDIA H100 80GB HBM3";
    row.status = median_ms > 0 ? case_status::passed : case_status::crashed;
    if (median_ms > 0) row.median_ms = median_ms;
    results.append(results_row(row));
  }
}

TEST(history_db, nights_added_to_sqlite_flag_the_drifting_and_the_newly_crashing_cases_only) {
  testing::scratch_dir dir;
  const auto flat = noisy(15, 1.0, 0.01, 7);
  const auto drifting = noisy(15, 2.0, 0.005, 8);
  for (int night = 1; night <= 15; ++night) {
    const double trend = 1 + 0.01 * (night - 1);
    write_run(dir, "night-" + std::to_string(night), night,
              {{"gemm/cublas/gemm_ex/fp32/m=1", flat[night - 1]},
               {"gemm/cublas/gemm_ex/fp16/m=1", drifting[night - 1] * trend},
               {"gemm/inhouse/mma/fp16/m=1", night == 15 ? -1.0 : 0.5}});
  }
  history_db db(dir / "history.sqlite");
  for (int night = 1; night <= 15; ++night) EXPECT_EQ(db.add_run(dir / ("night-" + std::to_string(night))), 3u);
  EXPECT_EQ(db.run_ids().size(), 15u);

  const auto findings = db.check(drift_options{}, "");
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].case_id, "gemm/cublas/gemm_ex/fp16/m=1");
  EXPECT_EQ(findings[0].kind, "drift");
  EXPECT_EQ(findings[0].direction, "slower");
  EXPECT_EQ(findings[0].stats.history, 14u);
  EXPECT_EQ(findings[1].case_id, "gemm/inhouse/mma/fp16/m=1");
  EXPECT_EQ(findings[1].kind, "status");
  EXPECT_EQ(findings[1].direction, "passed -> crashed");

  EXPECT_TRUE(db.check(drift_options{}, "night-4").empty()) << "three nights of history are too few to judge";
  EXPECT_THROW(db.check(drift_options{}, "night-99"), history_error);
}

TEST(history_db, a_run_is_added_once_and_only_when_finished) {
  testing::scratch_dir dir;
  write_run(dir, "a", 1, {{"gemm/x/y/fp32/m=1", 1.0}});
  write_run(dir, "b", 2, {{"gemm/x/y/fp32/m=1", 1.0}}, "interrupted");
  history_db db(dir / "h.sqlite");
  db.add_run(dir / "a");
  try {
    db.add_run(dir / "a");
    FAIL();
  } catch (const history_error& e) {
    EXPECT_NE(std::string(e.what()).find("already holds run a"), std::string::npos) << e.what();
  }
  EXPECT_THROW(db.add_run(dir / "b"), history_error);
  EXPECT_EQ(db.run_ids(), std::vector<std::string>{"a"});
}

}  // namespace
}  // namespace cubench
