// The case families a runner can run, each bound to the library it measures. The case registry of the
// measurement core lists the cases themselves; this says which families a runner binary can offer at all.
#pragma once

#include <string>
#include <vector>

namespace cubench {

/// One family and implementation, and whether this runner was built with its library.
struct case_family {
  /// The family, as results.csv's `family` column names it, e.g. "gemm".
  std::string family;
  /// The implementation, as results.csv's `impl` column names it, e.g. "cublaslt".
  std::string impl;
  /// The library it calls, as built_libraries() names it.
  std::string library;
  /// The built-against version of that library; empty when the runner lacks it.
  std::string library_version;
  /// Empty when the runner can run these cases; otherwise the not_supported reason its cases get.
  std::string not_supported_reason;
};

/// Every family of this runner, with its library's state.
std::vector<case_family> case_families();

}  // namespace cubench
