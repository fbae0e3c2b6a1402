#include "report_writer.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

#include "report_csv.hpp"
#include "report_html.hpp"
#include "report_junit.hpp"
#include "report_markdown.hpp"
#include "report_terminal.hpp"

namespace cubench {
namespace {

constexpr std::array<std::pair<report_format, std::string_view>, 5> format_names{{
    {report_format::terminal, "terminal"},
    {report_format::csv, "csv"},
    {report_format::markdown, "markdown"},
    {report_format::junit, "junit"},
    {report_format::html, "html"},
}};

std::string signed_percent(double ratio) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%+.1f%%", (ratio - 1.0) * 100.0);
  return buffer;
}

}  // namespace

std::string_view to_string(report_format format) {
  for (const auto& [value, name] : format_names)
    if (value == format) return name;
  return "terminal";
}

std::optional<report_format> parse_report_format(std::string_view text) {
  for (const auto& [value, name] : format_names)
    if (name == text) return value;
  return std::nullopt;
}

const std::vector<report_format>& all_report_formats() {
  static const std::vector<report_format> formats = [] {
    std::vector<report_format> all;
    for (const auto& [value, name] : format_names) all.push_back(value);
    return all;
  }();
  return formats;
}

std::string_view report_file_name(report_format format) {
  switch (format) {
    case report_format::terminal: return "";
    case report_format::csv: return "compare.csv";
    case report_format::markdown: return "summary.md";
    case report_format::junit: return "junit.xml";
    case report_format::html: return "report.html";
  }
  return "";
}

std::unique_ptr<report_writer> make_report_writer(report_format format, const report_settings& settings) {
  switch (format) {
    case report_format::terminal: return std::make_unique<terminal_report>(settings.colour, settings.fail_on);
    case report_format::csv: return std::make_unique<csv_report>();
    case report_format::markdown: return std::make_unique<markdown_report>(settings.fail_on);
    case report_format::junit: return std::make_unique<junit_report>(settings.fail_on);
    case report_format::html: return std::make_unique<html_report>(settings.fail_on, settings.chart_script);
  }
  return nullptr;
}

std::string case_title(const case_comparison& c) {
  const std::string gpu = gpu_title(c.key);
  return c.case_id + (gpu.empty() ? "" : " [" + gpu + "]");
}

std::string_view headline(const case_comparison& c) {
  if (!c.findings.empty()) return to_string(c.findings.front());
  return to_string(c.time.verdict);
}

std::string format_change(const std::optional<double>& ratio) { return ratio ? signed_percent(*ratio) : ""; }

std::string format_change_interval(const time_comparison& t) {
  if (!t.ratio_low || !t.ratio_high) return "";
  return signed_percent(*t.ratio_low) + " .. " + signed_percent(*t.ratio_high);
}

std::string format_short(const std::optional<double>& value, int digits) {
  if (!value) return "";
  if (!std::isfinite(*value)) return std::isnan(*value) ? "nan" : (*value > 0 ? "inf" : "-inf");
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, *value);
  return buffer;
}

std::string escape_markup(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          escaped += "\xEF\xBF\xBD";
        else
          escaped += c;
    }
  }
  return escaped;
}

std::vector<finding> gate_findings(const case_comparison& c, const std::set<finding>& fail_on) {
  std::vector<finding> hit;
  for (finding f : c.findings)
    if (fail_on.count(f) > 0) hit.push_back(f);
  return hit;
}

std::string fail_on_list(const std::set<finding>& fail_on) {
  std::string list;
  for (finding f : fail_on) list += (list.empty() ? "" : ",") + std::string(to_string(f));
  return list;
}

std::vector<candidate_summary> summarise_candidates(const compare_report& report) {
  std::vector<candidate_summary> summaries;
  for (std::size_t side = 0; side < report.sides.size(); ++side) {
    if (side == report.baseline) continue;
    candidate_summary summary;
    summary.candidate = side;
    std::map<finding, std::size_t> counts;
    for (const auto& c : report.comparisons) {
      if (c.candidate != side) continue;
      ++summary.comparisons;
      if (c.time.verdict == time_verdict::same) ++summary.time_same;
      for (finding f : c.findings) ++counts[f];
    }
    summary.findings.assign(counts.begin(), counts.end());
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

std::size_t gate_count(const compare_report& report, const std::set<finding>& fail_on) {
  std::size_t n = 0;
  for (const auto& c : report.comparisons)
    if (!gate_findings(c, fail_on).empty()) ++n;
  return n;
}

}  // namespace cubench
