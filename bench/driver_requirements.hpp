// The Linux driver each CUDA toolkit needs, in one table that `bench compare` and `bench doctor` share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cubench {

/// The minimum Linux x86_64 driver of one CUDA toolkit release (major.minor, its GA release).
struct toolkit_driver_requirement {
  int major = 0;
  int minor = 0;
  std::string_view min_driver;
};

/// The minimum driver that runs any toolkit of a major version through minor-version compatibility.
struct major_driver_requirement {
  int major = 0;
  std::string_view min_driver;
};

/// Per-release minimums, newest first (NVIDIA CUDA Toolkit Release Notes, table 3).
const std::vector<toolkit_driver_requirement>& toolkit_driver_requirements();

/// Per-major minimums for minor-version compatibility (NVIDIA CUDA Toolkit Release Notes, the minor-version
/// compatibility table).
const std::vector<major_driver_requirement>& major_driver_requirements();

/// How well a driver supports a toolkit.
enum class driver_support {
  full,                 ///< at least the toolkit's own minimum
  minor_compatibility,  ///< below the toolkit's minimum but at least its major's: runs, with reduced features
  unsupported,          ///< below the major's minimum: the toolkit cannot run
  unknown,              ///< the toolkit or the driver version is not one this table can judge
};

/// The schema's name of a support level.
std::string_view to_string(driver_support support);

/// A verdict on one toolkit and driver pair, with the minimum that decided it.
struct driver_check {
  driver_support support = driver_support::unknown;
  std::string required;  ///< the minimum driver that decided the verdict, empty when unknown
};

/// Judges `driver` (e.g. "550.54.15") against `toolkit` ("12.4", or "12.4.131": only major.minor counts).
driver_check check_driver(std::string_view toolkit, std::string_view driver);

/// Compares dotted numeric versions field by field ("550.54.14" < "550.100"); std::nullopt when either is not
/// dotted decimal numbers. Missing trailing fields count as 0.
std::optional<int> compare_versions(std::string_view a, std::string_view b);

}  // namespace cubench
