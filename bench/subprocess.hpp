// Running a program without a shell: argv goes to posix_spawn as is, output is captured, a timeout kills
// the whole process group.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cubench {

/// How to run one program.
struct process_options {
  /// Killed (with its children) after this long; zero means no limit.
  std::chrono::milliseconds timeout{0};
  /// When set, stdout and stderr are also appended to this file as they arrive.
  std::string log_path;
  /// Keeps only the last this many bytes of output in process_result::output.
  std::size_t output_limit = 1 << 20;
  /// Directory the program starts in; empty means the caller's.
  std::string working_directory;
};

/// What a finished program did.
struct process_result {
  /// The exit status when the program exited normally, else -1.
  int exit_code = -1;
  /// The signal that ended it, or 0.
  int signal = 0;
  /// True when process_options::timeout ran out and the program was killed.
  bool timed_out = false;
  /// Why the program could not be started; empty when it was.
  std::string spawn_error;
  /// stdout and stderr interleaved, at most process_options::output_limit bytes (the tail).
  std::string output;

  /// True when the program started and exited with status 0.
  bool succeeded() const { return spawn_error.empty() && !timed_out && signal == 0 && exit_code == 0; }
  /// One phrase for a failure: "exit status 1", "killed by signal 9", "timed out after 20 s", or the spawn error.
  std::string describe_failure(std::chrono::milliseconds timeout) const;
};

/// Runs argv[0] (searched on $PATH when it has no slash) with stdin from /dev/null.
process_result run_process(const std::vector<std::string>& argv, const process_options& options = {});

/// The full path of the executable `name` in the colon-separated `search_path`, or "" when none is there.
std::string find_executable(std::string_view name, std::string_view search_path);

/// The value of $PATH, or "" when unset.
std::string environment_path();

/// The last `count` lines of `text` (without a trailing empty line).
std::string last_lines(std::string_view text, std::size_t count);

}  // namespace cubench
