// The harness's own version and the commit it was built from.
#pragma once

#include <string_view>

namespace cubench {

/// cubench's version, e.g. "0.1.0".
std::string_view cubench_version();
/// The git commit the build came from, or "unknown" outside a checkout.
std::string_view cubench_git_sha();

}  // namespace cubench
