#include "case_processes.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "statistics.hpp"
#include "stopping_rule.hpp"
#include "text_join.hpp"
#include "timing_columns.hpp"
#include "version_parsing.hpp"

namespace cubench {
namespace {

template <typename T>
void keep_larger(std::optional<T>& into, const std::optional<T>& value) {
  if (value && (!into || *value > *into)) into = value;
}

template <typename T>
void keep_smaller(std::optional<T>& into, const std::optional<T>& value) {
  if (value && (!into || *value < *into)) into = value;
}

// Adds the parts of a '|'-separated list (algorithms " | ", throttle reasons "|") that `parts` lacks, in order.
void add_parts(std::vector<std::string>& parts, const std::string& list) {
  for (auto& part : split_list(list, '|'))
    if (!part.empty() && std::find(parts.begin(), parts.end(), part) == parts.end()) parts.push_back(std::move(part));
}

std::string process_name(std::size_t index, std::size_t count) {
  return "process " + std::to_string(index + 1) + " of " + std::to_string(count);
}

// The row's reason: the most severe process's first, then every other process that has something to say.
std::string joined_reason(const std::vector<process_row>& rows, std::size_t worst) {
  std::vector<std::string> notes;
  const auto note = [&](std::size_t i, bool with_status) {
    const result_record& r = rows[i].record;
    std::string text = process_name(i, rows.size()) + ": ";
    if (with_status) text += std::string(to_string(r.status)) + (r.reason.empty() ? "" : ": ");
    text += r.reason;
    notes.push_back(std::move(text));
  };
  if (!rows[worst].record.reason.empty()) note(worst, false);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i == worst) continue;
    const bool same_status = rows[i].record.status == rows[worst].record.status;
    if (!same_status && rows[i].record.status != case_status::passed) note(i, true);
    else if (!rows[i].record.reason.empty()) note(i, !same_status);
  }
  return join(notes, "; ");
}

}  // namespace

joined_case join_processes(const std::vector<process_row>& rows) {
  if (rows.empty()) throw std::invalid_argument("join_processes: expected the rows of at least one process, found none");
  joined_case joined;
  if (rows.size() == 1) {
    joined.record = rows.front().record;
    const sample_series& series = rows.front().samples;
    for (std::size_t i = 0; i < series.time_ms.size(); ++i)
      joined.samples.push_back({joined.record.run_id, joined.record.case_id, joined.record.toolkit,
                                joined.record.gpu_uuid, static_cast<int>(i), series.time_ms[i], series.placement[i]});
    return joined;
  }

  std::size_t worst = 0;
  for (std::size_t i = 1; i < rows.size(); ++i)
    if (rows[i].record.status > rows[worst].record.status) worst = i;
  std::optional<std::size_t> first_measured;
  for (std::size_t i = 0; i < rows.size() && !first_measured; ++i)
    if (!rows[i].samples.time_ms.empty() && rows[i].record.median_ms) first_measured = i;

  result_record& r = joined.record;
  r = rows[first_measured.value_or(worst)].record;
  r.status = rows[worst].record.status;
  r.reason = joined_reason(rows, worst);

  // Samples and timing: each process's placements after the previous process's.
  std::vector<std::vector<double>> placements;
  std::vector<std::vector<double>> processes;  // each measuring process's samples
  std::vector<double> first_calls;
  std::vector<std::string> algorithms;
  std::vector<std::string> throttle_reasons;
  std::set<std::string> hashes;
  bool unhashed_output = false;
  r.stop_reason = first_measured ? "converged" : r.stop_reason;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const result_record& row = rows[i].record;
    const sample_series& series = rows[i].samples;
    if (row.median_ms && !series.time_ms.empty()) {
      processes.push_back(series.time_ms);
      std::map<int, int> renumbered;
      const int offset = static_cast<int>(placements.size());
      for (std::size_t s = 0; s < series.time_ms.size(); ++s) {
        const auto [it, added] = renumbered.emplace(series.placement[s], static_cast<int>(renumbered.size()));
        if (added) placements.emplace_back();
        placements[static_cast<std::size_t>(offset + it->second)].push_back(series.time_ms[s]);
        joined.samples.push_back({r.run_id, r.case_id, r.toolkit, r.gpu_uuid, static_cast<int>(joined.samples.size()),
                                  series.time_ms[s], offset + it->second});
      }
      if (r.stop_reason == "converged" && row.stop_reason != "converged") r.stop_reason = row.stop_reason;
    }
    if (row.first_call_ms) first_calls.push_back(*row.first_call_ms);
    add_parts(algorithms, row.algorithm);
    add_parts(throttle_reasons, row.throttle_reasons);
    // r starts as one of the rows, which these leave as it is.
    keep_larger(r.norm_rel_err, row.norm_rel_err);
    keep_larger(r.max_abs_err, row.max_abs_err);
    keep_larger(r.max_rel_err, row.max_rel_err);
    keep_larger(r.nan_count, row.nan_count);
    keep_larger(r.inf_count, row.inf_count);
    keep_larger(r.unwritten_count, row.unwritten_count);
    keep_smaller(r.sm_clock_mhz, row.sm_clock_mhz);
    keep_larger(r.sm_clock_max_mhz, row.sm_clock_max_mhz);
    keep_larger(r.temperature_c, row.temperature_c);
    keep_larger(r.power_w, row.power_w);
    if (row.clock_flag) r.clock_flag = r.clock_flag.value_or(false) || *row.clock_flag;
    if (row.launches_per_sample && r.launches_per_sample && *row.launches_per_sample != *r.launches_per_sample)
      r.reason += std::string(r.reason.empty() ? "" : "; ") + process_name(i, rows.size()) + " timed " +
                  std::to_string(*row.launches_per_sample) + " launch(es) a sample (" + row.timing_mode +
                  "), the row's mode is the first's";
    // A verified output without a hash is one whose bits changed between launches in its process (docs/runner.md).
    if (row.norm_rel_err) {
      if (row.output_hash.empty()) unhashed_output = true;
      else hashes.insert(row.output_hash);
    }
    if (row.timestamp > r.timestamp) r.timestamp = row.timestamp;
  }
  if (!placements.empty()) {
    // The placements of one process share its level (cuSPARSE's, on the H100), so they are not independent draws:
    // the processes are. The interval widens to Student's t over the processes' medians where that is wider.
    sample_summary summary = summarize_placements(placements);
    widen_interval(summary, placement_half_width(processes));
    record_summary(summary, r);
  }
  if (!first_calls.empty()) r.first_call_ms = median(first_calls);
  r.algorithm = join(algorithms, " | ");
  r.throttle_reasons = join(throttle_reasons, "|");
  if (unhashed_output || hashes.size() > 1) r.output_hash.clear();
  if (!unhashed_output && hashes.size() > 1)
    r.reason += std::string(r.reason.empty() ? "" : "; ") + "the output's bits differ between the processes (" +
                std::to_string(hashes.size()) + " hashes); output_hash left empty";
  return joined;
}

}  // namespace cubench
