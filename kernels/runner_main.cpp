// bench-runner: the per-toolkit process that runs cases. One action per invocation, chosen by a flag;
// --version and --list need no GPU, --env reports the driver, the GPUs and the libraries loaded.
#include <exception>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "case_families.hpp"
#include "library_versions.hpp"
#include "runner_build_info.hpp"
#include "runner_env.hpp"
#include "spmm/spmm_cases.hpp"
#include "spmm_suite.hpp"
#include "suite_runner.hpp"

namespace cubench {
namespace {

int print_version(bool json) {
  const auto libraries = built_libraries();
  if (json) {
    auto entries = nlohmann::json::array();
    for (const auto& library : libraries) {
      entries.push_back({
          {"name", library.name},
          {"built", library.version ? nlohmann::json(to_string(*library.version)) : nlohmann::json()},
          {"absent_reason", library.absent_reason},
          {"header_only", library.header_only},
      });
    }
    std::cout << nlohmann::json{{"runner", build_info_json()}, {"libraries", entries}}.dump(2) << "\n";
    return runner_exit::ok;
  }
  const auto& info = build_info();
  std::cout << "bench-runner " << info.cubench_version << " (" << info.git_sha << ")\n"
            << "toolkit: CUDA " << info.toolkit_version << " at " << info.toolkit_root << "\n"
            << "nvcc: " << info.nvcc_version << "\n"
            << "host compiler: " << info.host_compiler << "\n"
            << "link mode: " << info.link_mode << "\n"
            << "architectures: " << info.cuda_architectures << "\n"
            << "built against:\n";
  for (const auto& library : libraries) {
    std::cout << "  " << std::left << std::setw(10) << library.name
              << (library.version ? to_string(*library.version) : "absent: " + library.absent_reason) << "\n";
  }
  return runner_exit::ok;
}

int print_families(bool json) {
  const auto families = case_families();
  if (json) {
    auto entries = nlohmann::json::array();
    for (const auto& f : families) {
      entries.push_back({{"family", f.family},
                         {"impl", f.impl},
                         {"library", f.library},
                         {"library_version", f.library_version},
                         {"library_present", f.not_supported_reason.empty()},
                         {"not_supported_reason", f.not_supported_reason}});
    }
    std::cout << nlohmann::json{{"families", entries}}.dump(2) << "\n";
    return runner_exit::ok;
  }
  const auto column = [](const std::string& text, int width) { std::cout << std::left << std::setw(width) << text; };
  column("family", 8);
  column("impl", 10);
  column("library", 22);
  std::cout << "library status\n";
  for (const auto& f : families) {
    column(f.family, 8);
    column(f.impl, 10);
    column(f.library + " " + f.library_version, 22);
    std::cout << (f.not_supported_reason.empty() ? "present" : "not_supported: " + f.not_supported_reason) << "\n";
  }
  return runner_exit::ok;
}

int print_env(bool json) {
  const runner_env env = collect_env();
  if (json) {
    std::cout << env_json(env).dump(2) << "\n";
  } else {
    write_env_text(env, std::cout);
  }
  const int status = env_exit_status(env);
  if (status == runner_exit::no_device) {
    std::cerr << "bench-runner: --env: " << env.device_error
              << "; the driver and GPU sections need a GPU (exit status " << status << ")\n";
  }
  return status;
}

}  // namespace
}  // namespace cubench

int main(int argc, char** argv) {
  // Google Benchmark's own options (--benchmark_filter, --benchmark_repetitions, ...) go to it untouched.
  cubench::suite_run_options suite;
  std::vector<char*> runner_args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::string(argv[i]).rfind("--benchmark_", 0) == 0)
      suite.benchmark_args.emplace_back(argv[i]);
    else
      runner_args.push_back(argv[i]);
  }
  CLI::App app{"bench-runner: runs cubench cases with the CUDA toolkit it was built with"};
  bool version = false;
  bool list = false;
  bool env = false;
  bool json = false;
  auto* version_flag = app.add_flag("--version", version, "Print the build: toolkit, compilers, link mode, libraries");
  auto* list_flag = app.add_flag(
      "--list", list, "Print the case families and whether each one's library is present; with --suite, its cases");
  auto* env_flag = app.add_flag("--env", env, "Print driver, GPUs, and each library's built and loaded versions");
  app.add_flag("--json", json, "Print as JSON");
  auto* suite_option = app.add_option("--suite", suite.suite_path, "Run the cases of this suite CSV (bench/suites/)");
  app.add_option("--cases-file", suite.cases_file,
                 "Run only the case ids listed in this file, in its order; a line `ID launches_per_sample=N` times "
                 "that case with N launches a sample")
      ->needs(suite_option);
  app.add_option("--out", suite.out_dir, "Append results.csv and samples.csv in this folder")->needs(suite_option);
  app.add_option("--device", suite.device, "CUDA ordinal to run on")->capture_default_str();
  app.add_option("--run-id", suite.run_id, "The run_id column of every row");
  std::string matrix_dir;
  app.add_option("--matrix-dir", matrix_dir,
                 "Folder of the .mtx files spmm suites name (default: $CUBENCH_MATRIX_DIR)");
  bool hot = false;
  app.add_flag("--hot", hot, "Keep the L2 warm: no flush, no input rotation");
  double case_timeout_s = 60;
  app.add_option("--case-timeout-s", case_timeout_s, "Per-case time limit, enforced by the orchestrator (bench run)");
  app.add_option("--protocol-fd", suite.protocol_fd, "File descriptor for the @cubench protocol lines (default stdout)");
  app.add_option("--target-noise", suite.measurement.stopping.target_noise_rel,
                 "Sample until the median's 95% interval is narrower than this, relative")
      ->capture_default_str();
  app.add_option("--settle-s", suite.measurement.settle_s,
                 "Take and drop samples for this long before a case's first kept one, so that clocks settle")
      ->capture_default_str();
  app.add_option("--min-time-s", suite.measurement.stopping.min_time_s,
                 "Sample a case at least this long before it may converge")
      ->capture_default_str();
  app.add_option("--time-cap-s", suite.measurement.stopping.time_cap_s, "Stop sampling a case after this long")
      ->capture_default_str();
  app.add_option("--min-samples", suite.measurement.stopping.min_samples, "Samples before the stopping rule may stop")
      ->capture_default_str();
  app.add_option("--max-samples", suite.measurement.stopping.max_samples, "Samples after which a case stops")
      ->capture_default_str();
  app.add_option("--launches-per-sample", suite.measurement.launches_per_sample,
                 "Launches a sample times: 1 for events, more for a CUDA graph; 0 chooses by the warm-up's estimate")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--placements", suite.measurement.placements,
                 "Allocations of its buffers each case is measured in, sharing the time and sample limits")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  version_flag->excludes(list_flag)->excludes(env_flag);
  list_flag->excludes(env_flag);

  try {
    app.parse(static_cast<int>(runner_args.size()), runner_args.data());
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? cubench::runner_exit::ok : cubench::runner_exit::usage_error;
  }
  cubench::set_matrix_dir(cubench::resolve_matrix_dir(matrix_dir));
  suite.measurement.cold = !hot;
  try {
    if (version) return cubench::print_version(json);
    if (list) return suite.suite_path.empty() ? cubench::print_families(json) : cubench::list_suite_cases(suite, std::cout);
    if (!suite.suite_path.empty()) {
      if (suite.out_dir.empty()) {
        std::cerr << "bench-runner: --suite: expected --out DIR for results.csv and samples.csv, found none\n";
        return cubench::runner_exit::usage_error;
      }
      return cubench::run_suite(suite);
    }
    if (env) return cubench::print_env(json);
  } catch (const std::exception& e) {
    std::cerr << "bench-runner: " << e.what() << "\n";
    return cubench::runner_exit::failure;
  }
  std::cerr << app.help() << "bench-runner: expected one of --version, --list, --env, --suite\n";
  return cubench::runner_exit::usage_error;
}
