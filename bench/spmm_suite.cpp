#include "spmm_suite.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <map>
#include <stdexcept>

#include "matrix_generators.hpp"
#include "matrix_market.hpp"
#include "tolerance.hpp"

namespace cubench {
namespace {

constexpr std::int64_t max_columns = std::numeric_limits<std::int32_t>::max();

// The items of a cell, split at '|'; each must be one of `allowed`.
std::vector<std::string> choice_items(const suite_table& table, const suite_row& row, std::string_view column,
                                      const std::vector<std::string_view>& allowed) {
  std::vector<std::string> items;
  const std::string& cell = table.cell(row, column);
  std::string allowed_text;
  for (const auto& a : allowed) allowed_text += (allowed_text.empty() ? "" : ", ") + std::string(a);
  std::size_t start = 0;
  for (;;) {
    const std::size_t bar = cell.find('|', start);
    const std::string item = cell.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end())
      table.fail(row, column, "one of " + allowed_text + ", or several joined by '|'");
    items.push_back(item);
    if (bar == std::string::npos) return items;
    start = bar + 1;
  }
}

std::vector<std::int64_t> width_items(const suite_table& table, const suite_row& row) {
  std::vector<std::int64_t> widths;
  const std::string& cell = table.cell(row, "n");
  const std::string expected = "an integer in [1, " + std::to_string(max_columns) + "], or several joined by '|'";
  std::size_t start = 0;
  for (;;) {
    const std::size_t bar = cell.find('|', start);
    const std::string item = cell.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    char* end = nullptr;
    errno = 0;
    const long long value = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || end != item.c_str() + item.size() || errno == ERANGE || value < 1 || value > max_columns)
      table.fail(row, "n", expected);
    widths.push_back(value);
    if (bar == std::string::npos) return widths;
    start = bar + 1;
  }
}

std::string matrix_item(const suite_table& table, const suite_row& row) {
  const std::string& cell = table.cell(row, "matrix");
  if (is_generator_spec(cell)) {
    try {
      return to_string(parse_generator_spec(cell));
    } catch (const std::invalid_argument& e) {
      table.fail(row, "matrix", e.what());
    }
  }
  const bool mtx = cell.size() > 4 && cell.compare(cell.size() - 4, 4, ".mtx") == 0;
  if (!mtx || cell.find_first_of("/;|") != std::string::npos)
    table.fail(row, "matrix", "a .mtx file name in the matrix folder (no '/'), or a generator spec gen:KIND:key=value:...");
  return cell;
}

}  // namespace

const std::vector<std::string_view>& spmm_suite_columns() {
  static const std::vector<std::string_view> columns{"family", "impl", "algorithm", "dtype", "layout", "matrix", "n"};
  return columns;
}

const std::vector<std::string_view>& spmm_algorithms(std::string_view impl) {
  static const std::vector<std::string_view> cusparse{"default",  "csr_alg1", "csr_alg2", "csr_alg3",
                                                      "coo_alg1", "coo_alg2", "coo_alg3", "coo_alg4",
                                                      "blocked_ell_alg1"};
  static const std::vector<std::string_view> inhouse{"row_split", "merge"};
  if (impl == "cusparse") return cusparse;
  if (impl == "inhouse") return inhouse;
  throw std::invalid_argument("unknown SpMM impl '" + std::string(impl) + "'");
}

std::vector<spmm_case_spec> parse_spmm_suite(const suite_table& table) {
  require_columns(table, spmm_suite_columns());
  std::vector<spmm_case_spec> specs;
  std::map<std::string, unsigned> first_line;
  for (const auto& row : table.rows) {
    parse_choice_cell(table, row, "family", {"spmm"});
    spmm_case_spec spec;
    spec.line = row.line;
    spec.impl = parse_choice_cell(table, row, "impl", {"cusparse", "inhouse"});
    spec.matrix = matrix_item(table, row);
    const auto algorithms = choice_items(table, row, "algorithm", spmm_algorithms(spec.impl));
    const auto dtypes = choice_items(table, row, "dtype", {"fp64", "fp32", "fp16", "bf16"});
    const auto layouts = choice_items(table, row, "layout", {"row", "col"});
    const auto widths = width_items(table, row);
    for (const auto& algorithm : algorithms) {
      for (const auto& dtype : dtypes) {
        for (const auto& layout : layouts) {
          for (const auto n : widths) {
            spec.algorithm = algorithm;
            spec.dtype = dtype;
            spec.layout = layout;
            spec.n = n;
            const auto [it, inserted] = first_line.emplace(spmm_case_id(spec), row.line);
            if (!inserted)
              table.fail(row, "matrix", "each case once, but " + it->first + " is also on line " +
                                            std::to_string(it->second));
            specs.push_back(spec);
          }
        }
      }
    }
  }
  return specs;
}

std::vector<spmm_case_spec> read_spmm_suite(const std::string& path) {
  return parse_spmm_suite(read_suite_table(path));
}

std::string spmm_params(const spmm_case_spec& spec) {
  return "layout=" + spec.layout + ";matrix=" + spec.matrix + ";n=" + std::to_string(spec.n);
}

std::string spmm_case_id(const spmm_case_spec& spec) {
  return "spmm/" + spec.impl + "/" + spec.algorithm + "/" + spec.dtype + "/" + spmm_params(spec);
}

int spmm_value_bytes(const std::string& dtype) {
  if (dtype == "fp64") return 8;
  if (dtype == "fp32") return 4;
  if (dtype == "fp16" || dtype == "bf16") return 2;
  throw std::invalid_argument("unknown SpMM dtype '" + dtype + "'");
}

double spmm_flop(const spmm_case_spec& spec, std::int64_t nnz) {
  return 2.0 * static_cast<double>(nnz) * static_cast<double>(spec.n);
}

double spmm_min_bytes(const spmm_case_spec& spec, std::int64_t rows, std::int64_t cols, std::int64_t nnz) {
  const double value = spmm_value_bytes(spec.dtype), n = static_cast<double>(spec.n);
  const double a = static_cast<double>(rows + 1) * 4 + static_cast<double>(nnz) * (4 + value);
  return a + (static_cast<double>(cols) + static_cast<double>(rows)) * n * value;
}

double spmm_tolerance(const std::string& dtype, std::int64_t longest_row) {
  return gemm_tolerance(dtype, std::max<std::int64_t>(1, longest_row));
}

std::string resolve_matrix_dir(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* variable = std::getenv(matrix_dir_variable);
  return variable != nullptr ? variable : "";
}

csr_matrix load_spmm_matrix(const std::string& matrix, const std::string& matrix_dir) {
  if (is_generator_spec(matrix)) return generate_matrix(parse_generator_spec(matrix));
  if (matrix_dir.empty())
    throw std::invalid_argument("matrix " + matrix + ": expected a folder of .mtx files from --matrix-dir or " +
                                matrix_dir_variable + ", found neither");
  return read_matrix_market(matrix_dir + "/" + matrix);
}

}  // namespace cubench
