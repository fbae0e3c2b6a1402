#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "matrix_market.hpp"
#include "scratch_dir.hpp"

namespace cubench {
namespace {

using testing::scratch_dir;

// The message of the error reading `text` throws, with the scratch path replaced by "F", or "" when it reads.
std::string read_error(const std::string& text, duplicate_policy duplicates = duplicate_policy::sum) {
  const scratch_dir dir;
  const std::string path = dir.write("m.mtx", text);
  try {
    read_matrix_market(path, {duplicates});
  } catch (const matrix_market_error& e) {
    std::string message = e.what();
    if (message.rfind(path, 0) == 0) message = "F" + message.substr(path.size());
    return message;
  }
  return "";
}

csr_matrix read_text(const std::string& text, duplicate_policy duplicates = duplicate_policy::sum) {
  const scratch_dir dir;
  return read_matrix_market(dir.write("m.mtx", text), {duplicates});
}

TEST(matrix_market, reads_a_general_real_file_with_comments_blank_lines_and_crlf) {
  const csr_matrix a = read_text(
      "%%MatrixMarket matrix coordinate real general\r\n"
      "% a comment\r\n"
      "\r\n"
      "  3 4 5\r\n"
      "3 4 -2.5e1\r\n"
      "1 2 .5\r\n"
      "% between entries\r\n"
      "\t1\t1\t+7\r\n"
      "3 1 1E-3\r\n"
      "\r\n"
      "2 3 0\r\n");
  EXPECT_EQ(a.rows, 3);
  EXPECT_EQ(a.cols, 4);
  EXPECT_EQ(a.row_offsets, (std::vector<std::int64_t>{0, 2, 3, 5}));
  EXPECT_EQ(a.col_indices, (std::vector<std::int32_t>{0, 1, 2, 0, 3}));
  EXPECT_EQ(a.values, (std::vector<double>{7, 0.5, 0, 1e-3, -25}));
  EXPECT_NO_THROW(validate(a));
}

TEST(matrix_market, banner_words_are_case_insensitive_and_the_last_line_needs_no_break) {
  const csr_matrix a = read_text("%%matrixmarket MATRIX Coordinate Integer GENERAL\n2 2 1\n2 1 -4");
  EXPECT_EQ(a.col_indices, (std::vector<std::int32_t>{0}));
  EXPECT_EQ(a.row_offsets, (std::vector<std::int64_t>{0, 0, 1}));
  EXPECT_EQ(a.values, (std::vector<double>{-4}));
}

TEST(matrix_market, pattern_files_give_structure_only) {
  const csr_matrix a = read_text("%%MatrixMarket matrix coordinate pattern general\n2 3 2\n1 3\n2 2\n");
  EXPECT_TRUE(a.values.empty());
  EXPECT_EQ(a.col_indices, (std::vector<std::int32_t>{2, 1}));
}

TEST(matrix_market, symmetric_files_are_expanded_without_doubling_the_diagonal) {
  const csr_matrix a =
      read_text("%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 1\n2 1 2\n3 1 3\n3 3 4\n");
  EXPECT_EQ(a.nnz(), 6);
  EXPECT_EQ(a.row_offsets, (std::vector<std::int64_t>{0, 3, 4, 6}));
  EXPECT_EQ(a.col_indices, (std::vector<std::int32_t>{0, 1, 2, 0, 0, 2}));
  EXPECT_EQ(a.values, (std::vector<double>{1, 2, 3, 2, 3, 4}));
}

TEST(matrix_market, skew_symmetric_files_mirror_negated) {
  const csr_matrix a = read_text("%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 1 5\n");
  EXPECT_EQ(a.col_indices, (std::vector<std::int32_t>{1, 0}));
  EXPECT_EQ(a.values, (std::vector<double>{-5, 5}));
}

TEST(matrix_market, duplicates_are_summed_in_file_order_or_rejected) {
  const std::string text = "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 2 1.5\n2 2 1\n1 2 2\n";
  const csr_matrix a = read_text(text);
  EXPECT_EQ(a.nnz(), 2);
  EXPECT_EQ(a.values, (std::vector<double>{3.5, 1}));
  EXPECT_EQ(read_error(text, duplicate_policy::reject), "F:5:1: expected each entry once, found (1, 2) again, first at line 3");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate pattern symmetric\n2 2 2\n2 1\n1 2\n", duplicate_policy::reject),
            "F:4:1: expected each entry once, found (1, 2) again once mirrored, first at line 3");
}

TEST(matrix_market, rejects_a_wrong_banner) {
  EXPECT_EQ(read_error(""), "F:1:1: expected the banner '%%MatrixMarket matrix coordinate FIELD SYMMETRY', found an empty file");
  EXPECT_EQ(read_error("3 3 1\n1 1 1\n"),
            "F:1:1: expected the banner '%%MatrixMarket matrix coordinate FIELD SYMMETRY', found '3 3 1'");
  EXPECT_EQ(read_error("%%MatrixMarket vector coordinate real general\n"),
            "F:1:16: expected object 'matrix' in the banner, found 'vector'");
  EXPECT_EQ(read_error("%%MatrixMarket matrix array real general\n3 3\n"),
            "F:1:23: expected format 'coordinate' in the banner (this reader takes sparse matrices), found 'array'");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate complex general\n"),
            "F:1:34: expected field 'real', 'integer' or 'pattern' in the banner, found 'complex'");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate real hermitian\n"),
            "F:1:39: expected symmetry 'general', 'symmetric' or 'skew-symmetric' in the banner, found 'hermitian'");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate real\n"),
            "F:1:38: expected symmetry 'general', 'symmetric' or 'skew-symmetric' in the banner, found the end of the line");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate real general extra\n"),
            "F:1:47: expected the end of the banner, found 'extra'");
}

TEST(matrix_market, rejects_bad_counts) {
  const std::string banner = "%%MatrixMarket matrix coordinate real general\n";
  EXPECT_EQ(read_error(banner + "% only comments\n"),
            "F:3:1: expected the size line 'rows columns entries', found the end of the file");
  EXPECT_EQ(read_error(banner + "3 3\n"),
            "F:2:4: expected the number of entries on the size line, an integer in [0, 9223372036854775807], found the "
            "end of the line");
  EXPECT_EQ(read_error(banner + "0 3 1\n"),
            "F:2:1: expected the number of rows on the size line, an integer in [1, 2147483647], found '0'");
  EXPECT_EQ(read_error(banner + "3 x 1\n"),
            "F:2:3: expected the number of columns on the size line, an integer in [1, 2147483647], found 'x'");
  EXPECT_EQ(read_error(banner + "3 3 1 9\n"), "F:2:7: expected the end of the size line 'rows columns entries', found '9'");
  EXPECT_EQ(read_error(banner + "2 2 1\n1 1 1\n2 2 2\n"),
            "F:4:1: expected 1 entries as the size line (line 2) states, found more: '2 2 2'");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate real symmetric\n3 4 1\n"),
            "F:2:3: expected as many columns as rows (3) in a symmetric matrix, found '4'");
}

TEST(matrix_market, rejects_a_truncated_file) {
  const std::string text = "%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 2 2\n";
  EXPECT_EQ(read_error(text), "F:5:1: expected 3 entries as the size line (line 2) states, found 2: the file ends early");
  EXPECT_EQ(read_error(text.substr(0, text.size() - 1)),
            "F:5:1: expected 3 entries as the size line (line 2) states, found 2: the file ends early");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1\n"),
            "F:3:4: expected a finite real value, found the end of the line");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate real general\n3 3 1\n1"),
            "F:3:2: expected a column index in [1, 3], found the end of the line");
}

TEST(matrix_market, rejects_indices_out_of_range) {
  const std::string head = "%%MatrixMarket matrix coordinate real general\n3 5 1\n";
  EXPECT_EQ(read_error(head + "4 1 1\n"), "F:3:1: expected a row index in [1, 3], found '4'");
  EXPECT_EQ(read_error(head + "1 0 1\n"), "F:3:3: expected a column index in [1, 5], found '0'");
  EXPECT_EQ(read_error(head + "1 -2 1\n"), "F:3:3: expected a column index in [1, 5], found '-2'");
  EXPECT_EQ(read_error(head + "1 99999999999999999999 1\n"),
            "F:3:3: expected a column index in [1, 5], found '99999999999999999999'");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 1\n2 2 1\n"),
            "F:3:1: expected an entry off the diagonal in a skew-symmetric matrix, found (2, 2)");
}

TEST(matrix_market, rejects_non_numeric_values) {
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 abc\n"),
            "F:3:5: expected a finite real value, found 'abc'");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 1.5x\n"),
            "F:3:5: expected a finite real value, found '1.5x'");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 nan\n"),
            "F:3:5: expected a finite real value, found 'nan'");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 1 1.5\n"),
            "F:3:5: expected an integer value, found '1.5'");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate real general\n3 3 1\nx 1 1\n"),
            "F:3:1: expected a row index in [1, 3], found 'x'");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 1 1\n"),
            "F:3:5: expected the end of the line after 'row column' (a pattern matrix has no values), found '1'");
  EXPECT_EQ(read_error("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 1 1\n"),
            "F:3:7: expected the end of the line after 'row column value', found '1'");
}

TEST(matrix_market, names_a_missing_file) {
  const scratch_dir dir;
  try {
    read_matrix_market(dir / "absent.mtx");
    FAIL() << "expected a matrix_market_error";
  } catch (const matrix_market_error& e) {
    EXPECT_EQ(std::string(e.what()),
              dir / "absent.mtx" + ": expected a readable Matrix Market file, found none: No such file or directory");
  }
}

// The project's real matrices (../shared/matrices, or $CUBENCH_MATRIX_DIR) against matrices/manifest.csv.
std::string matrix_dir() {
  const char* variable = std::getenv("CUBENCH_MATRIX_DIR");
  return variable != nullptr && *variable != '\0' ? variable : BENCH_SOURCE_DIR "/../shared/matrices";
}

struct manifest_row {
  std::string name;
  std::int64_t rows, cols, nnz_expanded;
  std::string field;
};

std::vector<manifest_row> manifest_rows() {
  std::ifstream file(BENCH_SOURCE_DIR "/matrices/manifest.csv");
  std::vector<manifest_row> rows;
  std::string line;
  std::getline(file, line);
  EXPECT_EQ(line, "name,group,collection_name,rows,cols,nnz,nnz_expanded,field,symmetry,sha256,structure");
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::stringstream split(line);
    for (std::string cell; std::getline(split, cell, ',');) cells.push_back(cell);
    rows.push_back({cells.at(0), std::stoll(cells.at(3)), std::stoll(cells.at(4)), std::stoll(cells.at(6)), cells.at(7)});
  }
  return rows;
}

TEST(matrix_market, reads_every_real_matrix_of_the_manifest_that_is_present) {
  const std::string dir = matrix_dir();
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no matrix folder at " << dir << " (set CUBENCH_MATRIX_DIR)";
  int read = 0;
  for (const auto& m : manifest_rows()) {
    const std::string path = dir + "/" + m.name + ".mtx";
    if (!std::filesystem::exists(path)) continue;
    const csr_matrix a = read_matrix_market(path, {duplicate_policy::reject});
    EXPECT_EQ(a.rows, m.rows) << m.name;
    EXPECT_EQ(a.cols, m.cols) << m.name;
    EXPECT_EQ(a.nnz(), m.nnz_expanded) << m.name;
    EXPECT_EQ(a.values.empty(), m.field == "pattern") << m.name;
    EXPECT_NO_THROW(validate(a)) << m.name;
    ++read;
  }
  if (read == 0) GTEST_SKIP() << "none of the manifest's matrices is in " << dir;
  std::cout << "read " << read << " real matrices from " << dir << "\n";
}

}  // namespace
}  // namespace cubench
