// A self-contained HTML report of `bench compare`, with charts drawn by Chart.js, which is embedded in the page:
// the report opens offline and from a CI artifact. Everything that comes from input is escaped.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "report_writer.hpp"

namespace cubench {

/// Writes report.html: the gate and counts, the distribution of time ratios per family, the largest changes
/// with their intervals, a toolkit x family heat map, and the findings.
class html_report : public report_writer {
 public:
  /// `chart_script` is the Chart.js source to embed (embedded_chart_js() in `bench`, a stand-in in tests).
  html_report(std::set<finding> fail_on, std::string_view chart_script)
      : fail_on_(std::move(fail_on)), chart_script_(chart_script) {}
  void write(const compare_report& report, std::ostream& out) const override;

 private:
  std::set<finding> fail_on_;
  std::string_view chart_script_;
};

/// Makes JSON text safe inside <script type="application/json">: '<', '>' and '&' become \u escapes, which
/// JSON.parse reads back unchanged.
std::string script_safe_json(std::string_view json);

/// Chart.js (Debian's libjs-chart.js, chart.min.js), embedded at build time.
std::string_view embedded_chart_js();

}  // namespace cubench
