// GEMM family on the GPU: the fp64 reference against the CPU reference bit for bit, the metrics on outputs
// with known defects, and the in-house kernels against the reference over layouts and awkward shapes.
#include <cuda_bf16.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

#include "cuda_resources.cuh"
#include "gemm/gemm_cases.hpp"
#include "gemm/gemm_inhouse.hpp"
#include "gpu_test_support.cuh"
#include "reference/gemm_reference.cuh"
#include "tolerance.hpp"

namespace cubench {
namespace {

gemm_case_spec spec_of(const std::string& impl, const std::string& dtype, const std::string& layout, std::int64_t m,
                       std::int64_t n, std::int64_t k, std::int64_t batch) {
  gemm_case_spec spec;
  spec.impl = impl;
  spec.dtype = dtype;
  spec.layout = layout;
  spec.m = m;
  spec.n = n;
  spec.k = k;
  spec.batch = batch;
  return spec;
}

// Inputs, an output and the reference for one shape, on the device.
struct gemm_fixture {
  gemm_shape shape;
  device_buffer a, b, c, reference;

  explicit gemm_fixture(const gemm_shape& s)
      : shape(s),
        a(static_cast<std::size_t>(s.stride_a * s.batch * storage_bytes(s.storage.input))),
        b(static_cast<std::size_t>(s.stride_b * s.batch * storage_bytes(s.storage.input))),
        c(static_cast<std::size_t>(s.stride_c * s.batch * storage_bytes(s.storage.output))),
        reference(static_cast<std::size_t>(s.stride_c * s.batch) * sizeof(double)) {
    fill_random(s.storage.input, a.get(), s.stride_a * s.batch, 11, nullptr);
    fill_random(s.storage.input, b.get(), s.stride_b * s.batch, 12, nullptr);
    fill_poison(s.storage.output, c.get(), s.stride_c * s.batch, nullptr);
    reference_gemm(problem(), batch(), s.storage.input, a.get(), b.get(), reference.as<double>(), nullptr);
  }
  gemm_problem problem() const {
    return {shape.trans_a, shape.trans_b, shape.m, shape.n, shape.k, shape.lda, shape.ldb, shape.ldc};
  }
  gemm_batch batch() const { return {shape.batch, shape.stride_a, shape.stride_b, shape.stride_c}; }
  gemm_operands operands() { return {a.get(), b.get(), c.get()}; }
  output_metrics compare() const {
    return compare_with_reference(shape.storage.output, c.get(), reference.as<double>(), shape.stride_c * shape.batch,
                                  nullptr);
  }
};

TEST(reference_gemm, equals_the_cpu_reference_bit_for_bit) {
  BENCH_SKIP_WITHOUT_GPU();
  for (const char* dtype : {"fp64", "fp32", "fp16", "bf16", "int8"}) {
    for (const char* layout : {"NN", "NT", "TN"}) {
      const gemm_fixture f(gemm_shape_of(spec_of("cublas", dtype, layout, 37, 29, 53, 2)));
      const auto a = to_host_doubles(f.shape.storage.input, f.a.get(), f.shape.stride_a * 2);
      const auto b = to_host_doubles(f.shape.storage.input, f.b.get(), f.shape.stride_b * 2);
      const auto gpu = to_host<double>(f.reference.get(), f.shape.stride_c * 2);
      std::vector<double> cpu(gpu.size());
      for (std::int64_t i = 0; i < 2; ++i)
        cpu_reference_gemm(f.problem(), a.data() + i * f.shape.stride_a, b.data() + i * f.shape.stride_b,
                           cpu.data() + i * f.shape.stride_c);
      EXPECT_EQ(0, std::memcmp(cpu.data(), gpu.data(), cpu.size() * sizeof(double))) << dtype << " " << layout;
    }
  }
}

TEST(fill_random, is_seeded_and_never_all_zero) {
  BENCH_SKIP_WITHOUT_GPU();
  const device_buffer x(4096 * sizeof(__nv_bfloat16)), y(4096 * sizeof(__nv_bfloat16));
  fill_random(storage_type::bf16, x.get(), 4096, 5, nullptr);
  fill_random(storage_type::bf16, y.get(), 4096, 5, nullptr);
  const auto hx = to_host_doubles(storage_type::bf16, x.get(), 4096);
  EXPECT_EQ(hx, to_host_doubles(storage_type::bf16, y.get(), 4096));
  double sum_abs = 0, max_abs = 0;
  for (double v : hx) {
    sum_abs += std::fabs(v);
    max_abs = std::max(max_abs, std::fabs(v));
  }
  EXPECT_NEAR(sum_abs / 4096, 0.5, 0.05);
  EXPECT_LE(max_abs, 1.0);
}

TEST(compare_with_reference, reports_defects_it_is_given) {
  BENCH_SKIP_WITHOUT_GPU();
  const std::int64_t n = 1000;
  std::vector<double> reference(n), output(n);
  for (std::int64_t i = 0; i < n; ++i) reference[i] = output[i] = 1.0 + static_cast<double>(i % 7);
  output[3] = NAN;
  output[4] = INFINITY;
  std::uint64_t poison = poison_bits(storage_type::f64);
  std::memcpy(&output[5], &poison, sizeof poison);
  output[6] += 0.5;
  const device_buffer ref_d(n * sizeof(double)), out_d(n * sizeof(double));
  BENCH_CUDA_TRY(cudaMemcpy(ref_d.get(), reference.data(), n * sizeof(double), cudaMemcpyHostToDevice));
  BENCH_CUDA_TRY(cudaMemcpy(out_d.get(), output.data(), n * sizeof(double), cudaMemcpyHostToDevice));
  const output_metrics m = compare_with_reference(storage_type::f64, out_d.get(), ref_d.as<double>(), n, nullptr);
  EXPECT_EQ(m.nan_count, 1);
  EXPECT_EQ(m.inf_count, 1);
  EXPECT_EQ(m.unwritten_count, 1);
  EXPECT_DOUBLE_EQ(m.max_abs_err, 0.5);
  double ref_norm = 0;
  for (double r : reference) ref_norm += r * r;
  EXPECT_NEAR(m.norm_rel_err, 0.5 / std::sqrt(ref_norm), 1e-15);

  output[6] -= 0.5;
  BENCH_CUDA_TRY(cudaMemcpy(out_d.get(), output.data(), n * sizeof(double), cudaMemcpyHostToDevice));
  const output_metrics same = compare_with_reference(storage_type::f64, out_d.get(), ref_d.as<double>(), n, nullptr);
  EXPECT_EQ(same.norm_rel_err, 0.0);
  EXPECT_NE(same.hash, m.hash) << "the hash sees a changed element";
}

TEST(hash_bits, sees_one_flipped_bit_and_nothing_else) {
  BENCH_SKIP_WITHOUT_GPU();
  const std::int64_t n = 4097;
  std::vector<std::uint16_t> bits(n);
  for (std::int64_t i = 0; i < n; ++i) bits[i] = static_cast<std::uint16_t>(i * 2654435761u >> 7);
  const device_buffer d(n * sizeof(std::uint16_t));
  const auto upload = [&] {
    BENCH_CUDA_TRY(cudaMemcpy(d.get(), bits.data(), n * sizeof(std::uint16_t), cudaMemcpyHostToDevice));
  };
  upload();
  const std::uint64_t first = hash_bits(storage_type::bf16, d.get(), n, nullptr);
  EXPECT_EQ(hash_bits(storage_type::bf16, d.get(), n, nullptr), first);
  bits[n - 1] ^= 1;
  upload();
  EXPECT_NE(hash_bits(storage_type::bf16, d.get(), n, nullptr), first) << "the last element's lowest bit";
  bits[n - 1] ^= 1;
  std::swap(bits[0], bits[1]);
  upload();
  EXPECT_NE(hash_bits(storage_type::bf16, d.get(), n, nullptr), first) << "two elements swapped";
  EXPECT_THROW(hash_bits(storage_type::i8, d.get(), n, nullptr), std::invalid_argument);
}

// The in-house kernels over every layout, aligned and unaligned shapes, partial tiles and batches.
void check_inhouse(const std::string& dtype) {
  const std::vector<std::vector<std::int64_t>> shapes{
      {128, 128, 32, 1}, {256, 384, 160, 1}, {136, 264, 72, 1}, {33, 65, 40, 1},
      {1000, 999, 1001, 1}, {16, 520, 4096, 1}, {72, 40, 48, 3}};
  for (const char* layout : {"NN", "NT", "TN"}) {
    for (const auto& s : shapes) {
      gemm_fixture f(gemm_shape_of(spec_of("inhouse", dtype, layout, s[0], s[1], s[2], s[3])));
      if (dtype == "fp32") {
        prepare_inhouse_simt(f.shape);
        launch_inhouse_simt(f.shape, f.operands(), nullptr);
      } else {
        const int stages = prepare_inhouse_mma(f.shape);
        launch_inhouse_mma(f.shape, stages, f.operands(), nullptr);
      }
      BENCH_CUDA_TRY(cudaDeviceSynchronize());
      const output_metrics m = f.compare();
      const std::string where = dtype + " " + layout + " m=" + std::to_string(s[0]) + " n=" + std::to_string(s[1]) +
                                " k=" + std::to_string(s[2]) + " batch=" + std::to_string(s[3]);
      EXPECT_EQ(m.unwritten_count, 0) << where;
      EXPECT_EQ(m.nan_count + m.inf_count, 0) << where;
      EXPECT_LE(m.norm_rel_err, gemm_tolerance(dtype, s[2])) << where;
    }
  }
}

TEST(inhouse_mma, matches_the_reference) {
  BENCH_SKIP_WITHOUT_GPU();
  cudaDeviceProp properties{};
  BENCH_CUDA_TRY(cudaGetDeviceProperties(&properties, 0));
  if (properties.major < 8) GTEST_SKIP() << "mma.sync needs compute capability 8.0, found " << properties.major;
  check_inhouse("bf16");
  check_inhouse("fp16");
}

TEST(inhouse_simt, matches_the_reference_fp32) {
  BENCH_SKIP_WITHOUT_GPU();
  check_inhouse("fp32");
}

}  // namespace
}  // namespace cubench
