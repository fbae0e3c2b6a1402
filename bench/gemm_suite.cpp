#include "gemm_suite.hpp"

#include <limits>
#include <stdexcept>

namespace cubench {
namespace {

constexpr std::int64_t max_dimension = std::numeric_limits<int>::max();
constexpr std::int64_t max_batch = 65535;  // a CUDA grid dimension

}  // namespace

const std::vector<std::string_view>& gemm_suite_columns() {
  static const std::vector<std::string_view> columns{"family", "impl", "dtype", "layout", "m", "n", "k", "batch"};
  return columns;
}

std::vector<gemm_case_spec> parse_gemm_suite(const suite_table& table) {
  require_columns(table, gemm_suite_columns());
  std::vector<gemm_case_spec> specs;
  for (const auto& row : table.rows) {
    parse_choice_cell(table, row, "family", {"gemm"});
    gemm_case_spec spec;
    spec.line = row.line;
    spec.impl = parse_choice_cell(table, row, "impl", {"cublas", "cublaslt", "inhouse"});
    if (spec.impl == "inhouse")
      spec.dtype = parse_choice_cell(table, row, "dtype", {"fp32", "fp16", "bf16"});
    else
      spec.dtype = parse_choice_cell(table, row, "dtype", {"fp64", "fp32", "tf32", "fp16", "bf16", "int8"});
    spec.layout = parse_choice_cell(table, row, "layout", {"NN", "NT", "TN"});
    spec.m = parse_integer_cell(table, row, "m", 1, max_dimension);
    spec.n = parse_integer_cell(table, row, "n", 1, max_dimension);
    spec.k = parse_integer_cell(table, row, "k", 1, max_dimension);
    spec.batch = parse_integer_cell(table, row, "batch", 1, max_batch);
    specs.push_back(spec);
  }
  return specs;
}

std::vector<gemm_case_spec> read_gemm_suite(const std::string& path) {
  return parse_gemm_suite(read_suite_table(path));
}

std::string gemm_variant(const gemm_case_spec& spec) {
  if (spec.impl == "cublas") return spec.batch == 1 ? "gemm_ex" : "strided_batched";
  if (spec.impl == "cublaslt") return "heuristic";
  return spec.dtype == "fp32" ? "simt_128x128x8" : "mma_sync_256x128x64";
}

std::string gemm_params(const gemm_case_spec& spec) {
  return "batch=" + std::to_string(spec.batch) + ";k=" + std::to_string(spec.k) + ";layout=" + spec.layout +
         ";m=" + std::to_string(spec.m) + ";n=" + std::to_string(spec.n);
}

std::string gemm_case_id(const gemm_case_spec& spec) {
  return "gemm/" + spec.impl + "/" + gemm_variant(spec) + "/" + spec.dtype + "/" + gemm_params(spec);
}

int gemm_input_bytes(const std::string& dtype) {
  if (dtype == "fp64") return 8;
  if (dtype == "fp32" || dtype == "tf32") return 4;
  if (dtype == "fp16" || dtype == "bf16") return 2;
  if (dtype == "int8") return 1;
  throw std::invalid_argument("unknown GEMM dtype '" + dtype + "'");
}

int gemm_output_bytes(const std::string& dtype) { return dtype == "int8" ? 4 : gemm_input_bytes(dtype); }

double gemm_flop(const gemm_case_spec& spec) {
  return 2.0 * static_cast<double>(spec.m) * static_cast<double>(spec.n) * static_cast<double>(spec.k) *
         static_cast<double>(spec.batch);
}

double gemm_min_bytes(const gemm_case_spec& spec) {
  const double m = static_cast<double>(spec.m), n = static_cast<double>(spec.n), k = static_cast<double>(spec.k);
  const double in = gemm_input_bytes(spec.dtype), out = gemm_output_bytes(spec.dtype);
  return static_cast<double>(spec.batch) * ((m * k + k * n) * in + m * n * out);
}

}  // namespace cubench
