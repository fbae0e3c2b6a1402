#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "csv_writer.hpp"
#include "result_columns.hpp"
#include "results_reader.hpp"
#include "scratch_dir.hpp"

namespace cubench {
namespace {

const std::string data_dir = BENCH_TEST_DATA_DIR "/compare";
const std::string malformed = data_dir + "/malformed/";

// 1-based position of a results.csv column in the file: schema_version is column 1.
std::string column_of(std::string_view name) {
  const auto& columns = result_columns();
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return std::to_string(i + 2);
  ADD_FAILURE() << "no column " << name;
  return "?";
}

std::string cells() { return std::to_string(result_columns().size() + 1); }

template <typename Read>
std::string error_of(Read read, const std::string& path) {
  try {
    read(path);
  } catch (const input_error& e) {
    return e.what();
  }
  return "no error";
}

std::string results_error(const std::string& name) { return error_of(read_results_csv, malformed + name); }
std::string samples_error(const std::string& name) { return error_of(read_samples_csv, malformed + name); }

TEST(read_results_csv, reads_the_fixture_run) {
  const auto table = read_results_csv(data_dir + "/runs/nightly/results.csv");
  ASSERT_EQ(table.records.size(), 38u);
  ASSERT_EQ(table.lines.size(), table.records.size());
  const auto& first = table.records.front();
  EXPECT_EQ(first.case_id, "gemm/cublas/gemm_ex/fp32/batch=1;k=4096;layout=NN;m=4096;n=4096");
  EXPECT_EQ(first.toolkit, "11.8");
  EXPECT_EQ(first.gpu_name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(first.samples, 30);
  EXPECT_TRUE(first.median_ms.has_value());
  EXPECT_EQ(table.lines.front(), 2u);
}

TEST(read_results_csv, reads_quotes_commas_and_line_breaks_in_cells) {
  const auto table = read_results_csv(data_dir + "/runs/nightly/results.csv");
  bool saw_script = false;
  bool saw_crash = false;
  for (std::size_t i = 0; i < table.records.size(); ++i) {
    const auto& r = table.records[i];
    if (r.reason == "norm_rel_err 0.31 > tolerance 0.01, output \"<script>alert('x')</script>\" & more")
      saw_script = true;
    if (r.status == case_status::crashed) {
      EXPECT_EQ(r.reason, "signal 11 (SIGSEGV)\nin cublasGemmEx, after 3 cases");
      // The record after the two-line one starts two lines later.
      ASSERT_LT(i + 1, table.lines.size());
      EXPECT_EQ(table.lines[i + 1], table.lines[i] + 2);
      saw_crash = true;
    }
  }
  EXPECT_TRUE(saw_script);
  EXPECT_TRUE(saw_crash);
}

TEST(read_results_csv, reads_back_what_the_writer_wrote) {
  const auto dir = std::filesystem::temp_directory_path() / ("results_reader_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "results.csv").string();
  result_record in;
  in.run_id = "r1";
  in.case_id = "gemm/cublas/gemm_ex/fp16/k=8;m=8;n=8";
  in.family = "gemm";
  in.impl = "cublas";
  in.dtype = "fp16";
  in.toolkit = "12.4";
  in.status = case_status::failed;
  in.reason = "says \"no\",\r\nthen stops";
  in.median_ms = 0.123456789012345;
  in.nan_count = 5'000'000'000LL;
  in.clock_flag = false;
  {
    csv_appender out(path, results_header());
    out.append(results_row(in));
    out.append(results_row(in));
  }
  const auto table = read_results_csv(path);
  ASSERT_EQ(table.records.size(), 2u);
  // io::LineReader ends lines at \n and drops the \r before it, so a CR LF inside a cell reads back as LF.
  EXPECT_EQ(table.records[0].reason, "says \"no\",\nthen stops");
  EXPECT_EQ(table.records[0].median_ms, in.median_ms);
  EXPECT_EQ(table.records[0].nan_count, in.nan_count);
  EXPECT_EQ(table.records[0].clock_flag, false);
  EXPECT_FALSE(table.records[0].mean_ms.has_value());
  EXPECT_EQ(table.lines[1], 4u);
  std::filesystem::remove_all(dir);
}

TEST(read_results_csv, refuses_a_missing_column) {
  EXPECT_EQ(results_error("missing_column.csv"),
            malformed + "missing_column.csv:1:" + column_of("median_ms") +
                ": expected column 'median_ms', found 'mean_ms'");
}

TEST(read_results_csv, refuses_an_extra_column) {
  EXPECT_EQ(results_error("extra_column.csv"), malformed + "extra_column.csv:1:" +
                                                   std::to_string(result_columns().size() + 2) +
                                                   ": expected end of header, found column 'comment'");
}

TEST(read_results_csv, refuses_a_wrong_schema_version) {
  EXPECT_EQ(results_error("wrong_schema_version.csv"),
            malformed + "wrong_schema_version.csv:3:1: expected schema_version 1 as in the file's first row, found '2'");
}

TEST(read_results_csv, names_the_schema_version_of_a_newer_file) {
  EXPECT_EQ(results_error("newer_schema.csv"),
            malformed + "newer_schema.csv:2:1: expected schema_version 1 or 2, found '3'");
}

TEST(read_results_csv, refuses_a_bad_number) {
  EXPECT_EQ(results_error("bad_number.csv"), malformed + "bad_number.csv:3:" + column_of("median_ms") +
                                                 ": expected a number, found 'fast' (column median_ms)");
}

TEST(read_results_csv, refuses_a_bad_status) {
  EXPECT_EQ(results_error("bad_status.csv"),
            malformed + "bad_status.csv:2:" + column_of("status") +
                ": expected a status (passed, incorrect, ...), found 'great' (column status)");
}

TEST(read_results_csv, refuses_an_empty_case_id) {
  EXPECT_EQ(results_error("empty_case_id.csv"), malformed + "empty_case_id.csv:3:" + column_of("case_id") +
                                                    ": expected a value in column case_id, found an empty cell");
}

TEST(read_results_csv, refuses_a_truncated_line) {
  EXPECT_EQ(results_error("truncated_line.csv"),
            malformed + "truncated_line.csv:3:21: expected " + cells() + " cells, found 20");
}

TEST(read_results_csv, refuses_an_unterminated_quote) {
  EXPECT_EQ(results_error("unterminated_quote.csv"),
            malformed + "unterminated_quote.csv:3:" + column_of("reason") +
                ": expected a closing quote, found end of file");
}

TEST(read_results_csv, refuses_an_empty_file) {
  EXPECT_EQ(results_error("empty.csv"), malformed + "empty.csv:1:1: expected a header line, found an empty file");
}

TEST(read_results_csv, says_when_a_file_cannot_be_read) {
  EXPECT_EQ(results_error("no_such_file.csv"), malformed + "no_such_file.csv: cannot read: No such file or directory");
}

TEST(read_samples_csv, groups_samples_by_run_case_toolkit_and_gpu) {
  const auto samples = read_samples_csv(data_dir + "/runs/nightly/samples.csv");
  const auto found = samples.find(sample_series_key("nightly-2025-11-20",
                                                    "gemm/cublas/gemm_ex/fp32/batch=1;k=4096;layout=NN;m=4096;n=4096",
                                                    "11.8", "GPU-8f0c5e2a-1b7d-4c3e-9a61-0d2f7e4b5c01"));
  ASSERT_NE(found, samples.end());
  EXPECT_EQ(found->second.time_ms.size(), 30u);
  // The fixture is schema version 1, without placements: all its samples come from one allocation.
  EXPECT_EQ(found->second.placement, std::vector<int>(30, 0));
  EXPECT_EQ(found->second.by_placement().size(), 1u);
}

// A version 2 samples.csv of these samples, as the runner writes it, in `dir`.
std::string write_samples(const testing::scratch_dir& dir, const std::vector<sample_record>& samples) {
  const std::string path = dir / "samples.csv";
  csv_appender out(path, samples_header());
  for (const auto& s : samples) out.append(samples_row(s));
  return path;
}

TEST(read_samples_csv, reads_the_placement_of_every_sample) {
  const testing::scratch_dir dir;
  std::vector<sample_record> samples;
  for (int i = 0; i < 6; ++i) samples.push_back({"r", "c", "13.0", "GPU-1", i, 1.0 + i, i / 2});
  // Out of order, as a merge of two files may leave them.
  std::swap(samples[1], samples[4]);
  const auto series = read_samples_csv(write_samples(dir, samples)).at(sample_series_key("r", "c", "13.0", "GPU-1"));
  EXPECT_EQ(series.time_ms, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(series.placement, (std::vector<int>{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(series.by_placement(), (std::vector<std::vector<double>>{{1, 2}, {3, 4}, {5, 6}}));
}

TEST(read_samples_csv, refuses_a_negative_placement) {
  const testing::scratch_dir dir;
  const std::string path =
      write_samples(dir, {{"r", "c", "13.0", "GPU-1", 0, 1.0, 0}, {"r", "c", "13.0", "GPU-1", 1, 1.0, -1}});
  EXPECT_EQ(error_of(read_samples_csv, path), path + ":3:8: expected a placement >= 0, found '-1'");
}

TEST(read_samples_csv, refuses_a_version_1_row_under_a_version_2_header) {
  const testing::scratch_dir dir;
  const std::string path = dir.write("samples.csv", csv_line(samples_header()) + "\n1,r,c,13.0,GPU-1,0,1.0,0\n");
  EXPECT_EQ(error_of(read_samples_csv, path), path + ":2:1: expected schema_version 2 as in the header, found '1'");
}

TEST(read_samples_csv, refuses_a_version_2_row_under_a_version_1_header) {
  const testing::scratch_dir dir;
  const std::string path = dir.write("samples.csv",
                                     "schema_version,run_id,case_id,toolkit,gpu_uuid,sample_index,time_ms\n"
                                     "1,r,c,13.0,GPU-1,0,1.0\n2,r,c,13.0,GPU-1,1,1.0,0\n");
  EXPECT_EQ(error_of(read_samples_csv, path), path + ":3:8: expected 7 cells, found 8");
}

TEST(read_samples_csv, refuses_a_time_that_is_not_positive) {
  EXPECT_EQ(samples_error("samples_bad_time.csv"),
            malformed + "samples_bad_time.csv:3:7: expected a time_ms > 0, found '-0.25'");
}

TEST(read_samples_csv, refuses_a_bad_sample_index) {
  EXPECT_EQ(samples_error("samples_bad_index.csv"),
            malformed + "samples_bad_index.csv:3:6: expected a sample_index >= 0, found 'one'");
}

TEST(read_samples_csv, refuses_a_sample_index_seen_twice) {
  EXPECT_EQ(samples_error("samples_duplicate_index.csv"),
            malformed +
                "samples_duplicate_index.csv:5:6: expected each sample_index once per run, case, toolkit and GPU, "
                "found '2' again");
}

TEST(read_samples_csv, refuses_a_missing_column) {
  EXPECT_EQ(samples_error("samples_missing_column.csv"),
            malformed + "samples_missing_column.csv:1:6: expected column 'sample_index', found 'time_ms'");
}

TEST(read_run, finds_samples_next_to_a_results_file) {
  const auto dir = std::filesystem::temp_directory_path() / ("read_run_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(data_dir + "/runs/nightly/results.csv", dir / "12.4-results.csv");
  std::filesystem::copy_file(data_dir + "/runs/nightly/samples.csv", dir / "12.4-samples.csv");
  const auto run = read_run((dir / "12.4-results.csv").string());
  EXPECT_EQ(run.samples_path, (dir / "12.4-samples.csv").string());
  EXPECT_FALSE(run.samples.empty());
  EXPECT_EQ(read_run(data_dir + "/runs/older-host").samples_path, "");
  std::filesystem::remove_all(dir);
}

TEST(read_run, says_what_it_expected_at_a_path) {
  EXPECT_EQ(error_of(read_run, "/nonexistent/run"),
            "/nonexistent/run: expected a results directory or a results CSV file, found nothing there");
  EXPECT_EQ(error_of(read_run, data_dir + "/runs"),
            data_dir + "/runs: expected a results.csv in this directory, found none");
}

}  // namespace
}  // namespace cubench
