#include "result_columns.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <type_traits>

namespace cubench {

const std::vector<result_column>& result_columns() {
  using r = result_record;
  static const std::vector<result_column> columns{
      {"run_id", &r::run_id},
      {"case_id", &r::case_id},
      {"family", &r::family},
      {"impl", &r::impl},
      {"variant", &r::variant},
      {"dtype", &r::dtype},
      {"params", &r::params},
      {"toolkit", &r::toolkit},
      {"gpu_index", &r::gpu_index},
      {"gpu_uuid", &r::gpu_uuid},
      {"gpu_name", &r::gpu_name},
      {"status", &r::status},
      {"reason", &r::reason},
      {"timing_mode", &r::timing_mode},
      {"launches_per_sample", &r::launches_per_sample},
      {"cache_mode", &r::cache_mode},
      {"samples", &r::samples},
      {"first_call_ms", &r::first_call_ms},
      {"median_ms", &r::median_ms},
      {"mean_ms", &r::mean_ms},
      {"min_ms", &r::min_ms},
      {"max_ms", &r::max_ms},
      {"stddev_ms", &r::stddev_ms},
      {"ci_low_ms", &r::ci_low_ms},
      {"ci_high_ms", &r::ci_high_ms},
      {"noise_rel", &r::noise_rel},
      {"stop_reason", &r::stop_reason},
      {"flop", &r::flop},
      {"bytes", &r::bytes},
      {"tflops", &r::tflops},
      {"gbps", &r::gbps},
      {"tolerance", &r::tolerance},
      {"norm_rel_err", &r::norm_rel_err},
      {"max_abs_err", &r::max_abs_err},
      {"max_rel_err", &r::max_rel_err},
      {"nan_count", &r::nan_count},
      {"inf_count", &r::inf_count},
      {"unwritten_count", &r::unwritten_count},
      {"output_hash", &r::output_hash},
      {"cubench_version", &r::cubench_version},
      {"nvcc_version", &r::nvcc_version},
      {"runtime_version", &r::runtime_version},
      {"driver_version", &r::driver_version},
      {"driver_cuda_version", &r::driver_cuda_version},
      {"library", &r::library},
      {"library_built_version", &r::library_built_version},
      {"library_loaded_version", &r::library_loaded_version},
      {"library_path", &r::library_path},
      {"algorithm", &r::algorithm},
      {"binary_kind", &r::binary_kind},
      {"binary_arch", &r::binary_arch},
      {"ptx_arch", &r::ptx_arch},
      {"compute_capability", &r::compute_capability},
      {"sm_count", &r::sm_count},
      {"sm_clock_mhz", &r::sm_clock_mhz},
      {"sm_clock_max_mhz", &r::sm_clock_max_mhz},
      {"temperature_c", &r::temperature_c},
      {"power_w", &r::power_w},
      {"throttle_reasons", &r::throttle_reasons},
      {"clock_flag", &r::clock_flag},
      {"module_loading", &r::module_loading},
      {"timestamp", &r::timestamp},
  };
  return columns;
}

const std::vector<std::string_view>& sample_column_names() {
  static const std::vector<std::string_view> names{"schema_version", "run_id",       "case_id", "toolkit",
                                                   "gpu_uuid",       "sample_index", "time_ms", "placement"};
  return names;
}

std::string format_double(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  char* end = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific).ptr;
  const auto digits = std::count_if(buffer, std::find(buffer, end, 'e'), [](char c) { return c >= '0' && c <= '9'; });
  // The shortest round-trip form's digit count is the fewest that read back, except at a power of two, where the
  // shortest digits need not be the nearest ones that %g rounds to: then one more is needed.
  for (int precision = std::max(6, static_cast<int>(digits));; ++precision) {
    end = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, precision).ptr;
    double parsed = 0;
    std::from_chars(buffer, end, parsed);
    if (parsed == value) break;
  }
  return std::string(buffer, end);
}

namespace {

template <typename T>
std::string format_value(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return value;
  } else if constexpr (std::is_same_v<T, case_status>) {
    return std::string(to_string(value));
  } else {
    if (!value) return {};
    using V = typename T::value_type;
    if constexpr (std::is_same_v<V, bool>) return *value ? "1" : "0";
    if constexpr (std::is_same_v<V, double>) return format_double(*value);
    if constexpr (std::is_integral_v<V> && !std::is_same_v<V, bool>) return std::to_string(*value);
  }
}

template <typename V>
std::string parse_integer(std::string_view text, V& out) {
  const std::string s(text);
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || end != s.c_str() + s.size()) return "expected an integer, found '" + s + "'";
  constexpr auto low = std::numeric_limits<V>::min();
  constexpr auto high = std::numeric_limits<V>::max();
  if (errno == ERANGE || n < low || n > high)
    return "expected an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "], found '" + s + "'";
  out = static_cast<V>(n);
  return {};
}

std::string parse_double(std::string_view text, double& out) {
  const std::string s(text);
  char* end = nullptr;
  errno = 0;
  out = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE) return "expected a number, found '" + s + "'";
  return {};
}

template <typename T>
std::string parse_value(std::string_view text, T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    value.assign(text);
    return {};
  } else if constexpr (std::is_same_v<T, case_status>) {
    const auto status = parse_case_status(text);
    if (!status) return "expected a status (passed, incorrect, ...), found '" + std::string(text) + "'";
    value = *status;
    return {};
  } else {
    using V = typename T::value_type;
    if (text.empty()) {
      value.reset();
      return {};
    }
    if constexpr (std::is_same_v<V, bool>) {
      if (text != "0" && text != "1") return "expected 0 or 1, found '" + std::string(text) + "'";
      value = text == "1";
      return {};
    } else if constexpr (std::is_same_v<V, double>) {
      double d = 0;
      auto error = parse_double(text, d);
      if (error.empty()) value = d;
      return error;
    } else {
      V n = 0;
      auto error = parse_integer(text, n);
      if (error.empty()) value = n;
      return error;
    }
  }
}

}  // namespace

std::string format_field(const result_record& record, const result_field& field) {
  return std::visit([&](auto member) { return format_value(record.*member); }, field);
}

std::string parse_field(std::string_view text, result_record& record, const result_field& field) {
  return std::visit([&](auto member) { return parse_value(text, record.*member); }, field);
}

}  // namespace cubench
