// Version numbers of toolkits and libraries: "11.8", "12.4.131", and what nvcc --version prints.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cubench {

/// A dotted version number with at least a major and a minor part.
struct version_number {
  /// Every dotted part: {12, 4, 131} for "12.4.131".
  std::vector<int> parts;

  /// The first part.
  int major() const { return parts.at(0); }
  /// The second part.
  int minor() const { return parts.at(1); }
  /// "12.4", the name toolkits are selected and built under.
  std::string major_minor() const;
  /// All parts joined by dots.
  std::string text() const;
  /// True when major and minor are the same.
  bool same_major_minor(const version_number& other) const;
};

/// Orders by major and minor only, the granularity that names a toolkit.
bool major_minor_less(const version_number& a, const version_number& b);

/// Parses "X.Y" or "X.Y.Z..." (digits and dots only); std::nullopt otherwise.
std::optional<version_number> parse_version(std::string_view text);

/// What nvcc --version says about itself.
struct nvcc_version {
  /// The "release X.Y" part.
  version_number release;
  /// The "VX.Y.Z" part, e.g. 12.4.131.
  version_number full;
};

/// Finds "release X.Y, VX.Y.Z" in nvcc --version output; on failure `error` says what was found instead.
std::optional<nvcc_version> parse_nvcc_version(std::string_view output, std::string& error);

/// Splits a list at `separator` (a comma unless given), trimming blanks around each item.
std::vector<std::string> split_list(std::string_view text, char separator = ',');

}  // namespace cubench
