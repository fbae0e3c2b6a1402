#include "suite_runner.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>

#include "case_registry.hpp"
#include "csv_writer.hpp"
#include "cuda_call.cuh"
#include "runner_build_info.hpp"
#include "runner_env.hpp"
#include "suite_parser.hpp"

namespace cubench {
namespace {

// The cases to run: the suite's, or those --cases-file names, in its order.
std::vector<registered_case> selected_cases(const suite_run_options& options) {
  std::vector<registered_case> cases = load_suite_cases(options.suite_path);
  if (options.cases_file.empty()) return cases;
  std::map<std::string, registered_case> by_id;
  for (auto& c : cases) by_id.emplace(c.case_id, std::move(c));
  std::ifstream file(options.cases_file);
  if (!file) throw suite_error(options.cases_file + ": expected a readable cases file, found none");
  std::vector<registered_case> selected;
  std::string text;
  for (unsigned line = 1; std::getline(file, text); ++line) {
    if (text.empty()) continue;
    const std::string where = options.cases_file + ":" + std::to_string(line) + ":";
    const auto blank = text.find(' ');
    const std::string id = text.substr(0, blank);
    const auto it = by_id.find(id);
    if (it == by_id.end())
      throw suite_error(where + "1: expected a case id of " + options.suite_path + ", found '" + id + "'");
    selected.push_back(it->second);
    if (blank == std::string::npos) continue;
    const std::string pin = text.substr(blank + 1);
    const std::string key = "launches_per_sample=";
    char* end = nullptr;
    const long launches = pin.rfind(key, 0) == 0 ? std::strtol(pin.c_str() + key.size(), &end, 10) : 0;
    if (launches <= 0 || launches > 1'000'000 || end == nullptr || *end != '\0')
      throw suite_error(where + std::to_string(blank + 2) + ": expected launches_per_sample=N (N from 1 to 1000000) " +
                        "after the case id, found '" + pin + "'");
    selected.back().launches_per_sample = static_cast<int>(launches);
  }
  return selected;
}

std::string cuda_version_text(int encoded) {
  return std::to_string(encoded / 1000) + "." + std::to_string(encoded % 1000 / 10);
}

// The columns every row of this run shares.
result_record run_provenance(const suite_run_options& options, const runner_env& env, const gpu_env& gpu) {
  result_record r;
  const auto& build = build_info();
  r.run_id = options.run_id;
  r.toolkit = build.toolkit_version;
  // NVML's index, so that a runner pinned to one GPU of several by CUDA_VISIBLE_DEVICES names the GPU as nvidia-smi
  // and bench run's --gpus do.
  r.gpu_index = gpu.nvml_index ? static_cast<int>(*gpu.nvml_index) : options.device;
  r.gpu_uuid = gpu.uuid;
  r.gpu_name = gpu.name;
  r.cubench_version = build.cubench_version;
  r.nvcc_version = build.nvcc_version;
  int runtime = 0;
  BENCH_CUDA_TRY(cudaRuntimeGetVersion(&runtime));
  r.runtime_version = cuda_version_text(runtime);
  r.driver_version = env.nvml.driver_version;
  r.driver_cuda_version = cuda_version_text(env.driver_cuda_version);
  r.compute_capability = std::to_string(gpu.cc_major) + "." + std::to_string(gpu.cc_minor);
  r.sm_count = gpu.sm_count;
  if (gpu.max_sm_clock_mhz) r.sm_clock_max_mhz = static_cast<int>(*gpu.max_sm_clock_mhz);
  const char* module_loading = std::getenv("CUDA_MODULE_LOADING");
  r.module_loading = module_loading != nullptr ? module_loading : "";
  return r;
}

// The @cubench lines, each flushed at once.
class protocol_stream {
 public:
  explicit protocol_stream(int fd) : file_(fd >= 0 ? fdopen(fd, "w") : stdout) {
    if (file_ == nullptr) throw std::runtime_error("--protocol-fd " + std::to_string(fd) + ": cannot write to it");
  }
  void line(const std::string& text) {
    std::fprintf(file_, "@cubench %s\n", text.c_str());
    std::fflush(file_);
  }

 private:
  std::FILE* file_;
};

// Everything the registered benchmarks share while the run lasts.
struct suite_session {
  const suite_run_options& options;
  case_context context;
  result_record provenance;
  clock_monitor& clocks;
  csv_appender& results;
  csv_appender& samples;
  protocol_stream& protocol;
};

void run_registered_case(benchmark::State& state, suite_session& session, const registered_case& registered) {
  for (auto _ : state) {
    session.protocol.line("begin " + registered.case_id);
    case_outcome outcome;
    try {
      outcome = run_case(registered, session.context, session.clocks, session.provenance);
    } catch (const sticky_device_error& e) {
      std::fprintf(stderr, "bench-runner: %s: %s\n", registered.case_id.c_str(), e.what());
      std::fflush(stderr);
      std::_Exit(runner_exit::failure);
    }
    // The samples first: a results row says that its case ended, with every sample written (bench run drops the
    // samples of a case a killed runner left without a row).
    const result_record& r = outcome.record;
    for (std::size_t i = 0; i < outcome.samples_ms.size(); ++i)
      session.samples.append(samples_row({r.run_id, r.case_id, r.toolkit, r.gpu_uuid, static_cast<int>(i),
                                          outcome.samples_ms[i], outcome.sample_placements[i]}));
    session.results.append(results_row(r));
    session.protocol.line("end " + registered.case_id + " " + std::string(to_string(r.status)));
    if (!r.median_ms) {
      state.SkipWithError((std::string(to_string(r.status)) + ": " + r.reason).c_str());
      continue;
    }
    state.SetIterationTime(*r.median_ms * 1e-3);
    if (r.tflops) state.counters["TFLOP/s"] = *r.tflops;
    if (r.noise_rel) state.counters["noise"] = *r.noise_rel;
    if (r.samples) state.counters["samples"] = *r.samples;
    if (r.launches_per_sample) state.counters["launches"] = *r.launches_per_sample;
    if (r.status != case_status::passed) state.SetLabel(std::string(to_string(r.status)) + ": " + r.reason);
  }
}

}  // namespace

int list_suite_cases(const suite_run_options& options, std::ostream& out) {
  try {
    for (const auto& c : selected_cases(options)) out << c.case_id << "\n";
  } catch (const suite_error& e) {
    std::cerr << "bench-runner: " << e.what() << "\n";
    return runner_exit::usage_error;
  }
  return runner_exit::ok;
}

int run_suite(const suite_run_options& options) {
  std::vector<registered_case> cases;
  try {
    cases = selected_cases(options);
  } catch (const suite_error& e) {
    std::cerr << "bench-runner: " << e.what() << "\n";
    return runner_exit::usage_error;
  }
  std::vector<std::string> benchmark_argv_text{"bench-runner"};
  benchmark_argv_text.insert(benchmark_argv_text.end(), options.benchmark_args.begin(), options.benchmark_args.end());
  std::vector<char*> benchmark_argv;
  for (auto& arg : benchmark_argv_text) benchmark_argv.push_back(arg.data());
  int benchmark_argc = static_cast<int>(benchmark_argv.size());
  benchmark::Initialize(&benchmark_argc, benchmark_argv.data());
  if (benchmark_argc > 1) {
    std::cerr << "bench-runner: expected Google Benchmark options, found '" << benchmark_argv[1] << "'\n";
    return runner_exit::usage_error;
  }

  BENCH_CUDA_TRY(cudaSetDevice(options.device));
  const runner_env env = collect_env();
  if (options.device < 0 || options.device >= static_cast<int>(env.gpus.size()))
    throw std::runtime_error("--device " + std::to_string(options.device) + ": expected a CUDA ordinal below " +
                             std::to_string(env.gpus.size()) +
                             (env.device_error.empty() ? "" : " (" + env.device_error + ")"));
  const gpu_env& gpu = env.gpus[static_cast<std::size_t>(options.device)];
  BENCH_CUDA_TRY(cudaSetDevice(options.device));

  std::filesystem::create_directories(options.out_dir);
  csv_appender results((std::filesystem::path(options.out_dir) / "results.csv").string(), results_header());
  csv_appender samples((std::filesystem::path(options.out_dir) / "samples.csv").string(), samples_header());
  protocol_stream protocol(options.protocol_fd);
  const cuda_stream stream;
  clock_monitor clocks(gpu.uuid);
  library_handles handles;

  case_context context;
  context.device = options.device;
  context.env = &env;
  context.gpu = &gpu;
  context.stream = stream.get();
  context.handles = &handles;
  context.options = options.measurement;
  suite_session session{options, context, run_provenance(options, env, gpu), clocks, results, samples, protocol};
  for (const auto& registered : cases) {
    benchmark::RegisterBenchmark(registered.case_id.c_str(),
                                 [&session, &registered](benchmark::State& state) {
                                   run_registered_case(state, session, registered);
                                 })
        ->UseManualTime()
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  protocol.line("done");
  return runner_exit::ok;
}

}  // namespace cubench
