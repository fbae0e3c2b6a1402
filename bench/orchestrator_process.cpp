#include "orchestrator_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "process_handles.hpp"

extern char** environ;

namespace cubench {
namespace {

// One of the runner's output pipes and the line it is in the middle of.
struct output_stream {
  unique_fd fd;
  std::string partial;
  std::string last_text;
};

std::vector<std::string> child_environment(const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    bool replaced = false;
    for (const auto& [name, value] : overrides)
      if (text.size() > name.size() && text.substr(0, name.size()) == name && text[name.size()] == '=') replaced = true;
    if (!replaced) environment.emplace_back(text);
  }
  for (const auto& [name, value] : overrides) environment.push_back(name + "=" + value);
  return environment;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

void write_log(int log_fd, const char* data, std::size_t size) {
  while (log_fd >= 0 && size > 0) {
    const ssize_t wrote = ::write(log_fd, data, size);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return;
    data += wrote;
    size -= static_cast<std::size_t>(wrote);
  }
}

}  // namespace

protocol_event parse_protocol_line(std::string_view line) {
  protocol_event event;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  constexpr std::string_view prefix = "@cubench ";
  if (line.substr(0, prefix.size()) != prefix) return event;
  line.remove_prefix(prefix.size());
  const auto word_end = line.find(' ');
  const std::string_view word = line.substr(0, word_end);
  const std::string_view rest = word_end == std::string_view::npos ? std::string_view() : line.substr(word_end + 1);
  if (word == "done" && rest.empty()) {
    event.type = protocol_event::kind::done;
  } else if (word == "begin" && !rest.empty() && rest.find(' ') == std::string_view::npos) {
    event.type = protocol_event::kind::begin;
    event.case_id = rest;
  } else if (word == "end") {
    const auto space = rest.rfind(' ');
    if (space != std::string_view::npos && space > 0 && space + 1 < rest.size() &&
        rest.substr(0, space).find(' ') == std::string_view::npos) {
      event.type = protocol_event::kind::end;
      event.case_id = rest.substr(0, space);
      event.status = rest.substr(space + 1);
    }
  }
  return event;
}

std::string runner_exit::describe() const {
  if (!spawn_error.empty()) return "could not be started: " + spawn_error;
  std::string text;
  if (signal != 0) {
    const char* abbreviation = sigabbrev_np(signal);
    text = "killed by " + (abbreviation ? "SIG" + std::string(abbreviation) : "signal " + std::to_string(signal)) +
           " (" + strsignal(signal) + ")";
  } else {
    text = "exited with status " + std::to_string(exit_code);
  }
  if (!last_text.empty()) text += ": " + last_text;
  return text;
}

runner_exit supervise_runner(const runner_launch& launch,
                             const std::function<void(const std::string& case_id)>& on_begin,
                             const std::function<void(const std::string& case_id, const std::string& status)>& on_end,
                             const std::atomic<bool>& stop) {
  runner_exit result;
  if (launch.argv.empty()) {
    result.spawn_error = "no program given";
    return result;
  }
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.spawn_error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  output_stream out{unique_fd(out_pipe[0]), {}, {}};
  unique_fd out_write(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.spawn_error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  output_stream err{unique_fd(err_pipe[0]), {}, {}};
  unique_fd err_write(err_pipe[1]);
  const unique_fd log(launch.log_path.empty()
                         ? -1
                         : ::open(launch.log_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));

  // Its own process group, so that the watchdog's SIGKILL reaches anything the runner started as well.
  const spawn_setup setup(out_write.get(), err_write.get());
  std::vector<std::string> argv = launch.argv;
  std::vector<std::string> environment = child_environment(launch.environment);
  auto argv_pointers = c_strings(argv);
  auto environment_pointers = c_strings(environment);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, argv[0].c_str(), &setup.actions, &setup.attributes, argv_pointers.data(),
                                    environment_pointers.data());
  out_write.reset();
  err_write.reset();
  if (spawned != 0) {
    result.spawn_error = argv[0] + ": " + std::strerror(spawned);
    return result;
  }
  ::fcntl(out.fd.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(err.fd.get(), F_SETFL, O_NONBLOCK);

  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + launch.timeout;
  bool killed = false;
  const auto kill_group = [&] {
    ::kill(-pid, SIGKILL);
    killed = true;
  };

  const auto handle_line = [&](output_stream& stream, std::string line) {
    const bool is_stdout = &stream == &out;
    const protocol_event event = is_stdout ? parse_protocol_line(line) : protocol_event{};
    switch (event.type) {
      case protocol_event::kind::begin:
        result.in_flight = event.case_id;
        deadline = clock::now() + launch.timeout;
        on_begin(event.case_id);
        break;
      case protocol_event::kind::end:
        if (result.in_flight == event.case_id) result.in_flight.clear();
        ++result.cases_ended;
        deadline = clock::now() + launch.timeout;
        on_end(event.case_id, event.status);
        break;
      case protocol_event::kind::done:
        result.done = true;
        deadline = clock::now() + launch.timeout;
        break;
      case protocol_event::kind::text:
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty()) stream.last_text = std::move(line);
        break;
    }
  };
  // Reads what is there now; returns false once the pipe is closed.
  const auto drain = [&](output_stream& stream) {
    char buffer[65536];
    for (;;) {
      const ssize_t got = ::read(stream.fd.get(), buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return true;
      if (got == 0) {
        if (!stream.partial.empty()) handle_line(stream, std::exchange(stream.partial, {}));
        stream.fd.reset();
        return false;
      }
      write_log(log.get(), buffer, static_cast<std::size_t>(got));
      stream.partial.append(buffer, static_cast<std::size_t>(got));
      std::size_t newline;
      while ((newline = stream.partial.find('\n')) != std::string::npos) {
        std::string line = stream.partial.substr(0, newline);
        stream.partial.erase(0, newline + 1);
        handle_line(stream, std::move(line));
      }
    }
  };

  int status = 0;
  for (;;) {
    if (!killed && stop.load()) {
      result.stopped = true;
      kill_group();
    }
    if (!killed && clock::now() >= deadline) {
      result.watchdog_killed = true;
      kill_group();
    }
    std::vector<pollfd> fds;
    for (auto* stream : {&out, &err})
      if (stream->fd.get() >= 0) fds.push_back({stream->fd.get(), POLLIN, 0});
    const auto until_deadline = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    const int wait_ms = static_cast<int>(std::max<long long>(1, std::min<long long>(100, until_deadline)));
    // Only waiting happens here: the reads below find out what is ready, and EINTR just means look again.
    if (fds.empty())
      ::usleep(static_cast<useconds_t>(wait_ms) * 1000);
    else
      ::poll(fds.data(), fds.size(), wait_ms);
    if (out.fd.get() >= 0) drain(out);
    if (err.fd.get() >= 0) drain(err);
    const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
    if (reaped == pid) {
      if (out.fd.get() >= 0) drain(out);
      if (err.fd.get() >= 0) drain(err);
      break;
    }
  }
  // Whatever the runner left running in its group goes with it.
  ::kill(-pid, SIGKILL);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.last_text = !err.last_text.empty() ? err.last_text : out.last_text;
  return result;
}

}  // namespace cubench
