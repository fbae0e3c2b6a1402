#include "report_junit.hpp"

#include <algorithm>

namespace cubench {
namespace {

enum class outcome { passed, failed, skipped };

bool has(const case_comparison& c, finding f) {
  return std::find(c.findings.begin(), c.findings.end(), f) != c.findings.end();
}

outcome outcome_of(const case_comparison& c, const std::set<finding>& fail_on) {
  if (!gate_findings(c, fail_on).empty()) return outcome::failed;
  if (has(c, finding::ambiguous) || has(c, finding::missing) || has(c, finding::added)) return outcome::skipped;
  return outcome::passed;
}

// The findings, then the timing when the first of them is about time, else the first note.
std::string summary_of(const case_comparison& c, const std::vector<finding>& findings) {
  std::string text;
  for (finding f : findings) text += (text.empty() ? "" : ", ") + std::string(to_string(f));
  const finding first = findings.front();
  if ((first == finding::slower || first == finding::faster || first == finding::ambiguous) && c.time.ratio) {
    text += ": time " + format_change(c.time.ratio);
    if (c.time.ratio_low) text += " (95% CI " + format_change_interval(c.time) + ")";
    if (c.time.p_value) text += ", p=" + format_short(c.time.p_value, 2);
  } else if (!c.notes.empty()) {
    text += ": " + c.notes.front();
  }
  return text;
}

std::string details_of(const case_comparison& c) {
  std::string text;
  for (const auto& note : c.notes) text += note + "\n";
  return text;
}

}  // namespace

void junit_report::write(const compare_report& report, std::ostream& out) const {
  std::size_t tests = 0;
  std::size_t failures = 0;
  std::size_t skipped = 0;
  for (const auto& c : report.comparisons) {
    ++tests;
    const outcome o = outcome_of(c, fail_on_);
    if (o == outcome::failed) ++failures;
    if (o == outcome::skipped) ++skipped;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"bench compare\" tests=\"" << tests << "\" failures=\"" << failures << "\" skipped=\""
      << skipped << "\">\n";
  const std::string& baseline = report.sides[report.baseline].label;
  for (std::size_t side = 0; side < report.sides.size(); ++side) {
    if (side == report.baseline) continue;
    std::size_t suite_tests = 0;
    std::size_t suite_failures = 0;
    std::size_t suite_skipped = 0;
    for (const auto& c : report.comparisons) {
      if (c.candidate != side) continue;
      ++suite_tests;
      const outcome o = outcome_of(c, fail_on_);
      if (o == outcome::failed) ++suite_failures;
      if (o == outcome::skipped) ++suite_skipped;
    }
    out << "  <testsuite name=\"" << escape_markup(report.sides[side].label + " against " + baseline) << "\" tests=\""
        << suite_tests << "\" failures=\"" << suite_failures << "\" errors=\"0\" skipped=\"" << suite_skipped
        << "\">\n";
    for (const auto& c : report.comparisons) {
      if (c.candidate != side) continue;
      out << "    <testcase classname=\"" << escape_markup(c.key.family + "." + c.key.impl) << "\" name=\""
          << escape_markup(case_title(c)) << "\"";
      const outcome o = outcome_of(c, fail_on_);
      if (o == outcome::passed && c.notes.empty()) {
        out << "/>\n";
        continue;
      }
      out << ">\n";
      if (o == outcome::failed) {
        const auto hit = gate_findings(c, fail_on_);
        out << "      <failure type=\"" << to_string(hit.front()) << "\" message=\""
            << escape_markup(summary_of(c, hit)) << "\">" << escape_markup(details_of(c)) << "</failure>\n";
      } else if (o == outcome::skipped) {
        out << "      <skipped message=\"" << escape_markup(summary_of(c, c.findings)) << "\"/>\n";
      }
      if (o != outcome::failed && !c.notes.empty())
        out << "      <system-out>" << escape_markup(details_of(c)) << "</system-out>\n";
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace cubench
