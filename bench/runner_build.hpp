// Building one runner per toolkit from kernels/, each in its own CMake tree, skipped when nothing changed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "toolkit_discovery.hpp"

namespace cubench {

/// How a runner links the CUDA libraries.
enum class link_mode { shared, static_libraries };

/// "shared" or "static".
std::string_view to_string(link_mode mode);
/// Parses "shared" or "static"; std::nullopt otherwise.
std::optional<link_mode> parse_link_mode(std::string_view text);

/// The default CUDA architectures: SASS for sm_80 and sm_90, PTX for compute_90.
inline constexpr std::string_view default_cuda_architectures = "80-real;90";

/// What `bench build` was asked for.
struct build_options {
  /// The repository root: passed as CUBENCH_SOURCE_DIR; its bench/ and cmake/ are hashed.
  std::string source_dir;
  /// The runner's CMake project; empty means <source_dir>/kernels.
  std::string kernels_dir;
  /// Runners go to <build_dir>/runners/cuda-X.Y[-static].
  std::string build_dir = "build";
  /// Shared or static CUDA libraries.
  link_mode link = link_mode::shared;
  /// CMAKE_CUDA_ARCHITECTURES.
  std::string cuda_architectures = std::string(default_cuda_architectures);
  /// Parallel build jobs; 0 lets the build tool decide.
  int jobs = 0;
  /// Compile through ccache when it is on $PATH.
  bool use_ccache = true;
  /// cudnn-frontend's include folder, passed as CUBENCH_CUDNN_FRONTEND_INCLUDE_DIR; empty leaves it to kernels/.
  std::string cudnn_frontend_include_dir;
};

/// Checks a CMAKE_CUDA_ARCHITECTURES list such as "80-real;90"; returns what is wrong, or "" when it is fine.
std::string check_cuda_architectures(std::string_view architectures);

/// SHA-256 (hex) of every runner source: kernels/**, bench/** and tests/gpu/** (.cpp .hpp .h .cu .cuh .txt .cmake .in)
/// and cmake/**.
std::string hash_runner_sources(const build_options& options);

/// Everything decided before building one runner.
struct runner_build_plan {
  /// The toolkit built for.
  const toolkit_info* toolkit = nullptr;
  /// cuda-12.4 or cuda-12.4-static.
  std::string name;
  /// The runner's build tree.
  std::string dir;
  /// <dir>/bench-runner.
  std::string runner;
  /// <dir>/build.log.
  std::string log_path;
  /// <dir>/cubench-build.key.
  std::string key_path;
  /// Hash of sources, toolkit (root, nvcc version, host compiler and its version), configure arguments and the
  /// cudnn-frontend version found in cudnn_frontend_include_dir.
  std::string key;
  /// The same without the sources: when it changes the CMake cache is configured afresh.
  std::string configure_key;
  /// cmake -S ... -B ... with every -D.
  std::vector<std::string> configure_command;
  /// cmake --build ...
  std::vector<std::string> build_command;
  /// True when the stored key matches and the runner exists.
  bool up_to_date = false;
  /// True when the configure key changed since the last build in this tree.
  bool fresh_configure = false;
  /// Why this runner cannot be built (no host compiler, missing static libraries); empty when it can.
  std::string problem;
};

/// Works out the commands and the cache key; runs nothing.
runner_build_plan plan_runner_build(const toolkit_info& toolkit, const build_options& options,
                                    const std::string& sources_hash);

/// What happened to one runner.
enum class build_status { built, up_to_date, failed };

/// "built", "up to date" or "failed".
std::string_view to_string(build_status status);

/// The outcome of building one runner.
struct build_report {
  /// built, up to date or failed.
  build_status status = build_status::failed;
  /// Why it failed, in one line; empty otherwise.
  std::string error;
  /// The compiler's or CMake's own words: the first error line on, or the last lines of the log.
  std::string error_excerpt;
  /// Wall-clock seconds spent configuring and building.
  double seconds = 0;
};

/// Configures (when needed) and builds, writing all output to plan.log_path; stores the key on success.
build_report execute_runner_build(const runner_build_plan& plan);

}  // namespace cubench
