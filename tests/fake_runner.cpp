// A stand-in for bench-runner that speaks the runner protocol (docs/runner-protocol.md) without a GPU, for the
// orchestrator's tests. Its suite file lists case ids, one per line after a `case_id` header. A case whose id
// contains one of these words misbehaves when it runs:
//   crash  raises SIGSEGV          abort   calls abort()
//   hang   sleeps until killed     oom     records out_of_memory and goes on
//   sticky prints a sticky CUDA error and exits with status 1
//   torn   writes its samples, then raises SIGSEGV before its results row
// The toolkit is read from the folder it is started from (.../cuda-12.4/bench-runner), as bench build lays out.
// FAKE_RUNNER_TRACE=FILE appends "toolkit gpu case_id" at every begin; FAKE_RUNNER_START_FAILURE=1 makes it exit
// before its first case, as a runner missing a library would; FAKE_RUNNER_CASE_MS=N makes each case take N ms.
// Each case gets --placements placements (default 1) of three samples each. A case is timed with the launches per
// sample its --cases-file line pins (`ID launches_per_sample=N`), else 1; FAKE_RUNNER_RANDOM_LAUNCHES=1 makes an
// unpinned case pick 1 or 50 by the parity of the process id, as a real case near the graph threshold may.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "csv_writer.hpp"
#include "result_record.hpp"
#include "run_folder.hpp"

namespace {

struct options {
  std::string suite;
  std::string cases_file;
  std::string out;
  std::string run_id;
  int placements = 1;
  bool list = false;
  bool version = false;
};

std::vector<std::string> read_ids(const std::string& path, bool skip_header) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "fake runner: cannot read " << path << "\n";
    std::exit(2);
  }
  std::vector<std::string> ids;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const bool header = first && skip_header && line == "case_id";
    first = false;
    if (line.empty() || line[0] == '#' || header) continue;
    ids.push_back(line);
  }
  return ids;
}

std::string toolkit_of(const std::string& program) {
  const auto slash = program.rfind('/');
  if (slash == std::string::npos) return "0.0";
  const std::string dir = program.substr(0, slash);
  const std::string name = dir.substr(dir.rfind('/') + 1);
  if (name.rfind("cuda-", 0) != 0) return "0.0";
  std::string version = name.substr(5);
  if (const auto dash = version.find('-'); dash != std::string::npos) version.resize(dash);
  return version;
}

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

bool has(const std::string& id, const char* word) { return id.find(word) != std::string::npos; }

void protocol(const std::string& line) { std::cout << "@cubench " << line << std::endl; }

}  // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "fake runner: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--suite") opt.suite = value();
    else if (arg == "--cases-file") opt.cases_file = value();
    else if (arg == "--out") opt.out = value();
    else if (arg == "--run-id") opt.run_id = value();
    else if (arg == "--placements") opt.placements = std::stoi(value());
    else if (arg == "--device" || arg == "--case-timeout-s" || arg == "--protocol-fd" || arg == "--min-time-s" ||
             arg == "--time-cap-s" || arg == "--max-samples")
      value();
    else if (arg == "--list") opt.list = true;
    else if (arg == "--version") opt.version = true;
    else if (arg == "--hot") continue;
    else {
      std::cerr << "fake runner: unknown option " << arg << "\n";
      return 2;
    }
  }
  const std::string toolkit = toolkit_of(argv[0]);
  if (opt.version) {
    std::cout << "fake bench-runner " << toolkit << " (cubench tests)\n";
    return 0;
  }
  if (opt.suite.empty()) {
    std::cerr << "fake runner: --suite is required\n";
    return 2;
  }
  const std::vector<std::string> suite = read_ids(opt.suite, true);
  if (opt.list) {
    for (const auto& id : suite) std::cout << id << "\n";
    return 0;
  }
  if (const char* fail = std::getenv("FAKE_RUNNER_START_FAILURE"); fail != nullptr && std::string(fail) == "1") {
    std::cerr << "fake runner: error while loading shared libraries: libcublas.so.12: cannot open shared object file\n";
    return 127;
  }
  const std::set<std::string> known(suite.begin(), suite.end());
  std::vector<std::string> cases = opt.cases_file.empty() ? suite : read_ids(opt.cases_file, false);
  std::map<std::string, int> pinned_launches;
  for (auto& line : cases)
    if (const auto blank = line.find(' '); blank != std::string::npos) {
      pinned_launches[line.substr(0, blank)] = std::stoi(line.substr(line.find('=', blank) + 1));
      line.resize(blank);
    }
  const char* random_launches = std::getenv("FAKE_RUNNER_RANDOM_LAUNCHES");
  const int unpinned_launches =
      random_launches != nullptr && std::string(random_launches) == "1" && ::getpid() % 2 == 0 ? 50 : 1;
  const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
  const std::string gpu = visible ? visible : "GPU-none";
  const char* case_ms = std::getenv("FAKE_RUNNER_CASE_MS");
  const char* trace_path = std::getenv("FAKE_RUNNER_TRACE");

  cubench::csv_appender results(opt.out + "/results.csv", cubench::results_header());
  cubench::csv_appender samples(opt.out + "/samples.csv", cubench::samples_header());
  for (const auto& id : cases) {
    if (known.count(id) == 0) {
      std::cerr << "fake runner: case " << id << " is not in " << opt.suite << "\n";
      continue;
    }
    protocol("begin " + id);
    if (trace_path != nullptr) {
      const std::string line = toolkit + " " + gpu + " " + id + "\n";
      const int fd = ::open(trace_path, O_WRONLY | O_APPEND | O_CREAT, 0644);
      if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 3;
      ::close(fd);
    }
    if (case_ms != nullptr) std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(case_ms)));
    if (has(id, "crash")) std::raise(SIGSEGV);
    if (has(id, "abort")) std::abort();
    if (has(id, "hang"))
      for (;;) ::pause();
    if (has(id, "sticky")) {
      std::cerr << "BENCH_CUDA_TRY failed at gemm_cublas.cu:88: cudaErrorIllegalAddress: an illegal memory access "
                   "was encountered\n";
      return 1;
    }

    cubench::result_record row;
    row.run_id = opt.run_id;
    row.case_id = id;
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (int p = 0; p < 4; ++p) {
      const auto slash = id.find('/', start);
      parts.push_back(id.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
      start = slash == std::string::npos ? id.size() : slash + 1;
    }
    row.family = parts[0];
    row.impl = parts[1];
    row.variant = parts[2];
    row.dtype = parts[3];
    row.params = id.substr(start);
    row.toolkit = toolkit;
    // As the real runner does, NVML's index: the fake GPUs are numbered in their uuids.
    const std::string fake_prefix = "GPU-fake-";
    row.gpu_index = gpu.rfind(fake_prefix, 0) == 0 ? std::stoi(gpu.substr(fake_prefix.size())) : 0;
    row.gpu_uuid = gpu;
    row.gpu_name = "Fake GPU";
    row.cubench_version = "fake";
    row.timestamp = cubench::utc_now_iso8601();
    if (has(id, "oom")) {
      row.status = cubench::case_status::out_of_memory;
      row.reason = "cudaErrorMemoryAllocation: out of memory allocating 68719476736 bytes";
    } else {
      row.status = cubench::case_status::passed;
      const double median = 1.0 + static_cast<double>(fnv1a(id + toolkit) % 1000) / 1000.0;
      const auto pin = pinned_launches.find(id);
      row.launches_per_sample = pin == pinned_launches.end() ? unpinned_launches : pin->second;
      row.timing_mode = *row.launches_per_sample > 1 ? "graph" : "events";
      row.cache_mode = "cold";
      row.samples = 3 * opt.placements;
      row.median_ms = median;
      row.min_ms = median * 0.99;
      row.max_ms = median * 1.01;
      row.stop_reason = "converged";
      for (int s = 0; s < 3 * opt.placements; ++s)
        samples.append(
            cubench::samples_row({opt.run_id, id, toolkit, gpu, s, median * (0.99 + 0.01 * (s % 3)), s / 3}));
      if (has(id, "torn")) std::raise(SIGSEGV);
    }
    results.append(cubench::results_row(row));
    protocol("end " + id + " " + std::string(cubench::to_string(row.status)));
  }
  protocol("done");
  return 0;
}
