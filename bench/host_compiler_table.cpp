#include "host_compiler_table.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "subprocess.hpp"

namespace cubench {

const std::vector<host_compiler_limits>& host_compiler_table() {
  // Maximum: the check in each toolkit's include/crt/host_config.h ("#if __GNUC__ > 11 ... unsupported GNU
  // version", > 13 in 12.4, > 15 in 13.0). Minimum: the host compiler table of NVIDIA's "CUDA Installation
  // Guide for Linux" (GCC 6.x for 11.x and 12.x); 13.0's CCCL 3 requires C++17, complete from GCC 7.
  static const std::vector<host_compiler_limits> table = {
      {version_number{{11, 8}}, 6, 11},
      {version_number{{12, 4}}, 6, 13},
      {version_number{{13, 0}}, 7, 15},
  };
  return table;
}

std::optional<host_compiler_limits> host_compiler_limits_for(const version_number& toolkit, std::string* note) {
  const auto& table = host_compiler_table();
  for (auto row = table.rbegin(); row != table.rend(); ++row) {
    if (major_minor_less(toolkit, row->toolkit)) continue;
    if (note && !row->toolkit.same_major_minor(toolkit))
      *note = "CUDA " + toolkit.major_minor() + " is not in the host-compiler table; using the limits of CUDA " +
              row->toolkit.major_minor();
    return *row;
  }
  return std::nullopt;
}

bool host_compiler_accepted(const version_number& toolkit, int gcc_major) {
  const auto limits = host_compiler_limits_for(toolkit);
  return limits && gcc_major >= limits->min_gcc_major && gcc_major <= limits->max_gcc_major;
}

std::vector<host_compiler> probe_host_compilers(const std::string& search_path, std::chrono::milliseconds timeout) {
  // Versioned names first, so that a plain g++ that links to one of them is reported under the versioned name.
  std::vector<std::string> names;
  for (int major = 6; major <= 15; ++major) names.push_back("g++-" + std::to_string(major));
  names.push_back("g++");

  std::vector<host_compiler> found;
  std::set<std::string> seen_binaries;
  for (const auto& name : names) {
    const std::string path = find_executable(name, search_path);
    if (path.empty()) continue;
    char* resolved = ::realpath(path.c_str(), nullptr);
    const std::string binary = resolved ? resolved : path;
    std::free(resolved);
    if (!seen_binaries.insert(binary).second) continue;
    process_options options;
    options.timeout = timeout;
    const auto result = run_process({path, "-dumpfullversion"}, options);
    if (!result.succeeded()) continue;
    std::string text = result.output;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (const auto version = parse_version(text)) found.push_back({path, *version});
  }
  return found;
}

host_compiler_choice choose_host_compiler(const version_number& toolkit, const std::vector<host_compiler>& installed) {
  host_compiler_choice choice;
  const auto limits = host_compiler_limits_for(toolkit, &choice.note);
  if (!limits) {
    choice.problem = "CUDA " + toolkit.major_minor() + " is older than every toolkit in the host-compiler table (oldest: " +
                     host_compiler_table().front().toolkit.major_minor() + ")";
    return choice;
  }
  choice.accepted = "g++ " + std::to_string(limits->min_gcc_major) + " to " + std::to_string(limits->max_gcc_major);
  for (const auto& compiler : installed) {
    const int major = compiler.version.major();
    if (major < limits->min_gcc_major || major > limits->max_gcc_major) continue;
    if (!choice.compiler || major_minor_less(choice.compiler->version, compiler.version)) choice.compiler = compiler;
  }
  if (!choice.compiler) {
    std::string found;
    for (const auto& compiler : installed) found += (found.empty() ? "" : ", ") + compiler.path + " " + compiler.version.text();
    choice.problem = "no host compiler that CUDA " + toolkit.major_minor() + "'s nvcc accepts (" + choice.accepted +
                     "); found " + (found.empty() ? "no g++ on PATH" : found) + "; fix: apt-get install g++-" +
                     std::to_string(limits->max_gcc_major);
  }
  return choice;
}

}  // namespace cubench
