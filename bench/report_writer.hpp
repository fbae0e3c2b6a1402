// The reports of `bench compare`: one writer class per format behind one interface. Writers only read the
// compare_report; every statistic and verdict is decided before any of them runs.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compare.hpp"

namespace cubench {

/// The output formats of `bench compare`.
enum class report_format { terminal, csv, markdown, junit, html };

/// The name of a format as --format spells it.
std::string_view to_string(report_format format);
/// Parses a format name; std::nullopt when the text is not one.
std::optional<report_format> parse_report_format(std::string_view text);
/// Every format, in the order --format lists them.
const std::vector<report_format>& all_report_formats();
/// The file a format is written to under --out; empty for the terminal table.
std::string_view report_file_name(report_format format);

/// What writers need besides the report.
struct report_settings {
  bool colour = false;           ///< ANSI colour in the terminal table
  std::set<finding> fail_on;     ///< findings that fail the gate (and JUnit test cases)
  std::string_view chart_script; ///< the charting library the HTML report embeds
};

/// Writes one format of a compare_report.
class report_writer {
 public:
  virtual ~report_writer() = default;
  /// Writes the whole report to `out`.
  virtual void write(const compare_report& report, std::ostream& out) const = 0;
};

/// The writer of a format.
std::unique_ptr<report_writer> make_report_writer(report_format format, const report_settings& settings);

/// The case's title: its case_id and GPU.
std::string case_title(const case_comparison& c);
/// The most severe finding's name, or the time verdict ("same", "not_compared") when there is none.
std::string_view headline(const case_comparison& c);
/// A ratio as a signed percentage change, e.g. "+5.2%"; empty when absent.
std::string format_change(const std::optional<double>& ratio);
/// A ratio interval as changes, e.g. "+4.1% .. +6.3%"; empty when absent.
std::string format_change_interval(const time_comparison& t);
/// A number with `digits` significant digits for people to read; empty when absent.
std::string format_short(const std::optional<double>& value, int digits = 4);
/// Escapes text for HTML and XML content and attribute values; characters XML 1.0 forbids become U+FFFD.
std::string escape_markup(std::string_view text);
/// The findings of `fail_on` that a comparison has.
std::vector<finding> gate_findings(const case_comparison& c, const std::set<finding>& fail_on);
/// The fail-on set as a comma-separated list, in severity order.
std::string fail_on_list(const std::set<finding>& fail_on);

/// How one candidate fared: its comparisons, those timed the same, and the count of each finding.
struct candidate_summary {
  std::size_t candidate = 0;
  std::size_t comparisons = 0;
  std::size_t time_same = 0;
  std::vector<std::pair<finding, std::size_t>> findings;  ///< non-zero counts, most severe first
};

/// One summary per candidate, in side order.
std::vector<candidate_summary> summarise_candidates(const compare_report& report);

/// The number of comparisons that cross the gate.
std::size_t gate_count(const compare_report& report, const std::set<finding>& fail_on);

}  // namespace cubench
