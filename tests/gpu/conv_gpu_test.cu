// Convolution family on the GPU: the fp64 reference against the CPU reference bit for bit, the in-house
// implicit GEMM against the reference in every tile and on vector and element-wise paths, and whole cases
// (cuDNN in every direction, im2col + cuBLAS, in-house) through run_case, which must end passed.
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "conv/conv_cases.hpp"
#include "conv/conv_implicit_gemm.hpp"
#include "cpu_conv_reference.hpp"
#include "cuda_resources.cuh"
#include "gpu_test_support.cuh"
#include "reference/conv_reference.cuh"
#include "reference/gemm_reference.cuh"
#include "reference/output_verdict.hpp"
#include "runner_env.hpp"

namespace cubench {
namespace {

std::string describe(const conv_geometry& g) {
  return "n=" + std::to_string(g.n) + " c=" + std::to_string(g.c) + " h=" + std::to_string(g.h) +
         " w=" + std::to_string(g.w) + " k=" + std::to_string(g.k) + " r=" + std::to_string(g.r) +
         " s=" + std::to_string(g.s) + " stride=" + std::to_string(g.stride) + " pad=" + std::to_string(g.pad) +
         " dilation=" + std::to_string(g.dilation) + " groups=" + std::to_string(g.groups);
}

std::vector<double> host_doubles_of_floats(const void* device, std::int64_t count) {
  const auto values = to_host<float>(device, count);
  return std::vector<double>(values.begin(), values.end());
}

TEST(reference_conv, equals_the_cpu_reference_bit_for_bit) {
  BENCH_SKIP_WITHOUT_GPU();
  const std::vector<conv_geometry> shapes{conv_geometry{2, 6, 9, 8, 4, 3, 3, 1, 1}, conv_geometry{1, 4, 11, 11, 6, 3, 2, 2, 1, 1, 2},
                                          conv_geometry{2, 3, 10, 10, 5, 3, 3, 1, 2, 2},
                                          conv_geometry{1, 2, 16, 16, 3, 4, 4, 4, 0}};
  for (const conv_layout layout : {conv_layout::nchw, conv_layout::nhwc}) {
    for (const auto& g : shapes) {
      const std::int64_t counts[3] = {element_count(input_extents(g)), element_count(filter_extents(g)),
                                      element_count(output_extents(g))};
      const device_buffer x(static_cast<std::size_t>(counts[0]) * 4), w(static_cast<std::size_t>(counts[1]) * 4),
          y(static_cast<std::size_t>(counts[2]) * 4);
      fill_random(storage_type::f32, x.get(), counts[0], 1, nullptr);
      fill_random(storage_type::f32, w.get(), counts[1], 2, nullptr);
      fill_random(storage_type::f32, y.get(), counts[2], 3, nullptr);
      const auto hx = host_doubles_of_floats(x.get(), counts[0]), hw = host_doubles_of_floats(w.get(), counts[1]),
                 hy = host_doubles_of_floats(y.get(), counts[2]);
      struct direction_case {
        conv_direction direction;
        const void *first, *second;
        const std::vector<double>*host_first, *host_second;
        std::int64_t out_count;
      };
      for (const direction_case& d : {direction_case{conv_direction::fwd, x.get(), w.get(), &hx, &hw, counts[2]},
                                      direction_case{conv_direction::bwd_data, y.get(), w.get(), &hy, &hw, counts[0]},
                                      direction_case{conv_direction::bwd_filter, x.get(), y.get(), &hx, &hy, counts[1]}}) {
        const device_buffer out(static_cast<std::size_t>(d.out_count) * sizeof(double));
        reference_conv(g, layout, d.direction, storage_type::f32, d.first, d.second, out.as<double>(), nullptr);
        const auto gpu = to_host<double>(out.get(), d.out_count);
        std::vector<double> cpu(gpu.size());
        cpu_reference_conv(g, layout, d.direction, d.host_first->data(), d.host_second->data(), cpu.data());
        EXPECT_EQ(0, std::memcmp(cpu.data(), gpu.data(), cpu.size() * sizeof(double)))
            << to_string(layout) << " " << to_string(d.direction) << " " << describe(g);
      }
    }
  }
}

// The in-house kernel in each tile, against the reference, on NHWC inputs it reads in 16-byte pieces (c a
// multiple of 8) or element by element, with partial tiles in both dimensions.
TEST(implicit_gemm, matches_the_reference_in_every_tile) {
  BENCH_SKIP_WITHOUT_GPU();
  cudaDeviceProp properties{};
  BENCH_CUDA_TRY(cudaGetDeviceProperties(&properties, 0));
  if (properties.major < 8) GTEST_SKIP() << "mma.sync needs compute capability 8.0, found " << properties.major;
  const std::vector<conv_geometry> shapes{
      conv_geometry{2, 64, 14, 14, 64, 3, 3, 1, 1},  conv_geometry{3, 32, 9, 11, 72, 3, 3, 2, 1},
      conv_geometry{1, 8, 13, 13, 20, 5, 5, 1, 2},   conv_geometry{2, 24, 16, 16, 40, 3, 3, 1, 2, 2},
      conv_geometry{4, 96, 7, 7, 136, 1, 1, 2, 0},   conv_geometry{2, 3, 32, 32, 16, 7, 7, 2, 3},
      conv_geometry{2, 3, 32, 32, 24, 16, 16, 16, 0}, conv_geometry{1, 5, 6, 6, 7, 3, 3, 1, 0}};
  for (const storage_type type : {storage_type::f16, storage_type::bf16}) {
    const std::string dtype = type == storage_type::f16 ? "fp16" : "bf16";
    for (const implicit_gemm_tile tile : {implicit_gemm_tile{128, 128}, implicit_gemm_tile{128, 64}, implicit_gemm_tile{64, 64}}) {
      for (const auto& g : shapes) {
        const std::int64_t x_count = element_count(input_extents(g)), w_count = element_count(filter_extents(g)),
                           y_count = element_count(output_extents(g));
        const device_buffer x(static_cast<std::size_t>(x_count) * 2), w(static_cast<std::size_t>(w_count) * 2),
            y(static_cast<std::size_t>(y_count) * 2), reference(static_cast<std::size_t>(y_count) * sizeof(double));
        fill_random(type, x.get(), x_count, 4, nullptr);
        fill_random(type, w.get(), w_count, 5, nullptr);
        fill_poison(type, y.get(), y_count, nullptr);
        prepare_implicit_gemm(g, type, tile);
        launch_implicit_gemm(g, type, tile, x.get(), w.get(), y.get(), nullptr);
        reference_conv(g, conv_layout::nhwc, conv_direction::fwd, type, x.get(), w.get(), reference.as<double>(), nullptr);
        BENCH_CUDA_TRY(cudaDeviceSynchronize());
        const output_metrics m = compare_with_reference(type, y.get(), reference.as<double>(), y_count, nullptr);
        result_record record;
        const double tolerance = conv_tolerance(dtype, conv_reduction_length(g, conv_direction::fwd), conv_summation::direct);
        EXPECT_EQ(judge_output(m, tolerance, record), "")
            << dtype << " tile " << tile.m << "x" << tile.n << " " << describe(g) << " vector loads "
            << implicit_gemm_vector_loads(g, x.get(), w.get());
      }
    }
  }
}

TEST(judge_output, flags_a_corrupted_convolution) {
  BENCH_SKIP_WITHOUT_GPU();
  cudaDeviceProp properties{};
  BENCH_CUDA_TRY(cudaGetDeviceProperties(&properties, 0));
  if (properties.major < 8) GTEST_SKIP() << "mma.sync needs compute capability 8.0, found " << properties.major;
  const conv_geometry g{2, 64, 14, 14, 64, 3, 3, 1, 1};
  const std::int64_t x_count = element_count(input_extents(g)), w_count = element_count(filter_extents(g)),
                     y_count = element_count(output_extents(g));
  const device_buffer x(static_cast<std::size_t>(x_count) * 2), w(static_cast<std::size_t>(w_count) * 2),
      y(static_cast<std::size_t>(y_count) * 2), reference(static_cast<std::size_t>(y_count) * sizeof(double));
  fill_random(storage_type::f16, x.get(), x_count, 4, nullptr);
  fill_random(storage_type::f16, w.get(), w_count, 5, nullptr);
  const implicit_gemm_tile tile{128, 64};
  prepare_implicit_gemm(g, storage_type::f16, tile);
  launch_implicit_gemm(g, storage_type::f16, tile, x.get(), w.get(), y.get(), nullptr);
  reference_conv(g, conv_layout::nhwc, conv_direction::fwd, storage_type::f16, x.get(), w.get(), reference.as<double>(),
                 nullptr);
  // One output channel of every pixel lost: an error of about 1 / sqrt(64) normwise.
  std::vector<std::uint16_t> host(static_cast<std::size_t>(y_count));
  BENCH_CUDA_TRY(cudaMemcpy(host.data(), y.get(), host.size() * 2, cudaMemcpyDeviceToHost));
  for (std::size_t i = 0; i < host.size(); i += 64) host[i] = 0;
  BENCH_CUDA_TRY(cudaMemcpy(y.get(), host.data(), host.size() * 2, cudaMemcpyHostToDevice));
  const output_metrics m = compare_with_reference(storage_type::f16, y.get(), reference.as<double>(), y_count, nullptr);
  result_record record;
  const std::string reason = judge_output(m, conv_tolerance("fp16", 576, conv_summation::direct), record);
  EXPECT_EQ(reason.rfind("norm_rel_err ", 0), 0u) << reason;
  EXPECT_NEAR(*record.norm_rel_err, 0.125, 0.03);
}

// Runs every row of a conv suite through run_case with a short time cap.
std::vector<case_outcome> run_suite_file(const std::string& rows) {
  const std::string path = ::testing::TempDir() + "conv_gpu_suite.csv";
  std::ofstream(path) << "family,impl,algo,direction,dtype,layout,n,c,h,w,k,r,s,stride,pad,dilation,groups\n" << rows;
  const runner_env env = collect_env();
  const cuda_stream stream;
  clock_monitor clocks(env.gpus.at(0).uuid);
  library_handles handles;
  case_context context;
  context.env = &env;
  context.gpu = &env.gpus.at(0);
  context.stream = stream.get();
  context.handles = &handles;
  context.options.stopping.time_cap_s = 0.05;
  std::vector<case_outcome> outcomes;
  for (const auto& c : load_suite_cases(path)) outcomes.push_back(run_case(c, context, clocks, result_record{}));
  return outcomes;
}

// Every case passed, measured in the default placements, each sample under the placement it was taken in.
void expect_all_passed(const std::vector<case_outcome>& outcomes) {
  const int placements = measurement_options{}.placements;
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.record.status, case_status::passed) << o.record.case_id << ": " << o.record.reason;
    EXPECT_TRUE(o.record.median_ms.has_value()) << o.record.case_id;
    EXPECT_EQ(o.record.unwritten_count.value_or(-1), 0) << o.record.case_id;
    EXPECT_EQ(o.sample_placements.size(), o.samples_ms.size()) << o.record.case_id;
    EXPECT_EQ(std::set<int>(o.sample_placements.begin(), o.sample_placements.end()).size(),
              static_cast<std::size_t>(placements))
        << o.record.case_id;
    EXPECT_EQ(o.record.samples.value_or(0), static_cast<int>(o.samples_ms.size())) << o.record.case_id;
  }
}

TEST(conv_cases, cudnn_passes_in_every_direction_dtype_and_layout) {
  BENCH_SKIP_WITHOUT_GPU();
#if !CUBENCH_HAVE_CUDNN
  GTEST_SKIP() << "this runner was built without cuDNN: " << CUBENCH_CUDNN_REASON;
#endif
  std::string rows;
  for (const char* algo : {"heuristic", "searched"})
    for (const char* direction : {"fwd", "bwd_data", "bwd_filter"})
      for (const char* dtype : {"fp32", "tf32", "fp16", "bf16"})
        for (const char* layout : {"NCHW", "NHWC"})
          rows += std::string("conv,cudnn,") + algo + "," + direction + "," + dtype + "," + layout +
                  ",4,32,15,15,48,3,3,2,1,1,1\n";
  rows += "conv,cudnn,heuristic,fwd,fp16,NHWC,2,64,20,20,64,3,3,1,2,2,16\n";
  rows += "conv,cudnn,heuristic,bwd_filter,fp32,NCHW,2,32,12,12,32,3,3,1,1,1,32\n";
  // Tensors whose sizes are no multiple of 16 bytes: the input sets after the first rely on conv_case's padding
  // for the alignment the plan was built for.
  rows += "conv,cudnn,heuristic,fwd,fp16,NHWC,3,3,7,7,5,3,3,1,1,1,1\n";
  const auto outcomes = run_suite_file(rows);
  expect_all_passed(outcomes);
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.record.library, "cudnn") << o.record.case_id;
    // plan=eng<id>_k<knob>=<choice>... notes=... workspace=...; fp32 must not run on (TF32) tensor cores.
    EXPECT_EQ(o.record.algorithm.rfind("plan=eng", 0), 0u) << o.record.case_id << ": " << o.record.algorithm;
    EXPECT_NE(o.record.algorithm.find(" notes="), std::string::npos) << o.record.algorithm;
    EXPECT_NE(o.record.algorithm.find(" workspace="), std::string::npos) << o.record.algorithm;
    if (o.record.dtype == "fp32")
      EXPECT_EQ(o.record.algorithm.find("TENSOR_CORE"), std::string::npos) << o.record.case_id << ": "
                                                                           << o.record.algorithm;
  }
}

TEST(conv_cases, im2col_cublas_and_inhouse_pass) {
  BENCH_SKIP_WITHOUT_GPU();
  std::string rows;
  for (const char* dtype : {"fp32", "tf32", "fp16", "bf16"})
    for (const char* layout : {"NCHW", "NHWC"}) {
      rows += std::string("conv,im2col_cublas,,fwd,") + dtype + "," + layout + ",3,16,13,13,24,3,3,2,1,1,1\n";
      rows += std::string("conv,im2col_cublas,,fwd,") + dtype + "," + layout + ",2,24,10,10,36,3,3,1,2,2,6\n";
      rows += std::string("conv,im2col_cublas,,fwd,") + dtype + "," + layout + ",1,8,9,9,8,1,1,1,0,1,1\n";
    }
  cudaDeviceProp properties{};
  BENCH_CUDA_TRY(cudaGetDeviceProperties(&properties, 0));
  if (properties.major >= 8) {
    rows += "conv,inhouse,,fwd,fp16,NHWC,8,64,28,28,64,3,3,1,1,1,1\n";
    rows += "conv,inhouse,,fwd,bf16,NHWC,4,3,64,64,32,7,7,2,3,1,1\n";
  }
  const auto outcomes = run_suite_file(rows);
  expect_all_passed(outcomes);
  for (const auto& o : outcomes) {
    EXPECT_FALSE(o.record.output_hash.empty()) << o.record.case_id << ": its bits changed from launch to launch";
    if (o.record.impl == "inhouse") {
      EXPECT_EQ(o.record.algorithm.rfind("tile=", 0), 0u) << o.record.algorithm;
      EXPECT_FALSE(o.record.binary_kind.empty());
    } else {
      EXPECT_EQ(o.record.library, "cublas");
    }
  }
}

}  // namespace
}  // namespace cubench
