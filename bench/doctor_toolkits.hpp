// The toolkits check: each CUDA toolkit found, whether the installed driver runs what it builds, whether it can
// build for each GPU present, and which host compiler it would use.
#pragma once

#include <optional>
#include <vector>

#include "doctor_driver.hpp"
#include "doctor_report.hpp"
#include "toolkit_discovery.hpp"

namespace cubench {

/// The CUDA releases that compile SASS for one compute capability.
struct arch_support {
  /// Compute capability major.
  int cc_major;
  /// Compute capability minor.
  int cc_minor;
  /// The first release whose nvcc accepts sm_XY.
  version_number first;
  /// The last release that still does; nullopt while current releases do.
  std::optional<version_number> last;
};

/// Every compute capability from 3.5 on, from the CUDA release notes (which release added or removed each sm_XY).
const std::vector<arch_support>& cuda_arch_support();

/// The row for compute capability major.minor, or nullptr when the table does not know it.
const arch_support* arch_support_for(int cc_major, int cc_minor);

/// True when CUDA `cuda` builds SASS for compute capability major.minor; nullopt when the table does not know the GPU.
std::optional<bool> can_build_for(const version_number& cuda, int cc_major, int cc_minor);

/// One finding per toolkit (plus one for skipped folders, or one saying none was found).
std::vector<doctor_finding> toolkit_findings(const discovery_result& found, const driver_state& driver);

}  // namespace cubench
