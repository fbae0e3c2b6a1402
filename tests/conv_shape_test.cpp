#include <gtest/gtest.h>

#include <cstdint>

#include "conv_shape.hpp"

namespace cubench {
namespace {

TEST(conv_output_extent, matches_known_layers) {
  EXPECT_EQ(conv_output_extent(224, 7, 2, 3, 1), 112) << "ResNet-50 stem";
  EXPECT_EQ(conv_output_extent(56, 3, 1, 1, 1), 56);
  EXPECT_EQ(conv_output_extent(56, 3, 2, 1, 1), 28);
  EXPECT_EQ(conv_output_extent(56, 1, 2, 0, 1), 28) << "ResNet-50 projection";
  EXPECT_EQ(conv_output_extent(572, 3, 1, 0, 1), 570) << "UNet valid convolution";
  EXPECT_EQ(conv_output_extent(224, 16, 16, 0, 1), 14) << "ViT-B/16 patches";
  EXPECT_EQ(conv_output_extent(64, 3, 1, 2, 2), 64) << "atrous 3x3, dilation 2";
  EXPECT_EQ(conv_output_extent(5, 3, 1, 0, 2), 1) << "a dilated filter spanning the whole input";
  EXPECT_EQ(conv_output_extent(161, 5, 2, 0, 1), 79);
}

TEST(conv_output, height_and_width_separately) {
  const conv_geometry g{16, 1, 161, 700, 32, 5, 20, 2, 0};
  EXPECT_EQ(conv_output_h(g), 79);
  EXPECT_EQ(conv_output_w(g), 341);
  const tensor_index y = output_extents(g);
  EXPECT_EQ(y.n, 16);
  EXPECT_EQ(y.c, 32);
  EXPECT_EQ(y.h, 79);
  EXPECT_EQ(y.w, 341);
}

TEST(conv_flop, counts_two_per_multiply_add) {
  // ResNet-50 conv2_x 3x3 at batch 32: 32 * 64 * 56 * 56 outputs, each 64 * 9 multiply-adds.
  EXPECT_EQ(conv_flop(conv_geometry{32, 64, 56, 56, 64, 3, 3, 1, 1}), 2.0 * 32 * 64 * 56 * 56 * 64 * 9);
  // Groups divide the work: 32 groups of 4 channels.
  EXPECT_EQ(conv_flop(conv_geometry{1, 128, 8, 8, 128, 3, 3, 1, 1, 1, 32}), 2.0 * 128 * 64 * 4 * 9);
}

TEST(conv_min_bytes, counts_every_tensor_once) {
  const conv_geometry g{2, 3, 5, 5, 4, 3, 3, 1, 0};  // y is 2 x 4 x 3 x 3
  EXPECT_EQ(conv_min_bytes(g, 2), 2.0 * (2 * 3 * 5 * 5 + 4 * 3 * 3 * 3 + 2 * 4 * 3 * 3));
  const conv_geometry grouped{1, 8, 4, 4, 8, 1, 1, 1, 0, 1, 4};  // w is 8 x 2 x 1 x 1
  EXPECT_EQ(conv_min_bytes(grouped, 4), 4.0 * (128 + 16 + 128));
}

TEST(conv_reduction_length, per_direction) {
  const conv_geometry g{8, 64, 28, 28, 128, 3, 3, 2, 1, 1, 2};
  EXPECT_EQ(conv_reduction_length(g, conv_direction::fwd), 32 * 9);
  EXPECT_EQ(conv_reduction_length(g, conv_direction::bwd_data), 64 * 9);
  EXPECT_EQ(conv_reduction_length(g, conv_direction::bwd_filter), 8 * 14 * 14);
}

TEST(dense_strides, follow_the_layout) {
  const tensor_strides nchw = dense_strides(conv_layout::nchw, 3, 5, 7);
  EXPECT_EQ(nchw.n, 105);
  EXPECT_EQ(nchw.c, 35);
  EXPECT_EQ(nchw.h, 7);
  EXPECT_EQ(nchw.w, 1);
  const tensor_strides nhwc = dense_strides(conv_layout::nhwc, 3, 5, 7);
  EXPECT_EQ(nhwc.n, 105);
  EXPECT_EQ(nhwc.c, 1);
  EXPECT_EQ(nhwc.h, 21);
  EXPECT_EQ(nhwc.w, 3);
}

TEST(unflatten, inverts_offset_of_in_both_layouts) {
  const tensor_index extents{2, 3, 4, 5};
  for (conv_layout layout : {conv_layout::nchw, conv_layout::nhwc}) {
    const tensor_strides strides = dense_strides(layout, extents);
    for (std::int64_t offset = 0; offset < element_count(extents); ++offset) {
      const tensor_index i = unflatten(layout, extents, offset);
      ASSERT_EQ(offset_of(strides, i), offset) << to_string(layout);
      ASSERT_LT(i.c, extents.c);
      ASSERT_LT(i.h, extents.h);
      ASSERT_LT(i.w, extents.w);
    }
  }
  const tensor_index last_channel = unflatten(conv_layout::nhwc, extents, 2);
  EXPECT_EQ(last_channel.c, 2) << "NHWC stores channels fastest";
  EXPECT_EQ(last_channel.w, 0);
}

TEST(conv_geometry_problem, names_what_is_wrong) {
  EXPECT_EQ(conv_geometry_problem(conv_geometry{1, 4, 8, 8, 4, 3, 3, 1, 1}), nullptr);
  EXPECT_NE(conv_geometry_problem(conv_geometry{0, 4, 8, 8, 4, 3, 3, 1, 1}), nullptr);
  EXPECT_NE(conv_geometry_problem(conv_geometry{1, 4, 8, 8, 4, 3, 3, 0, 1}), nullptr);
  EXPECT_NE(conv_geometry_problem(conv_geometry{1, 4, 8, 8, 4, 3, 3, 1, -1}), nullptr);
  EXPECT_NE(conv_geometry_problem(conv_geometry{1, 4, 8, 8, 6, 3, 3, 1, 1, 1, 4}), nullptr);
  EXPECT_NE(conv_geometry_problem(conv_geometry{1, 4, 4, 8, 4, 3, 3, 1, 0, 2}), nullptr);
  EXPECT_EQ(conv_geometry_problem(conv_geometry{1, 4, 5, 5, 4, 3, 3, 1, 0, 2}), nullptr);
}

TEST(conv_names, as_suites_spell_them) {
  EXPECT_STREQ(to_string(conv_layout::nchw), "NCHW");
  EXPECT_STREQ(to_string(conv_layout::nhwc), "NHWC");
  EXPECT_STREQ(to_string(conv_direction::fwd), "fwd");
  EXPECT_STREQ(to_string(conv_direction::bwd_data), "bwd_data");
  EXPECT_STREQ(to_string(conv_direction::bwd_filter), "bwd_filter");
}

}  // namespace
}  // namespace cubench
