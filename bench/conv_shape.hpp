// The arithmetic of a 2-D convolution (cross-correlation, as cuDNN and PyTorch compute it): output extents,
// tensor strides per layout, element counts, counted flops and minimum bytes, and how many terms an output
// sums. The inline functions serve host code and CUDA kernels alike.
#pragma once

#include <cstdint>

#include "host_device.hpp"

namespace cubench {

/// How the four dimensions of a tensor are ordered in memory: NCHW (W fastest) or NHWC (C fastest).
/// Filters follow the layout: KCRS for NCHW, KRSC for NHWC, as cuDNN's filter formats do.
enum class conv_layout { nchw, nhwc };

/// Which of the three tensors a convolution computes from the two others.
enum class conv_direction {
  fwd,         // y from x and w
  bwd_data,    // dx from dy and w
  bwd_filter,  // dw from x and dy
};

/// A 2-D convolution's shape; stride, padding and dilation are the same along height and width.
struct conv_geometry {
  std::int64_t n = 1;  // batch
  std::int64_t c = 1;  // input channels
  std::int64_t h = 1;  // input height
  std::int64_t w = 1;  // input width
  std::int64_t k = 1;  // output channels
  std::int64_t r = 1;  // filter height
  std::int64_t s = 1;  // filter width
  std::int64_t stride = 1;
  std::int64_t pad = 0;
  std::int64_t dilation = 1;
  std::int64_t groups = 1;  // c and k split into this many independent convolutions
};

/// Element strides of a 4-D tensor; for a filter n is the output channel, c the input channel within its
/// group, h and w the filter row and column.
struct tensor_strides {
  std::int64_t n = 0;
  std::int64_t c = 0;
  std::int64_t h = 0;
  std::int64_t w = 0;
};

/// The logical coordinates of one element of a 4-D tensor, named as for tensor_strides.
struct tensor_index {
  std::int64_t n = 0;
  std::int64_t c = 0;
  std::int64_t h = 0;
  std::int64_t w = 0;
};

/// Output extent along one dimension: (in + 2 pad - dilation (filter - 1) - 1) / stride + 1; the caller
/// has checked that the dilated filter fits the padded input.
CUBENCH_HOST_DEVICE inline std::int64_t conv_output_extent(std::int64_t in, std::int64_t filter, std::int64_t stride,
                                                           std::int64_t pad, std::int64_t dilation) {
  return (in + 2 * pad - dilation * (filter - 1) - 1) / stride + 1;
}

/// Output height P.
CUBENCH_HOST_DEVICE inline std::int64_t conv_output_h(const conv_geometry& g) {
  return conv_output_extent(g.h, g.r, g.stride, g.pad, g.dilation);
}

/// Output width Q.
CUBENCH_HOST_DEVICE inline std::int64_t conv_output_w(const conv_geometry& g) {
  return conv_output_extent(g.w, g.s, g.stride, g.pad, g.dilation);
}

/// Input channels of one group.
CUBENCH_HOST_DEVICE inline std::int64_t channels_per_group(const conv_geometry& g) { return g.c / g.groups; }

/// Output channels of one group.
CUBENCH_HOST_DEVICE inline std::int64_t filters_per_group(const conv_geometry& g) { return g.k / g.groups; }

/// Strides of a dense tensor of extents (n, c, h, w) in the layout.
CUBENCH_HOST_DEVICE inline tensor_strides dense_strides(conv_layout layout, std::int64_t c, std::int64_t h,
                                                        std::int64_t w) {
  if (layout == conv_layout::nchw) return {c * h * w, h * w, w, 1};
  return {h * w * c, 1, w * c, c};
}

/// The extents of x (or dx): n, c, h, w.
CUBENCH_HOST_DEVICE inline tensor_index input_extents(const conv_geometry& g) { return {g.n, g.c, g.h, g.w}; }

/// The extents of w (or dw): k, c / groups, r, s.
CUBENCH_HOST_DEVICE inline tensor_index filter_extents(const conv_geometry& g) {
  return {g.k, channels_per_group(g), g.r, g.s};
}

/// The extents of y (or dy): n, k, p, q.
CUBENCH_HOST_DEVICE inline tensor_index output_extents(const conv_geometry& g) {
  return {g.n, g.k, conv_output_h(g), conv_output_w(g)};
}

/// Strides of a dense tensor with these extents in the layout.
CUBENCH_HOST_DEVICE inline tensor_strides dense_strides(conv_layout layout, const tensor_index& extents) {
  return dense_strides(layout, extents.c, extents.h, extents.w);
}

/// Elements of a tensor with these extents.
CUBENCH_HOST_DEVICE inline std::int64_t element_count(const tensor_index& extents) {
  return extents.n * extents.c * extents.h * extents.w;
}

/// The coordinates of the element stored at `offset` of a dense tensor with these extents in the layout.
CUBENCH_HOST_DEVICE inline tensor_index unflatten(conv_layout layout, const tensor_index& extents,
                                                  std::int64_t offset) {
  tensor_index i;
  if (layout == conv_layout::nchw) {
    i.w = offset % extents.w;
    offset /= extents.w;
    i.h = offset % extents.h;
    offset /= extents.h;
    i.c = offset % extents.c;
    i.n = offset / extents.c;
  } else {
    i.c = offset % extents.c;
    offset /= extents.c;
    i.w = offset % extents.w;
    offset /= extents.w;
    i.h = offset % extents.h;
    i.n = offset / extents.h;
  }
  return i;
}

/// The offset of an element given its coordinates and the tensor's strides.
CUBENCH_HOST_DEVICE inline std::int64_t offset_of(const tensor_strides& strides, const tensor_index& i) {
  return i.n * strides.n + i.c * strides.c + i.h * strides.h + i.w * strides.w;
}

/// The input row (or column) that output row p reads through filter row r: p stride - pad + r dilation;
/// outside [0, h) it is padding.
CUBENCH_HOST_DEVICE inline std::int64_t conv_input_coordinate(std::int64_t out, std::int64_t tap, std::int64_t stride,
                                                              std::int64_t pad, std::int64_t dilation) {
  return out * stride - pad + tap * dilation;
}

/// Why a geometry cannot be convolved (a non-positive extent, channels not divisible by groups, a dilated
/// filter larger than the padded input), or nullptr when it can.
const char* conv_geometry_problem(const conv_geometry& g);

/// Floating-point operations of one launch, the same in every direction: 2 n k p q (c / groups) r s.
double conv_flop(const conv_geometry& g);

/// Minimum bytes one launch moves: its two inputs read once and its output written once, which in every
/// direction is each of x, w and y once, at `element_bytes` per element.
double conv_min_bytes(const conv_geometry& g, int element_bytes);

/// The most terms one output element sums: (c / groups) r s forward, (k / groups) r s for data gradients
/// (fewer where stride skips taps), n p q for filter gradients.
std::int64_t conv_reduction_length(const conv_geometry& g, conv_direction direction);

/// The layout's name as suites and params spell it: "NCHW" or "NHWC".
const char* to_string(conv_layout layout);

/// The direction's name as suites and params spell it: "fwd", "bwd_data" or "bwd_filter".
const char* to_string(conv_direction direction);

}  // namespace cubench
