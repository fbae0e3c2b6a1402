// The data model: one record per result row and one per raw sample (docs/results-schema.md).
// Measurement fills records; writers and readers only move them to and from files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cubench {

inline constexpr int results_schema_version = 2;
/// The oldest schema version `bench compare` still reads: version 1 had no placement column in samples.csv.
inline constexpr int oldest_readable_schema_version = 1;

/// Outcome of one case; the order is the severity order used by reports.
enum class case_status { passed, skipped, not_supported, incorrect, failed, out_of_memory, timed_out, crashed };

/// The schema's name of a status.
std::string_view to_string(case_status s);
/// Parses a schema status name; std::nullopt when the text is not one.
std::optional<case_status> parse_case_status(std::string_view text);

/// One row of results.csv: a case run by one toolkit's runner on one GPU.
struct result_record {
  // identity
  std::string run_id;
  std::string case_id;
  std::string family;
  std::string impl;
  std::string variant;
  std::string dtype;
  std::string params;
  std::string toolkit;
  std::optional<int> gpu_index;
  std::string gpu_uuid;
  std::string gpu_name;
  // status
  case_status status = case_status::failed;
  std::string reason;
  // timing, per launch
  std::string timing_mode;
  std::optional<int> launches_per_sample;
  std::string cache_mode;
  std::optional<int> samples;
  std::optional<double> first_call_ms;
  std::optional<double> median_ms;
  std::optional<double> mean_ms;
  std::optional<double> min_ms;
  std::optional<double> max_ms;
  std::optional<double> stddev_ms;
  std::optional<double> ci_low_ms;
  std::optional<double> ci_high_ms;
  std::optional<double> noise_rel;
  std::string stop_reason;
  // throughput
  std::optional<double> flop;
  std::optional<double> bytes;
  std::optional<double> tflops;
  std::optional<double> gbps;
  // numerics
  std::optional<double> tolerance;
  std::optional<double> norm_rel_err;
  std::optional<double> max_abs_err;
  std::optional<double> max_rel_err;
  std::optional<std::int64_t> nan_count;
  std::optional<std::int64_t> inf_count;
  std::optional<std::int64_t> unwritten_count;
  std::string output_hash;
  // provenance
  std::string cubench_version;
  std::string nvcc_version;
  std::string runtime_version;
  std::string driver_version;
  std::string driver_cuda_version;
  std::string library;
  std::string library_built_version;
  std::string library_loaded_version;
  std::string library_path;
  std::string algorithm;
  std::string binary_kind;
  std::optional<int> binary_arch;
  std::optional<int> ptx_arch;
  std::string compute_capability;
  std::optional<int> sm_count;
  std::optional<int> sm_clock_mhz;
  std::optional<int> sm_clock_max_mhz;
  std::optional<int> temperature_c;
  std::optional<double> power_w;
  std::string throttle_reasons;
  std::optional<bool> clock_flag;
  std::string module_loading;
  std::string timestamp;
};

/// One row of samples.csv: one timed sample of a case, per launch.
struct sample_record {
  std::string run_id;
  std::string case_id;
  std::string toolkit;
  std::string gpu_uuid;
  int sample_index = 0;
  double time_ms = 0.0;
  int placement = 0;  ///< which allocation of the case's buffers the sample was measured in, from 0
};

}  // namespace cubench
