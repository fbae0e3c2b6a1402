// One run's folder: its layout, the lock that keeps a second run out, atomic writes, and manifest.json.
//
//   RUN_DIR/manifest.json         what ran, where, with what (written at the start, completed at the end)
//   RUN_DIR/results.csv           every runner's rows, assembled when the run ends
//   RUN_DIR/samples.csv           every raw sample, assembled likewise
//   RUN_DIR/runs/<toolkit>/<gpu>/process-<k>/
//                                 each runner process's own results.csv, samples.csv, runner.log, cases.txt
//   RUN_DIR/compare/              bench compare's outputs
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "gpu_enumeration.hpp"

namespace cubench {

/// A run folder that cannot be used (locked, already holding a run, unreadable manifest).
class run_folder_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A run folder held under an exclusive lock (flock on RUN_DIR/.lock) for as long as the object lives.
class run_folder {
 public:
  /// Creates the folder for a new run and locks it; refuses a folder that is locked or already holds a manifest.
  static run_folder create(const std::filesystem::path& path);
  /// Locks an existing run folder (to resume it); refuses one that is locked or has no manifest.
  static run_folder open(const std::filesystem::path& path);

  run_folder(run_folder&& other) noexcept;
  run_folder& operator=(run_folder&& other) noexcept;
  run_folder(const run_folder&) = delete;
  run_folder& operator=(const run_folder&) = delete;
  ~run_folder();

  /// The folder itself.
  const std::filesystem::path& path() const { return path_; }
  /// RUN_DIR/manifest.json.
  std::filesystem::path manifest_path() const { return path_ / "manifest.json"; }
  /// RUN_DIR/results.csv.
  std::filesystem::path results_path() const { return path_ / "results.csv"; }
  /// RUN_DIR/samples.csv.
  std::filesystem::path samples_path() const { return path_ / "samples.csv"; }
  /// RUN_DIR/runs/<toolkit>/<gpu_folder>/process-<process + 1>, created when absent.
  std::filesystem::path runner_path(std::string_view toolkit, std::string_view gpu_folder, int process) const;
  /// RUN_DIR/compare, created when absent.
  std::filesystem::path compare_path() const;
  /// RUN_DIR/compare-gpus, the comparison of a run's GPUs, created when absent.
  std::filesystem::path compare_gpus_path() const;

 private:
  run_folder(std::filesystem::path path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}
  static run_folder lock(const std::filesystem::path& path);

  std::filesystem::path path_;
  int lock_fd_ = -1;
};

/// Writes `contents` to `path` through a temporary file in the same folder and a rename, so that readers see the
/// old file or the new one, never half of one; throws std::runtime_error on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

/// The current time as ISO 8601 UTC, e.g. 2026-11-23T02:15:00Z.
std::string utc_now_iso8601();

/// Which part of a suite's cases a run covers: every `count`-th case starting at the `index`-th (1-based).
struct shard_spec {
  int index = 1;
  int count = 1;
};

/// Parses "i/N" with 1 <= i <= N; on bad text `error` says what was expected and found.
shard_spec parse_shard(std::string_view text, std::string& error);

/// "i/N".
std::string to_string(const shard_spec& shard);

/// One library a toolkit's runner used, as its results rows report it.
struct manifest_library {
  std::string name;
  std::string built_version;
  std::string loaded_version;
  std::string path;
};

/// One toolkit of a run: its runner and what that runner reported.
struct manifest_toolkit {
  /// major.minor, e.g. "12.4".
  std::string version;
  /// The runner executable.
  std::string runner;
  /// What `bench-runner --version` printed.
  std::string runner_version;
  /// The libraries seen in the run's rows for this toolkit.
  std::vector<manifest_library> libraries;
};

/// One suite file of a run.
struct manifest_suite_file {
  std::string path;
  std::string sha256;
  std::size_t cases = 0;
};

/// Everything manifest.json records; enough to resume the run.
struct run_manifest {
  std::string run_id;
  std::string cubench_version;
  std::string git_sha;
  std::vector<std::string> command_line;
  std::string host;
  std::string os;
  std::string driver_version;
  std::string cuda_driver_version;
  std::vector<gpu_info> gpus;
  std::vector<manifest_toolkit> toolkits;
  /// The suite as the user named it (e.g. "nightly").
  std::string suite;
  std::vector<manifest_suite_file> suite_files;
  /// SHA-256 over every suite file's bytes, in order.
  std::string suite_sha256;
  shard_spec shard;
  int rounds = 1;
  /// Runner processes per case and placements per process; 1 and 8 in manifests written before they were recorded.
  int processes = 1;
  int placements_per_process = 8;
  double case_timeout_s = 60;
  bool hot = false;
  std::string started_at;
  /// Empty while the run is under way.
  std::string ended_at;
  /// "running", "interrupted" or "finished".
  std::string state = "running";
  /// Case counts by status once the run has ended.
  std::vector<std::pair<std::string, std::size_t>> status_counts;
  /// For a merged run: the run ids it was merged from.
  std::vector<std::string> merged_from;
};

/// The manifest as JSON.
nlohmann::json manifest_to_json(const run_manifest& manifest);
/// Reads a manifest from JSON; throws run_folder_error naming `source` and the missing or mistyped key.
run_manifest manifest_from_json(const nlohmann::json& json, const std::string& source);
/// Reads RUN_DIR/manifest.json; throws run_folder_error when it is absent or malformed.
run_manifest read_manifest(const std::filesystem::path& manifest_path);
/// Writes the manifest atomically.
void write_manifest(const std::filesystem::path& manifest_path, const run_manifest& manifest);

/// This machine's host name and "sysname release machine".
std::pair<std::string, std::string> host_and_os();

}  // namespace cubench
