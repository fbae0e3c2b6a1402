#include "run_folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

namespace cubench {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_small_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t wrote = ::write(fd, bytes.data(), bytes.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(wrote));
  }
  return true;
}

template <typename T>
T get_key(const json& object, const char* key, const std::string& source) {
  if (!object.contains(key))
    throw run_folder_error(source + ": expected a key '" + key + "', found none");
  try {
    return object.at(key).get<T>();
  } catch (const json::exception& e) {
    throw run_folder_error(source + ": key '" + key + "': " + e.what());
  }
}

// `dir`, created with its parents when absent.
fs::path created(const fs::path& dir) {
  fs::create_directories(dir);
  return dir;
}

}  // namespace

run_folder run_folder::lock(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throw run_folder_error(path.string() + ": cannot create the run folder: " + ec.message());
  const fs::path lock_path = path / ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw run_folder_error(lock_path.string() + ": cannot open: " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int lock_errno = errno;
    ::close(fd);
    if (lock_errno != EWOULDBLOCK)
      throw run_folder_error(lock_path.string() + ": cannot lock: " + std::strerror(lock_errno));
    std::string holder = read_small_file(lock_path);
    while (!holder.empty() && holder.back() == '\n') holder.pop_back();
    throw run_folder_error(path.string() + " is in use by another bench run (" +
                           (holder.empty() ? std::string("holder unknown") : holder) +
                           "); wait for it to end, or give another --out");
  }
  const auto [host, os] = host_and_os();
  const std::string holder = "pid " + std::to_string(::getpid()) + " on " + host + " since " + utc_now_iso8601() + "\n";
  if (::ftruncate(fd, 0) != 0 || !write_all(fd, holder)) {
    const int write_errno = errno;
    ::close(fd);
    throw run_folder_error(lock_path.string() + ": cannot write: " + std::strerror(write_errno));
  }
  return run_folder(path, fd);
}

run_folder run_folder::create(const fs::path& path) {
  run_folder folder = lock(path);
  if (fs::exists(folder.manifest_path())) {
    std::string state;
    try {
      state = read_manifest(folder.manifest_path()).state;
    } catch (const run_folder_error&) {
      state = "unreadable";
    }
    throw run_folder_error(path.string() + " already holds a run (" + state + "); complete it with `bench run --resume " +
                           path.string() + "`, or give another --out");
  }
  return folder;
}

run_folder run_folder::open(const fs::path& path) {
  if (!fs::is_directory(path)) throw run_folder_error(path.string() + ": no such run folder");
  run_folder folder = lock(path);
  if (!fs::exists(folder.manifest_path()))
    throw run_folder_error(path.string() + ": expected a run folder with manifest.json, found none");
  return folder;
}

run_folder::run_folder(run_folder&& other) noexcept : path_(std::move(other.path_)), lock_fd_(other.lock_fd_) {
  other.lock_fd_ = -1;
}

run_folder& run_folder::operator=(run_folder&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    path_ = std::move(other.path_);
    lock_fd_ = other.lock_fd_;
    other.lock_fd_ = -1;
  }
  return *this;
}

run_folder::~run_folder() {
  // The lock file stays: removing it would let two runs lock two different files of the same name.
  if (lock_fd_ >= 0) {
    if (::ftruncate(lock_fd_, 0) != 0) std::perror("run folder lock");
    ::close(lock_fd_);
  }
}

fs::path run_folder::runner_path(std::string_view toolkit, std::string_view gpu_folder, int process) const {
  return created(path_ / "runs" / std::string(toolkit) / std::string(gpu_folder) /
                 ("process-" + std::to_string(process + 1)));
}

fs::path run_folder::compare_path() const { return created(path_ / "compare"); }

fs::path run_folder::compare_gpus_path() const { return created(path_ / "compare-gpus"); }

void write_file_atomically(const fs::path& path, std::string_view contents) {
  const fs::path temporary = path.string() + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(temporary.string() + ": cannot create: " + std::strerror(errno));
  const bool wrote = write_all(fd, contents) && ::fsync(fd) == 0;
  const int write_errno = errno;
  ::close(fd);
  if (!wrote || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(wrote ? errno : write_errno);
    std::remove(temporary.c_str());
    throw std::runtime_error(path.string() + ": cannot write: " + reason);
  }
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::pair<std::string, std::string> host_and_os() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "unknown");
  utsname name{};
  std::string os = "unknown";
  if (::uname(&name) == 0) os = std::string(name.sysname) + " " + name.release + " " + name.machine;
  return {host, os};
}

shard_spec parse_shard(std::string_view text, std::string& error) {
  const auto slash = text.find('/');
  const auto number = [](std::string_view digits) {
    if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string_view::npos)
      return -1;
    return std::stoi(std::string(digits));
  };
  shard_spec shard;
  if (slash != std::string_view::npos) {
    shard.index = number(text.substr(0, slash));
    shard.count = number(text.substr(slash + 1));
  }
  if (slash == std::string_view::npos || shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    error = "--shard: expected i/N with 1 <= i <= N (e.g. 2/4), found '" + std::string(text) + "'";
    return {};
  }
  return shard;
}

std::string to_string(const shard_spec& shard) {
  return std::to_string(shard.index) + "/" + std::to_string(shard.count);
}

json manifest_to_json(const run_manifest& m) {
  json gpus = json::array();
  for (const auto& gpu : m.gpus)
    gpus.push_back({{"index", gpu.index}, {"uuid", gpu.uuid}, {"name", gpu.name},
                    {"compute_capability", gpu.compute_capability}});
  json toolkits = json::array();
  for (const auto& toolkit : m.toolkits) {
    json libraries = json::array();
    for (const auto& library : toolkit.libraries)
      libraries.push_back({{"name", library.name}, {"built_version", library.built_version},
                           {"loaded_version", library.loaded_version}, {"path", library.path}});
    toolkits.push_back({{"version", toolkit.version}, {"runner", toolkit.runner},
                        {"runner_version", toolkit.runner_version}, {"libraries", libraries}});
  }
  json suite_files = json::array();
  for (const auto& file : m.suite_files)
    suite_files.push_back({{"path", file.path}, {"sha256", file.sha256}, {"cases", file.cases}});
  json counts = json::object();
  for (const auto& [status, count] : m.status_counts) counts[status] = count;
  return {{"run_id", m.run_id},
          {"cubench_version", m.cubench_version},
          {"git_sha", m.git_sha},
          {"command_line", m.command_line},
          {"host", m.host},
          {"os", m.os},
          {"driver_version", m.driver_version},
          {"cuda_driver_version", m.cuda_driver_version},
          {"gpus", gpus},
          {"toolkits", toolkits},
          {"suite", {{"name", m.suite}, {"files", suite_files}, {"sha256", m.suite_sha256}}},
          {"shard", to_string(m.shard)},
          {"rounds", m.rounds},
          {"processes", m.processes},
          {"placements_per_process", m.placements_per_process},
          {"case_timeout_s", m.case_timeout_s},
          {"hot", m.hot},
          {"started_at", m.started_at},
          {"ended_at", m.ended_at},
          {"state", m.state},
          {"status_counts", counts},
          {"merged_from", m.merged_from}};
}

run_manifest manifest_from_json(const json& j, const std::string& source) {
  if (!j.is_object()) throw run_folder_error(source + ": expected a JSON object, found " + j.type_name());
  run_manifest m;
  m.run_id = get_key<std::string>(j, "run_id", source);
  m.cubench_version = get_key<std::string>(j, "cubench_version", source);
  m.git_sha = get_key<std::string>(j, "git_sha", source);
  m.command_line = get_key<std::vector<std::string>>(j, "command_line", source);
  m.host = get_key<std::string>(j, "host", source);
  m.os = get_key<std::string>(j, "os", source);
  m.driver_version = get_key<std::string>(j, "driver_version", source);
  m.cuda_driver_version = get_key<std::string>(j, "cuda_driver_version", source);
  for (const auto& gpu : get_key<json>(j, "gpus", source)) {
    const std::string where = source + ": gpus[]";
    m.gpus.push_back({get_key<unsigned>(gpu, "index", where), get_key<std::string>(gpu, "uuid", where),
                      get_key<std::string>(gpu, "name", where), get_key<std::string>(gpu, "compute_capability", where)});
  }
  for (const auto& toolkit : get_key<json>(j, "toolkits", source)) {
    const std::string where = source + ": toolkits[]";
    manifest_toolkit t{get_key<std::string>(toolkit, "version", where), get_key<std::string>(toolkit, "runner", where),
                       get_key<std::string>(toolkit, "runner_version", where), {}};
    for (const auto& library : get_key<json>(toolkit, "libraries", where))
      t.libraries.push_back({get_key<std::string>(library, "name", where),
                             get_key<std::string>(library, "built_version", where),
                             get_key<std::string>(library, "loaded_version", where),
                             get_key<std::string>(library, "path", where)});
    m.toolkits.push_back(std::move(t));
  }
  const json suite = get_key<json>(j, "suite", source);
  m.suite = get_key<std::string>(suite, "name", source + ": suite");
  m.suite_sha256 = get_key<std::string>(suite, "sha256", source + ": suite");
  for (const auto& file : get_key<json>(suite, "files", source + ": suite"))
    m.suite_files.push_back({get_key<std::string>(file, "path", source + ": suite.files[]"),
                             get_key<std::string>(file, "sha256", source + ": suite.files[]"),
                             get_key<std::size_t>(file, "cases", source + ": suite.files[]")});
  std::string error;
  m.shard = parse_shard(get_key<std::string>(j, "shard", source), error);
  if (!error.empty()) throw run_folder_error(source + ": key 'shard': " + error);
  m.rounds = get_key<int>(j, "rounds", source);
  // Manifests from before `--processes` ran each case in one process of the runner's default placements.
  if (j.contains("processes")) m.processes = get_key<int>(j, "processes", source);
  if (j.contains("placements_per_process"))
    m.placements_per_process = get_key<int>(j, "placements_per_process", source);
  m.case_timeout_s = get_key<double>(j, "case_timeout_s", source);
  m.hot = get_key<bool>(j, "hot", source);
  m.started_at = get_key<std::string>(j, "started_at", source);
  m.ended_at = get_key<std::string>(j, "ended_at", source);
  m.state = get_key<std::string>(j, "state", source);
  const json counts = get_key<json>(j, "status_counts", source);
  for (const auto& [status, count] : counts.items())
    m.status_counts.emplace_back(status, count.get<std::size_t>());
  m.merged_from = get_key<std::vector<std::string>>(j, "merged_from", source);
  return m;
}

run_manifest read_manifest(const fs::path& manifest_path) {
  std::ifstream in(manifest_path);
  if (!in) throw run_folder_error(manifest_path.string() + ": cannot read: " + std::strerror(errno));
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw run_folder_error(manifest_path.string() + ": expected JSON: " + e.what());
  }
  return manifest_from_json(j, manifest_path.string());
}

void write_manifest(const fs::path& manifest_path, const run_manifest& manifest) {
  write_file_atomically(manifest_path, manifest_to_json(manifest).dump(2) + "\n");
}

}  // namespace cubench
