// Finding the CUDA toolkits on this machine and what each one holds: nvcc, libraries, their versions, a host compiler.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "host_compiler_table.hpp"
#include "version_parsing.hpp"

namespace cubench {

/// One library of a toolkit as found on disk.
struct library_info {
  /// Stable key that case families use: cudart, cublas, cublaslt, cusparse, cudnn, thrust.
  std::string key;
  /// The name people know it by: cuBLAS, cuDNN, ...
  std::string name;
  /// True when its header and (unless header-only) a shared or static library file were found.
  bool present = false;
  /// Version from the header's macros, e.g. 12.4.5.8.
  std::string version;
  /// The header the version was read from.
  std::string header;
  /// The most specific shared library file, e.g. .../libcublas.so.12.4.5.8; empty when none.
  std::string shared_library;
  /// The static archive, e.g. .../libcublas_static.a; empty when none.
  std::string static_library;
  /// Why the library is not present, naming where it was looked for; empty when present.
  std::string reason;
};

/// One usable toolkit.
struct toolkit_info {
  /// Canonical (symlink-free) path of the toolkit.
  std::string root;
  /// Every searched path that led to this root, e.g. /usr/local/cuda and /usr/local/cuda-13.0.
  std::vector<std::string> found_as;
  /// The nvcc that identifies it.
  std::string nvcc_path;
  /// What that nvcc reported.
  nvcc_version nvcc;
  /// CUDA_VERSION from include/cuda.h as major.minor; empty when cuda.h was not found.
  std::string cuda_h_version;
  /// Include directories searched for headers.
  std::vector<std::string> include_dirs;
  /// Library directories searched for libraries (canonical, without duplicates).
  std::vector<std::string> library_dirs;
  /// The host compiler picked for its nvcc.
  host_compiler_choice host_compiler;
  /// cudart, cuBLAS, cuBLASLt, cuSPARSE, cuDNN, Thrust, in that order.
  std::vector<library_info> libraries;
  /// stubs/libnvidia-ml.so when the toolkit has it.
  std::string nvml_stub;
  /// Anything wrong that does not make the toolkit unusable.
  std::vector<std::string> problems;

  /// The toolkit's release, e.g. 12.4.
  const version_number& version() const { return nvcc.release; }
  /// The name runners are built under: cuda-12.4.
  std::string name() const { return "cuda-" + nvcc.release.major_minor(); }
  /// The library with `key`, or nullptr.
  const library_info* library(std::string_view key) const;
  /// The path of `file_name` in the first library directory that has it, or "".
  std::string find_library_file(std::string_view file_name) const;
};

/// A folder that was looked at and is not a usable toolkit.
struct skipped_toolkit {
  /// The folder as it was found.
  std::string path;
  /// Why it was skipped.
  std::string reason;
};

/// Where to look and how long to wait.
struct discovery_options {
  /// Folders named with --toolkit-root, searched first; a missing one is reported.
  std::vector<std::string> toolkit_roots;
  /// Also search $CUDA_HOME, $CUDA_PATH, <usr_local>/cuda, <usr_local>/cuda-*, <install_prefix>/cuda-*.
  bool search_standard_locations = true;
  /// The /usr/local to search under.
  std::string usr_local = "/usr/local";
  /// Where scripts/install-toolkit puts toolkits; empty means default_toolkit_prefix().
  std::string install_prefix;
  /// The PATH searched for g++; empty means $PATH.
  std::string compiler_search_path;
  /// How long nvcc --version may take.
  std::chrono::milliseconds nvcc_timeout{30000};
};

/// Everything discovery found.
struct discovery_result {
  /// Usable toolkits, oldest first, one per CUDA release.
  std::vector<toolkit_info> toolkits;
  /// Folders that were skipped, with the reason.
  std::vector<skipped_toolkit> skipped;
  /// The g++ compilers found on the search path.
  std::vector<host_compiler> host_compilers;
};

/// ${CUBENCH_TOOLKIT_PREFIX:-/opt/cubench/toolkits}, where scripts/install-toolkit installs.
std::string default_toolkit_prefix();

/// Searches for toolkits; one bad folder is reported in `skipped` and does not stop the others.
discovery_result discover_toolkits(const discovery_options& options);

/// The toolkits named by `list` ("all", or comma-separated major.minor such as "11.8,12.4"); on a bad or unknown
/// item `error` names it, the toolkits that exist and how to install others.
std::vector<const toolkit_info*> select_toolkits(const discovery_result& found, std::string_view list,
                                                 std::string& error);

}  // namespace cubench
