#include "history.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "csv_table.hpp"
#include "result_record.hpp"
#include "run_folder.hpp"
#include "statistics.hpp"

namespace cubench {
namespace fs = std::filesystem;

namespace {

// The scale that makes the MAD estimate the standard deviation of normal noise.
constexpr double mad_to_sigma = 1.4826;

double median_absolute_deviation(const std::vector<double>& values, double center) {
  std::vector<double> deviations;
  for (double v : values) deviations.push_back(std::fabs(v - center));
  return median(deviations);
}

// A prepared statement, finalized on every path out.
class statement {
 public:
  statement(sqlite3* db, const std::string& sql, const std::string& path) : path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
      throw history_error(path + ": " + sqlite3_errmsg(db) + " in: " + sql);
  }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement() { sqlite3_finalize(stmt_); }

  void bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind_number(int index, const std::string& text) {
    if (text.empty()) {
      sqlite3_bind_null(stmt_, index);
      return;
    }
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (*end != '\0') throw history_error(path_ + ": expected a number, found '" + text + "'");
    sqlite3_bind_double(stmt_, index, value);
  }
  /// Steps once; true when a row is ready.
  bool step() {
    const int result = sqlite3_step(stmt_);
    if (result == SQLITE_ROW) return true;
    if (result == SQLITE_DONE) return false;
    throw history_error(path_ + ": " + sqlite3_errmsg(sqlite3_db_handle(stmt_)));
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int column) const {
    const auto* value = sqlite3_column_text(stmt_, column);
    return value ? reinterpret_cast<const char*>(value) : "";
  }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  double number(int column) const { return sqlite3_column_double(stmt_, column); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  std::string path_;
};

void execute(sqlite3* db, const std::string& sql, const std::string& path) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw history_error(path + ": " + text);
  }
}

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  host TEXT NOT NULL,
  cubench_version TEXT NOT NULL,
  git_sha TEXT NOT NULL,
  suite TEXT NOT NULL,
  suite_sha256 TEXT NOT NULL,
  added_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  case_id TEXT NOT NULL,
  toolkit TEXT NOT NULL,
  gpu_uuid TEXT NOT NULL,
  gpu_name TEXT NOT NULL,
  status TEXT NOT NULL,
  median_ms REAL,
  norm_rel_err REAL,
  library_loaded_version TEXT NOT NULL,
  PRIMARY KEY (run_id, case_id, toolkit, gpu_uuid));
CREATE INDEX IF NOT EXISTS results_series ON results(case_id, toolkit, gpu_name);
)sql";

}  // namespace

series_check check_series(const std::vector<double>& values, const drift_options& options) {
  series_check check;
  if (values.empty()) return check;
  check.latest = values.back();
  const std::size_t before = values.size() - 1;
  const std::size_t first = before > options.window ? before - options.window : 0;
  const std::vector<double> history(values.begin() + static_cast<std::ptrdiff_t>(first),
                                    values.begin() + static_cast<std::ptrdiff_t>(before));
  check.history = history.size();
  if (history.size() < std::max<std::size_t>(options.min_history, 2)) return check;

  const double center = median(history);
  const double sigma =
      std::max(mad_to_sigma * median_absolute_deviation(history, center), options.min_noise_rel * std::fabs(center));
  check.robust_z = (check.latest - center) / sigma;
  check.reference = center;
  check.change = check.latest / center - 1;
  if (std::fabs(check.robust_z) > options.z_threshold && std::fabs(check.change) > options.min_effect) {
    check.flag = series_flag::step;
    return check;
  }

  // The drift test: the older half of the window is the reference; the noise comes from night-to-night
  // differences, which a steady trend shifts but does not widen.
  std::vector<double> window = history;
  window.push_back(check.latest);
  const std::vector<double> older(history.begin(), history.begin() + static_cast<std::ptrdiff_t>((history.size() + 1) / 2));
  const double reference = median(older);
  std::vector<double> differences;
  for (std::size_t i = 1; i < window.size(); ++i) differences.push_back(window[i] - window[i - 1]);
  const double noise = std::max(mad_to_sigma * median_absolute_deviation(differences, median(differences)) / std::sqrt(2.0),
                                options.min_noise_rel * std::fabs(reference));
  double upper = 0;
  double lower = 0;
  for (double x : window) {
    const double z = (x - reference) / noise;
    upper = std::max(0.0, upper + z - options.cusum_k);
    lower = std::max(0.0, lower - z - options.cusum_k);
  }
  check.cusum = std::max(upper, lower);
  const double drift_change = check.latest / reference - 1;
  if (check.cusum > options.cusum_h && std::fabs(drift_change) > options.min_effect) {
    check.flag = series_flag::drift;
    check.reference = reference;
    check.change = drift_change;
  }
  return check;
}

std::string to_string(series_flag flag) {
  switch (flag) {
    case series_flag::step:
      return "step";
    case series_flag::drift:
      return "drift";
    case series_flag::none:
      break;
  }
  return "none";
}

history_db::history_db(const std::string& path) : path_(path), db_(nullptr, sqlite3_close) {
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) fs::create_directories(parent, ec);
  sqlite3* db = nullptr;
  const int opened = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  db_.reset(db);
  if (opened != SQLITE_OK)
    throw history_error(path + ": cannot open the history database: " + (db ? sqlite3_errmsg(db) : "out of memory"));
  sqlite3_busy_timeout(db, 10'000);
  execute(db, schema, path_);
}

history_db::~history_db() = default;

std::size_t history_db::add_run(const fs::path& run_dir) {
  const run_manifest manifest = read_manifest(run_dir / "manifest.json");
  if (manifest.state != "finished")
    throw history_error(run_dir.string() + ": expected a finished run, found one " + manifest.state);
  const csv_table table = read_csv_table((run_dir / "results.csv").string());
  const std::size_t case_column = table.require_column("case_id");
  const std::size_t toolkit_column = table.require_column("toolkit");
  const std::size_t uuid_column = table.require_column("gpu_uuid");
  const std::size_t name_column = table.require_column("gpu_name");
  const std::size_t status_column = table.require_column("status");
  const std::size_t median_column = table.require_column("median_ms");
  const std::size_t error_column = table.require_column("norm_rel_err");
  const std::size_t library_column = table.require_column("library_loaded_version");

  sqlite3* db = db_.get();
  execute(db, "BEGIN IMMEDIATE", path_);
  try {
    {
      statement existing(db, "SELECT added_at FROM runs WHERE run_id = ?", path_);
      existing.bind(1, manifest.run_id);
      if (existing.step())
        throw history_error(path_ + " already holds run " + manifest.run_id + " (added " + existing.text(0) + ")");
    }
    statement run(db,
                  "INSERT INTO runs (run_id, started_at, host, cubench_version, git_sha, suite, suite_sha256, added_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  path_);
    const std::string values[] = {manifest.run_id,  manifest.started_at, manifest.host,         manifest.cubench_version,
                                  manifest.git_sha, manifest.suite,      manifest.suite_sha256, utc_now_iso8601()};
    for (int i = 0; i < 8; ++i) run.bind(i + 1, values[i]);
    run.step();
    statement row(db,
                  "INSERT INTO results (run_id, case_id, toolkit, gpu_uuid, gpu_name, status, median_ms, norm_rel_err, "
                  "library_loaded_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  table.path);
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const auto& cells = table.rows[r];
      const std::string where = table.path + ":" + std::to_string(table.row_lines[r]);
      if (!parse_case_status(cells[status_column]))
        throw history_error(where + ":" + std::to_string(status_column + 1) + ": expected a status, found '" +
                            cells[status_column] + "'");
      row.reset();
      row.bind(1, manifest.run_id);
      row.bind(2, cells[case_column]);
      row.bind(3, cells[toolkit_column]);
      row.bind(4, cells[uuid_column]);
      row.bind(5, cells[name_column]);
      row.bind(6, cells[status_column]);
      try {
        row.bind_number(7, cells[median_column]);
        row.bind_number(8, cells[error_column]);
      } catch (const history_error& e) {
        throw history_error(where + ": " + e.what());
      }
      row.bind(9, cells[library_column]);
      row.step();
    }
    execute(db, "COMMIT", path_);
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return table.rows.size();
}

std::vector<std::string> history_db::run_ids() const {
  statement query(db_.get(), "SELECT run_id FROM runs ORDER BY started_at, run_id", path_);
  std::vector<std::string> ids;
  while (query.step()) ids.push_back(query.text(0));
  return ids;
}

std::vector<history_finding> history_db::check(const drift_options& options, const std::string& run_id) const {
  const auto ids = run_ids();
  if (ids.empty()) throw history_error(path_ + ": the history holds no run yet; add one with `bench history add`");
  const std::string target = run_id.empty() ? ids.back() : run_id;
  if (std::find(ids.begin(), ids.end(), target) == ids.end())
    throw history_error(path_ + ": expected run " + target + " in the history, found runs " + ids.front() + " ... " +
                        ids.back());

  // Every night of every series the target run has, oldest first; GPUs of one name in one run count as one night.
  statement query(db_.get(),
                  "SELECT r.case_id, r.toolkit, r.gpu_name, r.run_id, r.status, r.median_ms FROM results r "
                  "JOIN runs USING (run_id) "
                  "WHERE (r.case_id, r.toolkit, r.gpu_name) IN "
                  "  (SELECT case_id, toolkit, gpu_name FROM results WHERE run_id = ?1) "
                  "AND runs.started_at <= (SELECT started_at FROM runs WHERE run_id = ?1) "
                  "ORDER BY r.case_id, r.toolkit, r.gpu_name, runs.started_at, r.run_id",
                  path_);
  query.bind(1, target);
  struct night {
    std::string run_id;
    std::string status = "passed";
    std::vector<double> medians;
  };
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<night>> series;
  std::vector<std::tuple<std::string, std::string, std::string>> order;
  while (query.step()) {
    const auto key = std::make_tuple(query.text(0), query.text(1), query.text(2));
    auto& nights = series[key];
    if (nights.empty()) order.push_back(key);
    if (nights.empty() || nights.back().run_id != query.text(3)) nights.push_back({query.text(3), "passed", {}});
    const std::string status = query.text(4);
    if (status != "passed") nights.back().status = status;
    if (status == "passed" && !query.is_null(5)) nights.back().medians.push_back(query.number(5));
  }

  std::vector<history_finding> findings;
  for (const auto& key : order) {
    const auto& nights = series[key];
    const auto& [case_id, toolkit, gpu_name] = key;
    if (nights.back().run_id != target) continue;
    if (nights.size() >= 2 && nights.back().status != "passed" && nights[nights.size() - 2].status == "passed") {
      findings.push_back({case_id, toolkit, gpu_name, "status", "passed -> " + nights.back().status, {}});
      continue;
    }
    if (nights.back().status != "passed" || nights.back().medians.empty()) continue;
    std::vector<double> values;
    for (const auto& n : nights)
      if (n.status == "passed" && !n.medians.empty()) values.push_back(median(n.medians));
    const series_check check = check_series(values, options);
    if (check.flag != series_flag::none)
      findings.push_back({case_id, toolkit, gpu_name, to_string(check.flag), check.change > 0 ? "slower" : "faster",
                          check});
  }
  return findings;
}

}  // namespace cubench
