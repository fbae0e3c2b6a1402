#include "csv_table.hpp"

#include <algorithm>
#include <cstring>

#include "fccp.hpp"

namespace cubench {
namespace {

using quote_policy = io::double_quote_escape<',', '"'>;
using blank_trim = io::trim_chars<' ', '\t'>;

// Splits one record into cells with the library's quote policy, in place; the views point into `record`.
// The quote policy throws io::error::escaped_string_not_closed when a quoted cell runs past the end; then
// `cells` holds the cells before the open one.
void split_cells(char* record, bool trim_blanks, std::vector<std::string_view>& cells) {
  cells.clear();
  char* begin = record;
  while (true) {
    char* end = begin + (quote_policy::find_next_column_end(begin) - begin);
    const bool last = *end == '\0';
    char* cell_begin = begin;
    char* cell_end = end;
    if (trim_blanks) blank_trim::trim(cell_begin, cell_end);
    quote_policy::unescape(cell_begin, cell_end);
    cells.emplace_back(cell_begin, static_cast<std::size_t>(cell_end - cell_begin));
    if (last) return;
    begin = end + 1;
  }
}

std::unique_ptr<io::LineReader> open_lines(const std::string& path) {
  try {
    return std::make_unique<io::LineReader>(path);
  } catch (const io::error::can_not_open_file& e) {
    throw input_error(path + ": cannot read: " + std::strerror(e.errno_value));
  }
}

}  // namespace

void fail_at(const std::string& path, std::size_t line, std::size_t column, const std::string& message) {
  throw input_error(path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message);
}

csv_reader::csv_reader(const std::string& path, csv_dialect dialect)
    : path_(path), dialect_(dialect), lines_(open_lines(path)) {}

csv_reader::~csv_reader() = default;

char* csv_reader::read_line() {
  try {
    return lines_->next_line();
  } catch (const io::error::line_length_limit_exceeded&) {
    fail_at(path_, lines_->get_file_line(), 1, "expected a line shorter than 16 MiB, found a longer one");
  }
}

bool csv_reader::skipped(const char* line) const {
  return (dialect_.skip_blank_lines && io::empty_line_comment::is_comment(line)) ||
         (dialect_.skip_comment_lines && io::single_line_comment<'#'>::is_comment(line));
}

// io::LineReader finds the lines; a record whose quoted cell holds a line break is joined from as many lines as it
// spans.
bool csv_reader::next(std::vector<std::string_view>& cells) {
  char* text = read_line();
  while (text != nullptr && skipped(text)) text = read_line();
  if (text == nullptr) return false;
  line_ = lines_->get_file_line();
  // Without a quote the line is a whole record: split it where it lies. A quoted line may need the lines after it,
  // so it is split from a copy that leaves the original intact for joining.
  if (std::strchr(text, '"') == nullptr) {
    split_cells(text, dialect_.trim_blanks, cells);
    return true;
  }
  record_.assign(text);
  try {
    split_cells(record_.data(), dialect_.trim_blanks, cells);
    return true;
  } catch (const io::error::escaped_string_not_closed&) {
    const std::size_t open_column = cells.size() + 1;
    if (!dialect_.quoted_line_breaks) fail_at(path_, line_, open_column, "expected a closing quote, found end of line");
    std::string joined(text);
    while (const char* more = read_line()) {
      joined += '\n';
      joined += more;
      record_ = joined;
      try {
        split_cells(record_.data(), dialect_.trim_blanks, cells);
        return true;
      } catch (const io::error::escaped_string_not_closed&) {
      }
    }
    fail_at(path_, line_, open_column, "expected a closing quote, found end of file");
  }
}

std::size_t csv_table::column(std::string_view name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? std::string::npos : static_cast<std::size_t>(it - header.begin());
}

std::size_t csv_table::require_column(std::string_view name) const {
  const std::size_t index = column(name);
  if (index != std::string::npos) return index;
  std::string found;
  for (const auto& cell : header) found += (found.empty() ? "" : ", ") + cell;
  throw input_error(path + ":1:1: expected a column '" + std::string(name) + "' in the header, found: " + found);
}

csv_table read_csv_table(const std::string& path) {
  csv_dialect dialect;
  dialect.skip_blank_lines = true;
  csv_reader in(path, dialect);
  std::vector<std::string_view> cells;
  if (!in.next(cells)) fail_at(path, 1, 1, "expected a header line, found an empty file");
  csv_table table;
  table.path = path;
  table.header.assign(cells.begin(), cells.end());
  while (in.next(cells)) {
    if (cells.size() != table.header.size())
      fail_at(path, in.line(), std::min(cells.size(), table.header.size()) + 1,
           "expected " + std::to_string(table.header.size()) + " cells as in the header, found " +
               std::to_string(cells.size()) + " (a truncated line?)");
    table.rows.emplace_back(cells.begin(), cells.end());
    table.row_lines.push_back(in.line());
  }
  return table;
}

}  // namespace cubench
