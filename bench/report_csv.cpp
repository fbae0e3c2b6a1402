#include "report_csv.hpp"

#include <charconv>

#include "csv_writer.hpp"
#include "text_join.hpp"

namespace cubench {
namespace {

// The shortest text that reads back as the same double; std::to_chars is many times faster than printf-style
// searching, which matters at one row per case and candidate.
std::string number(const std::optional<double>& value) {
  if (!value) return "";
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, *value);
  return std::string(buffer, result.ptr);
}

}  // namespace

const std::vector<std::string>& compare_csv_header() {
  static const std::vector<std::string> header{
      "family",
      "impl",
      "variant",
      "dtype",
      "params",
      "gpu_name",
      "case_id",
      "baseline",
      "candidate",
      "verdict",
      "findings",
      "time_verdict",
      "time_method",
      "baseline_status",
      "candidate_status",
      "baseline_samples",
      "candidate_samples",
      "baseline_median_ms",
      "candidate_median_ms",
      "ratio",
      "ratio_ci_low",
      "ratio_ci_high",
      "p_value",
      "u_statistic",
      "tolerance",
      "baseline_norm_rel_err",
      "candidate_norm_rel_err",
      "error_growth",
      "baseline_output_hash",
      "candidate_output_hash",
      "baseline_library_built_version",
      "baseline_library_loaded_version",
      "candidate_library_built_version",
      "candidate_library_loaded_version",
      "baseline_driver_version",
      "candidate_driver_version",
      "notes",
  };
  return header;
}

void csv_report::write(const compare_report& report, std::ostream& out) const {
  out << csv_line(compare_csv_header()) << "\n";
  const result_record absent;
  for (const auto& c : report.comparisons) {
    const result_record& base = c.baseline_row ? *c.baseline_row : absent;
    const result_record& cand = c.candidate_row ? *c.candidate_row : absent;
    std::vector<std::string> findings;
    for (finding f : c.findings) findings.emplace_back(to_string(f));
    const auto& t = c.time;
    auto count = [](std::size_t n, bool present) { return present ? std::to_string(n) : std::string(); };
    const bool timed = t.verdict != time_verdict::not_compared;
    const std::vector<std::string> cells{
        c.key.family,
        c.key.impl,
        c.key.variant,
        c.key.dtype,
        c.key.params,
        c.key.gpu_name,
        c.case_id,
        report.sides[report.baseline].label,
        report.sides[c.candidate].label,
        std::string(headline(c)),
        join(findings, "|"),
        std::string(to_string(t.verdict)),
        std::string(to_string(t.method)),
        c.baseline_row ? std::string(to_string(base.status)) : "",
        c.candidate_row ? std::string(to_string(cand.status)) : "",
        count(t.baseline_samples, timed),
        count(t.candidate_samples, timed),
        number(t.baseline_median_ms),
        number(t.candidate_median_ms),
        number(t.ratio),
        number(t.ratio_low),
        number(t.ratio_high),
        number(t.p_value),
        number(t.u),
        number(cand.tolerance ? cand.tolerance : base.tolerance),
        number(base.norm_rel_err),
        number(cand.norm_rel_err),
        number(c.error_growth),
        base.output_hash,
        cand.output_hash,
        base.library_built_version,
        base.library_loaded_version,
        cand.library_built_version,
        cand.library_loaded_version,
        base.driver_version,
        cand.driver_version,
        join(c.notes, "; "),
    };
    out << csv_line(cells) << "\n";
  }
}

}  // namespace cubench
