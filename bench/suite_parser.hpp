// Suite files (bench/suites/*.csv): a header naming the columns, one case per row, '#' comments.
// Every family reads its rows from the same table; every error names file, line and column.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cubench {

/// A suite file that cannot be used; the message starts with `file:line:column:`.
class suite_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One data row of a suite file: its 1-based line number and its cells in header order.
struct suite_row {
  unsigned line = 0;
  std::vector<std::string> cells;
};

/// A suite file read into memory: the header's column names and the data rows.
struct suite_table {
  std::string path;
  std::vector<std::string> columns;
  std::vector<suite_row> rows;

  /// The 0-based position of a column in the header, or npos when the header lacks it.
  std::size_t column_index(std::string_view name) const;
  /// The cell of a row under a column the header is known to have.
  const std::string& cell(const suite_row& row, std::string_view column) const;
  /// Throws suite_error at a row's cell: `file:line:column: expected ..., found '...'`.
  [[noreturn]] void fail(const suite_row& row, std::string_view column, std::string_view expected) const;
};

/// Reads a suite CSV (RFC 4180 quoting, blank and '#' lines skipped); throws suite_error on a bad file
/// or a row whose cell count differs from the header's.
suite_table read_suite_table(const std::string& path);

/// Checks that the header holds exactly these columns, in any order; throws suite_error naming the
/// first missing or unexpected column.
void require_columns(const suite_table& table, const std::vector<std::string_view>& expected);

/// The family every row of the table names in its `family` column; throws suite_error when rows
/// disagree, the column is absent or the file has no rows.
std::string suite_family(const suite_table& table);

/// Parses a cell as an integer in [low, high]; throws suite_error at the cell otherwise.
std::int64_t parse_integer_cell(const suite_table& table, const suite_row& row, std::string_view column,
                                std::int64_t low, std::int64_t high);

/// Returns a cell that must be one of `allowed`; throws suite_error listing them otherwise.
std::string parse_choice_cell(const suite_table& table, const suite_row& row, std::string_view column,
                              const std::vector<std::string_view>& allowed);

}  // namespace cubench
