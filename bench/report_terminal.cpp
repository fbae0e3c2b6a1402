#include "report_terminal.hpp"

#include <algorithm>
#include <array>

namespace cubench {
namespace {

// ANSI SGR codes: red for what fails or invalidates a result, yellow for what needs a look, green for gains.
std::string_view colour_code(std::string_view verdict) {
  static constexpr std::array<std::string_view, 5> red{"incorrect", "failed", "slower", "mismatch", "incompatible"};
  static constexpr std::array<std::string_view, 7> yellow{"missing",  "drift",        "ambiguous", "throttled",
                                                          "ptx_jit", "minor_compat", "added"};
  if (std::find(red.begin(), red.end(), verdict) != red.end()) return "\033[1;31m";
  if (std::find(yellow.begin(), yellow.end(), verdict) != yellow.end()) return "\033[33m";
  if (verdict == "faster") return "\033[32m";
  return "";
}

// Input text must not move the cursor or recolour the terminal: line breaks become " / ", other control
// characters '?'.
std::string printable(std::string_view text) {
  std::string safe;
  safe.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (c == '\n' || c == '\r')
      safe += " / ";
    else if (c < 0x20 || c == 0x7f)
      safe += '?';
    else
      safe += text[i];
  }
  return safe;
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

}  // namespace

void terminal_report::write(const compare_report& report, std::ostream& out) const {
  const auto label = [&](std::size_t side) { return printable(report.sides[side].label); };
  std::string candidates;
  for (std::size_t i = 0; i < report.sides.size(); ++i)
    if (i != report.baseline) candidates += (candidates.empty() ? "" : ", ") + label(i);
  out << "bench compare: " << candidates << " against baseline " << label(report.baseline) << " (min effect "
      << format_short(report.options.min_effect * 100.0, 3) << "%, alpha " << format_short(report.options.alpha, 3)
      << ", drift factor " << format_short(report.options.drift_factor, 3) << ")\n\n";

  using row = std::array<std::string, 8>;
  const row header{"verdict", "candidate", "change", "95% CI", "p", "base ms", "cand ms", "case"};
  std::vector<std::pair<row, const case_comparison*>> rows;
  std::size_t unremarkable = 0;
  for (const auto& c : report.comparisons) {
    if (c.findings.empty()) {
      ++unremarkable;
      continue;
    }
    rows.push_back({{std::string(headline(c)), label(c.candidate), format_change(c.time.ratio),
                     format_change_interval(c.time), format_short(c.time.p_value, 2),
                     format_short(c.time.baseline_median_ms), format_short(c.time.candidate_median_ms),
                     printable(case_title(c))},
                    &c});
  }

  if (!rows.empty()) {
    std::array<std::size_t, 8> width{};
    for (std::size_t i = 0; i < width.size(); ++i) width[i] = header[i].size();
    for (const auto& [cells, c] : rows)
      for (std::size_t i = 0; i < width.size(); ++i) width[i] = std::max(width[i], cells[i].size());
    for (std::size_t i = 0; i + 1 < header.size(); ++i) out << pad(header[i], width[i] + 2);
    out << header.back() << "\n";
    for (const auto& [cells, c] : rows) {
      const std::string_view code = colour_ ? colour_code(cells[0]) : "";
      out << code << pad(cells[0], width[0]) << (code.empty() ? "" : "\033[0m") << "  ";
      for (std::size_t i = 1; i + 1 < cells.size(); ++i) out << pad(cells[i], width[i] + 2);
      out << cells.back() << "\n";
      std::string more;
      for (std::size_t i = 1; i < c->findings.size(); ++i)
        more += (more.empty() ? "" : ", ") + std::string(to_string(c->findings[i]));
      if (!more.empty()) out << "    also: " << more << "\n";
      for (const auto& note : c->notes) out << "    - " << printable(note) << "\n";
    }
    out << "\n";
  }
  out << unremarkable << (unremarkable == 1 ? " comparison" : " comparisons")
      << " with nothing to report (every row is in compare.csv).\n";

  if (!report.geomeans.empty()) {
    out << "\nGeometric mean of time ratios (candidate / baseline):\n";
    std::size_t candidate_width = 9;
    std::size_t gpu_width = 3;
    std::size_t family_width = 6;
    for (const auto& g : report.geomeans) {
      candidate_width = std::max(candidate_width, label(g.candidate).size());
      gpu_width = std::max(gpu_width, printable(g.gpu_name).size());
      family_width = std::max(family_width, printable(g.family).size());
    }
    out << "  " << pad("candidate", candidate_width + 2) << pad("GPU", gpu_width + 2)
        << pad("family", family_width + 2) << pad("cases", 7) << "change\n";
    for (const auto& g : report.geomeans)
      out << "  " << pad(label(g.candidate), candidate_width + 2) << pad(printable(g.gpu_name), gpu_width + 2)
          << pad(printable(g.family), family_width + 2) << pad(std::to_string(g.cases), 7)
          << format_change(g.geomean_ratio)
          << "\n";
  }

  out << "\n";
  for (const auto& summary : summarise_candidates(report)) {
    out << label(summary.candidate) << ": " << summary.comparisons << " compared, " << summary.time_same
        << " same time";
    for (const auto& [f, n] : summary.findings) out << ", " << n << " " << to_string(f);
    out << "\n";
  }
  for (const auto& note : report.input_notes) out << "note: " << printable(note) << "\n";

  const std::size_t crossing = gate_count(report, fail_on_);
  const std::string gate = "gate (--fail-on " + fail_on_list(fail_on_) + "): ";
  if (crossing == 0) {
    out << gate << (colour_ ? "\033[32mpassed\033[0m" : "passed") << "\n";
  } else {
    out << gate << (colour_ ? "\033[1;31mfailed\033[0m" : "failed") << " by " << crossing
        << (crossing == 1 ? " comparison" : " comparisons") << "\n";
  }
}

}  // namespace cubench
