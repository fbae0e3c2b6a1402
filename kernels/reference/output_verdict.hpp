// An output's metrics against its fp64 reference as a row's numerics columns, and the verdict that every
// family gives the same way: incorrect when an element is unwritten or non-finite, or when the normwise
// error exceeds the tolerance.
#pragma once

#include <string>

#include "gemm_reference.cuh"
#include "result_record.hpp"

namespace cubench {

/// Fills tolerance, norm_rel_err, max_abs_err, max_rel_err, nan_count, inf_count, unwritten_count and
/// output_hash; returns why the output is incorrect, naming the metric and its value, or "" when it passes.
std::string judge_output(const output_metrics& metrics, double tolerance, result_record& record);

}  // namespace cubench
