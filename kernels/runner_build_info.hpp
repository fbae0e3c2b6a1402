// How this runner was built: its toolkit, compilers, link mode and target architectures, fixed when its
// sub-build was configured (kernels/CMakeLists.txt).
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace cubench {

/// The facts that identify one runner binary.
struct runner_build_info {
  /// cubench's version, e.g. "0.1.0".
  std::string cubench_version;
  /// The git commit the runner was configured from, or "unknown".
  std::string git_sha;
  /// The toolkit's major.minor, e.g. "12.4".
  std::string toolkit_version;
  /// The toolkit's root folder.
  std::string toolkit_root;
  /// The folder holding the toolkit's libraries, where a shared runner expects them.
  std::string toolkit_library_dir;
  /// nvcc's full version, e.g. "12.4.131".
  std::string nvcc_version;
  /// The host compiler's id and version, e.g. "GNU 12.2.0".
  std::string host_compiler;
  /// "shared" or "static": how cudart, cuBLAS, cuBLASLt and cuSPARSE are linked.
  std::string link_mode;
  /// CMAKE_CUDA_ARCHITECTURES, e.g. "80-real;90".
  std::string cuda_architectures;
};

/// This binary's build facts.
const runner_build_info& build_info();

/// The build facts as a JSON object, one key per field.
nlohmann::json build_info_json();

/// One line naming the runner: version, commit, toolkit, link mode and architectures.
std::string build_summary();

}  // namespace cubench
