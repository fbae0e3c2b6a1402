#include "case_registry.hpp"

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

void record_timing(const measurement& m, result_record& r) {
  r.timing_mode = m.timing_mode;
  r.launches_per_sample = m.launches_per_sample;
  r.cache_mode = m.cache_mode;
  r.samples = static_cast<int>(m.samples_ms.size());
  r.median_ms = m.summary.median;
  r.mean_ms = m.summary.mean;
  r.min_ms = m.summary.min;
  r.max_ms = m.summary.max;
  r.stddev_ms = m.summary.stddev;
  r.ci_low_ms = m.summary.ci_low;
  r.ci_high_ms = m.summary.ci_high;
  r.noise_rel = m.summary.noise_rel;
  r.stop_reason = std::string(to_string(m.reason));
  if (r.flop && m.summary.median > 0) r.tflops = *r.flop / (m.summary.median * 1e-3) / 1e12;
  if (r.bytes && m.summary.median > 0) r.gbps = *r.bytes / (m.summary.median * 1e-3) / 1e9;
  r.sm_clock_mhz = m.clocks.min_sm_clock_mhz;
  if (m.clocks.max_sm_clock_mhz) r.sm_clock_max_mhz = m.clocks.max_sm_clock_mhz;
  r.temperature_c = m.clocks.max_temperature_c;
  r.power_w = m.clocks.max_power_w;
  r.throttle_reasons = m.clocks.throttle_reasons;
  r.clock_flag = m.clocks.flagged;
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

case_outcome run_case(bench_case& bench, case_context& context, l2_flusher& flusher, clock_monitor& clocks,
                      const result_record& provenance) {
  case_outcome out;
  result_record& r = out.record;
  r = provenance;
  bench.identify(r);
  bool cuda_failure = false;
  try {
    bench.configure(context);
    const int sets =
        rotation_sets(bench.working_set_bytes(), flusher.l2_bytes(), context.options.cold, context.options.plan);
    bench.allocate(context, sets);
    BENCH_CUDA_TRY(cudaStreamSynchronize(context.stream));

    const auto first_call_start = std::chrono::steady_clock::now();
    bench.prepare(context);
    bench.launch(context.stream, 0);
    BENCH_CUDA_TRY(cudaStreamSynchronize(context.stream));
    r.first_call_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - first_call_start).count();

    bench.describe(context, r);
    const std::string incorrect = bench.verify(context, r);
    if (!output_repeats(bench, context)) r.output_hash.clear();
    const measurement m = measure_launches([&bench](cudaStream_t stream, int set) { bench.launch(stream, set); },
                                           sets, context.stream, flusher, clocks, context.options);
    record_timing(m, r);
    out.samples_ms = m.samples_ms;
    r.status = incorrect.empty() ? case_status::passed : case_status::incorrect;
    r.reason = incorrect;
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
