#include "output_verdict.hpp"

#include <cstdio>

namespace cubench {
namespace {

std::string format_metric(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

}  // namespace

std::string judge_output(const output_metrics& m, double tolerance, result_record& r) {
  r.tolerance = tolerance;
  r.norm_rel_err = m.norm_rel_err;
  r.max_abs_err = m.max_abs_err;
  r.max_rel_err = m.max_rel_err;
  r.nan_count = m.nan_count;
  r.inf_count = m.inf_count;
  r.unwritten_count = m.unwritten_count;
  char hash[24];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(m.hash));
  r.output_hash = hash;
  if (m.unwritten_count > 0) return std::to_string(m.unwritten_count) + " output elements never written";
  if (m.nan_count > 0 || m.inf_count > 0)
    return "non-finite output: nan_count " + std::to_string(m.nan_count) + ", inf_count " + std::to_string(m.inf_count);
  if (!(m.norm_rel_err <= tolerance))
    return "norm_rel_err " + format_metric(m.norm_rel_err) + " > tolerance " + format_metric(tolerance) +
           " (max_abs_err " + format_metric(m.max_abs_err) + ")";
  return "";
}

}  // namespace cubench
