// `bench run`'s engine: plans which runner runs which cases on which GPU, supervises each runner process through
// the protocol of docs/runner-protocol.md, records crashes and hangs, restarts runners on the cases left, and
// assembles the run's results.csv and samples.csv.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "gpu_enumeration.hpp"
#include "result_record.hpp"
#include "run_folder.hpp"

namespace cubench {

/// One toolkit's runner executable.
struct runner_binary {
  /// major.minor, e.g. "12.4".
  std::string toolkit;
  /// The bench-runner executable.
  std::string path;
};

/// The cases of one suite file, in the suite's order.
struct suite_cases {
  std::string suite_path;
  std::vector<std::string> case_ids;
};

/// One runner process's worth of work: a runner, a suite file and the cases it runs, in order.
struct runner_job {
  /// Index into the run's runners.
  std::size_t runner = 0;
  /// 0-based round this job belongs to, counted over every process's pass.
  int round = 0;
  /// 0-based runner process of the case (`--processes`): each measures every case once, in a folder of its own.
  int process = 0;
  std::string suite_path;
  std::vector<std::string> case_ids;
};

/// The shard's part of the cases: every shard.count-th case of the concatenated suites, starting at the
/// (shard.index - 1)-th, so that shards stay balanced and together cover every case once.
std::vector<suite_cases> shard_cases(const std::vector<suite_cases>& cases, const shard_spec& shard);

/// The jobs of one GPU: the cases are cut into `rounds` consecutive chunks and each chunk runs under every runner
/// before the next chunk starts, the runners' order rotating by one each round, so that a drift over time
/// spreads over all toolkits alike. With several processes, the whole schedule runs once per process, one pass
/// after the other, the rotation going on from pass to pass.
std::vector<runner_job> interleave_rounds(std::size_t runner_count, const std::vector<suite_cases>& cases, int rounds,
                                          int processes = 1);

/// Everything one run needs.
struct run_request {
  std::string run_id;
  std::vector<runner_binary> runners;
  std::vector<gpu_info> gpus;
  /// This run's cases (already sharded), per suite file.
  std::vector<suite_cases> cases;
  int rounds = 8;
  /// Runner processes that measure each case (docs/orchestrator.md, "Processes"); their rows are joined into one.
  int processes = 1;
  /// Placements each process measures a case in (the runner's --placements).
  int placements_per_process = 8;
  /// A case with no `end` within this is timed_out; a runner silent this long outside a case is stopped too.
  std::chrono::milliseconds case_timeout{60'000};
  /// Pass --hot to the runners.
  bool hot = false;
  /// Driver version written into orchestrator-written rows.
  std::string driver_version;
};

/// Receives the run's events; called from the GPUs' threads, one call at a time.
class run_observer {
 public:
  virtual ~run_observer() = default;
  /// Before any runner starts: how many cases the run has and how many had ended already (resume).
  virtual void planned(std::size_t total_cases, std::size_t already_ended) = 0;
  /// A case ended, by the runner's `end` or by the orchestrator recording a crash, a hang or a runner failure.
  virtual void case_ended(const std::string& toolkit, const gpu_info& gpu, const std::string& case_id,
                          case_status status, const std::string& reason) = 0;
};

/// What a run did.
struct run_outcome {
  std::size_t total_cases = 0;
  /// Ended before this call started (resume).
  std::size_t already_ended = 0;
  /// Ended during this call.
  std::size_t ended = 0;
  /// Cases recorded by the orchestrator (crashed, timed_out, failed runner), each described in one line.
  std::vector<std::string> incidents;
  /// Runner processes started.
  std::size_t runner_starts = 0;
  /// True when `stop` was raised before every case ended.
  bool interrupted = false;
};

/// Runs every case of `request` on every GPU (GPUs in parallel, one runner process at a time per GPU), skipping
/// cases whose rows the runner folders already hold; returns early, leaving the folder resumable, when `stop` is
/// raised. Throws std::runtime_error when a runner folder's files cannot be read or written.
run_outcome execute_run(const run_request& request, const run_folder& folder, run_observer& observer,
                        const std::atomic<bool>& stop);

/// Writes RUN_DIR/results.csv and samples.csv (atomically) from every runner folder of the request, a case's rows
/// from its processes joined into one (join_processes).
void assemble_results(const run_request& request, const run_folder& folder);

/// The case ids of one suite file as `runner --suite PATH --list` prints them; throws std::runtime_error with the
/// runner's output when it fails.
std::vector<std::string> list_runner_cases(const runner_binary& runner, const std::string& suite_path);

/// What `runner --version` prints (trimmed), or the reason it could not be run.
std::string runner_version_text(const runner_binary& runner);

/// The case ids in a runner folder's results.csv (the cases that ended there); empty when it has none.
std::vector<std::string> ended_case_ids(const std::string& results_csv);

/// A results row for a case the runner could not finish: identity from the case id, status and reason.
result_record orchestrator_record(const run_request& request, const runner_binary& runner, const gpu_info& gpu,
                                  const std::string& case_id, case_status status, const std::string& reason);


/// The compare step of `bench run`: with two or more toolkits, `bench compare` over the run folder, its table to `out`
/// and its reports to RUN_DIR/compare/; with two or more GPUs, also `bench compare --across-gpus`, its reports to
/// RUN_DIR/compare-gpus/ and one line to `out` saying so. `baseline` empty: the first toolkit. Returns the toolkit
/// comparison's exit status (docs/compare.md), 0 when there is one toolkit.
int compare_run(const run_request& request, const run_folder& folder, const std::string& baseline,
                const std::string& fail_on, std::ostream& out, std::ostream& err, bool colour);

/// What a run's results.csv says about the run as a whole, for its manifest.
struct results_summary {
  /// Rows per status, in the schema's severity order.
  std::vector<std::pair<std::string, std::size_t>> status_counts;
  /// Per toolkit, each distinct library (name, built, loaded, path) its rows report.
  std::map<std::string, std::vector<manifest_library>> libraries;
};

/// Reads a results.csv and summarizes it; throws std::runtime_error on a malformed file.
results_summary summarize_results(const std::string& results_csv);

}  // namespace cubench
