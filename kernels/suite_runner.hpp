// `bench-runner --suite PATH`: the cases of a suite through Google Benchmark (registration, filtering,
// repetitions, console and JSON reporters), each row of results.csv and samples.csv appended and flushed
// as its case ends, and the protocol lines of docs/runner-protocol.md.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "measure.hpp"

namespace cubench {

/// The options of a suite run.
struct suite_run_options {
  std::string suite_path;
  std::string cases_file;    // run only these case ids, one per line, in that order; "ID launches_per_sample=N" pins N
  std::string out_dir;       // results.csv and samples.csv are appended here
  std::string run_id;
  int device = 0;
  int protocol_fd = -1;      // where @cubench lines go; -1 for stdout
  measurement_options measurement;  // cold or hot, settling, stopping: every case's
  std::vector<std::string> benchmark_args;  // --benchmark_* options, handed to Google Benchmark
};

/// Prints the case ids the run would run (the suite's, or --cases-file's selection), one per line; no GPU
/// needed. Returns the exit status; a bad suite or cases file is a usage error naming file, line and column.
int list_suite_cases(const suite_run_options& options, std::ostream& out);

/// Runs the cases; returns the exit status (runner_exit). A case's failure is its row's status; a sticky
/// device error ends the process after its message, as docs/runner-protocol.md expects.
int run_suite(const suite_run_options& options);

}  // namespace cubench
