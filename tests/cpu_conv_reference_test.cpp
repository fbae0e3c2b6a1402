#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "conv_test_support.hpp"
#include "cpu_conv_reference.hpp"

namespace cubench {
namespace {

std::vector<double> run(const conv_geometry& g, conv_layout layout, conv_direction direction,
                        const std::vector<double>& first, const std::vector<double>& second) {
  const tensor_index out = direction == conv_direction::fwd        ? output_extents(g)
                           : direction == conv_direction::bwd_data ? input_extents(g)
                                                                   : filter_extents(g);
  std::vector<double> result(static_cast<std::size_t>(element_count(out)), -99);
  cpu_reference_conv(g, layout, direction, first.data(), second.data(), result.data());
  return result;
}

// A tensor stored in one layout, copied into the other.
std::vector<double> relayout(const std::vector<double>& v, const tensor_index& extents, conv_layout from) {
  const conv_layout to = from == conv_layout::nchw ? conv_layout::nhwc : conv_layout::nchw;
  const tensor_strides target = dense_strides(to, extents);
  std::vector<double> out(v.size());
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(v.size()); ++i)
    out[static_cast<std::size_t>(offset_of(target, unflatten(from, extents, i)))] = v[static_cast<std::size_t>(i)];
  return out;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

TEST(cpu_reference_conv, forward_by_hand) {
  // x = [1 2 3; 4 5 6; 7 8 9], w = [1 0; 0 1]: each output adds a pixel and its lower-right neighbour.
  const conv_geometry g{1, 1, 3, 3, 1, 2, 2, 1, 0};
  const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9}, w{1, 0, 0, 1};
  EXPECT_EQ(run(g, conv_layout::nchw, conv_direction::fwd, x, w), (std::vector<double>{6, 8, 12, 14}));
}

TEST(cpu_reference_conv, forward_with_padding_stride_and_dilation_by_hand) {
  // A 3x3 filter of ones, padding 1, stride 2 over a 4x4 ramp: output (0,0) sums x[0..1][0..1], and so on.
  const conv_geometry g{1, 1, 4, 4, 1, 3, 3, 2, 1};
  std::vector<double> x(16);
  for (int i = 0; i < 16; ++i) x[static_cast<std::size_t>(i)] = i;
  const std::vector<double> ones(9, 1.0);
  EXPECT_EQ(run(g, conv_layout::nchw, conv_direction::fwd, x, ones),
            (std::vector<double>{0 + 1 + 4 + 5, 1 + 2 + 3 + 5 + 6 + 7, 4 + 5 + 8 + 9 + 12 + 13,
                                 5 + 6 + 7 + 9 + 10 + 11 + 13 + 14 + 15}));
  // Dilation 2 over a 5x5 input: the taps are the corners and midpoints of the whole input.
  const conv_geometry dilated{1, 1, 5, 5, 1, 3, 3, 1, 0, 2};
  std::vector<double> x5(25);
  for (int i = 0; i < 25; ++i) x5[static_cast<std::size_t>(i)] = i;
  EXPECT_EQ(run(dilated, conv_layout::nchw, conv_direction::fwd, x5, ones),
            (std::vector<double>{0 + 2 + 4 + 10 + 12 + 14 + 20 + 22 + 24}));
}

TEST(cpu_reference_conv, one_by_one_is_a_channel_product) {
  const conv_geometry g{2, 3, 2, 2, 4, 1, 1, 1, 0};
  const auto x = small_integers(2 * 3 * 4, 1), w = small_integers(4 * 3, 2);
  const auto y = run(g, conv_layout::nchw, conv_direction::fwd, x, w);
  for (int n = 0; n < 2; ++n)
    for (int k = 0; k < 4; ++k)
      for (int pixel = 0; pixel < 4; ++pixel) {
        double expected = 0;
        for (int c = 0; c < 3; ++c) expected += x[static_cast<std::size_t>((n * 3 + c) * 4 + pixel)] * w[static_cast<std::size_t>(k * 3 + c)];
        EXPECT_EQ(y[static_cast<std::size_t>((n * 4 + k) * 4 + pixel)], expected);
      }
}

TEST(cpu_reference_conv, layouts_agree_in_every_direction) {
  const conv_geometry g{2, 4, 7, 6, 6, 3, 2, 2, 1, 1, 2};
  const auto x = small_integers(element_count(input_extents(g)), 3), w = small_integers(element_count(filter_extents(g)), 4),
             dy = small_integers(element_count(output_extents(g)), 5);
  const auto x_nhwc = relayout(x, input_extents(g), conv_layout::nchw);
  const auto w_nhwc = relayout(w, filter_extents(g), conv_layout::nchw);
  const auto dy_nhwc = relayout(dy, output_extents(g), conv_layout::nchw);
  EXPECT_EQ(relayout(run(g, conv_layout::nchw, conv_direction::fwd, x, w), output_extents(g), conv_layout::nchw),
            run(g, conv_layout::nhwc, conv_direction::fwd, x_nhwc, w_nhwc));
  EXPECT_EQ(relayout(run(g, conv_layout::nchw, conv_direction::bwd_data, dy, w), input_extents(g), conv_layout::nchw),
            run(g, conv_layout::nhwc, conv_direction::bwd_data, dy_nhwc, w_nhwc));
  EXPECT_EQ(
      relayout(run(g, conv_layout::nchw, conv_direction::bwd_filter, x, dy), filter_extents(g), conv_layout::nchw),
      run(g, conv_layout::nhwc, conv_direction::bwd_filter, x_nhwc, dy_nhwc));
}

// The backward passes are the adjoints of the forward one: <dy, conv(x, w)> = <bwd_data(dy, w), x>
// = <bwd_filter(x, dy), w>, exactly for integers.
TEST(cpu_reference_conv, backward_passes_are_adjoints_of_forward) {
  const std::vector<conv_geometry> shapes{
      conv_geometry{2, 3, 5, 5, 4, 3, 3, 1, 1},         conv_geometry{1, 4, 9, 8, 2, 3, 3, 2, 1},
      conv_geometry{2, 2, 7, 7, 3, 2, 3, 3, 0},         conv_geometry{1, 6, 9, 9, 4, 3, 3, 1, 2, 2, 2},
      conv_geometry{1, 2, 10, 10, 2, 4, 4, 4, 0},       conv_geometry{3, 4, 6, 5, 4, 1, 1, 2, 0, 1, 4}};
  for (conv_layout layout : {conv_layout::nchw, conv_layout::nhwc}) {
    for (const auto& g : shapes) {
      const auto x = small_integers(element_count(input_extents(g)), 6), w = small_integers(element_count(filter_extents(g)), 7),
                 dy = small_integers(element_count(output_extents(g)), 8);
      const double forward = dot(dy, run(g, layout, conv_direction::fwd, x, w));
      EXPECT_EQ(forward, dot(run(g, layout, conv_direction::bwd_data, dy, w), x))
          << to_string(layout) << " stride " << g.stride << " dilation " << g.dilation << " groups " << g.groups;
      EXPECT_EQ(forward, dot(run(g, layout, conv_direction::bwd_filter, x, dy), w))
          << to_string(layout) << " stride " << g.stride << " dilation " << g.dilation << " groups " << g.groups;
    }
  }
}

TEST(cpu_reference_conv, groups_are_independent_convolutions) {
  const conv_geometry grouped{1, 4, 5, 5, 6, 3, 3, 1, 1, 1, 2};
  const conv_geometry single{1, 2, 5, 5, 3, 3, 3, 1, 1};
  const auto x = small_integers(4 * 25, 9), w = small_integers(6 * 2 * 9, 10);
  const auto y = run(grouped, conv_layout::nchw, conv_direction::fwd, x, w);
  for (int group = 0; group < 2; ++group) {
    const std::vector<double> x_g(x.begin() + group * 50, x.begin() + group * 50 + 50);
    const std::vector<double> w_g(w.begin() + group * 54, w.begin() + group * 54 + 54);
    const std::vector<double> y_g(y.begin() + group * 75, y.begin() + group * 75 + 75);
    EXPECT_EQ(run(single, conv_layout::nchw, conv_direction::fwd, x_g, w_g), y_g) << "group " << group;
  }
}

TEST(cpu_reference_conv, sums_in_order_with_fused_multiply_add) {
  // Three input channels hold 2^53, 1 and -2^53 under a 1x1 filter of ones: left to right in fp64 the 1 is
  // lost to rounding (the tie goes to even), so the output is 0; any other order gives 1.
  const double big = 9007199254740992.0;
  const conv_geometry g{1, 3, 1, 1, 1, 1, 1, 1, 0};
  EXPECT_EQ(run(g, conv_layout::nchw, conv_direction::fwd, {big, 1, -big}, {1, 1, 1}), std::vector<double>{0.0});
  // The filter gradient sums over images in order.
  const conv_geometry batch{3, 1, 1, 1, 1, 1, 1, 1, 0};
  EXPECT_EQ(run(batch, conv_layout::nchw, conv_direction::bwd_filter, {big, 1, -big}, {1, 1, 1}),
            std::vector<double>{0.0});
}

TEST(cpu_reference_conv, rejects_invalid_geometry) {
  std::vector<double> buffer(64);
  EXPECT_THROW(cpu_reference_conv(conv_geometry{1, 3, 4, 4, 4, 3, 3, 1, 1, 1, 2}, conv_layout::nchw, conv_direction::fwd,
                                  buffer.data(), buffer.data(), buffer.data()),
               std::invalid_argument);
  EXPECT_THROW(cpu_reference_conv(conv_geometry{1, 1, 2, 2, 1, 3, 3, 1, 0}, conv_layout::nchw, conv_direction::fwd,
                                  buffer.data(), buffer.data(), buffer.data()),
               std::invalid_argument);
}

}  // namespace
}  // namespace cubench
