#include "conv_suite.hpp"

#include <stdexcept>

namespace cubench {
namespace {

constexpr std::int64_t max_batch = 65535;
constexpr std::int64_t max_channels = 65536;
constexpr std::int64_t max_extent = 16384;
// Keeps r s c / groups, the GEMM depth of every implementation, within 32-bit indexing.
constexpr std::int64_t max_filter = 128;

conv_direction direction_of(const std::string& text) {
  if (text == "fwd") return conv_direction::fwd;
  if (text == "bwd_data") return conv_direction::bwd_data;
  return conv_direction::bwd_filter;
}

// The cells of a row that depend on each other: groups, filter against padded input, the impl's offer.
void check_combination(const suite_table& table, const suite_row& row, const conv_case_spec& spec) {
  const conv_geometry& g = spec.geometry;
  if (g.c % g.groups != 0 || g.k % g.groups != 0)
    table.fail(row, "groups",
               "a divisor of both c = " + std::to_string(g.c) + " and k = " + std::to_string(g.k));
  const auto fits = [&](std::int64_t in, std::int64_t filter) { return in + 2 * g.pad >= g.dilation * (filter - 1) + 1; };
  if (!fits(g.h, g.r))
    table.fail(row, "r",
               "a filter height whose dilated extent fits the padded height h + 2 pad = " +
                   std::to_string(g.h + 2 * g.pad));
  if (!fits(g.w, g.s))
    table.fail(row, "s",
               "a filter width whose dilated extent fits the padded width w + 2 pad = " + std::to_string(g.w + 2 * g.pad));
  if (spec.impl == "inhouse" && g.groups != 1) table.fail(row, "groups", "1 (the in-house kernel has no groups)");
}

}  // namespace

const std::vector<std::string_view>& conv_suite_columns() {
  static const std::vector<std::string_view> columns{"family", "impl", "algo", "direction", "dtype", "layout",
                                                     "n",      "c",    "h",    "w",         "k",     "r",
                                                     "s",      "stride", "pad", "dilation", "groups"};
  return columns;
}

std::vector<conv_case_spec> parse_conv_suite(const suite_table& table) {
  require_columns(table, conv_suite_columns());
  std::vector<conv_case_spec> specs;
  for (const auto& row : table.rows) {
    parse_choice_cell(table, row, "family", {"conv"});
    conv_case_spec spec;
    spec.line = row.line;
    spec.impl = parse_choice_cell(table, row, "impl", {"cudnn", "im2col_cublas", "inhouse"});
    if (spec.impl == "cudnn") {
      spec.algo = parse_choice_cell(table, row, "algo", {"heuristic", "searched"});
      spec.direction = direction_of(parse_choice_cell(table, row, "direction", {"fwd", "bwd_data", "bwd_filter"}));
    } else {
      if (!table.cell(row, "algo").empty()) table.fail(row, "algo", "an empty cell (only cudnn chooses an algorithm)");
      spec.direction = direction_of(parse_choice_cell(table, row, "direction", {"fwd"}));
    }
    if (spec.impl == "inhouse") {
      spec.dtype = parse_choice_cell(table, row, "dtype", {"fp16", "bf16"});
      spec.layout = parse_choice_cell(table, row, "layout", {"NHWC"}) == "NHWC" ? conv_layout::nhwc : conv_layout::nchw;
    } else {
      spec.dtype = parse_choice_cell(table, row, "dtype", {"fp32", "tf32", "fp16", "bf16"});
      spec.layout =
          parse_choice_cell(table, row, "layout", {"NCHW", "NHWC"}) == "NHWC" ? conv_layout::nhwc : conv_layout::nchw;
    }
    conv_geometry& g = spec.geometry;
    g.n = parse_integer_cell(table, row, "n", 1, max_batch);
    g.c = parse_integer_cell(table, row, "c", 1, max_channels);
    g.h = parse_integer_cell(table, row, "h", 1, max_extent);
    g.w = parse_integer_cell(table, row, "w", 1, max_extent);
    g.k = parse_integer_cell(table, row, "k", 1, max_channels);
    g.r = parse_integer_cell(table, row, "r", 1, max_filter);
    g.s = parse_integer_cell(table, row, "s", 1, max_filter);
    g.stride = parse_integer_cell(table, row, "stride", 1, max_filter);
    g.pad = parse_integer_cell(table, row, "pad", 0, max_filter);
    g.dilation = parse_integer_cell(table, row, "dilation", 1, max_filter);
    g.groups = parse_integer_cell(table, row, "groups", 1, max_channels);
    check_combination(table, row, spec);
    specs.push_back(spec);
  }
  return specs;
}

std::vector<conv_case_spec> read_conv_suite(const std::string& path) {
  return parse_conv_suite(read_suite_table(path));
}

std::string conv_variant(const conv_case_spec& spec) {
  if (spec.impl == "cudnn") return spec.algo;
  if (spec.impl == "inhouse") return "implicit_gemm_mma_sync";
  const bool one_gemm = spec.geometry.groups == 1 && (spec.layout == conv_layout::nhwc || spec.geometry.n == 1);
  return one_gemm ? "gemm_ex" : "strided_batched";
}

std::string conv_params(const conv_case_spec& spec) {
  const conv_geometry& g = spec.geometry;
  return "c=" + std::to_string(g.c) + ";dilation=" + std::to_string(g.dilation) +
         ";direction=" + to_string(spec.direction) + ";groups=" + std::to_string(g.groups) +
         ";h=" + std::to_string(g.h) + ";k=" + std::to_string(g.k) + ";layout=" + to_string(spec.layout) +
         ";n=" + std::to_string(g.n) + ";pad=" + std::to_string(g.pad) + ";r=" + std::to_string(g.r) +
         ";s=" + std::to_string(g.s) + ";stride=" + std::to_string(g.stride) + ";w=" + std::to_string(g.w);
}

std::string conv_case_id(const conv_case_spec& spec) {
  return "conv/" + spec.impl + "/" + conv_variant(spec) + "/" + spec.dtype + "/" + conv_params(spec);
}

int conv_element_bytes(const std::string& dtype) {
  if (dtype == "fp32" || dtype == "tf32") return 4;
  if (dtype == "fp16" || dtype == "bf16") return 2;
  throw std::invalid_argument("unknown conv dtype '" + dtype + "'");
}

}  // namespace cubench
