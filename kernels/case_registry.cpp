#include "case_registry.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <new>
#include <set>
#include <sstream>
#include <utility>

#include "conv/conv_cases.hpp"
#include "cuda_call.cuh"
#include "gemm/gemm_cases.hpp"
#include "reference/gemm_reference.cuh"
#include "spmm/spmm_cases.hpp"
#include "runner_build_info.hpp"
#include "suite_parser.hpp"
#include "text_join.hpp"
#include "timing_columns.hpp"

namespace cubench {
namespace {

using suite_reader = std::vector<registered_case> (*)(const suite_table& table);

// One reader per family; a suite names its family in every row.
const std::vector<std::pair<std::string, suite_reader>>& family_readers() {
  static const std::vector<std::pair<std::string, suite_reader>> readers{
      {"gemm", &gemm_suite_cases},
      {"spmm", &spmm_suite_cases},
      {"conv", &conv_suite_cases},
  };
  return readers;
}

std::string utc_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// The SASS architectures a runner carries: entries of CMAKE_CUDA_ARCHITECTURES not marked -virtual.
std::set<int> sass_architectures() {
  std::set<int> archs;
  std::stringstream list(build_info().cuda_architectures);
  std::string entry;
  while (std::getline(list, entry, ';')) {
    if (entry.find("-virtual") != std::string::npos) continue;
    archs.insert(std::atoi(entry.c_str()));
  }
  return archs;
}

// A failure that leaves the context broken shows again on the next synchronization; a transient one
// does not once read.
bool device_is_broken() {
  if (cudaDeviceSynchronize() == cudaSuccess) return false;
  static_cast<void>(cudaGetLastError());
  return cudaDeviceSynchronize() != cudaSuccess;
}

case_status status_of(const cuda_error& e) {
  const std::string& name = e.error_name();
  if (name == "cudaErrorMemoryAllocation" || name == "CUBLAS_STATUS_ALLOC_FAILED") return case_status::out_of_memory;
  if (name == "CUBLAS_STATUS_NOT_SUPPORTED" || name == "CUBLAS_STATUS_ARCH_MISMATCH") return case_status::not_supported;
  if (name == "CUSPARSE_STATUS_NOT_SUPPORTED" || name == "CUSPARSE_STATUS_ARCH_MISMATCH") return case_status::not_supported;
  if (name == "CUSPARSE_STATUS_ALLOC_FAILED" || name == "CUSPARSE_STATUS_INSUFFICIENT_RESOURCES")
    return case_status::out_of_memory;
  // cuDNN 9 refines its statuses: CUDNN_STATUS_NOT_SUPPORTED_SHAPE, ..._ARCH_MISMATCH and so on.
  if (name.rfind("CUDNN_STATUS_NOT_SUPPORTED", 0) == 0) return case_status::not_supported;
  if (name == "CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED" ||
      name == "CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED" || name == "CUDNN_STATUS_ALLOC_FAILED")
    return case_status::out_of_memory;
  return case_status::failed;
}

// The row's timing from the placements measured: the samples of all of them, an interval that covers the spread
// between them, and the clocks seen over all (each placement's report folds in the ones before it).
void record_timing(const std::vector<measurement>& placements, result_record& r, case_outcome& out) {
  const measurement& first = placements.front();
  std::vector<std::vector<double>> samples;
  for (std::size_t p = 0; p < placements.size(); ++p) {
    samples.push_back(placements[p].samples_ms);
    out.samples_ms.insert(out.samples_ms.end(), placements[p].samples_ms.begin(), placements[p].samples_ms.end());
    out.sample_placements.insert(out.sample_placements.end(), placements[p].samples_ms.size(), static_cast<int>(p));
  }
  record_summary(summarize_placements(samples), r);
  r.timing_mode = first.timing_mode;
  r.launches_per_sample = first.launches_per_sample;
  r.cache_mode = first.cache_mode;
  // The first placement that did not converge says why the case stopped where it did.
  stop_reason reason = stop_reason::converged;
  for (const auto& m : placements)
    if (m.reason != stop_reason::converged) {
      reason = m.reason;
      break;
    }
  r.stop_reason = std::string(to_string(reason));
  const clock_report& clocks = placements.back().clocks;
  r.sm_clock_mhz = clocks.min_sm_clock_mhz;
  if (clocks.max_sm_clock_mhz) r.sm_clock_max_mhz = clocks.max_sm_clock_mhz;
  r.temperature_c = clocks.max_temperature_c;
  r.power_w = clocks.max_power_w;
  r.throttle_reasons = clocks.throttle_reasons;
  r.clock_flag = clocks.flagged;
}

// One placement's measurement: its share of the stopping rule, and after the first, a shorter settling (the clocks
// are up from the placement before) and the first's launches per sample, so that every placement is timed alike.
measurement measure_placement(bench_case& bench, int sets, case_context& context, l2_flusher& flusher,
                              clock_monitor& clocks, const std::vector<measurement>& before) {
  measurement_options options = context.options;
  const int placements = std::max(options.placements, 1);
  options.stopping = placement_share(options.stopping, placements);
  if (!before.empty()) {
    options.settle_s /= placements;
    options.launches_per_sample = before.front().launches_per_sample;
  }
  return measure_launches([&bench](cudaStream_t stream, int set) { bench.launch(stream, set); }, sets,
                          context.stream, flusher, clocks, options);
}

// Whether set 0's output keeps its bits over two more launches on the same inputs. An implementation that sums
// with atomics (cuSPARSE's SpMM on some layouts) does not; its hash then differs run to run on one GPU and says
// nothing of a toolkit change.
bool output_repeats(bench_case& bench, case_context& context) {
  const output_view out = bench.output();
  const std::uint64_t first = hash_bits(out.type, out.data, out.count, context.stream);
  for (int launch = 0; launch < 2; ++launch) {
    bench.launch(context.stream, 0);
    if (hash_bits(out.type, out.data, out.count, context.stream) != first) return false;
  }
  return true;
}

// The placements after the first: each a fresh case, L2 flush buffer, library handles and workspace, allocated behind a
// spacer of another size so that they land elsewhere, the case prepared and launched once before it is measured. An
// algorithm a library picks there that differs from the ones before joins `algorithms`. A failure ends the placements
// but keeps those measured, and is returned as the row's note, unless it left the device broken.
std::string measure_more_placements(const registered_case& registered, std::unique_ptr<bench_case>& bench, int sets,
                                    case_context& context, std::optional<l2_flusher>& flusher, clock_monitor& clocks,
                                    std::vector<measurement>& placements, std::vector<std::string>& algorithms) {
  const int wanted = std::max(context.options.placements, 1);
  for (int p = 1; p < wanted; ++p) {
    try {
      bench.reset();
      flusher.reset();
      context.handles->renew();
      const device_buffer spacer(std::max<std::size_t>(placement_spacer_bytes(p), 1));
      flusher.emplace(context.device);
      bench = registered.make();
      bench->configure(context);
      bench->allocate(context, sets);
      bench->prepare(context);
      bench->launch(context.stream, 0);
      BENCH_CUDA_TRY(cudaStreamSynchronize(context.stream));
      result_record described;
      bench->describe(context, described);
      if (std::find(algorithms.begin(), algorithms.end(), described.algorithm) == algorithms.end())
        algorithms.push_back(described.algorithm);
      placements.push_back(measure_placement(*bench, sets, context, *flusher, clocks, placements));
    } catch (const std::exception& e) {
      if (device_is_broken()) throw;
      return "measured in " + std::to_string(p) + " of " + std::to_string(wanted) + " placements: placement " +
             std::to_string(p) + " failed: " + e.what();
    }
  }
  return "";
}

}  // namespace

cublasHandle_t library_handles::cublas() {
  if (!cublas_) cublas_.emplace();
  return cublas_->get();
}

cublasLtHandle_t library_handles::cublaslt() {
  if (!cublaslt_) cublaslt_.emplace();
  return cublaslt_->get();
}

cusparseHandle_t library_handles::cusparse() {
  if (!cusparse_) cusparse_.emplace();
  return cusparse_->get();
}

#if CUBENCH_HAVE_CUDNN
cudnnHandle_t library_handles::cudnn() {
  if (!cudnn_) cudnn_.emplace();
  return cudnn_->get();
}
#endif

void* library_handles::workspace() {
  if (!workspace_) workspace_.emplace(workspace_bytes);
  return workspace_->get();
}

void library_handles::renew() {
  workspace_.reset();
  cublas_.reset();
  cublaslt_.reset();
  cusparse_.reset();
#if CUBENCH_HAVE_CUDNN
  cudnn_.reset();
#endif
}

std::vector<registered_case> load_suite_cases(const std::string& path) {
  const suite_table table = read_suite_table(path);
  const std::string family = suite_family(table);
  for (const auto& [name, reader] : family_readers()) {
    if (name == family) return reader(table);
  }
  std::string known;
  for (const auto& reader : family_readers()) known += (known.empty() ? "" : ", ") + reader.first;
  table.fail(table.rows.front(), "family", "a family this runner runs (" + known + ")");
}

case_outcome run_case(const registered_case& registered, case_context& run_context, clock_monitor& clocks,
                      const result_record& provenance) {
  case_context context = run_context;
  if (registered.launches_per_sample > 0) context.options.launches_per_sample = registered.launches_per_sample;
  case_outcome out;
  result_record& r = out.record;
  r = provenance;
  std::unique_ptr<bench_case> bench = registered.make();
  bench->identify(r);
  bool cuda_failure = false;
  try {
    bench->configure(context);
    std::optional<l2_flusher> flusher(std::in_place, context.device);
    const int sets =
        rotation_sets(bench->working_set_bytes(), flusher->l2_bytes(), context.options.cold, context.options.plan);
    bench->allocate(context, sets);
    BENCH_CUDA_TRY(cudaStreamSynchronize(context.stream));

    const auto first_call_start = std::chrono::steady_clock::now();
    bench->prepare(context);
    bench->launch(context.stream, 0);
    BENCH_CUDA_TRY(cudaStreamSynchronize(context.stream));
    r.first_call_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - first_call_start).count();

    bench->describe(context, r);
    const std::string incorrect = bench->verify(context, r);
    if (!output_repeats(*bench, context)) r.output_hash.clear();
    clocks.start_case();
    std::vector<measurement> placements;
    placements.push_back(measure_placement(*bench, sets, context, *flusher, clocks, placements));
    std::vector<std::string> algorithms{r.algorithm};
    const std::string shortfall = measure_more_placements(registered, bench, sets, context, flusher, clocks,
                                                          placements, algorithms);
    record_timing(placements, r, out);
    r.algorithm = join(algorithms, " | ");
    r.status = incorrect.empty() ? case_status::passed : case_status::incorrect;
    r.reason = incorrect.empty() ? shortfall : shortfall.empty() ? incorrect : incorrect + "; " + shortfall;
  } catch (const case_not_supported& e) {
    r.status = case_status::not_supported;
    r.reason = e.what();
  } catch (const cuda_error& e) {
    cuda_failure = true;
    r.status = status_of(e);
    r.reason = e.what();
  } catch (const std::bad_alloc&) {
    r.status = case_status::out_of_memory;
    r.reason = "host memory exhausted";
  } catch (const std::exception& e) {
    cuda_failure = true;
    r.status = case_status::failed;
    r.reason = e.what();
  }
  if (cuda_failure && device_is_broken())
    throw sticky_device_error(r.reason + " (the device stays in error: " +
                              cudaGetErrorString(cudaDeviceSynchronize()) + ")");
  r.timestamp = utc_timestamp();
  return out;
}

void describe_kernel_binary(const cudaFuncAttributes& attributes, result_record& record) {
  record.binary_arch = attributes.binaryVersion;
  record.ptx_arch = attributes.ptxVersion;
  record.binary_kind = sass_architectures().count(attributes.binaryVersion) != 0 ? "sass" : "ptx_jit";
}

void describe_library(const runner_env& env, const std::string& library_name, const std::string& column_value,
                      result_record& record) {
  record.library = column_value;
  for (const auto& library : env.libraries) {
    if (library.name != library_name) continue;
    record.library_built_version = to_string(library.built);
    record.library_loaded_version = library.loaded ? to_string(*library.loaded) : "";
    record.library_path = library.path;
    return;
  }
}

}  // namespace cubench
