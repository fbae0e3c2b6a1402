#include "driver_requirements.hpp"

#include <algorithm>
#include <cstdlib>

namespace cubench {
namespace {

// Splits "12.4.131" into numbers; false when a field is empty or not decimal digits.
bool split_version(std::string_view text, std::vector<long>& fields) {
  fields.clear();
  if (text.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    const std::string_view field = text.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (field.empty() || field.size() > 9 || field.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    fields.push_back(std::strtol(std::string(field).c_str(), nullptr, 10));
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

const std::vector<toolkit_driver_requirement>& toolkit_driver_requirements() {
  // "CUDA Toolkit and Corresponding Driver Versions", Linux x86_64 column, GA release of each minor version.
  static const std::vector<toolkit_driver_requirement> table{
      {13, 0, "580.65.06"}, {12, 9, "575.51.03"}, {12, 8, "570.26"},    {12, 6, "560.28.03"},
      {12, 5, "555.42.02"}, {12, 4, "550.54.14"}, {12, 3, "545.23.06"}, {12, 2, "535.54.03"},
      {12, 1, "530.30.02"}, {12, 0, "525.60.13"}, {11, 8, "520.61.05"}, {11, 7, "515.43.04"},
      {11, 6, "510.39.01"}, {11, 5, "495.29.05"}, {11, 4, "470.42.01"}, {11, 3, "465.19.01"},
      {11, 2, "460.27.03"}, {11, 1, "455.23"},    {11, 0, "450.51.05"},
  };
  return table;
}

const std::vector<major_driver_requirement>& major_driver_requirements() {
  // "CUDA Toolkit and Minimum Required Driver Version for CUDA Minor Version Compatibility", Linux x86_64.
  static const std::vector<major_driver_requirement> table{
      {13, "580.65.06"},
      {12, "525.60.13"},
      {11, "450.80.02"},
  };
  return table;
}

std::string_view to_string(driver_support support) {
  switch (support) {
    case driver_support::full: return "full";
    case driver_support::minor_compatibility: return "minor_compatibility";
    case driver_support::unsupported: return "unsupported";
    case driver_support::unknown: return "unknown";
  }
  return "unknown";
}

std::optional<int> compare_versions(std::string_view a, std::string_view b) {
  std::vector<long> fa;
  std::vector<long> fb;
  if (!split_version(a, fa) || !split_version(b, fb)) return std::nullopt;
  const std::size_t n = std::max(fa.size(), fb.size());
  fa.resize(n, 0);
  fb.resize(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (fa[i] != fb[i]) return fa[i] < fb[i] ? -1 : 1;
  }
  return 0;
}

driver_check check_driver(std::string_view toolkit, std::string_view driver) {
  std::vector<long> fields;
  std::vector<long> driver_fields;
  if (!split_version(toolkit, fields) || fields.size() < 2 || !split_version(driver, driver_fields)) return {};
  const long major = fields[0];
  const long minor = fields[1];

  const major_driver_requirement* major_requirement = nullptr;
  for (const auto& r : major_driver_requirements())
    if (r.major == major) major_requirement = &r;
  if (major_requirement == nullptr) return {};
  if (*compare_versions(driver, major_requirement->min_driver) < 0)
    return {driver_support::unsupported, std::string(major_requirement->min_driver)};

  for (const auto& r : toolkit_driver_requirements()) {
    if (r.major != major || r.minor != minor) continue;
    if (*compare_versions(driver, r.min_driver) < 0)
      return {driver_support::minor_compatibility, std::string(r.min_driver)};
    return {driver_support::full, std::string(r.min_driver)};
  }
  // A release this table does not list: the major's minimum is all that is known.
  return {driver_support::unknown, std::string(major_requirement->min_driver)};
}

}  // namespace cubench
