#include "cpu_conv_reference.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace cubench {
namespace {

struct dense_tensors {
  tensor_strides x, w, y;
};

dense_tensors strides_of(const conv_geometry& g, conv_layout layout) {
  return {dense_strides(layout, input_extents(g)), dense_strides(layout, filter_extents(g)),
          dense_strides(layout, output_extents(g))};
}

void forward(const conv_geometry& g, const dense_tensors& t, const double* x, const double* w, double* y) {
  const std::int64_t p_count = conv_output_h(g), q_count = conv_output_w(g);
  const std::int64_t cg = channels_per_group(g), kg = filters_per_group(g);
  for (std::int64_t n = 0; n < g.n; ++n)
    for (std::int64_t k = 0; k < g.k; ++k)
      for (std::int64_t p = 0; p < p_count; ++p)
        for (std::int64_t q = 0; q < q_count; ++q) {
          const std::int64_t c0 = k / kg * cg;
          double sum = 0;
          for (std::int64_t c = 0; c < cg; ++c)
            for (std::int64_t r = 0; r < g.r; ++r) {
              const std::int64_t h = conv_input_coordinate(p, r, g.stride, g.pad, g.dilation);
              if (h < 0 || h >= g.h) continue;
              for (std::int64_t s = 0; s < g.s; ++s) {
                const std::int64_t iw = conv_input_coordinate(q, s, g.stride, g.pad, g.dilation);
                if (iw < 0 || iw >= g.w) continue;
                sum = std::fma(x[offset_of(t.x, {n, c0 + c, h, iw})], w[offset_of(t.w, {k, c, r, s})], sum);
              }
            }
          y[offset_of(t.y, {n, k, p, q})] = sum;
        }
}

void backward_data(const conv_geometry& g, const dense_tensors& t, const double* dy, const double* w, double* dx) {
  const std::int64_t p_count = conv_output_h(g), q_count = conv_output_w(g);
  const std::int64_t cg = channels_per_group(g), kg = filters_per_group(g);
  for (std::int64_t n = 0; n < g.n; ++n)
    for (std::int64_t c = 0; c < g.c; ++c)
      for (std::int64_t h = 0; h < g.h; ++h)
        for (std::int64_t iw = 0; iw < g.w; ++iw) {
          const std::int64_t k0 = c / cg * kg, c_in_group = c % cg;
          double sum = 0;
          for (std::int64_t k = 0; k < kg; ++k)
            for (std::int64_t r = 0; r < g.r; ++r) {
              const std::int64_t p_scaled = h + g.pad - r * g.dilation;
              if (p_scaled % g.stride != 0) continue;
              const std::int64_t p = p_scaled / g.stride;
              if (p < 0 || p >= p_count) continue;
              for (std::int64_t s = 0; s < g.s; ++s) {
                const std::int64_t q_scaled = iw + g.pad - s * g.dilation;
                if (q_scaled % g.stride != 0) continue;
                const std::int64_t q = q_scaled / g.stride;
                if (q < 0 || q >= q_count) continue;
                sum = std::fma(dy[offset_of(t.y, {n, k0 + k, p, q})], w[offset_of(t.w, {k0 + k, c_in_group, r, s})],
                               sum);
              }
            }
          dx[offset_of(t.x, {n, c, h, iw})] = sum;
        }
}

void backward_filter(const conv_geometry& g, const dense_tensors& t, const double* x, const double* dy, double* dw) {
  const std::int64_t p_count = conv_output_h(g), q_count = conv_output_w(g);
  const std::int64_t cg = channels_per_group(g), kg = filters_per_group(g);
  for (std::int64_t k = 0; k < g.k; ++k)
    for (std::int64_t c = 0; c < cg; ++c)
      for (std::int64_t r = 0; r < g.r; ++r)
        for (std::int64_t s = 0; s < g.s; ++s) {
          const std::int64_t c_input = k / kg * cg + c;
          double sum = 0;
          for (std::int64_t n = 0; n < g.n; ++n)
            for (std::int64_t p = 0; p < p_count; ++p) {
              const std::int64_t h = conv_input_coordinate(p, r, g.stride, g.pad, g.dilation);
              if (h < 0 || h >= g.h) continue;
              for (std::int64_t q = 0; q < q_count; ++q) {
                const std::int64_t iw = conv_input_coordinate(q, s, g.stride, g.pad, g.dilation);
                if (iw < 0 || iw >= g.w) continue;
                sum = std::fma(dy[offset_of(t.y, {n, k, p, q})], x[offset_of(t.x, {n, c_input, h, iw})], sum);
              }
            }
          dw[offset_of(t.w, {k, c, r, s})] = sum;
        }
}

}  // namespace

void cpu_reference_conv(const conv_geometry& g, conv_layout layout, conv_direction direction, const double* first,
                        const double* second, double* out) {
  if (const char* problem = conv_geometry_problem(g))
    throw std::invalid_argument(std::string("cpu_reference_conv: ") + problem);
  const dense_tensors t = strides_of(g, layout);
  switch (direction) {
    case conv_direction::fwd:
      return forward(g, t, first, second, out);
    case conv_direction::bwd_data:
      return backward_data(g, t, first, second, out);
    case conv_direction::bwd_filter:
      return backward_filter(g, t, first, second, out);
  }
}

}  // namespace cubench
