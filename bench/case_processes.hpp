// One case measured by several runner processes (`bench run --processes K`), joined into one results row: an effect
// that lives as long as a process (cuSPARSE's level on the H100, docs/measurement.md) shows as a difference between
// the processes' placements, in the row's interval and in compare's test of placements.
#pragma once

#include <vector>

#include "result_record.hpp"
#include "results_reader.hpp"

namespace cubench {

/// What one runner process recorded for a case: its row and its samples (empty when it measured none).
struct process_row {
  result_record record;
  sample_series samples;
};

/// A case's joined row and its samples, renumbered.
struct joined_case {
  result_record record;
  std::vector<sample_record> samples;
};

/// Joins the rows of one case (same run, toolkit and GPU), given in the order the processes ran:
/// - samples: every process's, in that order, sample_index from 0; placements renumbered so that each process's
///   placements follow the previous process's (process 1's 0 and 1, process 2's 2 and 3, ...);
/// - timing: summarize_placements over all placements (count, median, interval, ...), the interval widened where
///   wider to Student's t over the processes' medians (the independent units), throughput from it; timing
///   mode, launches per sample and cache mode from the first process that measured, stop reason the first that is
///   not `converged`;
/// - status: the most severe of the processes' (a case that crashed or was incorrect in one process is that), its
///   reason prefixed with the process it came from; other processes' reasons follow;
/// - numerics: the largest errors and counts over the processes; the output hash where every process that has one
///   agrees, else empty and the reason says the bits differ;
/// - clocks: lowest SM clock, highest temperature and power, every throttle reason, flagged if any was;
///   first_call_ms the median of the processes'; algorithm every distinct one (" | "); timestamp the last.
/// One row is returned as it is, with its samples. Throws std::invalid_argument when `rows` is empty.
joined_case join_processes(const std::vector<process_row>& rows);

}  // namespace cubench
