#include "report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

namespace cubench {
namespace {

constexpr std::size_t max_finding_rows = 500;
constexpr std::size_t largest_changes = 40;

// Draws the charts from the JSON block; it reads input only through JSON.parse and hands it to Chart.js, which
// draws text on a canvas, so no input reaches the DOM as markup.
constexpr const char* chart_code = R"js((function () {
  'use strict';
  var data = JSON.parse(document.getElementById('compare-data').textContent);
  var palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
                 '#9c755f', '#bab0ac'];
  function pct(ratio) { return (ratio - 1) * 100; }
  function signed(v) { return (v > 0 ? '+' : '') + v + '%'; }
  function heat(change) {
    var t = Math.max(-1, Math.min(1, change / 10));
    var to = t > 0 ? [214, 39, 40] : [44, 160, 44];
    var a = Math.abs(t);
    return 'rgb(' + to.map(function (c) { return Math.round(255 + (c - 255) * a); }).join(',') + ')';
  }

  var edges = [-20, -10, -5, -2, -1, 1, 2, 5, 10, 20];
  var bins = ['below ' + signed(edges[0])];
  for (var i = 0; i + 1 < edges.length; i++) bins.push(signed(edges[i]) + ' to ' + signed(edges[i + 1]));
  bins.push(signed(edges[edges.length - 1]) + ' and above');
  function binOf(change) {
    var b = 0;
    while (b < edges.length && change >= edges[b]) b++;
    return b;
  }
  new Chart(document.getElementById('ratio-distribution'), {
    type: 'bar',
    data: {
      labels: bins,
      datasets: data.ratios.map(function (series, k) {
        var counts = bins.map(function () { return 0; });
        series.values.forEach(function (r) { counts[binOf(pct(r))]++; });
        return { label: series.family + ' · ' + series.candidate, data: counts,
                 backgroundColor: palette[k % palette.length] };
      })
    },
    options: {
      responsive: true, maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'change of the median time against the baseline' } },
        y: { beginAtZero: true, title: { display: true, text: 'comparisons' } }
      }
    }
  });

  var largest = data.largest;
  document.getElementById('largest-box').style.height = Math.max(10, 4 + largest.length * 1.6) + 'rem';
  new Chart(document.getElementById('largest-changes'), {
    data: {
      labels: largest.map(function (c) { return c.label; }),
      datasets: [
        { type: 'bar', label: '95% interval of the ratio of medians',
          data: largest.map(function (c) { return [pct(c.low), pct(c.high)]; }),
          backgroundColor: largest.map(function (c) { return heat(pct(c.ratio)); }),
          borderColor: '#555', borderWidth: 1, order: 2 },
        // A lower order is drawn later, so the dots stay visible on their bars.
        { type: 'line', indexAxis: 'y', label: 'ratio of medians', order: 1,
          data: largest.map(function (c) { return pct(c.ratio); }),
          showLine: false, pointRadius: 5, pointStyle: 'rectRot', pointBackgroundColor: '#222', borderColor: '#222' }
      ]
    },
    options: {
      indexAxis: 'y', responsive: true, maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'change of the median time, %' } },
        y: { ticks: { autoSkip: false, callback: function (v) {
          var s = this.getLabelForValue(v);
          return s.length > 70 ? s.slice(0, 67) + '...' : s;
        } } }
      }
    }
  });

  var families = data.families;
  var rows = data.rows;
  document.getElementById('heat-box').style.height = Math.max(10, 6 + rows.length * 3) + 'rem';
  function indexTicks(names) {
    return function (axis) { axis.ticks = names.map(function (n, k) { return { value: k }; }); };
  }
  new Chart(document.getElementById('heat-map'), {
    type: 'bubble',
    data: {
      datasets: [{
        label: 'geometric mean change',
        data: data.geomeans.map(function (g) {
          return { x: families.indexOf(g.family), y: rows.indexOf(g.row), r: 22, change: pct(g.ratio),
                   cases: g.cases };
        }),
        backgroundColor: data.geomeans.map(function (g) { return heat(pct(g.ratio)); }),
        borderColor: '#888'
      }]
    },
    options: {
      responsive: true, maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: function (ctx) {
          var p = ctx.raw;
          return families[p.x] + ' · ' + rows[p.y] + ': ' + signed(p.change.toFixed(1)) + ' over ' + p.cases +
                 ' cases';
        } } }
      },
      scales: {
        x: { min: -0.5, max: families.length - 0.5, afterBuildTicks: indexTicks(families),
             ticks: { callback: function (v) { return families[v]; } } },
        y: { min: -0.5, max: rows.length - 0.5, reverse: true, afterBuildTicks: indexTicks(rows),
             ticks: { callback: function (v) { return rows[v]; } } }
      }
    }
  });
})();
)js";

constexpr const char* style = R"css(body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:90rem;color:#222;
padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem;max-width:100%}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}
th{white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td ul{margin:0;padding-left:1.2rem}
.passed{color:#1b7f3b;font-weight:bold}.failed{color:#b00020;font-weight:bold}
.red{color:#b00020;font-weight:bold}.yellow{color:#8a6d00}.green{color:#1b7f3b}
.chart{position:relative;height:24rem;margin:1rem 0})css";

std::string_view severity_class(std::string_view verdict) {
  for (std::string_view red : {"incorrect", "failed", "slower", "mismatch", "incompatible"})
    if (verdict == red) return "red";
  for (std::string_view yellow : {"missing", "drift", "ambiguous", "throttled", "ptx_jit", "minor_compat", "added"})
    if (verdict == yellow) return "yellow";
  return verdict == "faster" ? "green" : "";
}

// The heat map's colour for a change, the same scale as the chart's: white at 0, full red or green at 10%.
std::string heat_colour(double ratio) {
  const double t = std::clamp((ratio - 1.0) * 10.0, -1.0, 1.0);
  const int to[3] = {t > 0 ? 214 : 44, t > 0 ? 39 : 160, t > 0 ? 40 : 44};
  char buffer[32];
  auto channel = [&](int c) { return static_cast<int>(std::lround(255.0 + (c - 255.0) * std::fabs(t))); };
  std::snprintf(buffer, sizeof buffer, "rgb(%d,%d,%d)", channel(to[0]), channel(to[1]), channel(to[2]));
  return buffer;
}

// Six significant digits are plenty for a chart, and keep the page (and its golden file) steady.
double rounded(double value) { return std::stod(format_short(value, 6)); }

std::string data_json(const compare_report& report) {
  nlohmann::json data;
  std::vector<std::string> families;
  for (const auto& c : report.comparisons)
    if (std::find(families.begin(), families.end(), c.key.family) == families.end())
      families.push_back(c.key.family);
  std::sort(families.begin(), families.end());
  data["families"] = families;

  std::map<std::pair<std::string, std::size_t>, std::vector<double>> ratios;
  std::vector<const case_comparison*> changed;
  for (const auto& c : report.comparisons) {
    if (!c.time.ratio || c.time.verdict == time_verdict::not_compared) continue;
    ratios[{c.key.family, c.candidate}].push_back(rounded(*c.time.ratio));
    if (c.time.ratio_low && c.time.ratio_high) changed.push_back(&c);
  }
  data["ratios"] = nlohmann::json::array();
  for (const auto& [group, values] : ratios)
    data["ratios"].push_back(
        {{"family", group.first}, {"candidate", report.sides[group.second].label}, {"values", values}});

  std::stable_sort(changed.begin(), changed.end(), [](const auto* a, const auto* b) {
    return std::fabs(std::log(*a->time.ratio)) > std::fabs(std::log(*b->time.ratio));
  });
  changed.resize(std::min(changed.size(), largest_changes));
  data["largest"] = nlohmann::json::array();
  for (const auto* c : changed)
    data["largest"].push_back({{"label", report.sides[c->candidate].label + " · " + case_title(*c)},
                               {"verdict", std::string(headline(*c))},
                               {"ratio", rounded(*c->time.ratio)},
                               {"low", rounded(*c->time.ratio_low)},
                               {"high", rounded(*c->time.ratio_high)}});

  std::vector<std::string> rows;
  data["geomeans"] = nlohmann::json::array();
  for (const auto& g : report.geomeans) {
    const std::string row = report.sides[g.candidate].label + " · " + g.gpu_name;
    if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
    data["geomeans"].push_back(
        {{"family", g.family}, {"row", row}, {"ratio", rounded(g.geomean_ratio)}, {"cases", g.cases}});
  }
  data["rows"] = rows;
  return data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void write_counts(std::ostream& out, const compare_report& report) {
  out << "<table>\n<tr><th>candidate</th><th>compared</th><th>same time</th><th>findings</th></tr>\n";
  for (const auto& summary : summarise_candidates(report)) {
    out << "<tr><td>" << escape_markup(report.sides[summary.candidate].label) << "</td><td class=\"num\">"
        << summary.comparisons << "</td><td class=\"num\">" << summary.time_same << "</td><td>";
    bool first = true;
    for (const auto& [f, n] : summary.findings) {
      out << (first ? "" : ", ") << "<span class=\"" << severity_class(to_string(f)) << "\">" << n << " "
          << to_string(f) << "</span>";
      first = false;
    }
    out << "</td></tr>\n";
  }
  out << "</table>\n";
}

void write_heat_table(std::ostream& out, const compare_report& report) {
  std::vector<std::string> families;
  std::map<std::string, std::map<std::string, const geomean_summary*>> rows;
  for (const auto& g : report.geomeans) {
    if (std::find(families.begin(), families.end(), g.family) == families.end()) families.push_back(g.family);
    rows[report.sides[g.candidate].label + " · " + g.gpu_name][g.family] = &g;
  }
  std::sort(families.begin(), families.end());
  out << "<table>\n<tr><th>candidate · GPU</th>";
  for (const auto& f : families) out << "<th>" << escape_markup(f) << "</th>";
  out << "</tr>\n";
  for (const auto& [row, cells] : rows) {
    out << "<tr><th>" << escape_markup(row) << "</th>";
    for (const auto& f : families) {
      const auto found = cells.find(f);
      if (found == cells.end()) {
        out << "<td></td>";
        continue;
      }
      out << "<td class=\"num\" style=\"background:" << heat_colour(found->second->geomean_ratio) << "\">"
          << format_change(found->second->geomean_ratio) << " (" << found->second->cases << ")</td>";
    }
    out << "</tr>\n";
  }
  out << "</table>\n";
}

void write_findings(std::ostream& out, const compare_report& report) {
  std::size_t listed = 0;
  std::size_t with_findings = 0;
  for (const auto& c : report.comparisons)
    if (!c.findings.empty()) ++with_findings;
  if (with_findings == 0) {
    out << "<p>No comparison has a finding.</p>\n";
    return;
  }
  out << "<table>\n<tr><th>verdict</th><th>candidate</th><th>case</th><th>change</th><th>95% CI</th><th>p</th>"
         "<th>baseline ms</th><th>candidate ms</th><th>details</th></tr>\n";
  for (const auto& c : report.comparisons) {
    if (c.findings.empty() || listed == max_finding_rows) continue;
    ++listed;
    const std::string_view verdict = headline(c);
    out << "<tr><td class=\"" << severity_class(verdict) << "\">" << verdict;
    for (std::size_t i = 1; i < c.findings.size(); ++i) out << ", " << to_string(c.findings[i]);
    out << "</td><td>" << escape_markup(report.sides[c.candidate].label) << "</td><td>" << escape_markup(case_title(c))
        << "</td><td class=\"num\">" << format_change(c.time.ratio) << "</td><td class=\"num\">"
        << format_change_interval(c.time) << "</td><td class=\"num\">" << format_short(c.time.p_value, 2)
        << "</td><td class=\"num\">" << format_short(c.time.baseline_median_ms) << "</td><td class=\"num\">"
        << format_short(c.time.candidate_median_ms) << "</td><td>";
    if (!c.notes.empty()) {
      out << "<ul>";
      for (const auto& note : c.notes) out << "<li>" << escape_markup(note) << "</li>";
      out << "</ul>";
    }
    out << "</td></tr>\n";
  }
  out << "</table>\n";
  if (with_findings > listed)
    out << "<p>… and " << with_findings - listed << " more in compare.csv.</p>\n";
}

}  // namespace

std::string script_safe_json(std::string_view json) {
  std::string safe;
  safe.reserve(json.size());
  for (char c : json) {
    switch (c) {
      case '<': safe += "\\u003c"; break;
      case '>': safe += "\\u003e"; break;
      case '&': safe += "\\u0026"; break;
      default: safe += c;
    }
  }
  return safe;
}

void html_report::write(const compare_report& report, std::ostream& out) const {
  std::string candidates;
  for (std::size_t i = 0; i < report.sides.size(); ++i)
    if (i != report.baseline) candidates += (candidates.empty() ? "" : ", ") + report.sides[i].label;
  const std::string& baseline = report.sides[report.baseline].label;
  const std::size_t crossing = gate_count(report, fail_on_);

  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>cubench compare: "
      << escape_markup(candidates) << " against " << escape_markup(baseline) << "</title>\n<style>\n"
      << style << "\n</style>\n</head>\n<body>\n<h1>cubench compare</h1>\n<p>Candidates <b>"
      << escape_markup(candidates) << "</b> against baseline <b>" << escape_markup(baseline) << "</b>. Minimum effect "
      << format_short(report.options.min_effect * 100.0, 3) << "%, alpha " << format_short(report.options.alpha, 3)
      << ", drift factor " << format_short(report.options.drift_factor, 3) << " (docs/compare.md).</p>\n"
      << "<p class=\"" << (crossing == 0 ? "passed\">Gate passed" : "failed\">Gate failed") << " (--fail-on "
      << escape_markup(fail_on_list(fail_on_)) << "): " << crossing
      << (crossing == 1 ? " comparison" : " comparisons") << " crossed it.</p>\n";

  out << "<h2>Summary</h2>\n";
  write_counts(out, report);
  out << "<h2>Distribution of time ratios per family</h2>\n"
         "<p>How many comparisons changed their median time by how much, per family and candidate.</p>\n"
         "<div class=\"chart\"><canvas id=\"ratio-distribution\"></canvas></div>\n"
         "<h2>Largest changes</h2>\n<p>The comparisons whose median time changed most ("
      << largest_changes
      << " at most): the bar is the 95% interval of the ratio of medians, the dot the ratio.</p>\n"
         "<div class=\"chart\" id=\"largest-box\"><canvas id=\"largest-changes\"></canvas></div>\n"
         "<h2>Toolkit × family</h2>\n<p>Geometric mean of the time ratios per candidate, GPU and family: "
         "red is slower, green faster, full colour at 10%; the number of cases in parentheses.</p>\n"
         "<div class=\"chart\" id=\"heat-box\"><canvas id=\"heat-map\"></canvas></div>\n";
  write_heat_table(out, report);
  out << "<h2>Findings</h2>\n";
  write_findings(out, report);
  if (!report.input_notes.empty()) {
    out << "<h2>Input notes</h2>\n<ul>\n";
    for (const auto& note : report.input_notes) out << "<li>" << escape_markup(note) << "</li>\n";
    out << "</ul>\n";
  }
  out << "<script type=\"application/json\" id=\"compare-data\">" << script_safe_json(data_json(report))
      << "</script>\n<script>\n"
      << chart_script_ << "\n</script>\n<script>\n"
      << chart_code << "</script>\n</body>\n</html>\n";
}

}  // namespace cubench
