#include "conv_shape.hpp"

namespace cubench {

const char* conv_geometry_problem(const conv_geometry& g) {
  if (g.n < 1 || g.c < 1 || g.h < 1 || g.w < 1 || g.k < 1 || g.r < 1 || g.s < 1)
    return "every extent (n, c, h, w, k, r, s) must be positive";
  if (g.stride < 1 || g.dilation < 1) return "stride and dilation must be positive";
  if (g.pad < 0) return "padding must not be negative";
  if (g.groups < 1 || g.c % g.groups != 0 || g.k % g.groups != 0) return "groups must divide both c and k";
  if (g.h + 2 * g.pad < g.dilation * (g.r - 1) + 1 || g.w + 2 * g.pad < g.dilation * (g.s - 1) + 1)
    return "the dilated filter must fit the padded input";
  return nullptr;
}

double conv_flop(const conv_geometry& g) {
  return 2.0 * static_cast<double>(g.n) * static_cast<double>(g.k) * static_cast<double>(conv_output_h(g)) *
         static_cast<double>(conv_output_w(g)) * static_cast<double>(channels_per_group(g)) *
         static_cast<double>(g.r) * static_cast<double>(g.s);
}

double conv_min_bytes(const conv_geometry& g, int element_bytes) {
  const double elements = static_cast<double>(element_count(input_extents(g))) +
                          static_cast<double>(element_count(filter_extents(g))) +
                          static_cast<double>(element_count(output_extents(g)));
  return elements * element_bytes;
}

std::int64_t conv_reduction_length(const conv_geometry& g, conv_direction direction) {
  switch (direction) {
    case conv_direction::fwd:
      return channels_per_group(g) * g.r * g.s;
    case conv_direction::bwd_data:
      return filters_per_group(g) * g.r * g.s;
    case conv_direction::bwd_filter:
      return g.n * conv_output_h(g) * conv_output_w(g);
  }
  return 0;
}

const char* to_string(conv_layout layout) { return layout == conv_layout::nchw ? "NCHW" : "NHWC"; }

const char* to_string(conv_direction direction) {
  switch (direction) {
    case conv_direction::fwd:
      return "fwd";
    case conv_direction::bwd_data:
      return "bwd_data";
    case conv_direction::bwd_filter:
      return "bwd_filter";
  }
  return "";
}

}  // namespace cubench
