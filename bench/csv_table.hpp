// Reading CSV files (results.csv, samples.csv, suite files) record by record, or whole into memory. Every CSV the
// project reads goes through csv_reader: fast-cpp-csv-parser's io::LineReader finds the lines and its RFC 4180
// quote policy splits them, so quoted cells may hold commas, doubled quotes and line breaks.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace io {
class LineReader;
}

namespace cubench {

/// A malformed or unreadable input; the message reads "file:line:column: expected X, found Y".
class input_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws input_error "path:line:column: message".
[[noreturn]] void fail_at(const std::string& path, std::size_t line, std::size_t column, const std::string& message);

/// How the lines of a file become records; the defaults read RFC 4180 exactly, keeping every character.
struct csv_dialect {
  /// Strips spaces and tabs around each cell.
  bool trim_blanks = false;
  /// Skips lines that hold nothing but spaces and tabs.
  bool skip_blank_lines = false;
  /// Skips lines that start with '#'.
  bool skip_comment_lines = false;
  /// Lets a quoted cell run over line breaks; otherwise its quote must close on the line it opens on.
  bool quoted_line_breaks = true;
};

/// The records of a CSV file, one at a time, with the line each starts on; throws input_error
/// "file:line:column: ..." on a quote that does not close, and "file: cannot read: ..." when it cannot be opened.
class csv_reader {
 public:
  /// Opens `path`.
  explicit csv_reader(const std::string& path, csv_dialect dialect = {});
  /// Closes the file.
  ~csv_reader();
  csv_reader(const csv_reader&) = delete;
  csv_reader& operator=(const csv_reader&) = delete;

  /// Reads the next record into `cells`, whose views stay valid until the next call; false at the end of the file.
  bool next(std::vector<std::string_view>& cells);
  /// The 1-based line the last record read starts on.
  unsigned line() const { return line_; }
  /// The file being read.
  const std::string& path() const { return path_; }

 private:
  char* read_line();
  bool skipped(const char* line) const;

  std::string path_;
  csv_dialect dialect_;
  std::unique_ptr<io::LineReader> lines_;
  std::string record_;
  unsigned line_ = 0;
};

/// A CSV file read into memory: the header and the data rows, each as wide as the header.
struct csv_table {
  /// The file it was read from.
  std::string path;
  /// The first row's cells.
  std::vector<std::string> header;
  /// Every row after the header.
  std::vector<std::vector<std::string>> rows;
  /// The 1-based line each row of `rows` starts on.
  std::vector<std::size_t> row_lines;

  /// The 0-based position of a column, or npos when the header lacks it.
  std::size_t column(std::string_view name) const;
  /// The position of a column the caller needs; throws input_error naming the file and the header otherwise.
  std::size_t require_column(std::string_view name) const;
};

/// Reads a CSV file, skipping blank lines; throws input_error `file:line:column: ...` on a quote that does not close
/// or a row whose width differs from the header's, and `file: ...` when it cannot be read.
csv_table read_csv_table(const std::string& path);

}  // namespace cubench
