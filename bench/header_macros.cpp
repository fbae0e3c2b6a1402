#include "header_macros.hpp"

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace cubench {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The value text without comments; a /* that is not closed on the line drops the rest.
std::string strip_comments(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "//") == 0) break;
    if (text.compare(i, 2, "/*") == 0) {
      const std::size_t close = text.find("*/", i + 2);
      if (close == std::string::npos) break;
      out += ' ';
      i = close + 1;
      continue;
    }
    out += text[i];
  }
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  const std::size_t first = out.find_first_not_of(" \t");
  return first == std::string::npos ? std::string() : out.substr(first);
}

}  // namespace

std::optional<long long> header_macros::integer(const std::string& name, std::string& error) const {
  const auto found = macros.find(name);
  if (found == macros.end()) {
    error = path + ": expected '#define " + name + " <integer>', found no such macro";
    return std::nullopt;
  }
  const header_macro& macro = found->second;
  std::string_view digits = macro.value;
  while (!digits.empty() && (digits.back() == 'u' || digits.back() == 'U' || digits.back() == 'l' || digits.back() == 'L'))
    digits.remove_suffix(1);
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
    error = path + ":" + std::to_string(macro.line) + ":" + std::to_string(macro.column) + ": expected an integer for " +
            name + ", found '" + macro.value + "'";
    return std::nullopt;
  }
  return value;
}

header_macros parse_header_macros(const std::string& text, const std::string& path) {
  header_macros result;
  result.path = path;
  std::istringstream lines(text);
  std::string line;
  int line_number = 0;
  while (std::getline(lines, line)) {
    ++line_number;
    const int define_line = line_number;
    // A backslash-continued definition is one logical line; it starts where the #define is.
    while (!line.empty() && line.back() == '\\') {
      line.pop_back();
      std::string next;
      if (!std::getline(lines, next)) break;
      ++line_number;
      line += ' ' + next;
    }
    std::size_t i = 0;
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i >= line.size() || line[i] != '#') continue;
    ++i;
    while (i < line.size() && is_blank(line[i])) ++i;
    if (line.compare(i, 6, "define") != 0) continue;
    i += 6;
    if (i >= line.size() || !is_blank(line[i])) continue;
    while (i < line.size() && is_blank(line[i])) ++i;
    const std::size_t name_start = i;
    while (i < line.size() && is_identifier_char(line[i])) ++i;
    if (i == name_start) continue;
    std::string name = line.substr(name_start, i - name_start);
    if (i < line.size() && line[i] == '(') continue;
    while (i < line.size() && is_blank(line[i])) ++i;
    header_macro macro{strip_comments(line.substr(i)), define_line, static_cast<int>(i) + 1};
    result.macros.emplace(std::move(name), std::move(macro));
  }
  return result;
}

std::optional<header_macros> read_header_macros(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return parse_header_macros(text.str(), path);
}

}  // namespace cubench
