#include <gtest/gtest.h>

#include <set>
#include <string>

#include "conv_suite.hpp"
#include "temp_file.hpp"

namespace cubench {
namespace {

using testing::write_test_file;

const std::string header = "family,impl,algo,direction,dtype,layout,n,c,h,w,k,r,s,stride,pad,dilation,groups\n";

// The message of the suite_error that reading `header + rows` throws, or "" when it reads cleanly.
std::string conv_error(const std::string& rows, const std::string& head = header) {
  const std::string path = write_test_file("conv_bad.csv", head + rows);
  try {
    read_conv_suite(path);
  } catch (const suite_error& e) {
    return std::string(e.what()).substr(path.size());
  }
  return "";
}

TEST(conv_suite, reads_a_row_into_a_spec) {
  const auto specs = read_conv_suite(write_test_file(
      "conv_good.csv", header + "# a comment\nconv,cudnn,searched,bwd_filter,tf32,NHWC,8,64,28,30,128,3,5,2,1,2,4\n"));
  ASSERT_EQ(specs.size(), 1u);
  const conv_case_spec& s = specs[0];
  EXPECT_EQ(s.impl, "cudnn");
  EXPECT_EQ(s.algo, "searched");
  EXPECT_EQ(s.direction, conv_direction::bwd_filter);
  EXPECT_EQ(s.dtype, "tf32");
  EXPECT_EQ(s.layout, conv_layout::nhwc);
  EXPECT_EQ(s.geometry.n, 8);
  EXPECT_EQ(s.geometry.c, 64);
  EXPECT_EQ(s.geometry.h, 28);
  EXPECT_EQ(s.geometry.w, 30);
  EXPECT_EQ(s.geometry.k, 128);
  EXPECT_EQ(s.geometry.r, 3);
  EXPECT_EQ(s.geometry.s, 5);
  EXPECT_EQ(s.geometry.stride, 2);
  EXPECT_EQ(s.geometry.pad, 1);
  EXPECT_EQ(s.geometry.dilation, 2);
  EXPECT_EQ(s.geometry.groups, 4);
  EXPECT_EQ(s.line, 3u);
  EXPECT_EQ(conv_case_id(s),
            "conv/cudnn/searched/tf32/c=64;dilation=2;direction=bwd_filter;groups=4;h=28;k=128;layout=NHWC;n=8;pad=1;"
            "r=3;s=5;stride=2;w=30");
}

TEST(conv_suite, columns_in_any_order) {
  const auto specs = read_conv_suite(write_test_file(
      "conv_order.csv", "groups,dilation,pad,stride,s,r,k,w,h,c,n,layout,dtype,direction,algo,impl,family\n"
                        "1,1,0,1,1,1,16,4,4,8,2,NHWC,bf16,fwd,,inhouse,conv\n"));
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0].impl, "inhouse");
  EXPECT_EQ(specs[0].geometry.k, 16);
  EXPECT_EQ(conv_variant(specs[0]), "implicit_gemm_mma_sync");
}

TEST(conv_suite, variants_name_the_gemm_calls) {
  conv_case_spec spec;
  spec.impl = "im2col_cublas";
  spec.layout = conv_layout::nhwc;
  spec.geometry.n = 32;
  EXPECT_EQ(conv_variant(spec), "gemm_ex") << "NHWC: one GEMM over the whole batch";
  spec.layout = conv_layout::nchw;
  EXPECT_EQ(conv_variant(spec), "strided_batched") << "NCHW: one GEMM per image";
  spec.geometry.n = 1;
  EXPECT_EQ(conv_variant(spec), "gemm_ex");
  spec.layout = conv_layout::nhwc;
  spec.geometry.groups = 2;
  EXPECT_EQ(conv_variant(spec), "strided_batched") << "one GEMM per group";
  spec.impl = "cudnn";
  spec.algo = "heuristic";
  EXPECT_EQ(conv_variant(spec), "heuristic");
}

TEST(conv_suite, errors_name_line_column_expected_and_found) {
  const std::string good = "conv,cudnn,heuristic,fwd,fp16,NHWC,32,64,56,56,64,3,3,1,1,1,1\n";
  EXPECT_EQ(conv_error(good), "");
  EXPECT_EQ(conv_error(good + "conv,cudnn,best,fwd,fp16,NHWC,32,64,56,56,64,3,3,1,1,1,1\n"),
            ":3:3: expected one of heuristic, searched in column 'algo', found 'best'");
  EXPECT_EQ(conv_error("conv,inhouse,searched,fwd,fp16,NHWC,32,64,56,56,64,3,3,1,1,1,1\n"),
            ":2:3: expected an empty cell (only cudnn chooses an algorithm) in column 'algo', found 'searched'");
  EXPECT_EQ(conv_error("conv,im2col_cublas,,bwd_data,fp16,NHWC,32,64,56,56,64,3,3,1,1,1,1\n"),
            ":2:4: expected one of fwd in column 'direction', found 'bwd_data'");
  EXPECT_EQ(conv_error("conv,inhouse,,fwd,fp32,NHWC,32,64,56,56,64,3,3,1,1,1,1\n"),
            ":2:5: expected one of fp16, bf16 in column 'dtype', found 'fp32'");
  EXPECT_EQ(conv_error("conv,inhouse,,fwd,fp16,NCHW,32,64,56,56,64,3,3,1,1,1,1\n"),
            ":2:6: expected one of NHWC in column 'layout', found 'NCHW'");
  EXPECT_EQ(conv_error("conv,cudnn,heuristic,fwd,fp8,NHWC,32,64,56,56,64,3,3,1,1,1,1\n"),
            ":2:5: expected one of fp32, tf32, fp16, bf16 in column 'dtype', found 'fp8'");
  EXPECT_EQ(conv_error("conv,cudnn,heuristic,fwd,fp16,NHWC,0,64,56,56,64,3,3,1,1,1,1\n"),
            ":2:7: expected an integer in [1, 65535] in column 'n', found '0'");
  EXPECT_EQ(conv_error("conv,cudnn,heuristic,fwd,fp16,NHWC,32,64,56,56,64,3,3,1,-1,1,1\n"),
            ":2:15: expected an integer in [0, 128] in column 'pad', found '-1'");
  EXPECT_EQ(conv_error("conv,cudnn,heuristic,fwd,fp16,NHWC,32,64,56,56,64,3,3,1,1,1,3\n"),
            ":2:17: expected a divisor of both c = 64 and k = 64 in column 'groups', found '3'");
  EXPECT_EQ(conv_error("conv,cudnn,heuristic,fwd,fp16,NHWC,1,8,4,9,8,7,3,1,1,1,1\n"),
            ":2:12: expected a filter height whose dilated extent fits the padded height h + 2 pad = 6 in column 'r', "
            "found '7'");
  EXPECT_EQ(conv_error("conv,cudnn,heuristic,fwd,fp16,NHWC,1,8,9,4,8,3,3,1,0,2,1\n"),
            ":2:13: expected a filter width whose dilated extent fits the padded width w + 2 pad = 4 in column 's', "
            "found '3'");
  EXPECT_EQ(conv_error("conv,inhouse,,fwd,fp16,NHWC,32,64,56,56,64,3,3,1,1,1,2\n"),
            ":2:17: expected 1 (the in-house kernel has no groups) in column 'groups', found '2'");
  EXPECT_EQ(conv_error("gemm,cudnn,heuristic,fwd,fp16,NHWC,32,64,56,56,64,3,3,1,1,1,1\n"),
            ":2:1: expected one of conv in column 'family', found 'gemm'");
}

TEST(conv_suite, header_must_hold_the_conv_columns) {
  EXPECT_EQ(conv_error("conv,cudnn,heuristic,fwd,fp16,NHWC,32,64,56,56,64,3,3,1,1,1\n",
                       "family,impl,algo,direction,dtype,layout,n,c,h,w,k,r,s,stride,pad,dilation\n"),
            ":1:17: expected a column 'groups' in the header, found none");
  EXPECT_EQ(conv_error("conv,cudnn,heuristic,fwd,fp16,NHWC,32,64,56,56,64,3,3,1,1,1,1,x\n",
                       "family,impl,algo,direction,dtype,layout,n,c,h,w,k,r,s,stride,pad,dilation,groups,batch\n"),
            ":1:18: expected one of the columns family, impl, algo, direction, dtype, layout, n, c, h, w, k, r, s, "
            "stride, pad, dilation, groups, found 'batch'");
}

// The shipped suites parse, and their case ids are unique.
std::vector<conv_case_spec> shipped(const std::string& name) {
  const auto specs = read_conv_suite(std::string(BENCH_SOURCE_DIR) + "/bench/suites/" + name);
  std::set<std::string> ids;
  for (const auto& spec : specs) EXPECT_TRUE(ids.insert(conv_case_id(spec)).second) << name << ":" << spec.line;
  return specs;
}

TEST(conv_suites, quick_covers_every_impl_dtype_layout_and_direction) {
  const auto specs = shipped("conv_quick.csv");
  EXPECT_LE(specs.size(), 16u);
  std::set<std::string> seen;
  for (const auto& s : specs) {
    seen.insert(s.impl + (s.algo.empty() ? "" : "/" + s.algo));
    seen.insert(s.dtype);
    seen.insert(to_string(s.layout));
    seen.insert(to_string(s.direction));
  }
  for (const char* expected : {"cudnn/heuristic", "cudnn/searched", "im2col_cublas", "inhouse", "fp32", "tf32", "fp16",
                               "bf16", "NCHW", "NHWC", "fwd", "bwd_data", "bwd_filter"})
    EXPECT_EQ(seen.count(expected), 1u) << expected;
}

TEST(conv_suites, resnet50_holds_every_3x3_layer_for_the_inhouse_target) {
  const auto specs = shipped("conv_resnet50.csv");
  std::set<std::string> three_by_three;
  for (const auto& s : specs) {
    if (s.geometry.r != 3) continue;
    EXPECT_EQ(s.geometry.n, 32);
    three_by_three.insert(s.impl + "/" + s.algo + "/" + std::to_string(s.geometry.c) + "@" +
                          std::to_string(s.geometry.h) + "/" + std::to_string(s.geometry.stride));
  }
  for (const char* layer : {"64@56/1", "128@56/2", "128@28/1", "256@28/2", "256@14/1", "512@14/2", "512@7/1"}) {
    EXPECT_EQ(three_by_three.count(std::string("cudnn/searched/") + layer), 1u) << layer;
    EXPECT_EQ(three_by_three.count(std::string("inhouse//") + layer), 1u) << layer;
  }
}

TEST(conv_suites, nightly_parses) { EXPECT_GE(shipped("conv_nightly.csv").size(), 100u); }

}  // namespace
}  // namespace cubench
