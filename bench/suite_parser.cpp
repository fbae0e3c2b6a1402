#include "suite_parser.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>

#include "csv_table.hpp"
#include "text_join.hpp"

namespace cubench {
namespace {

std::string location(const std::string& path, unsigned line, std::size_t column) {
  return path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}


}  // namespace

std::size_t suite_table::column_index(std::string_view name) const {
  const auto it = std::find(columns.begin(), columns.end(), name);
  return it == columns.end() ? std::string::npos : static_cast<std::size_t>(it - columns.begin());
}

const std::string& suite_table::cell(const suite_row& row, std::string_view column) const {
  const std::size_t index = column_index(column);
  if (index == std::string::npos)
    throw suite_error(location(path, 1, columns.size() + 1) + "expected a column '" + std::string(column) +
                      "' in the header, found none");
  return row.cells[index];
}

void suite_table::fail(const suite_row& row, std::string_view column, std::string_view expected) const {
  const std::size_t index = column_index(column);
  const std::size_t position = index == std::string::npos ? 1 : index + 1;
  const std::string found = index == std::string::npos ? std::string() : row.cells[index];
  throw suite_error(location(path, row.line, position) + "expected " + std::string(expected) + " in column '" +
                    std::string(column) + "', found '" + found + "'");
}

suite_table read_suite_table(const std::string& path) {
  suite_table table;
  table.path = path;
  // Suites are written by hand: blanks around cells, blank lines and '#' comments are allowed, and a quote must close
  // on its own line.
  csv_dialect dialect;
  dialect.trim_blanks = true;
  dialect.skip_blank_lines = true;
  dialect.skip_comment_lines = true;
  dialect.quoted_line_breaks = false;
  try {
    csv_reader reader(path, dialect);
    std::vector<std::string_view> cells;
    if (!reader.next(cells)) throw suite_error(location(path, 1, 1) + "expected a header line, found an empty file");
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (cells[i].empty())
        throw suite_error(location(path, reader.line(), i + 1) + "expected a column name in the header, found ''");
      if (std::find(cells.begin(), cells.begin() + static_cast<std::ptrdiff_t>(i), cells[i]) !=
          cells.begin() + static_cast<std::ptrdiff_t>(i))
        throw suite_error(location(path, reader.line(), i + 1) + "expected each column once, found '" +
                          std::string(cells[i]) + "' again");
    }
    table.columns.assign(cells.begin(), cells.end());
    while (reader.next(cells)) {
      if (cells.size() != table.columns.size()) {
        const std::size_t column = std::min(cells.size(), table.columns.size()) + 1;
        throw suite_error(location(path, reader.line(), column) + "expected " +
                          std::to_string(table.columns.size()) + " cells as in the header, found " +
                          std::to_string(cells.size()));
      }
      table.rows.push_back({reader.line(), std::vector<std::string>(cells.begin(), cells.end())});
    }
  } catch (const input_error& e) {
    throw suite_error(e.what());
  }
  return table;
}

void require_columns(const suite_table& table, const std::vector<std::string_view>& expected) {
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (std::find(expected.begin(), expected.end(), table.columns[i]) == expected.end())
      throw suite_error(location(table.path, 1, i + 1) + "expected one of the columns " + join(expected, ", ") +
                        ", found '" + table.columns[i] + "'");
  }
  for (const auto& name : expected) {
    if (table.column_index(name) == std::string::npos)
      throw suite_error(location(table.path, 1, table.columns.size() + 1) + "expected a column '" +
                        std::string(name) + "' in the header, found none");
  }
}

std::string suite_family(const suite_table& table) {
  if (table.column_index("family") == std::string::npos)
    throw suite_error(location(table.path, 1, 1) + "expected a column 'family' in the header, found none");
  if (table.rows.empty())
    throw suite_error(location(table.path, 1, 1) + "expected at least one case after the header, found none");
  const std::string& family = table.cell(table.rows.front(), "family");
  for (const auto& row : table.rows) {
    if (table.cell(row, "family") != family) table.fail(row, "family", "'" + family + "' as on the first row");
  }
  return family;
}

std::int64_t parse_integer_cell(const suite_table& table, const suite_row& row, std::string_view column,
                                std::int64_t low, std::int64_t high) {
  const std::string& text = table.cell(row, column);
  const std::string expected = "an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || value < low || value > high)
    table.fail(row, column, expected);
  return value;
}

std::string parse_choice_cell(const suite_table& table, const suite_row& row, std::string_view column,
                              const std::vector<std::string_view>& allowed) {
  const std::string& text = table.cell(row, column);
  if (std::find(allowed.begin(), allowed.end(), text) == allowed.end())
    table.fail(row, column, "one of " + join(allowed, ", "));
  return text;
}

}  // namespace cubench
