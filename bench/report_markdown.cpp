#include "report_markdown.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace cubench {
namespace {

constexpr std::size_t max_rows = 20;

// The columns of the counts table: the same findings every time, so that summaries line up run after run.
constexpr finding counted_findings[] = {finding::slower,   finding::faster,   finding::ambiguous,
                                        finding::incorrect, finding::failed,   finding::drift,
                                        finding::mismatch,  finding::incompatible, finding::missing,
                                        finding::added};

bool has(const case_comparison& c, finding f) {
  return std::find(c.findings.begin(), c.findings.end(), f) != c.findings.end();
}

std::string notes_of(const case_comparison& c) {
  std::string text;
  for (const auto& note : c.notes) text += (text.empty() ? "" : "; ") + note;
  return text;
}

// A section listing the comparisons with any of `wanted`, at most max_rows of them.
void write_section(std::ostream& out, const compare_report& report, std::string_view title,
                   std::initializer_list<finding> wanted) {
  std::vector<const case_comparison*> rows;
  for (const auto& c : report.comparisons)
    if (std::any_of(wanted.begin(), wanted.end(), [&](finding f) { return has(c, f); })) rows.push_back(&c);
  if (rows.empty()) return;
  out << "\n### " << title << "\n\n| case | candidate | finding | details |\n|---|---|---|---|\n";
  for (std::size_t i = 0; i < rows.size() && i < max_rows; ++i) {
    const auto& c = *rows[i];
    out << "| " << markdown_escape(case_title(c)) << " | " << markdown_escape(report.sides[c.candidate].label)
        << " | " << headline(c) << " | " << markdown_escape(notes_of(c)) << " |\n";
  }
  if (rows.size() > max_rows) out << "\n… and " << rows.size() - max_rows << " more in compare.csv.\n";
}

}  // namespace

std::string markdown_escape(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\n':
      case '\r': escaped += ' '; break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '<':
      case '>':
      case '|':
      case '~':
      case '&':
        escaped += '\\';
        escaped += c;
        break;
      default: escaped += c;
    }
  }
  return escaped;
}

void markdown_report::write(const compare_report& report, std::ostream& out) const {
  const auto& label = [&](std::size_t side) { return markdown_escape(report.sides[side].label); };
  std::string candidates;
  for (std::size_t i = 0; i < report.sides.size(); ++i)
    if (i != report.baseline) candidates += (candidates.empty() ? "" : ", ") + label(i);
  out << "## cubench compare: " << candidates << " against " << label(report.baseline) << "\n\n";

  const std::size_t crossing = gate_count(report, fail_on_);
  out << (crossing == 0 ? "**Gate passed**" : "**Gate failed**") << " (`--fail-on " << fail_on_list(fail_on_)
      << "`): " << crossing << (crossing == 1 ? " comparison" : " comparisons") << " crossed it. Minimum effect "
      << format_short(report.options.min_effect * 100.0, 3) << "%, alpha " << format_short(report.options.alpha, 3)
      << ", drift factor " << format_short(report.options.drift_factor, 3) << ".\n\n";

  out << "| candidate | compared | same time |";
  for (finding f : counted_findings) out << " " << to_string(f) << " |";
  out << "\n|---|---:|---:|";
  for (std::size_t i = 0; i < std::size(counted_findings); ++i) out << "---:|";
  out << "\n";
  for (const auto& summary : summarise_candidates(report)) {
    out << "| " << label(summary.candidate) << " | " << summary.comparisons << " | " << summary.time_same << " |";
    for (finding f : counted_findings) {
      const auto found = std::find_if(summary.findings.begin(), summary.findings.end(),
                                      [f](const auto& entry) { return entry.first == f; });
      out << " " << (found == summary.findings.end() ? 0 : found->second) << " |";
    }
    out << "\n";
  }

  std::vector<const case_comparison*> slower;
  for (const auto& c : report.comparisons)
    if (has(c, finding::slower)) slower.push_back(&c);
  std::stable_sort(slower.begin(), slower.end(),
                   [](const auto* a, const auto* b) { return a->time.ratio.value_or(1) > b->time.ratio.value_or(1); });
  if (!slower.empty()) {
    out << "\n### Worst regressions\n\n| case | candidate | change | 95% CI | p | baseline ms | candidate ms |\n"
           "|---|---|---:|---|---:|---:|---:|\n";
    for (std::size_t i = 0; i < slower.size() && i < max_rows; ++i) {
      const auto& c = *slower[i];
      out << "| " << markdown_escape(case_title(c)) << " | " << label(c.candidate) << " | "
          << format_change(c.time.ratio) << " | " << format_change_interval(c.time) << " | "
          << format_short(c.time.p_value, 2) << " | " << format_short(c.time.baseline_median_ms) << " | "
          << format_short(c.time.candidate_median_ms) << " |\n";
    }
    if (slower.size() > max_rows) out << "\n… and " << slower.size() - max_rows << " more in compare.csv.\n";
  }
  write_section(out, report, "Incorrect results", {finding::incorrect});
  write_section(out, report, "Failures", {finding::failed});
  write_section(out, report, "Library and driver mismatches",
                {finding::mismatch, finding::incompatible, finding::minor_compat});
  write_section(out, report, "Numerical drift", {finding::drift});
  write_section(out, report, "Measurement conditions", {finding::throttled, finding::ptx_jit});
  write_section(out, report, "Cases on one side only", {finding::missing, finding::added});

  if (!report.geomeans.empty()) {
    // One row per family and GPU, one column per candidate.
    std::vector<std::size_t> columns;
    for (std::size_t i = 0; i < report.sides.size(); ++i)
      if (i != report.baseline) columns.push_back(i);
    std::map<std::pair<std::string, std::string>, std::map<std::size_t, const geomean_summary*>> table;
    for (const auto& g : report.geomeans) table[{g.family, g.gpu_name}][g.candidate] = &g;
    out << "\n### Geometric mean of time ratios\n\nChange of the candidate's median time against the baseline's, "
           "geometric mean over the cases compared (their number in parentheses).\n\n| family | GPU |";
    for (std::size_t c : columns) out << " " << label(c) << " |";
    out << "\n|---|---|";
    for (std::size_t i = 0; i < columns.size(); ++i) out << "---:|";
    out << "\n";
    for (const auto& [family_gpu, cells] : table) {
      out << "| " << markdown_escape(family_gpu.first) << " | " << markdown_escape(family_gpu.second) << " |";
      for (std::size_t c : columns) {
        const auto found = cells.find(c);
        if (found == cells.end())
          out << " |";
        else
          out << " " << format_change(found->second->geomean_ratio) << " (" << found->second->cases << ") |";
      }
      out << "\n";
    }
  }

  if (!report.input_notes.empty()) {
    out << "\n### Input notes\n\n";
    for (std::size_t i = 0; i < report.input_notes.size() && i < max_rows; ++i)
      out << "- " << markdown_escape(report.input_notes[i]) << "\n";
    if (report.input_notes.size() > max_rows)
      out << "- … and " << report.input_notes.size() - max_rows << " more\n";
  }
}

}  // namespace cubench
