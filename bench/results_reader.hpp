// Reads results.csv and samples.csv (docs/results-schema.md) back into records, strictly: a file that does not
// match the schema stops the read with an input_error that says where and what, never a half-read table.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "csv_table.hpp"
#include "result_record.hpp"

namespace cubench {

/// The rows of one results.csv and the line each row starts on.
struct results_table {
  std::string path;
  std::vector<result_record> records;
  std::vector<unsigned> lines;
};

/// The samples of one results row, in sample_index order, and the placement (allocation of the case's buffers) each
/// was measured in; every placement is 0 in a schema version 1 file.
struct sample_series {
  std::vector<double> time_ms;
  std::vector<int> placement;

  /// The samples of each placement, in order of first appearance; one group for a version 1 file.
  std::vector<std::vector<double>> by_placement() const;
};

/// The samples of each (run_id, case_id, toolkit, gpu_uuid), keyed by sample_series_key().
using sample_series_map = std::unordered_map<std::string, sample_series>;

/// The key under which read_samples_csv() files the samples of one results row.
std::string sample_series_key(std::string_view run_id, std::string_view case_id, std::string_view toolkit,
                              std::string_view gpu_uuid);

/// The key of a results row's samples.
std::string sample_series_key(const result_record& record);

/// Reads a results.csv; throws input_error on the first problem.
results_table read_results_csv(const std::string& path);

/// Reads a samples.csv; throws input_error on the first problem, including a sample_index seen twice for a series.
sample_series_map read_samples_csv(const std::string& path);

/// One input of `bench compare`: a results.csv and, when present, its samples.csv.
struct run_input {
  std::string source;        ///< the path given on the command line
  std::string samples_path;  ///< empty when no samples file was found
  results_table results;
  sample_series_map samples;
};

/// Reads a run from a directory holding results.csv (and samples.csv), or from a results CSV file whose samples
/// are in the same directory under the file's name with its last "results" replaced by "samples".
run_input read_run(const std::string& dir_or_csv);

}  // namespace cubench
