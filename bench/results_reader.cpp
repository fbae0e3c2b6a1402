#include "results_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <future>
#include <optional>
#include <utility>

#include "result_columns.hpp"

namespace cubench {
namespace {

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// A row's cell count, checked before any cell is read so that no row is half-read.
void check_cell_count(const csv_reader& in, const std::vector<std::string_view>& cells, std::size_t expected) {
  if (cells.size() == expected) return;
  if (cells.size() == 1 && cells[0].empty())
    fail_at(in.path(), in.line(), 1, "expected " + std::to_string(expected) + " cells, found an empty line");
  fail_at(in.path(), in.line(), std::min(cells.size(), expected) + 1,
       "expected " + std::to_string(expected) + " cells, found " + std::to_string(cells.size()));
}

std::string readable_versions() {
  std::string text;
  for (int v = oldest_readable_schema_version; v <= results_schema_version; ++v)
    text += (text.empty() ? "" : v == results_schema_version ? " or " : ", ") + std::to_string(v);
  return text;
}

// A row's schema_version: one this reader reads, and where `expected` is given, that one, which `source` names.
int check_schema_version(const csv_reader& in, std::string_view cell, std::optional<int> expected = std::nullopt,
                         const char* source = "the file's first row") {
  int version = 0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), version);
  const bool parsed = error == std::errc() && end == cell.data() + cell.size() && !cell.empty();
  if (expected) {
    if (!parsed || version != *expected)
      fail_at(in.path(), in.line(), 1,
              "expected schema_version " + std::to_string(*expected) + " as in " + source + ", found " + quoted(cell));
  } else if (!parsed || version < oldest_readable_schema_version || version > results_schema_version) {
    fail_at(in.path(), in.line(), 1, "expected schema_version " + readable_versions() + ", found " + quoted(cell));
  }
  return version;
}

// The header line's cells, valid until the next line is read.
std::vector<std::string_view> read_header(csv_reader& in) {
  std::vector<std::string_view> cells;
  if (!in.next(cells)) fail_at(in.path(), 1, 1, "expected a header line, found an empty file");
  return cells;
}

// The header must list the schema's columns in the schema's order. When it does not, and the first row carries
// a schema_version this reader does not read, that is the error to report: the file is from another version of
// cubench.
template <typename Names>
void check_header(csv_reader& in, const std::vector<std::string_view>& cells, const Names& names) {
  std::optional<std::string> problem;
  std::size_t column = 0;
  for (std::size_t i = 0; i < names.size() && !problem; ++i) {
    column = i + 1;
    if (i >= cells.size())
      problem = "expected column " + quoted(names[i]) + ", found end of header";
    else if (cells[i] != names[i])
      problem = "expected column " + quoted(names[i]) + ", found " + quoted(cells[i]);
  }
  if (!problem && cells.size() > names.size()) {
    column = names.size() + 1;
    problem = "expected end of header, found column " + quoted(cells[names.size()]);
  }
  if (!problem) return;
  const unsigned header_line = in.line();
  std::vector<std::string_view> first_row;
  if (in.next(first_row) && !first_row.empty()) check_schema_version(in, first_row[0]);
  fail_at(in.path(), header_line, column, *problem);
}

template <typename T>
bool parse_number(std::string_view text, T& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

// Whether a samples row (run_id, case_id, toolkit, gpu_uuid in cells 1-4) belongs to the series `key`.
bool key_matches(const std::string& key, const std::vector<std::string_view>& cells) {
  std::size_t at = 0;
  for (std::size_t i = 1; i <= 4; ++i) {
    if (key.compare(at, cells[i].size(), cells[i]) != 0) return false;
    at += cells[i].size();
    if (i < 4 && (at >= key.size() || key[at] != '\x1f')) return false;
    ++at;
  }
  return at == key.size() + 1;
}

struct indexed_sample {
  int index = 0;
  double time_ms = 0.0;
  int placement = 0;
};

bool required_identity_is_empty(const result_record& r, std::size_t& column_index) {
  const auto& columns = result_columns();
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const auto* member = std::get_if<std::string result_record::*>(&columns[i].field);
    if (member == nullptr) continue;
    const bool required = *member == &result_record::case_id || *member == &result_record::family ||
                          *member == &result_record::impl || *member == &result_record::dtype ||
                          *member == &result_record::toolkit;
    if (required && (r.**member).empty()) {
      column_index = i;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string sample_series_key(std::string_view run_id, std::string_view case_id, std::string_view toolkit,
                              std::string_view gpu_uuid) {
  std::string key;
  key.reserve(run_id.size() + case_id.size() + toolkit.size() + gpu_uuid.size() + 3);
  // The unit separator cannot be confused with text a runner writes.
  key.append(run_id).append(1, '\x1f').append(case_id).append(1, '\x1f').append(toolkit).append(1, '\x1f').append(
      gpu_uuid);
  return key;
}

std::vector<std::vector<double>> sample_series::by_placement() const {
  std::vector<std::vector<double>> groups;
  std::unordered_map<int, std::size_t> group_of;
  for (std::size_t i = 0; i < time_ms.size(); ++i) {
    const auto [it, fresh] = group_of.emplace(placement[i], groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(time_ms[i]);
  }
  return groups;
}

std::string sample_series_key(const result_record& record) {
  return sample_series_key(record.run_id, record.case_id, record.toolkit, record.gpu_uuid);
}

results_table read_results_csv(const std::string& path) {
  const auto& columns = result_columns();
  std::vector<std::string_view> names{"schema_version"};
  for (const auto& column : columns) names.push_back(column.name);

  csv_reader in(path);
  check_header(in, read_header(in), names);

  results_table table;
  table.path = path;
  std::vector<std::string_view> cells;
  // Versions 1 and 2 have the same columns; a file holds one version, which its first row names.
  std::optional<int> version;
  while (in.next(cells)) {
    check_cell_count(in, cells, names.size());
    version = check_schema_version(in, cells[0], version);
    result_record record;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const std::string error = parse_field(cells[i + 1], record, columns[i].field);
      if (!error.empty())
        fail_at(path, in.line(), i + 2, error + " (column " + std::string(columns[i].name) + ")");
    }
    std::size_t empty_column = 0;
    if (required_identity_is_empty(record, empty_column))
      fail_at(path, in.line(), empty_column + 2,
           "expected a value in column " + std::string(columns[empty_column].name) + ", found an empty cell");
    table.records.push_back(std::move(record));
    table.lines.push_back(in.line());
  }
  return table;
}

sample_series_map read_samples_csv(const std::string& path) {
  const auto& names = sample_column_names();
  csv_reader in(path);
  // Version 1 ended at time_ms: its samples have no placement, all come from one allocation.
  const std::vector<std::string_view> header = read_header(in);
  const std::size_t version_1_columns = names.size() - 1;
  const bool version_1 = header.size() == version_1_columns && std::equal(header.begin(), header.end(), names.begin());
  if (!version_1) check_header(in, header, names);
  const int version = version_1 ? 1 : results_schema_version;
  const std::size_t columns = version_1 ? version_1_columns : names.size();

  // The samples of each series, sorted by index; rows of one series normally arrive together and in order.
  std::unordered_map<std::string, std::vector<indexed_sample>> series;
  std::vector<indexed_sample>* current = nullptr;
  std::string current_key;
  std::vector<std::string_view> cells;
  while (in.next(cells)) {
    check_cell_count(in, cells, columns);
    check_schema_version(in, cells[0], version, "the header");
    indexed_sample sample;
    if (!parse_number(cells[5], sample.index) || sample.index < 0)
      fail_at(path, in.line(), 6, "expected a sample_index >= 0, found " + quoted(cells[5]));
    if (!parse_number(cells[6], sample.time_ms) || !std::isfinite(sample.time_ms) || sample.time_ms <= 0.0)
      fail_at(path, in.line(), 7, "expected a time_ms > 0, found " + quoted(cells[6]));
    if (!version_1 && (!parse_number(cells[7], sample.placement) || sample.placement < 0))
      fail_at(path, in.line(), 8, "expected a placement >= 0, found " + quoted(cells[7]));

    if (current == nullptr || !key_matches(current_key, cells)) {
      current_key = sample_series_key(cells[1], cells[2], cells[3], cells[4]);
      current = &series[current_key];
    }
    if (current->empty() || sample.index > current->back().index) {
      current->push_back(sample);
      continue;
    }
    // Out of order: keep the series sorted, so that its back stays its largest index.
    const auto at = std::lower_bound(current->begin(), current->end(), sample.index,
                                     [](const indexed_sample& s, int i) { return s.index < i; });
    if (at->index == sample.index)
      fail_at(path, in.line(), 6,
           "expected each sample_index once per run, case, toolkit and GPU, found " + quoted(cells[5]) + " again");
    current->insert(at, sample);
  }

  sample_series_map result;
  result.reserve(series.size());
  for (auto& [key, samples] : series) {
    sample_series out;
    out.time_ms.reserve(samples.size());
    out.placement.reserve(samples.size());
    for (const auto& s : samples) {
      out.time_ms.push_back(s.time_ms);
      out.placement.push_back(s.placement);
    }
    result.emplace(key, std::move(out));
  }
  return result;
}

run_input read_run(const std::string& dir_or_csv) {
  namespace fs = std::filesystem;
  run_input run;
  run.source = dir_or_csv;
  const fs::path given(dir_or_csv);
  std::error_code ec;
  fs::path results_path;
  fs::path samples_path;
  if (fs::is_directory(given, ec)) {
    results_path = given / "results.csv";
    samples_path = given / "samples.csv";
    if (!fs::is_regular_file(results_path, ec))
      throw input_error(dir_or_csv + ": expected a results.csv in this directory, found none");
  } else if (fs::is_regular_file(given, ec)) {
    results_path = given;
    std::string name = given.filename().string();
    const std::size_t at = name.rfind("results");
    if (at != std::string::npos) samples_path = given.parent_path() / name.replace(at, 7, "samples");
  } else {
    throw input_error(dir_or_csv + ": expected a results directory or a results CSV file, found nothing there");
  }
  std::future<sample_series_map> samples;
  if (!samples_path.empty() && fs::is_regular_file(samples_path, ec)) {
    run.samples_path = samples_path.string();
    samples = std::async(std::launch::async, read_samples_csv, run.samples_path);
  }
  run.results = read_results_csv(results_path.string());
  if (samples.valid()) run.samples = samples.get();
  return run;
}

}  // namespace cubench
