#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "csv_writer.hpp"
#include "result_columns.hpp"
#include "scratch_dir.hpp"

namespace cubench {
namespace {

TEST(csv_quote, leaves_plain_cells_alone) { EXPECT_EQ(csv_quote("cublas"), "cublas"); }

TEST(csv_quote, quotes_commas_quotes_and_line_breaks) {
  EXPECT_EQ(csv_quote("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_quote("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_quote("two\nlines"), "\"two\nlines\"");
}

TEST(format_double, round_trips_shortest) {
  EXPECT_EQ(format_double(0.5), "0.5");
  EXPECT_EQ(format_double(1e-7), "1e-07");
  const double third = 1.0 / 3.0;
  EXPECT_EQ(std::strtod(format_double(third).c_str(), nullptr), third);
}

// %g's layout at the fewest digits (at least 6) that round-trip, as the files written so far have it.
TEST(format_double, keeps_printf_g_layout) {
  EXPECT_EQ(format_double(100000), "100000");
  EXPECT_EQ(format_double(1e6), "1e+06");
  EXPECT_EQ(format_double(0.0001), "0.0001");
  EXPECT_EQ(format_double(1e-5), "1e-05");
  EXPECT_EQ(format_double(-0.0), "-0");
  EXPECT_EQ(format_double(5e-324), "4.94066e-324");
  EXPECT_EQ(format_double(std::nan("")), "nan");
  EXPECT_EQ(format_double(-HUGE_VAL), "-inf");
}

// At a power of two the doubles below lie twice as close as those above: the shortest form's 16 digits lean up,
// %g's rounding to 16 digits does not read back, and 17 are written.
TEST(format_double, takes_one_digit_more_next_to_a_power_of_two) {
  const double value = std::ldexp(1.0, -1017);
  EXPECT_EQ(format_double(value), "7.1202363472230444e-307");
  EXPECT_EQ(std::strtod(format_double(value).c_str(), nullptr), value);
}

TEST(result_columns, names_are_unique_and_start_with_identity) {
  const auto& columns = result_columns();
  ASSERT_FALSE(columns.empty());
  EXPECT_EQ(columns.front().name, "run_id");
  for (std::size_t i = 0; i < columns.size(); ++i)
    for (std::size_t j = i + 1; j < columns.size(); ++j) EXPECT_NE(columns[i].name, columns[j].name);
}

TEST(result_columns, every_field_round_trips_through_text) {
  result_record in;
  in.case_id = "gemm/cublas/gemm_ex/bf16/k=64;m=16;n=8";
  in.gpu_index = 3;
  in.status = case_status::incorrect;
  in.reason = "norm_rel_err 0.2 > 0.01, \"quoted\"";
  in.median_ms = 0.0123456789;
  in.nan_count = 5'000'000'000LL;
  in.clock_flag = true;
  result_record out;
  for (const auto& column : result_columns()) {
    const std::string text = format_field(in, column.field);
    EXPECT_EQ(parse_field(text, out, column.field), "") << column.name;
  }
  EXPECT_EQ(out.case_id, in.case_id);
  EXPECT_EQ(out.gpu_index, 3);
  EXPECT_EQ(out.status, case_status::incorrect);
  EXPECT_EQ(out.reason, in.reason);
  EXPECT_EQ(out.median_ms, in.median_ms);
  EXPECT_EQ(out.nan_count, 5'000'000'000LL);
  EXPECT_EQ(out.clock_flag, true);
  EXPECT_FALSE(out.mean_ms.has_value());
}

TEST(result_columns, parse_errors_say_what_was_expected) {
  result_record record;
  EXPECT_EQ(parse_field("fast", record, &result_record::median_ms), "expected a number, found 'fast'");
  EXPECT_EQ(parse_field("1.5", record, &result_record::samples), "expected an integer, found '1.5'");
  EXPECT_EQ(parse_field("3000000000", record, &result_record::samples),
            "expected an integer in [-2147483648, 2147483647], found '3000000000'");
  EXPECT_EQ(parse_field("99999999999999999999", record, &result_record::nan_count),
            "expected an integer in [-9223372036854775808, 9223372036854775807], found '99999999999999999999'");
  EXPECT_EQ(parse_field("maybe", record, &result_record::clock_flag), "expected 0 or 1, found 'maybe'");
  EXPECT_NE(parse_field("great", record, &result_record::status), "");
}

std::string text_of(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(csv_appender, goes_on_under_its_own_header) {
  const testing::scratch_dir dir;
  const std::string p = dir / "samples.csv";
  csv_appender(p, samples_header()).append(samples_row({"r", "c", "13.0", "GPU-1", 0, 1.0, 0}));
  csv_appender(p, samples_header()).append(samples_row({"r", "c", "13.0", "GPU-1", 1, 1.0, 1}));
  EXPECT_EQ(text_of(p), csv_line(samples_header()) + "\n" +
                            csv_line(samples_row({"r", "c", "13.0", "GPU-1", 0, 1.0, 0})) + "\n" +
                            csv_line(samples_row({"r", "c", "13.0", "GPU-1", 1, 1.0, 1})) + "\n");
}

std::string append_error(const std::string& path, const std::vector<std::string>& header) {
  try {
    csv_appender appender(path, header);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(csv_appender, refuses_a_file_of_another_header_and_leaves_it_alone) {
  const testing::scratch_dir dir;
  const std::string version_1 =
      "schema_version,run_id,case_id,toolkit,gpu_uuid,sample_index,time_ms\n1,r,c,13.0,GPU-1,0,1\n";
  const std::string p = dir.write("samples.csv", version_1);
  EXPECT_EQ(append_error(p, samples_header()),
            p + ":1: expected the header " + csv_line(samples_header()) +
                " to append under, found schema_version,run_id,case_id,toolkit,gpu_uuid,sample_index,time_ms; write "
                "to a new folder");
  EXPECT_EQ(text_of(p), version_1);
}

TEST(csv_appender, refuses_results_rows_of_another_schema_version) {
  const testing::scratch_dir dir;
  const std::string p = dir.write("results.csv", csv_line(results_header()) + "\n1,old-run\n");
  EXPECT_EQ(append_error(p, results_header()),
            p + ":2:1: expected rows of schema_version " + std::to_string(results_schema_version) +
                " to append to, found '1' (a file of an earlier cubench); write to a new folder");
}

TEST(results_row, matches_header_width) {
  EXPECT_EQ(results_row(result_record{}).size(), results_header().size());
  EXPECT_EQ(samples_row(sample_record{}).size(), samples_header().size());
}

}  // namespace
}  // namespace cubench
