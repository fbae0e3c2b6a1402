// One runner process under supervision: started in its own process group, its protocol lines read as they come
// (docs/runner-protocol.md), its output logged, and killed by a watchdog when a case outlives the timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cubench {

/// One line of the protocol stream.
struct protocol_event {
  enum class kind { begin, end, done, text };
  kind type = kind::text;
  std::string case_id;
  /// The status word of an `end` line.
  std::string status;
};

/// Parses `@cubench begin ID`, `@cubench end ID STATUS` and `@cubench done`; anything else is text.
protocol_event parse_protocol_line(std::string_view line);

/// How to start a runner.
struct runner_launch {
  std::vector<std::string> argv;
  /// Variables set (or replaced) in the runner's environment.
  std::vector<std::pair<std::string, std::string>> environment;
  /// stdout and stderr are appended here as they arrive.
  std::string log_path;
  /// Longest time without a protocol line (inside a case: without its `end`) before the watchdog kills the runner.
  std::chrono::milliseconds timeout{60'000};
};

/// How a supervised runner ended.
struct runner_exit {
  /// Why it could not be started; empty when it was.
  std::string spawn_error;
  /// Its exit status when it exited, else -1.
  int exit_code = -1;
  /// The signal that ended it, or 0.
  int signal = 0;
  /// True when the watchdog killed it.
  bool watchdog_killed = false;
  /// True when it was killed because the run was asked to stop.
  bool stopped = false;
  /// True when it printed `@cubench done`.
  bool done = false;
  /// The case it had begun and not ended; empty when none.
  std::string in_flight;
  /// The last line of text it printed (stderr preferred), for the reason of a crash.
  std::string last_text;
  /// Cases it ended.
  std::size_t cases_ended = 0;

  /// True when it printed `done` and exited with status 0.
  bool clean() const { return spawn_error.empty() && done && signal == 0 && exit_code == 0; }
  /// "killed by SIGSEGV (Segmentation fault)", "exited with status 1: <last line>", ...
  std::string describe() const;
};

/// Starts the runner and follows it until it exits: `on_begin` and `on_end` are called as its lines arrive; a
/// raised `stop` kills it (SIGKILL to its process group). Never throws for the runner's own failures.
runner_exit supervise_runner(const runner_launch& launch,
                             const std::function<void(const std::string& case_id)>& on_begin,
                             const std::function<void(const std::string& case_id, const std::string& status)>& on_end,
                             const std::atomic<bool>& stop);

}  // namespace cubench
