// The in-house fp32 GEMM on the CUDA cores: 256 threads compute a 128 x 128 tile of C, each an 8 x 8
// block (two 4 x 4 quadrants 64 apart, so that shared-memory reads are float4 and conflict-free), with k
// advancing 8 at a time through shared memory. Every output sums k in order with fmaf.
#include <cstdint>

#include "cuda_call.cuh"
#include "gemm_inhouse.hpp"

namespace cubench {
namespace {

constexpr int tile = 128;
constexpr int tile_k = 8;
constexpr int threads = 256;
constexpr int padded = tile + 4;  // keeps rows 16-byte aligned and spreads the transposing stores

struct simt_args {
  std::int64_t m, n, k;
  std::int64_t lda, ldb, ldc;
  std::int64_t stride_a, stride_b, stride_c;
};

template <bool a_k_contiguous, bool b_k_contiguous>
__global__ void __launch_bounds__(threads)
    simt_gemm_kernel(simt_args args, const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ c) {
  __shared__ __align__(16) float a_tile[tile_k][padded];
  __shared__ __align__(16) float b_tile[tile_k][padded];
  const int tid = static_cast<int>(threadIdx.x), tx = tid & 15, ty = tid >> 4;
  const std::int64_t m0 = static_cast<std::int64_t>(blockIdx.x) * tile;
  const std::int64_t n0 = static_cast<std::int64_t>(blockIdx.y) * tile;
  a += blockIdx.z * args.stride_a;
  b += blockIdx.z * args.stride_b;
  c += blockIdx.z * args.stride_c;
  float acc[8][8] = {};
  for (std::int64_t k0 = 0; k0 < args.k; k0 += tile_k) {
    // Consecutive threads read consecutive addresses along the operand's contiguous direction.
#pragma unroll
    for (int i = 0; i < tile * tile_k / threads; ++i) {
      const int e = tid + i * threads;
      const int am = a_k_contiguous ? e >> 3 : e & (tile - 1), ak = a_k_contiguous ? e & 7 : e >> 7;
      const std::int64_t m = m0 + am, ka = k0 + ak;
      a_tile[ak][am] = m < args.m && ka < args.k ? a[a_k_contiguous ? m * args.lda + ka : m + ka * args.lda] : 0.0f;
      const int bn = b_k_contiguous ? e >> 3 : e & (tile - 1), bk = b_k_contiguous ? e & 7 : e >> 7;
      const std::int64_t n = n0 + bn, kb = k0 + bk;
      b_tile[bk][bn] = n < args.n && kb < args.k ? b[b_k_contiguous ? kb + n * args.ldb : n + kb * args.ldb] : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < tile_k; ++kk) {
      const float4 a_lo = *reinterpret_cast<const float4*>(&a_tile[kk][ty * 4]);
      const float4 a_hi = *reinterpret_cast<const float4*>(&a_tile[kk][64 + ty * 4]);
      const float4 b_lo = *reinterpret_cast<const float4*>(&b_tile[kk][tx * 4]);
      const float4 b_hi = *reinterpret_cast<const float4*>(&b_tile[kk][64 + tx * 4]);
      const float av[8] = {a_lo.x, a_lo.y, a_lo.z, a_lo.w, a_hi.x, a_hi.y, a_hi.z, a_hi.w};
      const float bv[8] = {b_lo.x, b_lo.y, b_lo.z, b_lo.w, b_hi.x, b_hi.y, b_hi.z, b_hi.w};
#pragma unroll
      for (int i = 0; i < 8; ++i) {
#pragma unroll
        for (int j = 0; j < 8; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
      }
    }
    __syncthreads();
  }
#pragma unroll
  for (int j = 0; j < 8; ++j) {
    const std::int64_t n = n0 + (j < 4 ? tx * 4 + j : 64 + tx * 4 + j - 4);
    if (n >= args.n) continue;
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      const std::int64_t m = m0 + (i < 4 ? ty * 4 + i : 64 + ty * 4 + i - 4);
      if (m < args.m) c[m + n * args.ldc] = acc[i][j];
    }
  }
}

template <bool a_k_contiguous, bool b_k_contiguous>
void launch_kernel(const gemm_shape& s, const gemm_operands& o, cudaStream_t stream) {
  const simt_args args{s.m, s.n, s.k, s.lda, s.ldb, s.ldc, s.stride_a, s.stride_b, s.stride_c};
  const dim3 grid(static_cast<unsigned>((s.m + tile - 1) / tile), static_cast<unsigned>((s.n + tile - 1) / tile),
                  static_cast<unsigned>(s.batch));
  simt_gemm_kernel<a_k_contiguous, b_k_contiguous><<<grid, threads, 0, stream>>>(
      args, static_cast<const float*>(o.a), static_cast<const float*>(o.b), static_cast<float*>(o.c));
  BENCH_CUDA_TRY(cudaGetLastError());
}

// Calls `visit` with the kernel instance for the shape's layout (NN, NT, TN).
template <typename Visit>
void with_kernel(const gemm_shape& s, Visit&& visit) {
  const bool a_k = s.trans_a == 'T', b_k = s.trans_b == 'N';
  if (!a_k && b_k) return visit(simt_gemm_kernel<false, true>, launch_kernel<false, true>);
  if (!a_k && !b_k) return visit(simt_gemm_kernel<false, false>, launch_kernel<false, false>);
  if (a_k && b_k) return visit(simt_gemm_kernel<true, true>, launch_kernel<true, true>);
  throw case_not_supported(std::string("no in-house SIMT kernel for layout ") + s.trans_a + s.trans_b);
}

}  // namespace

void prepare_inhouse_simt(const gemm_shape& shape) {
  if ((shape.n + tile - 1) / tile > 65535)
    throw case_not_supported("n = " + std::to_string(shape.n) + " needs more than 65535 blocks in the grid's y");
  with_kernel(shape, [](auto, auto) {});
}

void launch_inhouse_simt(const gemm_shape& shape, const gemm_operands& operands, cudaStream_t stream) {
  with_kernel(shape, [&](auto, auto launch) { launch(shape, operands, stream); });
}

cudaFuncAttributes inhouse_simt_attributes(const gemm_shape& shape) {
  cudaFuncAttributes attributes{};
  with_kernel(shape, [&](auto kernel, auto) { BENCH_CUDA_TRY(cudaFuncGetAttributes(&attributes, kernel)); });
  return attributes;
}

}  // namespace cubench
