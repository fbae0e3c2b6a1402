// `bench run` (and the bare `bench --toolkits ...`): build the runners, find the GPUs, run every toolkit's runner
// on every GPU under supervision, assemble the results, write the manifest, compare, and say where it all went.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "commands.hpp"
#include "compare.hpp"
#include "compare_command.hpp"
#include "orchestrator.hpp"
#include "progress.hpp"
#include "run_folder.hpp"
#include "runner_build.hpp"
#include "sha256.hpp"
#include "toolkit_discovery.hpp"
#include "version_parsing.hpp"
#include "version.hpp"

namespace cubench {
namespace fs = std::filesystem;

namespace {

std::atomic<bool> stop_requested{false};

void request_stop(int) { stop_requested.store(true); }

// SIGINT, SIGTERM and SIGHUP stop the run cleanly (runners killed, folder resumable) while this lives.
class stop_on_signals {
 public:
  stop_on_signals() {
    struct sigaction action {};
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < std::size(signals_); ++i) sigaction(signals_[i], &action, &previous_[i]);
  }
  stop_on_signals(const stop_on_signals&) = delete;
  stop_on_signals& operator=(const stop_on_signals&) = delete;
  ~stop_on_signals() {
    for (std::size_t i = 0; i < std::size(signals_); ++i) sigaction(signals_[i], &previous_[i], nullptr);
  }

 private:
  static constexpr int signals_[] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction previous_[std::size(signals_)] {};
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "bench run: " << message << "\n";
  throw command_exit{exit_usage_error};
}

// The items of a comma-separated option, empty ones left out.
std::vector<std::string> list_items(const std::string& text) {
  std::vector<std::string> items = split_list(text);
  items.erase(std::remove(items.begin(), items.end(), std::string()), items.end());
  return items;
}

// The folders a suite name is looked up in: $CUBENCH_SUITE_DIR, ./bench/suites, and this checkout's.
std::vector<fs::path> suite_folders() {
  std::vector<fs::path> folders;
  if (const char* dir = std::getenv("CUBENCH_SUITE_DIR"); dir != nullptr && *dir != '\0') folders.emplace_back(dir);
  folders.emplace_back("bench/suites");
  folders.push_back(fs::path(BENCH_DEFAULT_SOURCE_DIR) / "bench" / "suites");
  return folders;
}

// A suite is a CSV path, a file name under a suite folder (gemm_quick), or a name that every family's file of
// that name answers to (quick: gemm_quick.csv, spmm_quick.csv, ...); several are separated by commas.
std::vector<std::string> resolve_suite_files(const std::string& suite) {
  std::vector<std::string> files;
  for (const auto& name : list_items(suite)) {
    if (name.find('/') != std::string::npos || fs::path(name).extension() == ".csv") {
      if (!fs::is_regular_file(name)) usage_error("--suite: no such file: " + name);
      files.push_back(fs::absolute(name).lexically_normal().string());
      continue;
    }
    std::vector<std::string> found;
    std::string known;
    for (const auto& folder : suite_folders()) {
      if (!fs::is_directory(folder)) continue;
      const bool exact = fs::is_regular_file(folder / (name + ".csv"));
      if (exact) found.push_back((folder / (name + ".csv")).string());
      std::vector<fs::path> entries;
      for (const auto& entry : fs::directory_iterator(folder)) entries.push_back(entry.path());
      std::sort(entries.begin(), entries.end());
      for (const auto& entry : entries) {
        const std::string stem = entry.stem().string();
        if (entry.extension() != ".csv") continue;
        known += (known.empty() ? "" : ", ") + stem;
        const std::string suffix = "_" + name;
        if (!exact && stem.size() > suffix.size() && stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0)
          found.push_back(entry.string());
      }
      if (!found.empty()) break;
    }
    if (found.empty())
      usage_error("--suite: expected a suite file or name, found '" + name + "'; suites here: " +
                  (known.empty() ? std::string("none") : known));
    for (auto& file : found) files.push_back(fs::absolute(file).lexically_normal().string());
  }
  return files;
}

// This process's argv as the kernel has it, for the manifest (the CLI parser keeps no copy).
std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  std::string arg;
  while (std::getline(in, arg, '\0')) args.push_back(arg);
  return args;
}

std::string default_run_id(const shard_spec& shard) {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &utc);
  std::string id = text;
  if (shard.count > 1) id += "-shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count);
  return id;
}

// --runner X.Y=PATH first; then, with --no-build, the runners a previous `bench build` left; else build them now.
std::vector<runner_binary> find_runners(const std::vector<std::string>& toolkits,
                                        const std::vector<std::string>& runner_flags, bool no_build,
                                        const build_options& build) {
  std::map<std::string, std::string> given;
  for (const auto& flag : runner_flags) {
    const auto equals = flag.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == flag.size())
      usage_error("--runner: expected X.Y=PATH, found '" + flag + "'");
    given[flag.substr(0, equals)] = flag.substr(equals + 1);
  }
  for (const auto& [toolkit, path] : given)
    if (std::find(toolkits.begin(), toolkits.end(), toolkit) == toolkits.end())
      usage_error("--runner " + toolkit + "=" + path + ": toolkit " + toolkit + " is not in --toolkits");

  std::vector<std::string> to_build;
  for (const auto& toolkit : toolkits)
    if (given.count(toolkit) == 0) to_build.push_back(toolkit);
  if (!to_build.empty() && no_build) {
    for (const auto& toolkit : to_build) {
      const std::string dir = "cuda-" + toolkit + (build.link == link_mode::static_libraries ? "-static" : "");
      given[toolkit] = (fs::path(build.build_dir) / "runners" / dir / "bench-runner").string();
    }
  } else if (!to_build.empty()) {
    std::string list;
    for (const auto& toolkit : to_build) list += (list.empty() ? "" : ",") + toolkit;
    const discovery_result found = discover_toolkits(discovery_options{});
    std::string error;
    const auto selected = select_toolkits(found, list, error);
    if (!error.empty()) usage_error(error);
    const std::string sources = hash_runner_sources(build);
    for (const auto* toolkit : selected) {
      const auto plan = plan_runner_build(*toolkit, build, sources);
      if (!plan.up_to_date) std::cout << "building " << plan.name << " (log: " << plan.log_path << ")\n" << std::flush;
      const auto report = execute_runner_build(plan);
      if (report.status == build_status::failed)
        usage_error("building " + plan.name + " failed: " + report.error + "\n" + report.error_excerpt);
      std::cout << plan.name << " " << to_string(report.status) << ": " << plan.runner << "\n";
      given[toolkit->version().major_minor()] = plan.runner;
    }
  }

  std::vector<runner_binary> runners;
  for (const auto& toolkit : toolkits) {
    const auto it = given.find(toolkit);
    if (it == given.end()) usage_error("no runner for toolkit " + toolkit);
    if (::access(it->second.c_str(), X_OK) != 0)
      usage_error("the runner for " + toolkit + ", " + it->second + ", is not an executable file; build it with " +
                  "`bench build --toolkits " + toolkit + "` or give --runner " + toolkit + "=PATH");
    runners.push_back({toolkit, fs::absolute(it->second).lexically_normal().string()});
  }
  return runners;
}

gpu_inventory require_gpus() {
  gpu_inventory inventory = enumerate_gpus();
  if (!inventory.error.empty() || inventory.gpus.empty()) {
    std::cerr << "bench run: no GPU to run on: "
              << (inventory.error.empty() ? std::string("NVML lists none") : inventory.error)
              << ". Nothing was run and nothing was written; `bench doctor` explains this machine's CUDA setup.\n";
    throw command_exit{exit_usage_error};
  }
  return inventory;
}

// The cases of every suite file, listed by the first runner, then this run's shard of them.
std::vector<suite_cases> plan_cases(const std::vector<runner_binary>& runners, run_manifest& manifest) {
  std::vector<suite_cases> all;
  for (auto& file : manifest.suite_files) {
    all.push_back({file.path, list_runner_cases(runners.front(), file.path)});
    file.cases = all.back().case_ids.size();
  }
  return shard_cases(all, manifest.shard);
}

void hash_suite_files(run_manifest& manifest) {
  std::string all;
  for (auto& file : manifest.suite_files) {
    std::ifstream in(file.path, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    file.sha256 = sha256_hex(bytes);
    all += bytes;
  }
  manifest.suite_sha256 = sha256_hex(all);
}

// Runs (or resumes) the run that `manifest` describes in `folder`, then assembles, compares and reports.
int execute(run_folder& folder, run_manifest& manifest, const std::vector<runner_binary>& runners,
            const std::string& baseline, const std::string& fail_on, bool compare) {
  run_request request;
  request.run_id = manifest.run_id;
  request.runners = runners;
  request.gpus = manifest.gpus;
  request.rounds = manifest.rounds;
  request.processes = manifest.processes;
  request.placements_per_process = manifest.placements_per_process;
  request.case_timeout = std::chrono::milliseconds(static_cast<long long>(manifest.case_timeout_s * 1000));
  request.hot = manifest.hot;
  request.driver_version = manifest.driver_version;
  request.cases = plan_cases(runners, manifest);
  manifest.state = "running";
  manifest.ended_at.clear();
  write_manifest(folder.manifest_path(), manifest);

  std::size_t case_count = 0;
  for (const auto& suite : request.cases) case_count += suite.case_ids.size();
  std::cout << "run " << manifest.run_id << ": " << case_count << " case(s) of suite " << manifest.suite
            << (manifest.shard.count > 1 ? " (shard " + to_string(manifest.shard) + ")" : std::string()) << " x "
            << runners.size() << " toolkit(s) x " << request.gpus.size() << " GPU(s), each case in "
            << request.processes << " runner process(es) of " << request.placements_per_process << " placement(s), in "
            << folder.path().string() << "\n";
  progress_display progress(std::cout, ::isatty(STDOUT_FILENO) != 0);
  stop_requested.store(false);
  run_outcome outcome;
  {
    const stop_on_signals handlers;
    outcome = execute_run(request, folder, progress, stop_requested);
  }
  progress.finish();

  if (outcome.interrupted) {
    manifest.state = "interrupted";
    write_manifest(folder.manifest_path(), manifest);
    std::cout << "interrupted: " << outcome.already_ended + outcome.ended << " of " << outcome.total_cases
              << " cases ended; complete the run with: bench run --resume " << folder.path().string() << "\n";
    return 130;
  }

  assemble_results(request, folder);
  const results_summary summary = summarize_results(folder.results_path().string());
  for (auto& toolkit : manifest.toolkits)
    if (const auto it = summary.libraries.find(toolkit.version); it != summary.libraries.end())
      toolkit.libraries = it->second;
  manifest.status_counts = summary.status_counts;
  manifest.ended_at = utc_now_iso8601();
  manifest.state = "finished";
  write_manifest(folder.manifest_path(), manifest);

  std::cout << "results:  " << folder.results_path().string() << "\n"
            << "samples:  " << folder.samples_path().string() << "\n"
            << "manifest: " << folder.manifest_path().string() << "\n"
            << "runners:  " << (folder.path() / "runs").string() << " (" << outcome.runner_starts
            << " runner process(es) this time)\n";
  if (!outcome.incidents.empty()) {
    std::cout << "incidents:\n";
    for (const auto& incident : outcome.incidents) std::cout << "  " << incident << "\n";
  }
  if (!compare) return 0;
  return compare_run(request, folder, baseline, fail_on, std::cout, std::cerr,
                     ::isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr);
}

}  // namespace

void register_run_command(CLI::App& app) {
  auto* command = app.add_subcommand(
      "run", "Build, run every toolkit's runner on every GPU, compare and report (`bench --toolkits ...` for short)");
  struct settings {
    std::string toolkits;
    std::string gpus = "all";
    std::string suite = "nightly";
    std::string baseline;
    std::string out;
    std::string run_id;
    std::vector<std::string> runners;
    bool no_build = false;
    std::string link = "shared";
    std::string build_dir = "build";
    std::string shard = "1/1";
    int rounds = 8;
    int processes = 4;
    int placements = 8;
    double case_timeout_s = 60;
    bool hot = false;
    std::string resume;
    bool no_compare = false;
    std::string fail_on = compare_arguments{}.fail_on;
  };
  auto s = std::make_shared<settings>();
  command->add_option("--toolkits", s->toolkits, "Comma-separated releases, e.g. 11.8,12.4 (the first is the baseline)");
  command->add_option("--gpus", s->gpus, "'all', or NVML indices or UUIDs, comma-separated")->capture_default_str();
  command->add_option("--suite", s->suite, "Suite name (quick, nightly: every family's file), file name or CSV path")
      ->capture_default_str();
  command->add_option("--baseline", s->baseline, "The toolkit compared against (default: the first of --toolkits)");
  command->add_option("--out", s->out, "The run folder (default: results/RUN_ID)")->type_name("DIR");
  command->add_option("--run-id", s->run_id, "The run's id (default: the --out folder's name, or the UTC time)");
  command->add_option("--runner", s->runners, "Use a prebuilt runner for a toolkit, X.Y=PATH (repeatable)")
      ->type_name("X.Y=PATH")
      ->allow_extra_args(false);
  command->add_flag("--no-build", s->no_build, "Use the runners under --build-dir as they are; build nothing");
  command->add_option("--link", s->link, "Runners linked 'shared' or 'static'")->capture_default_str();
  command->add_option("--build-dir", s->build_dir, "Where `bench build` puts runners/")->capture_default_str();
  command->add_option("--shard", s->shard, "Run only part i of N of the cases (see `bench plan`)")
      ->type_name("i/N")
      ->capture_default_str();
  command->add_option("--rounds", s->rounds, "Chunks of cases the toolkits take turns on, per GPU")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command->add_option("--processes", s->processes,
                      "Runner processes that measure each case, one pass of the schedule each (docs/orchestrator.md)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command->add_option("--placements", s->placements,
                      "Placements of each case's buffers, shared among its processes (at least one each)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command->add_option("--case-timeout", s->case_timeout_s, "Seconds a case may run before it is timed_out")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  command->add_flag("--hot", s->hot, "Measure with a hot L2 (the runners' --hot)");
  command->add_option("--resume", s->resume, "Complete an interrupted run in DIR, skipping the cases that ended")
      ->type_name("DIR");
  command->add_flag("--no-compare", s->no_compare, "Stop after the results are assembled");
  command->add_option("--fail-on", s->fail_on, "Findings that make the exit status 1 (see bench compare)")
      ->capture_default_str();

  command->callback([s] {
    const std::vector<std::string> command_line = own_command_line();
    try {
      parse_fail_on(s->fail_on);
    } catch (const std::exception& e) {
      usage_error(std::string("--fail-on: ") + e.what());
    }

    if (!s->resume.empty()) {
      if (!s->toolkits.empty() || !s->runners.empty())
        usage_error("--resume takes the toolkits, runners, GPUs and suite from the run's manifest; give none of them");
      run_folder folder = [&] {
        try {
          return run_folder::open(s->resume);
        } catch (const run_folder_error& e) {
          usage_error(e.what());
        }
      }();
      run_manifest manifest = read_manifest(folder.manifest_path());
      if (manifest.state == "finished") usage_error(s->resume + " holds a finished run; there is nothing to resume");
      const gpu_inventory inventory = require_gpus();
      for (const auto& gpu : manifest.gpus)
        if (std::none_of(inventory.gpus.begin(), inventory.gpus.end(), [&](const gpu_info& g) { return g.uuid == gpu.uuid; }))
          usage_error("the run used GPU " + gpu.uuid + " (" + gpu.name + "), which is not on this machine");
      const std::string old_hash = manifest.suite_sha256;
      hash_suite_files(manifest);
      if (manifest.suite_sha256 != old_hash)
        usage_error("the suite files changed since the run started (sha256 " + old_hash.substr(0, 12) + ", now " +
                    manifest.suite_sha256.substr(0, 12) + "); resuming would mix two suites");
      std::vector<runner_binary> runners;
      for (const auto& toolkit : manifest.toolkits) runners.push_back({toolkit.version, toolkit.runner});
      throw command_exit{execute(folder, manifest, runners, s->baseline, s->fail_on, !s->no_compare)};
    }

    const auto toolkits = list_items(s->toolkits);
    if (toolkits.empty()) usage_error("--toolkits: expected one or more releases such as 11.8,12.4, found none");
    if (!s->baseline.empty() && std::find(toolkits.begin(), toolkits.end(), s->baseline) == toolkits.end())
      usage_error("--baseline " + s->baseline + " is not one of --toolkits " + s->toolkits);
    std::string error;
    const shard_spec shard = parse_shard(s->shard, error);
    if (!error.empty()) usage_error(error);
    const auto link = parse_link_mode(s->link);
    if (!link) usage_error("--link: expected 'shared' or 'static', found '" + s->link + "'");

    const gpu_inventory inventory = require_gpus();
    const auto gpus = select_gpus(inventory, s->gpus, error);
    if (!error.empty()) usage_error(error);
    const auto suite_files = resolve_suite_files(s->suite);

    build_options build;
    build.source_dir = BENCH_DEFAULT_SOURCE_DIR;
    build.cudnn_frontend_include_dir = BENCH_DEFAULT_CUDNN_FRONTEND_INCLUDE_DIR;
    build.build_dir = s->build_dir;
    build.link = *link;
    const auto runners = find_runners(toolkits, s->runners, s->no_build, build);

    const std::string run_id =
        !s->run_id.empty() ? s->run_id : !s->out.empty() ? fs::path(s->out).filename().string() : default_run_id(shard);
    const fs::path out = s->out.empty() ? fs::path("results") / run_id : fs::path(s->out);
    run_folder folder = [&] {
      try {
        return run_folder::create(out);
      } catch (const run_folder_error& e) {
        usage_error(e.what());
      }
    }();

    run_manifest manifest;
    manifest.run_id = run_id;
    manifest.cubench_version = std::string(cubench_version());
    manifest.git_sha = std::string(cubench_git_sha());
    manifest.command_line = command_line;
    std::tie(manifest.host, manifest.os) = host_and_os();
    manifest.driver_version = inventory.driver_version;
    manifest.cuda_driver_version = inventory.cuda_driver_version;
    manifest.gpus = gpus;
    for (const auto& runner : runners)
      manifest.toolkits.push_back({runner.toolkit, runner.path, runner_version_text(runner), {}});
    manifest.suite = s->suite;
    for (const auto& file : suite_files) manifest.suite_files.push_back({file, "", 0});
    hash_suite_files(manifest);
    manifest.shard = shard;
    manifest.rounds = s->rounds;
    manifest.processes = s->processes;
    manifest.placements_per_process = (s->placements + s->processes - 1) / s->processes;
    manifest.case_timeout_s = s->case_timeout_s;
    manifest.hot = s->hot;
    manifest.started_at = utc_now_iso8601();
    throw command_exit{execute(folder, manifest, runners, s->baseline, s->fail_on, !s->no_compare)};
  });
}

}  // namespace cubench
