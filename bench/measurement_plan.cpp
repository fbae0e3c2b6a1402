#include "measurement_plan.hpp"

#include <algorithm>
#include <cmath>

namespace cubench {

int rotation_sets(double working_set_bytes, std::size_t l2_bytes, bool cold, const plan_params& params) {
  if (!cold || working_set_bytes <= 0) return 1;
  const double wanted = std::ceil(2.0 * static_cast<double>(l2_bytes) / working_set_bytes);
  const double affordable = std::floor(params.max_rotation_bytes / working_set_bytes);
  const double sets = std::min({wanted, affordable, static_cast<double>(params.max_input_sets)});
  return std::max(1, static_cast<int>(sets));
}

int launches_per_sample(double launch_ms, int input_sets, bool cold, const plan_params& params) {
  if (!(launch_ms < params.graph_below_ms)) return 1;
  const double per_sample = std::ceil(params.graph_sample_ms / std::max(launch_ms, 1e-6));
  int launches = static_cast<int>(std::min(per_sample, static_cast<double>(params.max_launches_per_sample)));
  if (cold) launches = std::max(launches, input_sets);
  return std::max(launches, 2);
}

std::size_t placement_spacer_bytes(int placement) {
  constexpr std::size_t step = std::size_t{10} << 20;
  return placement > 0 ? static_cast<std::size_t>(placement) * step : 0;
}

}  // namespace cubench
