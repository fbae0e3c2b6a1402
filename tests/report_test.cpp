// Every report format against its golden file in tests/data/compare/golden. After an intended change, regenerate
// them with BENCH_UPDATE_GOLDEN=1 (docs/compare.md) and review the diff.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compare.hpp"
#include "csv_writer.hpp"
#include "report_csv.hpp"
#include "report_html.hpp"
#include "report_junit.hpp"
#include "report_markdown.hpp"
#include "report_writer.hpp"

namespace cubench {
namespace {

const std::string data_dir = BENCH_TEST_DATA_DIR "/compare";

// The fixture runs, read by relative paths so that the reports (which name files) do not depend on the checkout.
const compare_report& fixture_report() {
  static const compare_report report = [] {
    const auto previous = std::filesystem::current_path();
    std::filesystem::current_path(data_dir);
    std::vector<run_input> inputs;
    inputs.push_back(read_run("runs/nightly"));
    inputs.push_back(read_run("runs/older-host"));
    std::filesystem::current_path(previous);
    return compare_runs(std::move(inputs), compare_options{});
  }();
  return report;
}

std::string render(report_format format, bool colour = false) {
  report_settings settings;
  settings.colour = colour;
  settings.fail_on = parse_fail_on("slower,incorrect,failed");
  settings.chart_script = "/* Chart.js stands here in the real report */";
  std::ostringstream out;
  make_report_writer(format, settings)->write(fixture_report(), out);
  return out.str();
}

void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = data_dir + "/golden/" + name;
  if (std::getenv("BENCH_UPDATE_GOLDEN") != nullptr) {
    std::filesystem::create_directories(data_dir + "/golden");
    std::ofstream(path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << path;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing; create it with BENCH_UPDATE_GOLDEN=1";
  const std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (actual == expected) return;
  std::istringstream a(actual);
  std::istringstream e(expected);
  std::string actual_line;
  std::string expected_line;
  for (int line = 1;; ++line) {
    const bool more_actual = static_cast<bool>(std::getline(a, actual_line));
    const bool more_expected = static_cast<bool>(std::getline(e, expected_line));
    if (!more_actual && !more_expected) break;
    if (!more_actual || !more_expected || actual_line != expected_line) {
      ADD_FAILURE() << path << ":" << line << " differs (regenerate with BENCH_UPDATE_GOLDEN=1 if intended)\n"
                    << "expected: " << (more_expected ? expected_line : "<end of file>") << "\n"
                    << "actual:   " << (more_actual ? actual_line : "<end of output>");
      return;
    }
  }
}

TEST(report_golden, terminal) { expect_golden("terminal.txt", render(report_format::terminal)); }
TEST(report_golden, terminal_in_colour) { expect_golden("terminal-colour.txt", render(report_format::terminal, true)); }
TEST(report_golden, csv) { expect_golden("compare.csv", render(report_format::csv)); }
TEST(report_golden, markdown) { expect_golden("summary.md", render(report_format::markdown)); }
TEST(report_golden, junit) { expect_golden("junit.xml", render(report_format::junit)); }
TEST(report_golden, html) { expect_golden("report.html", render(report_format::html)); }

TEST(report_escaping, html_and_xml) {
  EXPECT_EQ(escape_markup("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(escape_markup("tab\tline\nbell\x07"), "tab\tline\nbell\xEF\xBF\xBD");
}

TEST(report_escaping, json_inside_a_script_element) {
  EXPECT_EQ(script_safe_json(R"({"s":"</script><!--&"})"),
            R"({"s":"\u003c/script\u003e\u003c!--\u0026"})");
  EXPECT_EQ(nlohmann::json::parse(script_safe_json(R"({"s":"</script>&"})"))["s"], "</script>&");
}

TEST(report_escaping, markdown) {
  EXPECT_EQ(markdown_escape("a|b *c* <d>\n_e_ [f](g) `h` & ~i~"),
            "a\\|b \\*c\\* \\<d\\> \\_e\\_ \\[f\\](g) \\`h\\` \\& \\~i\\~");
}

TEST(report_escaping, input_never_reaches_markup_unescaped) {
  for (report_format format : {report_format::html, report_format::junit, report_format::markdown}) {
    const std::string text = render(format);
    EXPECT_EQ(text.find("<script>alert"), std::string::npos) << to_string(format);
  }
  const std::string html = render(report_format::html);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
}

TEST(report_html, data_block_is_json_the_charts_can_read) {
  const std::string html = render(report_format::html);
  const std::string open = "<script type=\"application/json\" id=\"compare-data\">";
  const auto begin = html.find(open);
  ASSERT_NE(begin, std::string::npos);
  const auto end = html.find("</script>", begin);
  const auto data = nlohmann::json::parse(html.substr(begin + open.size(), end - begin - open.size()));
  EXPECT_EQ(data["families"], (nlohmann::json{"conv", "gemm", "spmm"}));
  EXPECT_FALSE(data["ratios"].empty());
  EXPECT_FALSE(data["largest"].empty());
  EXPECT_FALSE(data["geomeans"].empty());
  EXPECT_EQ(data["rows"].size(), 5u);
}

TEST(report_html, embeds_chart_js) {
  const std::string_view script = embedded_chart_js();
  EXPECT_GT(script.size(), 100'000u);
  EXPECT_NE(script.find("Chart.js v"), std::string_view::npos);
  // The page inlines it in a <script> element, which the first "</script" would end.
  std::string lower(script);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(lower.find("</script"), std::string::npos);
}

TEST(report_csv, has_one_row_per_comparison) {
  const std::string text = render(report_format::csv);
  EXPECT_EQ(text.rfind(csv_line(compare_csv_header()) + "\n", 0), 0u);
  // One line per comparison, plus the header, plus one for the reason that spans two lines.
  EXPECT_EQ(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')),
            fixture_report().comparisons.size() + 2);
}

TEST(report_junit, counts_failures_and_skips) {
  const std::string xml = render(report_format::junit);
  // Failed: 13.0's incorrect, crashed and two slower cases. Skipped: two ambiguous cases, 13 missing, 1 added.
  EXPECT_NE(xml.find("<testsuites name=\"bench compare\" tests=\"40\" failures=\"4\" skipped=\"16\">"),
            std::string::npos)
      << xml.substr(0, 200);
}

}  // namespace
}  // namespace cubench
