// Progress of a run: a bar with case counts, elapsed time and ETA on a terminal; plain periodic lines in CI logs.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <ostream>
#include <string>

#include "orchestrator.hpp"

namespace cubench {

/// "42 s", "3 min 05 s", "1 h 02 min".
std::string format_duration(std::chrono::seconds duration);

/// Counts of a run in progress.
struct progress_counts {
  std::size_t total = 0;
  /// Ended, including those that had ended before a resume.
  std::size_t ended = 0;
  /// Ended before this process started (resume): not used for the ETA.
  std::size_t resumed = 0;
  /// Cases ended in this process, by status.
  std::map<case_status, std::size_t> by_status;
};

/// One progress line: "[#####.....] 120/480 cases  passed 118  crashed 2  elapsed 3 min 05 s  ETA 9 min 15 s";
/// without a bar when `bar_width` is 0.
std::string progress_line(const progress_counts& counts, std::chrono::seconds elapsed, std::size_t bar_width);

/// Shows a run's progress: redraws one line on a terminal, prints a line every `interval` otherwise; cases that
/// did not pass or skip cleanly (crashed, timed_out, out_of_memory, failed) get a line of their own.
class progress_display : public run_observer {
 public:
  progress_display(std::ostream& out, bool terminal, std::chrono::seconds interval = std::chrono::seconds(30));
  void planned(std::size_t total_cases, std::size_t already_ended) override;
  void case_ended(const std::string& toolkit, const gpu_info& gpu, const std::string& case_id, case_status status,
                  const std::string& reason) override;
  /// Prints the final counts on a line of their own.
  void finish();
  /// The counts so far.
  const progress_counts& counts() const { return counts_; }

 private:
  void draw(bool force);

  std::ostream& out_;
  bool terminal_;
  std::chrono::seconds interval_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
  progress_counts counts_;
};

}  // namespace cubench
