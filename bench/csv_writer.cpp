#include "csv_writer.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "result_columns.hpp"

namespace cubench {

std::string csv_quote(std::string_view cell) {
  if (cell.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(cell);
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += ',';
    line += csv_quote(cells[i]);
  }
  return line;
}

namespace {

// A file to append to must have been written under the same header, and a file of the results schema by this
// version of it, or the rows appended would make it unreadable from the first of them on.
void check_appendable(const std::string& path, const std::vector<std::string>& header) {
  std::ifstream in(path);
  std::string first;
  if (!in || !std::getline(in, first)) return;
  const std::string expected = csv_line(header);
  if (first != expected)
    throw std::runtime_error(path + ":1: expected the header " + expected + " to append under, found " + first +
                             "; write to a new folder");
  std::string second;
  if (header.empty() || header.front() != "schema_version" || !std::getline(in, second) || second.empty()) return;
  const std::string version = second.substr(0, second.find(','));
  if (version != std::to_string(results_schema_version))
    throw std::runtime_error(path + ":2:1: expected rows of schema_version " + std::to_string(results_schema_version) +
                             " to append to, found '" + version + "' (a file of an earlier cubench); write to a new "
                             "folder");
}

}  // namespace

csv_appender::csv_appender(std::string path, const std::vector<std::string>& header) : path_(std::move(path)) {
  check_appendable(path_, header);
  file_ = std::fopen(path_.c_str(), "a");
  if (file_ == nullptr) throw std::runtime_error(path_ + ": cannot open for writing: " + std::strerror(errno));
  if (std::ftell(file_) == 0) append(header);
}

csv_appender::~csv_appender() {
  if (file_ != nullptr) std::fclose(file_);
}

void csv_appender::append(const std::vector<std::string>& cells) {
  const std::string line = csv_line(cells) + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
    throw std::runtime_error(path_ + ": write failed: " + std::strerror(errno));
}

std::vector<std::string> results_header() {
  std::vector<std::string> header{"schema_version"};
  for (const auto& column : result_columns()) header.emplace_back(column.name);
  return header;
}

std::vector<std::string> results_row(const result_record& record) {
  std::vector<std::string> row{std::to_string(results_schema_version)};
  for (const auto& column : result_columns()) row.push_back(format_field(record, column.field));
  return row;
}

std::vector<std::string> samples_header() {
  return {sample_column_names().begin(), sample_column_names().end()};
}

std::vector<std::string> samples_row(const sample_record& sample) {
  return {std::to_string(results_schema_version), sample.run_id,
          sample.case_id,                          sample.toolkit,
          sample.gpu_uuid,                         std::to_string(sample.sample_index),
          format_double(sample.time_ms),           std::to_string(sample.placement)};
}

}  // namespace cubench
