// The vendor libraries of a runner: the version each was built against (its header's macros) and the
// version and file this process actually loaded.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cubench {

/// A library release; `build` only where the header gives a fourth number.
struct library_version {
  int major = 0;
  int minor = 0;
  int patch = 0;
  std::optional<int> build;
};

/// "major.minor.patch", with ".build" when known.
std::string to_string(const library_version& version);

/// True when major, minor and patch are equal (libraries report no build number at run time).
bool same_release(const library_version& a, const library_version& b);

/// One library as this runner was compiled against it.
struct built_library {
  /// Its name as the vendor spells it, e.g. "cuBLAS".
  std::string name;
  /// The header's version; nullopt when the runner was built without the library.
  std::optional<library_version> version;
  /// Why the runner was built without it; empty when it was built with it.
  std::string absent_reason;
  /// True for a header-only library (Thrust), which has nothing to load.
  bool header_only = false;
};

/// The Thrust version nvcc compiled the runner's kernels with (cccl_version.cu).
library_version thrust_built_version();

/// Every library this runner knows, in a fixed order: cudart, cuBLAS, cuBLASLt, cuSPARSE, cuDNN, Thrust.
std::vector<built_library> built_libraries();

/// One library as this process loaded it.
struct loaded_library {
  /// Its name, as in built_library.
  std::string name;
  /// The header's version.
  library_version built;
  /// The version the library reports of itself; nullopt when asking it failed.
  std::optional<library_version> loaded;
  /// The shared object the process calls into, or "static" when the runner carries the library.
  std::string path;
  /// Why the version query failed; empty when it answered.
  std::string error;

  /// True when the library answered and its release equals the built one.
  bool matches() const { return loaded && same_release(built, *loaded); }
};

/// Asks each library this runner was built with (header-only ones left out) for its version; needs no GPU.
std::vector<loaded_library> loaded_libraries();

}  // namespace cubench
