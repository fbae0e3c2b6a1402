#include "version_parsing.hpp"

#include <cctype>
#include <charconv>

namespace cubench {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// The version that starts at `text` and runs over digits and dots, with a trailing dot dropped.
std::string_view leading_version(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
  while (end > 0 && text[end - 1] == '.') --end;
  return text.substr(0, end);
}

}  // namespace

std::string version_number::major_minor() const { return std::to_string(major()) + "." + std::to_string(minor()); }

std::string version_number::text() const {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '.';
    out += std::to_string(parts[i]);
  }
  return out;
}

bool version_number::same_major_minor(const version_number& other) const {
  return major() == other.major() && minor() == other.minor();
}

bool major_minor_less(const version_number& a, const version_number& b) {
  return a.major() != b.major() ? a.major() < b.major() : a.minor() < b.minor();
}

std::optional<version_number> parse_version(std::string_view text) {
  version_number version;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('.', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = text.substr(start, end - start);
    if (part.empty() || part.size() > 9) return std::nullopt;
    int value = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc() || ptr != part.data() + part.size()) return std::nullopt;
    version.parts.push_back(value);
    start = end + 1;
  }
  if (version.parts.size() < 2) return std::nullopt;
  return version;
}

std::optional<nvcc_version> parse_nvcc_version(std::string_view output, std::string& error) {
  static constexpr std::string_view release_marker = "release ";
  std::size_t line_start = 0;
  while (line_start < output.size()) {
    std::size_t line_end = output.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = output.size();
    const std::string_view line = output.substr(line_start, line_end - line_start);
    const std::size_t release_at = line.find(release_marker);
    if (release_at != std::string_view::npos) {
      const std::string_view rest = line.substr(release_at + release_marker.size());
      const auto release = parse_version(leading_version(rest));
      const std::size_t v_at = rest.find(", V");
      const auto full = v_at == std::string_view::npos ? std::nullopt : parse_version(leading_version(rest.substr(v_at + 3)));
      if (release && full) return nvcc_version{*release, *full};
      error = "expected 'release X.Y, VX.Y.Z', found '" + std::string(trim(line)) + "'";
      return std::nullopt;
    }
    line_start = line_end + 1;
  }
  const std::string_view first_line = trim(output.substr(0, output.find('\n')));
  error = first_line.empty() ? "expected a line 'Cuda compilation tools, release X.Y, VX.Y.Z', found no output"
                             : "expected a line 'Cuda compilation tools, release X.Y, VX.Y.Z', found '" +
                                   std::string(first_line.substr(0, 120)) + "'";
  return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text, char separator) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    items.emplace_back(trim(text.substr(start, end - start)));
    start = end + 1;
  }
  return items;
}

}  // namespace cubench
