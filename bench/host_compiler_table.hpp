// Which g++ each CUDA toolkit's nvcc accepts as its host compiler, and picking one of those installed.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "version_parsing.hpp"

namespace cubench {

/// The g++ major versions one toolkit release accepts.
struct host_compiler_limits {
  /// The toolkit release, major.minor.
  version_number toolkit;
  /// The oldest g++ major version supported.
  int min_gcc_major;
  /// The newest g++ major version nvcc does not reject.
  int max_gcc_major;
};

/// Every toolkit release the table knows, oldest first.
const std::vector<host_compiler_limits>& host_compiler_table();

/// The limits for `toolkit`: its own row, else the newest older row (note says so); nullopt when older than all.
std::optional<host_compiler_limits> host_compiler_limits_for(const version_number& toolkit, std::string* note = nullptr);

/// True when `toolkit`'s nvcc accepts a g++ whose major version is `gcc_major`.
bool host_compiler_accepted(const version_number& toolkit, int gcc_major);

/// One g++ found on the search path.
struct host_compiler {
  /// Absolute path of the name it was found under, e.g. /usr/bin/g++-11.
  std::string path;
  /// What -dumpfullversion printed, e.g. 11.3.0.
  version_number version;
};

/// Runs g++-6 ... g++-15 and g++ from `search_path` with -dumpfullversion; one entry per distinct binary.
std::vector<host_compiler> probe_host_compilers(const std::string& search_path,
                                                std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// The host compiler picked for one toolkit, or why there is none.
struct host_compiler_choice {
  /// The newest accepted compiler, when one is installed.
  std::optional<host_compiler> compiler;
  /// The accepted range, e.g. "g++ 6 to 11".
  std::string accepted;
  /// Why no compiler was picked, with the fix; empty when one was.
  std::string problem;
  /// Anything else worth saying, e.g. that the limits were borrowed from an older row.
  std::string note;
};

/// Picks the newest of `installed` that `toolkit` accepts.
host_compiler_choice choose_host_compiler(const version_number& toolkit, const std::vector<host_compiler>& installed);

}  // namespace cubench
