#include "subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "process_handles.hpp"

extern char** environ;

namespace cubench {
namespace {

bool is_executable_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

void append_bounded(std::string& output, const char* data, std::size_t size, std::size_t limit) {
  output.append(data, size);
  if (output.size() > limit) output.erase(0, output.size() - limit);
}

}  // namespace

std::string process_result::describe_failure(std::chrono::milliseconds timeout) const {
  if (!spawn_error.empty()) return spawn_error;
  if (timed_out) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(timeout.count()) / 1000.0);
    return std::string("timed out after ") + seconds + " s";
  }
  if (signal != 0) return std::string("killed by signal ") + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return "exit status " + std::to_string(exit_code);
}

std::string environment_path() {
  const char* path = std::getenv("PATH");
  return path ? path : "";
}

std::string find_executable(std::string_view name, std::string_view search_path) {
  std::size_t start = 0;
  while (start <= search_path.size()) {
    std::size_t end = search_path.find(':', start);
    if (end == std::string_view::npos) end = search_path.size();
    std::string dir(search_path.substr(start, end - start));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + std::string(name);
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return "";
}

std::string last_lines(std::string_view text, std::size_t count) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (count == 0) return "";
  std::size_t begin = text.size();
  std::size_t lines = 0;
  while (begin > 0) {
    const std::size_t newline = text.rfind('\n', begin - 1);
    if (newline == std::string_view::npos) {
      begin = 0;
      break;
    }
    if (++lines == count) {
      begin = newline + 1;
      break;
    }
    begin = newline;
  }
  return std::string(text.substr(begin));
}

process_result run_process(const std::vector<std::string>& argv, const process_options& options) {
  process_result result;
  if (argv.empty()) {
    result.spawn_error = "no program given";
    return result;
  }
  std::string program = argv[0];
  if (program.find('/') == std::string::npos) {
    program = find_executable(argv[0], environment_path());
    if (program.empty()) {
      result.spawn_error = "'" + argv[0] + "' was not found on $PATH";
      return result;
    }
  }

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    result.spawn_error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  unique_fd read_end(pipe_fds[0]);
  unique_fd write_end(pipe_fds[1]);

  // Its own process group, so that a timeout kills the compilers a build tool started as well.
  spawn_setup setup(write_end.get(), write_end.get());
  if (!options.working_directory.empty())
    posix_spawn_file_actions_addchdir_np(&setup.actions, options.working_directory.c_str());

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  pid_t pid = 0;
  const int spawn_status = ::posix_spawn(&pid, program.c_str(), &setup.actions, &setup.attributes, args.data(), environ);
  write_end.reset();
  if (spawn_status != 0) {
    result.spawn_error = "cannot run " + program + ": " + std::strerror(spawn_status);
    return result;
  }

  std::ofstream log;
  if (!options.log_path.empty()) log.open(options.log_path, std::ios::app | std::ios::binary);

  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + options.timeout;
  char buffer[65536];
  for (;;) {
    int wait_ms = -1;
    if (options.timeout.count() > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      if (left <= 0) {
        ::kill(-pid, SIGKILL);
        result.timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(left);
    }
    pollfd poll_fd{read_end.get(), POLLIN, 0};
    const int ready = ::poll(&poll_fd, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t got = ::read(read_end.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    append_bounded(result.output, buffer, static_cast<std::size_t>(got), options.output_limit);
    if (log) log.write(buffer, got).flush();
  }

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace cubench
