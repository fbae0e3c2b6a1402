#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "conv_test_support.hpp"
#include "cpu_conv_reference.hpp"
#include "im2col_indexing.hpp"

namespace cubench {
namespace {

TEST(output_pixel_of, decodes_gemm_rows) {
  const conv_geometry g{3, 8, 10, 12, 8, 3, 3, 2, 1};  // 5 x 6 outputs per image
  const output_pixel first = output_pixel_of(g, 0);
  EXPECT_EQ(first.n, 0);
  EXPECT_EQ(first.p, 0);
  EXPECT_EQ(first.q, 0);
  const output_pixel pixel = output_pixel_of(g, 2 * 30 + 4 * 6 + 5);
  EXPECT_EQ(pixel.n, 2);
  EXPECT_EQ(pixel.p, 4);
  EXPECT_EQ(pixel.q, 5);
}

TEST(filter_taps, decode_both_orders) {
  // KRSC / NHWC columns: (r S + s) C + c with S = 3, C = 8.
  const filter_tap fastest = channel_fastest_tap((2 * 3 + 1) * 8 + 5, 3, 8);
  EXPECT_EQ(fastest.r, 2);
  EXPECT_EQ(fastest.s, 1);
  EXPECT_EQ(fastest.c, 5);
  // KCRS / NCHW rows: (c R + r) S + s with R = 3, S = 5.
  const filter_tap slowest = channel_slowest_tap((6 * 3 + 2) * 5 + 4, 3, 5);
  EXPECT_EQ(slowest.c, 6);
  EXPECT_EQ(slowest.r, 2);
  EXPECT_EQ(slowest.s, 4);
}

TEST(conv_source_offset, is_minus_one_in_the_padding) {
  const conv_geometry g{1, 2, 4, 4, 1, 3, 3, 1, 1};
  const tensor_strides x = dense_strides(conv_layout::nchw, input_extents(g));
  EXPECT_EQ(conv_source_offset(g, x, {0, 0, 0}, 0, 0, 0), -1) << "above and left of the input";
  EXPECT_EQ(conv_source_offset(g, x, {0, 0, 0}, 1, 1, 1), 16) << "channel 1, pixel (0, 0)";
  EXPECT_EQ(conv_source_offset(g, x, {0, 3, 3}, 0, 2, 2), -1) << "below and right of the input";
  EXPECT_EQ(conv_source_offset(g, x, {0, 3, 3}, 0, 1, 1), 15);
}

TEST(im2col_shape_of, per_layout) {
  const conv_geometry g{4, 6, 8, 8, 9, 3, 3, 1, 1, 1, 3};
  const im2col_shape nhwc = im2col_shape_of(g, conv_layout::nhwc);
  EXPECT_EQ(nhwc.matrices, 3);
  EXPECT_EQ(nhwc.rows, 4 * 64);
  EXPECT_EQ(nhwc.cols, 2 * 9);
  const im2col_shape nchw = im2col_shape_of(g, conv_layout::nchw);
  EXPECT_EQ(nchw.matrices, 12);
  EXPECT_EQ(nchw.rows, 2 * 9);
  EXPECT_EQ(nchw.cols, 64);
}

TEST(cpu_im2col, copies_a_known_patch) {
  // One 3x3 image 1..9, 2x2 filter, no padding: the NCHW matrix rows are the taps, columns the 4 outputs.
  const conv_geometry g{1, 1, 3, 3, 1, 2, 2, 1, 0};
  const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<double> col(16);
  cpu_im2col(g, conv_layout::nchw, x.data(), col.data());
  EXPECT_EQ(col, (std::vector<double>{1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}));
  // NHWC with one channel is its transpose: rows are the outputs.
  cpu_im2col(g, conv_layout::nhwc, x.data(), col.data());
  EXPECT_EQ(col, (std::vector<double>{1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}));
}

// The GEMM that conv_im2col_cublas.cu runs on the im2col matrices, on the CPU, in the orders the header
// describes; it must equal the direct convolution.
std::vector<double> im2col_forward(const conv_geometry& g, conv_layout layout, const std::vector<double>& x,
                                   const std::vector<double>& w) {
  const im2col_shape shape = im2col_shape_of(g, layout);
  std::vector<double> col(static_cast<std::size_t>(shape.matrices * shape.rows * shape.cols));
  cpu_im2col(g, layout, x.data(), col.data());
  const std::int64_t kg = filters_per_group(g), depth = channels_per_group(g) * g.r * g.s;
  const std::int64_t pq = conv_output_h(g) * conv_output_w(g);
  std::vector<double> y(static_cast<std::size_t>(element_count(output_extents(g))));
  for (std::int64_t matrix = 0; matrix < shape.matrices; ++matrix) {
    const std::int64_t group = layout == conv_layout::nhwc ? matrix : matrix % g.groups;
    const std::int64_t image = layout == conv_layout::nhwc ? 0 : matrix / g.groups;
    const double* a = col.data() + matrix * shape.rows * shape.cols;
    for (std::int64_t kk = 0; kk < kg; ++kk) {
      const std::int64_t k = group * kg + kk;
      const double* filter = w.data() + k * depth;  // KRSC or KCRS row of filter k: the matrix's depth order
      if (layout == conv_layout::nhwc) {
        for (std::int64_t m = 0; m < shape.rows; ++m) {
          double sum = 0;
          for (std::int64_t d = 0; d < depth; ++d) sum += a[m * depth + d] * filter[d];
          y[static_cast<std::size_t>(m * g.k + k)] = sum;
        }
      } else {
        for (std::int64_t pixel = 0; pixel < pq; ++pixel) {
          double sum = 0;
          for (std::int64_t d = 0; d < depth; ++d) sum += filter[d] * a[d * pq + pixel];
          y[static_cast<std::size_t>((image * g.k + k) * pq + pixel)] = sum;
        }
      }
    }
  }
  return y;
}

TEST(cpu_im2col, times_the_filters_is_the_convolution) {
  const std::vector<conv_geometry> shapes{
      conv_geometry{2, 3, 6, 6, 4, 3, 3, 1, 1},   conv_geometry{1, 4, 9, 7, 2, 3, 2, 2, 1},    conv_geometry{2, 6, 8, 8, 6, 3, 3, 1, 2, 2, 3},
      conv_geometry{1, 2, 10, 10, 5, 5, 5, 5, 0}, conv_geometry{3, 8, 5, 5, 8, 1, 1, 2, 0, 1, 8}, conv_geometry{1, 3, 7, 7, 2, 7, 7, 2, 3}};
  for (conv_layout layout : {conv_layout::nchw, conv_layout::nhwc}) {
    for (const auto& g : shapes) {
      const auto x = small_integers(element_count(input_extents(g)), 1), w = small_integers(element_count(filter_extents(g)), 2);
      std::vector<double> y(static_cast<std::size_t>(element_count(output_extents(g))));
      cpu_reference_conv(g, layout, conv_direction::fwd, x.data(), w.data(), y.data());
      EXPECT_EQ(im2col_forward(g, layout, x, w), y)
          << to_string(layout) << " c=" << g.c << " r=" << g.r << " s=" << g.s << " stride=" << g.stride
          << " pad=" << g.pad << " dilation=" << g.dilation << " groups=" << g.groups;
    }
  }
}

}  // namespace
}  // namespace cubench
