// `bench compare RESULTS_DIR_OR_CSV...`: verdicts, reports and a CI gate over result CSVs (docs/compare.md).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace cubench {

/// The options of `bench compare`, as given on the command line.
struct compare_arguments {
  std::vector<std::string> inputs;  ///< run directories or results CSV files
  std::string baseline;             ///< empty: the first toolkit of the first input
  double min_effect = 0.02;
  double alpha = 0.01;
  double drift_factor = 4.0;
  std::string fail_on = "slower,incorrect,failed";
  std::string out_dir;  ///< empty: every format to standard output
  std::string formats;  ///< empty: terminal, and every file format when out_dir is set
  bool across_gpus = false;  ///< each GPU of a toolkit and run is a side of its own
};

/// Runs `bench compare`; returns 0 when nothing crosses the gate, 1 when something does, 2 on a usage or input
/// error (its message written to `err`). `colour` colours the terminal table.
int run_compare(const compare_arguments& arguments, std::ostream& out, std::ostream& err, bool colour);

}  // namespace cubench
