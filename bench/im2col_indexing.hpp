// The index arithmetic of convolution as a GEMM, shared by host tests and CUDA kernels: the im2col
// matrices that kernels/conv/conv_im2col_cublas.cu builds and multiplies with cuBLAS, and the output-pixel
// and filter-tap decoding that the implicit-GEMM kernel (kernels/conv/conv_implicit_gemm.cu) performs.
//
// NHWC: one matrix per group, [n p q][r s c] (c fastest), rows are output pixels; y (as [n p q][k]) is
// the matrix times the group's KRSC filters transposed.
// NCHW: one matrix per image and group, [c r s][p q]; y of the image (as [k][p q]) is the group's KCRS
// filters times the matrix.
#pragma once

#include <cstdint>

#include "conv_shape.hpp"
#include "host_device.hpp"

namespace cubench {

/// One output pixel: image n, row p, column q.
struct output_pixel {
  std::int64_t n = 0;
  std::int64_t p = 0;
  std::int64_t q = 0;
};

/// One filter tap and input channel within the group.
struct filter_tap {
  int r = 0;
  int s = 0;
  int c = 0;
};

/// The output pixel of GEMM row m = (n P + p) Q + q.
CUBENCH_HOST_DEVICE inline output_pixel output_pixel_of(const conv_geometry& g, std::int64_t m) {
  const std::int64_t q_count = conv_output_w(g), pq = conv_output_h(g) * q_count;
  const std::int64_t n = m / pq, pq_index = m - n * pq;
  const std::int64_t p = pq_index / q_count;
  return {n, p, pq_index - p * q_count};
}

/// The tap of column `column` = (r S + s) Cg + c, the order of an NHWC im2col row and of a KRSC filter.
CUBENCH_HOST_DEVICE inline filter_tap channel_fastest_tap(int column, int s_count, int channels_per_group) {
  const int tap = column / channels_per_group, c = column - tap * channels_per_group;
  const int r = tap / s_count;
  return {r, tap - r * s_count, c};
}

/// The tap of row `row` = (c R + r) S + s, the order of an NCHW im2col column and of a KCRS filter.
CUBENCH_HOST_DEVICE inline filter_tap channel_slowest_tap(int row, int r_count, int s_count) {
  const int rs = r_count * s_count, c = row / rs, rs_index = row - c * rs;
  const int r = rs_index / s_count;
  return {r, rs_index - r * s_count, c};
}

/// The offset in x of the element that output pixel (n, p, q) reads through tap (r, s) of input channel
/// `channel` (counted over all groups), or -1 where the tap falls into the padding.
CUBENCH_HOST_DEVICE inline std::int64_t conv_source_offset(const conv_geometry& g, const tensor_strides& x,
                                                           const output_pixel& pixel, std::int64_t channel, int r,
                                                           int s) {
  const std::int64_t h = conv_input_coordinate(pixel.p, r, g.stride, g.pad, g.dilation);
  const std::int64_t w = conv_input_coordinate(pixel.q, s, g.stride, g.pad, g.dilation);
  if (h < 0 || h >= g.h || w < 0 || w >= g.w) return -1;
  return pixel.n * x.n + channel * x.c + h * x.h + w * x.w;
}

/// The im2col matrices of a forward convolution: `matrices` row-major matrices of rows x cols, one after
/// the other.
struct im2col_shape {
  std::int64_t matrices = 0;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
};

/// NHWC: groups matrices of (n p q) x (r s c/groups); NCHW: n groups matrices of (c/groups r s) x (p q).
CUBENCH_HOST_DEVICE inline im2col_shape im2col_shape_of(const conv_geometry& g, conv_layout layout) {
  const std::int64_t pq = conv_output_h(g) * conv_output_w(g), crs = channels_per_group(g) * g.r * g.s;
  if (layout == conv_layout::nhwc) return {g.groups, g.n * pq, crs};
  return {g.n * g.groups, crs, pq};
}

/// The offset in x (dense in `layout`) that entry (row, col) of im2col matrix `matrix` copies, or -1 for
/// padding, where the entry is 0.
CUBENCH_HOST_DEVICE inline std::int64_t im2col_source(const conv_geometry& g, conv_layout layout,
                                                      std::int64_t matrix, std::int64_t row, std::int64_t col) {
  const tensor_strides x = dense_strides(layout, input_extents(g));
  const std::int64_t cg = channels_per_group(g);
  if (layout == conv_layout::nhwc) {
    const filter_tap tap = channel_fastest_tap(static_cast<int>(col), static_cast<int>(g.s), static_cast<int>(cg));
    return conv_source_offset(g, x, output_pixel_of(g, row), matrix * cg + tap.c, tap.r, tap.s);
  }
  const std::int64_t n = matrix / g.groups, group = matrix - n * g.groups;
  const filter_tap tap = channel_slowest_tap(static_cast<int>(row), static_cast<int>(g.r), static_cast<int>(g.s));
  const std::int64_t q_count = conv_output_w(g), p = col / q_count;
  return conv_source_offset(g, x, {n, p, col - p * q_count}, group * cg + tap.c, tap.r, tap.s);
}

/// Builds every im2col matrix of x on the CPU, as the GPU kernel does; `col` holds matrices x rows x cols.
void cpu_im2col(const conv_geometry& g, conv_layout layout, const double* x, double* col);

}  // namespace cubench
