#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "csv_table.hpp"
#include "scratch_dir.hpp"

namespace cubench {
namespace {

using testing::scratch_dir;

// Every record of a file, each as owned strings, and the line each starts on.
struct records {
  std::vector<std::vector<std::string>> cells;
  std::vector<unsigned> lines;
};

records read_all(const std::string& path, csv_dialect dialect = {}) {
  csv_reader in(path, dialect);
  records out;
  std::vector<std::string_view> cells;
  while (in.next(cells)) {
    out.cells.emplace_back(cells.begin(), cells.end());
    out.lines.push_back(in.line());
  }
  return out;
}

std::string error_of(const std::string& path, csv_dialect dialect = {}) {
  try {
    read_all(path, dialect);
  } catch (const input_error& e) {
    return e.what();
  }
  return "";
}

TEST(csv_reader, keeps_every_character_and_joins_quoted_line_breaks) {
  scratch_dir dir;
  const auto path = dir.write("a.csv", " a ,\"b,\"\"c\"\"\"\n\"two\nlines\",\n\nlast,x");
  const records read = read_all(path);
  ASSERT_EQ(read.cells.size(), 4u);
  EXPECT_EQ(read.cells[0], (std::vector<std::string>{" a ", "b,\"c\""}));
  EXPECT_EQ(read.cells[1], (std::vector<std::string>{"two\nlines", ""}));
  EXPECT_EQ(read.cells[2], (std::vector<std::string>{""}));
  EXPECT_EQ(read.cells[3], (std::vector<std::string>{"last", "x"}));
  EXPECT_EQ(read.lines, (std::vector<unsigned>{1, 2, 4, 5}));
}

TEST(csv_reader, trims_and_skips_what_its_dialect_says) {
  scratch_dir dir;
  const auto path = dir.write("suite.csv", "# comment\n a ,\t\"b\" \n \t\nc,d\n");
  csv_dialect dialect;
  dialect.trim_blanks = true;
  dialect.skip_blank_lines = true;
  dialect.skip_comment_lines = true;
  const records read = read_all(path, dialect);
  ASSERT_EQ(read.cells.size(), 2u);
  EXPECT_EQ(read.cells[0], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(read.cells[1], (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(read.lines, (std::vector<unsigned>{2, 4}));
}

TEST(csv_reader, names_the_cell_whose_quote_does_not_close) {
  scratch_dir dir;
  const auto path = dir.write("open.csv", "x,y,z\n1,2,\"open\n3,4,5\n");
  EXPECT_EQ(error_of(path), path + ":2:3: expected a closing quote, found end of file");
  csv_dialect one_line;
  one_line.quoted_line_breaks = false;
  EXPECT_EQ(error_of(path, one_line), path + ":2:3: expected a closing quote, found end of line");
}

TEST(csv_reader, names_a_file_it_cannot_read) {
  scratch_dir dir;
  EXPECT_EQ(error_of(dir / "none.csv"), dir / "none.csv" + ": cannot read: No such file or directory");
}

TEST(csv_table, skips_blank_lines_and_counts_them) {
  scratch_dir dir;
  const csv_table table = read_csv_table(dir.write("t.csv", "x,y\n1,2\n\n3,4\n\n"));
  EXPECT_EQ(table.header, (std::vector<std::string>{"x", "y"}));
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[1], (std::vector<std::string>{"3", "4"}));
  EXPECT_EQ(table.row_lines, (std::vector<std::size_t>{2, 4}));
  EXPECT_EQ(table.require_column("y"), 1u);
  try {
    table.require_column("z");
    FAIL() << "expected an input_error";
  } catch (const input_error& e) {
    EXPECT_EQ(std::string(e.what()), table.path + ":1:1: expected a column 'z' in the header, found: x, y");
  }
}

TEST(csv_table, refuses_an_empty_file) {
  scratch_dir dir;
  const auto path = dir.write("empty.csv", "");
  try {
    read_csv_table(path);
    FAIL() << "expected an input_error";
  } catch (const input_error& e) {
    EXPECT_EQ(std::string(e.what()), path + ":1:1: expected a header line, found an empty file");
  }
}

}  // namespace
}  // namespace cubench
