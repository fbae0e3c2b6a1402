// Night-to-night history of a case's time: runs are added to an SQLite database, and a case whose latest median
// departs from its recent history is flagged, by a robust z-score for a step and a CUSUM for a slow drift
// (docs/history.md).
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace cubench {

/// A history database that cannot be opened or written, or a run that cannot be added.
class history_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The settings of the history check; the defaults are the documented ones.
struct drift_options {
  /// Nights of history the latest value is held against.
  std::size_t window = 14;
  /// Fewer nights than this: no verdict.
  std::size_t min_history = 5;
  /// |robust z| above this is a step.
  double z_threshold = 3.5;
  /// A change smaller than this fraction of the reference is never flagged.
  double min_effect = 0.03;
  /// CUSUM allowance, in noise units.
  double cusum_k = 0.5;
  /// CUSUM decision threshold, in noise units.
  double cusum_h = 5.0;
  /// The noise is taken as at least this fraction of the reference, so that a flat series does not divide by 0.
  double min_noise_rel = 0.005;
};

/// What the check concluded about one series.
enum class series_flag { none, step, drift };

/// The statistics behind a verdict.
struct series_check {
  series_flag flag = series_flag::none;
  /// Nights of history used (without the latest).
  std::size_t history = 0;
  double latest = 0;
  /// Median of the history (step) or of its older half (drift).
  double reference = 0;
  /// latest / reference - 1.
  double change = 0;
  /// (latest - median) / (1.4826 MAD) over the history.
  double robust_z = 0;
  /// The larger of the two one-sided CUSUMs at the latest night, in noise units.
  double cusum = 0;
};

/// Checks the last value of `values` (oldest first) against the `options.window` values before it: a step when
/// its robust z-score crosses the threshold, else a drift when a two-sided CUSUM over the window, referenced to the
/// median of the window's older half and scaled by the noise of night-to-night differences, crosses its threshold;
/// either only when the change exceeds the minimum effect.
series_check check_series(const std::vector<double>& values, const drift_options& options);

/// "step", "drift" or "none".
std::string to_string(series_flag flag);

/// One flagged case.
struct history_finding {
  std::string case_id;
  std::string toolkit;
  std::string gpu_name;
  /// "step", "drift" or "status".
  std::string kind;
  /// "slower", "faster", or for a status change "passed -> crashed".
  std::string direction;
  series_check stats;
};

/// The SQLite history database (results/history.sqlite by default).
class history_db {
 public:
  /// Opens the database, creating it and its tables when absent; throws history_error.
  explicit history_db(const std::string& path);
  ~history_db();
  history_db(const history_db&) = delete;
  history_db& operator=(const history_db&) = delete;

  /// Adds a finished run folder (its manifest and results.csv) in one transaction; returns the rows added. Throws
  /// history_error when the run is already there or is not finished.
  std::size_t add_run(const std::filesystem::path& run_dir);
  /// The run ids in the database, oldest first.
  std::vector<std::string> run_ids() const;
  /// Checks every series whose latest point is in `run_id` (empty: the newest run).
  std::vector<history_finding> check(const drift_options& options, const std::string& run_id) const;

 private:
  std::string path_;
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db_;
};

}  // namespace cubench
