// Object-like #define macros read from a header's text, so that a toolkit's versions are known without compiling.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace cubench {

/// One `#define NAME value` and where its value starts.
struct header_macro {
  /// The replacement text with comments removed and blanks trimmed.
  std::string value;
  /// 1-based line of the #define.
  int line = 0;
  /// 1-based column where the value starts.
  int column = 0;
};

/// The object-like macros of one header file.
struct header_macros {
  /// The file they were read from.
  std::string path;
  /// Macros by name; the first definition wins.
  std::map<std::string, header_macro> macros;

  /// The integer value of `name`; on failure `error` names path:line:column, what was expected and what was found.
  std::optional<long long> integer(const std::string& name, std::string& error) const;
};

/// Reads every object-like #define in `path`; std::nullopt when the file cannot be read.
std::optional<header_macros> read_header_macros(const std::string& path);

/// Parses header text as if it came from `path`.
header_macros parse_header_macros(const std::string& text, const std::string& path);

}  // namespace cubench
