// The launch plans of the in-house kernels: pure functions of the shape.
#include <algorithm>
#include <cmath>

#include "spmm_inhouse.hpp"

namespace cubench {
namespace {

// The fix-up pass reads two partial rows per chunk; their memory bounds the number of chunks for wide B.
constexpr double max_partial_bytes = 256.0 * 1024 * 1024;
constexpr std::int64_t max_chunks = std::int64_t{1} << 22;
constexpr std::int64_t min_items_per_chunk = 32;

std::int64_t accumulator_bytes(const spmm_shape& shape) { return shape.storage == storage_type::f64 ? 8 : 4; }

int next_power_of_two(std::int64_t x) {
  int p = 1;
  while (p < x && p < 32) p *= 2;
  return p;
}

}  // namespace

inhouse_plan plan_columns(const spmm_shape& shape) {
  inhouse_plan plan;
  const int width = 16 / storage_bytes(shape.storage);
  plan.vector_loads = shape.order == dense_order::row_major && shape.n % width == 0;
  // Without 16-byte accesses a lane still takes four columns, so that each entry it loads serves four products.
  plan.values_per_lane = plan.vector_loads ? width : 4;
  plan.lanes_n = next_power_of_two((shape.n + plan.values_per_lane - 1) / plan.values_per_lane);
  const std::int64_t tile = static_cast<std::int64_t>(plan.lanes_n) * plan.values_per_lane;
  plan.tiles = (shape.n + tile - 1) / tile;
  return plan;
}

std::string describe_plan(const inhouse_plan& plan) {
  std::string text = "lanes=" + std::to_string(plan.lanes_n) + "x" + std::to_string(plan.lanes_k) +
                     " values_per_lane=" + std::to_string(plan.values_per_lane) +
                     " vector=" + (plan.vector_loads ? "16B" : "scalar") + " tiles=" + std::to_string(plan.tiles);
  if (plan.chunks > 0)
    text += " chunks=" + std::to_string(plan.chunks) + " items_per_chunk=" + std::to_string(plan.items_per_chunk);
  return text;
}

inhouse_plan plan_row_split(const spmm_shape& shape) {
  inhouse_plan plan = plan_columns(shape);
  // Lanes left over from the columns share a row's entries, as many as a mean row fills.
  plan.lanes_k = std::min(32 / plan.lanes_n, next_power_of_two(static_cast<std::int64_t>(std::ceil(shape.mean_row))));
  return plan;
}

inhouse_plan plan_merge(const spmm_shape& shape) {
  inhouse_plan plan = plan_columns(shape);
  const std::int64_t items = shape.rows + shape.nnz;
  const auto affordable = static_cast<std::int64_t>(
      max_partial_bytes / (2.0 * static_cast<double>(shape.n) * static_cast<double>(accumulator_bytes(shape))));
  const std::int64_t chunk_limit = std::max<std::int64_t>(1, std::min(max_chunks, affordable));
  plan.items_per_chunk = std::max(min_items_per_chunk, (items + chunk_limit - 1) / chunk_limit);
  plan.chunks = (items + plan.items_per_chunk - 1) / plan.items_per_chunk;
  return plan;
}

std::size_t merge_scratch_bytes(const inhouse_plan& plan, const spmm_shape& shape) {
  // Per chunk: a head and a tail partial row of n accumulators, then their two row numbers.
  const std::int64_t partials = 2 * plan.chunks * shape.n * accumulator_bytes(shape);
  return static_cast<std::size_t>((partials + 255) / 256 * 256 + 2 * plan.chunks * 4);
}

}  // namespace cubench
