// RFC 4180 output: cells quoted when they hold a comma, a quote or a line break.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "result_record.hpp"

namespace cubench {

/// Quotes one cell per RFC 4180 when it needs quoting; returns it unchanged otherwise.
std::string csv_quote(std::string_view cell);

/// Joins cells into one CSV line (without the line end), quoting each as needed.
std::string csv_line(const std::vector<std::string>& cells);

/// Appends rows to a CSV file, writing the header when the file is new or empty, and flushing
/// every row so that a crash loses nothing already written. Refuses (std::runtime_error naming the file and line) a
/// file written under another header, or results rows of another schema_version.
class csv_appender {
 public:
  csv_appender(std::string path, const std::vector<std::string>& header);
  ~csv_appender();
  csv_appender(const csv_appender&) = delete;
  csv_appender& operator=(const csv_appender&) = delete;

  /// Writes one row and flushes it to the operating system; throws std::runtime_error on failure.
  void append(const std::vector<std::string>& cells);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

/// The header of results.csv.
std::vector<std::string> results_header();
/// One results.csv row for a record.
std::vector<std::string> results_row(const result_record& record);
/// The header of samples.csv.
std::vector<std::string> samples_header();
/// One samples.csv row for a sample.
std::vector<std::string> samples_row(const sample_record& sample);

}  // namespace cubench
