// Convolution cases: the rows of a conv suite (bench/suites/conv_*.csv) and what identifies them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "conv_shape.hpp"
#include "suite_parser.hpp"

namespace cubench {

/// One convolution case as a suite row gives it.
struct conv_case_spec {
  std::string impl;   // cudnn, im2col_cublas, inhouse
  std::string algo;   // cudnn: heuristic or searched; empty for the others
  conv_direction direction = conv_direction::fwd;
  std::string dtype;  // fp32, tf32, fp16, bf16
  conv_layout layout = conv_layout::nchw;
  conv_geometry geometry;
  unsigned line = 0;  // where the suite file defines it
};

/// The columns a conv suite has, in any order.
const std::vector<std::string_view>& conv_suite_columns();

/// Reads the cases of a conv suite table; throws suite_error naming the file, line and column of a bad cell,
/// including a combination the implementation does not offer (im2col_cublas and inhouse compute forward
/// only; inhouse takes fp16 or bf16, NHWC and one group).
std::vector<conv_case_spec> parse_conv_suite(const suite_table& table);

/// Reads a conv suite file.
std::vector<conv_case_spec> read_conv_suite(const std::string& path);

/// The algorithm or kernel within the impl: cudnn `heuristic` or `searched`; im2col_cublas `gemm_ex` for one
/// GEMM, `strided_batched` otherwise; inhouse `implicit_gemm_mma_sync`.
std::string conv_variant(const conv_case_spec& spec);

/// The case's shape as sorted `key=value` pairs joined by `;`.
std::string conv_params(const conv_case_spec& spec);

/// The stable key of a case: `conv/impl/variant/dtype/params`.
std::string conv_case_id(const conv_case_spec& spec);

/// Bytes of one element of every tensor of a conv dtype: 4 for fp32 and tf32, 2 for fp16 and bf16.
int conv_element_bytes(const std::string& dtype);

}  // namespace cubench
