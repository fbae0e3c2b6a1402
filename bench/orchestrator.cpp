#include "orchestrator.hpp"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "case_processes.hpp"
#include "compare_command.hpp"
#include "csv_table.hpp"
#include "csv_writer.hpp"
#include "orchestrator_process.hpp"
#include "result_columns.hpp"
#include "results_reader.hpp"
#include "stopping_rule.hpp"
#include "subprocess.hpp"
#include "version.hpp"

namespace cubench {
namespace fs = std::filesystem;

namespace {

// A runner killed mid-write can leave a row without its line end; the next append must start on a fresh line.
void drop_partial_last_line(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || size == 0) return;
  std::ifstream in(path, std::ios::binary);
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (text.back() == '\n') return;
  const auto last_newline = text.rfind('\n');
  fs::resize_file(path, last_newline == std::string::npos ? 0 : last_newline + 1);
}

// Drops from a runner folder's samples.csv the samples of cases its results.csv has no row for: those a runner
// killed in the middle of a case wrote (it writes a case's samples before its row), which the case's next run
// would otherwise add to.
void drop_orphan_samples(const fs::path& dir) {
  const fs::path samples_path = dir / "samples.csv";
  if (!fs::exists(samples_path)) return;
  const auto ended_list = ended_case_ids((dir / "results.csv").string());
  const std::set<std::string> ended(ended_list.begin(), ended_list.end());
  const csv_table samples = read_csv_table(samples_path.string());
  const std::size_t case_column = samples.require_column("case_id");
  std::string kept = csv_line(samples.header) + "\n";
  bool dropped = false;
  for (const auto& row : samples.rows) {
    if (ended.count(row[case_column]) == 0) {
      dropped = true;
      continue;
    }
    kept += csv_line(row) + "\n";
  }
  if (dropped) write_file_atomically(samples_path, kept);
}

// The launches per sample each case's row in a runner folder's results.csv was timed with; empty without the file.
std::map<std::string, int> launches_per_case(const fs::path& results_csv) {
  std::map<std::string, int> launches;
  if (!fs::exists(results_csv)) return launches;
  for (const auto& record : read_results_csv(results_csv.string()).records)
    if (record.launches_per_sample) launches[record.case_id] = *record.launches_per_sample;
  return launches;
}

std::string seconds_text(std::chrono::milliseconds duration) {
  return format_double(static_cast<double>(duration.count()) / 1000.0);
}

// Everything the GPUs' threads share, behind one mutex.
class run_state {
 public:
  run_state(run_observer& observer, run_outcome& outcome) : observer_(observer), outcome_(outcome) {}

  void case_ended(const std::string& toolkit, const gpu_info& gpu, const std::string& case_id, case_status status,
                  const std::string& reason) {
    const std::lock_guard<std::mutex> lock(mutex_);
    ++outcome_.ended;
    observer_.case_ended(toolkit, gpu, case_id, status, reason);
  }
  void incident(std::string text) {
    const std::lock_guard<std::mutex> lock(mutex_);
    outcome_.incidents.push_back(std::move(text));
  }
  void runner_started() {
    const std::lock_guard<std::mutex> lock(mutex_);
    ++outcome_.runner_starts;
  }
  void interrupted() {
    const std::lock_guard<std::mutex> lock(mutex_);
    outcome_.interrupted = true;
  }

 private:
  std::mutex mutex_;
  run_observer& observer_;
  run_outcome& outcome_;
};

// Runs one job to its end: restarts the runner after each crash or hang on the cases still to do.
void run_job(const run_request& request, const run_folder& folder, const runner_job& job, const gpu_info& gpu,
             run_state& state, const std::atomic<bool>& stop) {
  const runner_binary& runner = request.runners[job.runner];
  const fs::path dir = folder.runner_path(runner.toolkit, gpu_folder_name(gpu), job.process);
  const fs::path results = dir / "results.csv";
  const fs::path samples = dir / "samples.csv";
  const fs::path cases_file = dir / "cases.txt";
  const auto record = [&](const std::string& case_id, case_status status, const std::string& reason) {
    drop_partial_last_line(results);
    csv_appender(results.string(), results_header())
        .append(results_row(orchestrator_record(request, runner, gpu, case_id, status, reason)));
    state.case_ended(runner.toolkit, gpu, case_id, status, reason);
  };
  const std::string where = runner.toolkit + " on " + gpu.uuid +
                            (request.processes > 1 ? ", process " + std::to_string(job.process + 1) : "");

  for (;;) {
    if (stop.load()) {
      state.interrupted();
      return;
    }
    drop_partial_last_line(results);
    drop_partial_last_line(samples);
    const auto ended_list = ended_case_ids(results.string());
    const std::set<std::string> ended(ended_list.begin(), ended_list.end());
    std::vector<std::string> remaining;
    for (const auto& id : job.case_ids)
      if (ended.count(id) == 0) remaining.push_back(id);
    if (remaining.empty()) return;

    const auto pinned =
        job.process == 0
            ? std::map<std::string, int>{}
            : launches_per_case((folder.runner_path(runner.toolkit, gpu_folder_name(gpu), 0) / "results.csv"));
    std::string list;
    for (const auto& id : remaining) {
      const auto pin = pinned.find(id);
      list += id + (pin == pinned.end() ? "" : " launches_per_sample=" + std::to_string(pin->second)) + "\n";
    }
    write_file_atomically(cases_file, list);

    runner_launch launch;
    launch.argv = {runner.path,         "--suite",  job.suite_path, "--cases-file",
                   cases_file.string(), "--out",    dir.string(),   "--device",
                   "0",                 "--run-id", request.run_id, "--case-timeout-s",
                   seconds_text(request.case_timeout),
                   "--placements",      std::to_string(request.placements_per_process)};
    if (request.processes > 1) {
      // Each process takes its share of the case's sampling time and samples; each settles on its own.
      const stopping_params share = placement_share(stopping_params{}, request.processes);
      launch.argv.insert(launch.argv.end(), {"--min-time-s", format_double(share.min_time_s), "--time-cap-s",
                                             format_double(share.time_cap_s), "--max-samples",
                                             std::to_string(share.max_samples)});
    }
    if (request.hot) launch.argv.push_back("--hot");
    launch.environment = {{"CUDA_VISIBLE_DEVICES", gpu.uuid}};
    launch.log_path = (dir / "runner.log").string();
    launch.timeout = request.case_timeout;
    {
      std::ofstream log(launch.log_path, std::ios::app);
      log << "@@ bench run " << utc_now_iso8601() << ": starting " << runner.path << " on " << remaining.size()
          << " case(s) of " << job.suite_path << ", as process " << job.process + 1 << " of " << request.processes
          << "\n";
    }
    state.runner_started();
    const runner_exit exit = supervise_runner(
        launch, [](const std::string&) {},
        [&](const std::string& case_id, const std::string& status_text) {
          const auto status = parse_case_status(status_text);
          state.case_ended(runner.toolkit, gpu, case_id, status.value_or(case_status::failed),
                           status ? "" : "unknown status '" + status_text + "'");
        },
        stop);
    if (exit.stopped) {
      state.interrupted();
      return;
    }

    drop_partial_last_line(results);
    const auto after_list = ended_case_ids(results.string());
    const std::set<std::string> ended_after(after_list.begin(), after_list.end());

    if (!exit.in_flight.empty() && ended_after.count(exit.in_flight) == 0) {
      drop_partial_last_line(samples);
      drop_orphan_samples(dir);
      const case_status status = exit.watchdog_killed ? case_status::timed_out : case_status::crashed;
      const std::string reason =
          exit.watchdog_killed
              ? "no end within " + seconds_text(request.case_timeout) +
                    " s; the runner was killed (SIGKILL to its process group)"
              : "runner " + exit.describe();
      record(exit.in_flight, status, reason);
      state.incident(std::string(to_string(status)) + ": " + exit.in_flight + " (" + where + "): " + reason);
      continue;
    }
    std::vector<std::string> not_ended;
    for (const auto& id : remaining)
      if (ended_after.count(id) == 0) not_ended.push_back(id);
    if (not_ended.empty()) return;
    if (!exit.clean() && not_ended.size() < remaining.size()) continue;

    // The runner finished without running some cases, or failed before it began one: restarting it would do the
    // same again, so the cases left are recorded as failed with its words.
    std::string reason;
    if (exit.clean())
      reason = "the runner ended without running this case (is it in " + job.suite_path + "?)";
    else if (exit.watchdog_killed)
      reason = "the runner printed no protocol line for " + seconds_text(request.case_timeout) +
               " s outside any case and was killed";
    else
      reason = "runner " + exit.describe() + ", before beginning this case";
    for (const auto& id : not_ended) record(id, case_status::failed, reason);
    state.incident("failed: " + std::to_string(not_ended.size()) + " case(s) (" + where + "): " + reason);
    return;
  }
}

std::string csv_text(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::string text = csv_line(header) + "\n";
  for (const auto& row : rows) text += csv_line(row) + "\n";
  return text;
}

}  // namespace

std::vector<suite_cases> shard_cases(const std::vector<suite_cases>& cases, const shard_spec& shard) {
  std::vector<suite_cases> part;
  std::size_t position = 0;
  for (const auto& suite : cases) {
    suite_cases kept{suite.suite_path, {}};
    for (const auto& id : suite.case_ids) {
      if (position % static_cast<std::size_t>(shard.count) == static_cast<std::size_t>(shard.index - 1))
        kept.case_ids.push_back(id);
      ++position;
    }
    if (!kept.case_ids.empty()) part.push_back(std::move(kept));
  }
  return part;
}

std::vector<runner_job> interleave_rounds(std::size_t runner_count, const std::vector<suite_cases>& cases,
                                          int rounds, int processes) {
  struct placed_case {
    const std::string* suite;
    const std::string* id;
  };
  std::vector<placed_case> all;
  for (const auto& suite : cases)
    for (const auto& id : suite.case_ids) all.push_back({&suite.suite_path, &id});
  std::vector<runner_job> jobs;
  if (all.empty() || runner_count == 0) return jobs;
  const std::size_t round_count = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(rounds, 1)), 1, all.size());
  for (int process = 0; process < std::max(processes, 1); ++process)
    for (std::size_t chunk = 0; chunk < round_count; ++chunk) {
      const std::size_t round = static_cast<std::size_t>(process) * round_count + chunk;
      const std::size_t begin = chunk * all.size() / round_count;
      const std::size_t end = (chunk + 1) * all.size() / round_count;
      for (std::size_t turn = 0; turn < runner_count; ++turn) {
        const std::size_t runner = (round + turn) % runner_count;
        for (std::size_t i = begin; i < end; ++i) {
          if (jobs.empty() || jobs.back().runner != runner || jobs.back().round != static_cast<int>(round) ||
              jobs.back().suite_path != *all[i].suite)
            jobs.push_back({runner, static_cast<int>(round), process, *all[i].suite, {}});
          jobs.back().case_ids.push_back(*all[i].id);
        }
      }
    }
  return jobs;
}

std::vector<std::string> ended_case_ids(const std::string& results_csv) {
  if (!fs::exists(results_csv)) return {};
  const csv_table table = read_csv_table(results_csv);
  const std::size_t column = table.require_column("case_id");
  std::vector<std::string> ids;
  for (const auto& row : table.rows) ids.push_back(row[column]);
  return ids;
}

result_record orchestrator_record(const run_request& request, const runner_binary& runner, const gpu_info& gpu,
                                  const std::string& case_id, case_status status, const std::string& reason) {
  result_record record;
  record.run_id = request.run_id;
  record.case_id = case_id;
  // The case id is family/impl/variant/dtype/params (docs/results-schema.md); params may hold no further '/'.
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (parts.size() < 4) {
    const auto slash = case_id.find('/', start);
    if (slash == std::string::npos) break;
    parts.push_back(case_id.substr(start, slash - start));
    start = slash + 1;
  }
  if (parts.size() == 4) {
    record.family = parts[0];
    record.impl = parts[1];
    record.variant = parts[2];
    record.dtype = parts[3];
    record.params = case_id.substr(start);
  }
  record.toolkit = runner.toolkit;
  record.gpu_index = static_cast<int>(gpu.index);
  record.gpu_uuid = gpu.uuid;
  record.gpu_name = gpu.name;
  record.compute_capability = gpu.compute_capability;
  record.status = status;
  record.reason = reason;
  record.cubench_version = std::string(cubench_version());
  record.driver_version = request.driver_version;
  record.timestamp = utc_now_iso8601();
  return record;
}

run_outcome execute_run(const run_request& request, const run_folder& folder, run_observer& observer,
                        const std::atomic<bool>& stop) {
  run_outcome outcome;
  const auto jobs = interleave_rounds(request.runners.size(), request.cases, request.rounds, request.processes);
  for (const auto& gpu : request.gpus) {
    for (const auto& runner : request.runners)
      for (int process = 0; process < request.processes; ++process) {
        const fs::path dir = folder.runner_path(runner.toolkit, gpu_folder_name(gpu), process);
        drop_partial_last_line(dir / "results.csv");
        drop_partial_last_line(dir / "samples.csv");
        drop_orphan_samples(dir);
      }
    for (const auto& job : jobs) {
      const auto& runner = request.runners[job.runner];
      const auto ended_list = ended_case_ids(
          (folder.runner_path(runner.toolkit, gpu_folder_name(gpu), job.process) / "results.csv").string());
      const std::set<std::string> ended(ended_list.begin(), ended_list.end());
      outcome.total_cases += job.case_ids.size();
      for (const auto& id : job.case_ids) outcome.already_ended += ended.count(id);
    }
  }
  observer.planned(outcome.total_cases, outcome.already_ended);

  run_state state(observer, outcome);
  std::vector<std::exception_ptr> errors(request.gpus.size());
  std::vector<std::thread> threads;
  for (std::size_t g = 0; g < request.gpus.size(); ++g) {
    threads.emplace_back([&, g] {
      try {
        for (const auto& job : jobs) {
          if (stop.load()) {
            state.interrupted();
            return;
          }
          run_job(request, folder, job, request.gpus[g], state, stop);
        }
      } catch (...) {
        errors[g] = std::current_exception();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& error : errors)
    if (error) std::rethrow_exception(error);
  return outcome;
}

void assemble_results(const run_request& request, const run_folder& folder) {
  std::vector<std::vector<std::string>> results;
  std::vector<std::vector<std::string>> samples;
  for (const auto& gpu : request.gpus)
    for (const auto& runner : request.runners) {
      // Each case's rows in the order the processes ran, the cases in the order the first process met them.
      std::vector<std::string> order;
      std::map<std::string, std::vector<process_row>> rows;
      for (int process = 0; process < request.processes; ++process) {
        const fs::path dir = folder.runner_path(runner.toolkit, gpu_folder_name(gpu), process);
        if (!fs::exists(dir / "results.csv")) continue;
        const results_table table = read_results_csv((dir / "results.csv").string());
        const sample_series_map series =
            fs::exists(dir / "samples.csv") ? read_samples_csv((dir / "samples.csv").string()) : sample_series_map{};
        for (const auto& record : table.records) {
          auto& case_rows = rows[record.case_id];
          if (case_rows.empty()) order.push_back(record.case_id);
          const auto found = series.find(sample_series_key(record));
          case_rows.push_back({record, found == series.end() ? sample_series{} : found->second});
        }
      }
      for (const auto& case_id : order) {
        const joined_case joined = join_processes(rows[case_id]);
        results.push_back(results_row(joined.record));
        for (const auto& sample : joined.samples) samples.push_back(samples_row(sample));
      }
    }
  write_file_atomically(folder.results_path(), csv_text(results_header(), results));
  write_file_atomically(folder.samples_path(), csv_text(samples_header(), samples));
}

std::vector<std::string> list_runner_cases(const runner_binary& runner, const std::string& suite_path) {
  process_options options;
  options.timeout = std::chrono::minutes(2);
  const std::vector<std::string> argv{runner.path, "--suite", suite_path, "--list"};
  const process_result result = run_process(argv, options);
  if (!result.succeeded())
    throw std::runtime_error(runner.path + " --suite " + suite_path + " --list: " +
                             result.describe_failure(options.timeout) + "\n" + last_lines(result.output, 10));
  std::vector<std::string> ids;
  std::size_t start = 0;
  while (start < result.output.size()) {
    auto end = result.output.find('\n', start);
    if (end == std::string::npos) end = result.output.size();
    std::string line = result.output.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    // Case ids hold no blank; a line with one is a message the runner printed on stderr.
    if (!line.empty() && line.find_first_of(" \t") == std::string::npos) ids.push_back(std::move(line));
    start = end + 1;
  }
  return ids;
}

std::string runner_version_text(const runner_binary& runner) {
  process_options options;
  options.timeout = std::chrono::seconds(30);
  const process_result result = run_process({runner.path, "--version"}, options);
  if (!result.succeeded()) return "unavailable: " + result.describe_failure(options.timeout);
  return last_lines(result.output, 20);
}

int compare_run(const run_request& request, const run_folder& folder, const std::string& baseline,
                const std::string& fail_on, std::ostream& out, std::ostream& err, bool colour) {
  if (request.runners.empty()) return 0;
  compare_arguments arguments;
  arguments.inputs = {folder.path().string()};
  arguments.baseline = baseline.empty() ? request.runners.front().toolkit : baseline;
  arguments.fail_on = fail_on;
  int status = 0;
  if (request.runners.size() > 1) {
    arguments.out_dir = folder.compare_path().string();
    status = run_compare(arguments, out, err, colour);
  }
  if (request.gpus.size() < 2) return status;
  // Two GPUs of one model should agree within noise; the toolkit comparison pairs GPU k with GPU k and so cannot
  // show a card that differs, this one does. A differing card says something of the machine, not of the toolkits,
  // so the run's exit status stays the toolkit comparison's.
  arguments.across_gpus = true;
  arguments.out_dir = folder.compare_gpus_path().string();
  arguments.formats = "csv,markdown,junit,html";
  const int gpu_status = run_compare(arguments, out, err, colour);
  out << "gpus:     " << arguments.out_dir << " (every GPU of every toolkit against the first GPU of "
      << arguments.baseline << "): "
      << (gpu_status == 0   ? "nothing crosses the gate"
          : gpu_status == 1 ? "some comparisons cross the gate, see " +
                                  (fs::path(arguments.out_dir) / "summary.md").string() +
                                  "; they leave the exit status to the toolkits' comparison"
                            : std::string("the comparison failed (the error is above)"))
      << "\n";
  return status;
}

results_summary summarize_results(const std::string& results_csv) {
  const csv_table table = read_csv_table(results_csv);
  const std::size_t status_column = table.require_column("status");
  const std::size_t toolkit_column = table.require_column("toolkit");
  const std::size_t library_columns[] = {table.require_column("library"), table.require_column("library_built_version"),
                                         table.require_column("library_loaded_version"),
                                         table.require_column("library_path")};
  std::map<case_status, std::size_t> counts;
  std::map<std::string, std::set<std::vector<std::string>>> libraries;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    const auto status = parse_case_status(row[status_column]);
    if (!status)
      throw std::runtime_error(results_csv + ":" + std::to_string(table.row_lines[r]) + ":" +
                               std::to_string(status_column + 1) + ": expected a status, found '" +
                               row[status_column] + "'");
    ++counts[*status];
    if (!row[library_columns[0]].empty())
      libraries[row[toolkit_column]].insert({row[library_columns[0]], row[library_columns[1]],
                                             row[library_columns[2]], row[library_columns[3]]});
  }
  results_summary summary;
  for (const auto& [status, count] : counts) summary.status_counts.emplace_back(to_string(status), count);
  for (const auto& [toolkit, set] : libraries)
    for (const auto& library : set)
      summary.libraries[toolkit].push_back({library[0], library[1], library[2], library[3]});
  return summary;
}

}  // namespace cubench
