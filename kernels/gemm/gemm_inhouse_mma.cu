// The in-house tensor-core GEMM: mma.sync.aligned.m16n8k16.row.col.f32.{bf16,f16} with fp32 accumulation.
// A block of 4 warps computes a 128 x 128 tile of C, each warp 64 x 64; k advances 32 at a time through a
// 4-stage cp.async pipeline in shared memory, and ldmatrix (.trans for operands stored the other way)
// feeds the fragments in the layouts of the PTX ISA's "Matrix Fragments for mma.m16n8k16".
//
// Shared-memory tiles keep the operand's contiguous direction:
// - k-contiguous (A transposed, B as stored): [128 rows][32 k], a 64-byte row of four 16-byte chunks;
//   chunk c of row r lives at chunk c ^ ((r >> 1) & 3), so the eight rows one ldmatrix phase reads fall
//   into eight different 16-byte bank groups;
// - m- or n-contiguous: [32 k][128], a 256-byte row of sixteen chunks; chunk c of row r lives at
//   c ^ (r & 7), for the same reason.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "cuda_call.cuh"
#include "gemm_inhouse.hpp"
#include "tensor_core_ptx.cuh"

namespace cubench {
namespace {

constexpr int block_m = 128;
constexpr int block_n = 128;
constexpr int block_k = 32;
constexpr int stages = 4;
constexpr int threads = 128;
constexpr int tile_elements = block_m * block_k;  // one operand's tile in one stage; block_n == block_m
constexpr int stage_elements = 2 * tile_elements;
constexpr int smem_bytes = stages * stage_elements * 2;
constexpr int c_tile_stride = block_m + 8;  // epilogue tile [n][m], padded against bank conflicts
static_assert(block_n * c_tile_stride * 2 <= smem_bytes, "the epilogue tile reuses the pipeline's shared memory");

struct mma_args {
  std::int64_t m, n, k;
  std::int64_t lda, ldb, ldc;
  std::int64_t stride_a, stride_b, stride_c;
  bool a_vector, b_vector, c_vector;  // 16-byte copies allowed (aligned, extents multiples of 8)
};

using ptx::cp_async_16;
using ptx::cp_async_commit;
using ptx::cp_async_wait;
using ptx::ldmatrix_x4;
using ptx::ldmatrix_x4_trans;
using ptx::mma_m16n8k16;

__device__ inline __nv_bfloat16 from_float(float x, __nv_bfloat16) { return __float2bfloat16_rn(x); }
__device__ inline __half from_float(float x, __half) { return __float2half_rn(x); }

// Element offsets of 16-byte chunk `chunk` of row `row`, swizzled as the file's header describes.
__device__ inline int k_contiguous_offset(int row, int chunk) {
  return row * block_k + ((chunk ^ ((row >> 1) & 3)) << 3);
}
__device__ inline int mn_contiguous_offset(int k_row, int chunk) { return k_row * block_m + ((chunk ^ (k_row & 7)) << 3); }

// Copies one operand's 128 x 32 tile (rows mn0.., k from k0) into a stage: 512 chunks of 8 elements, 4 per
// thread. Outside the matrix the tile holds zeros, which add nothing to the products.
template <typename T, bool k_contiguous>
__device__ void load_tile(T* tile, const T* g, std::int64_t ld, std::int64_t mn_extent, std::int64_t mn0,
                          std::int64_t k_extent, std::int64_t k0, bool vector, int tid) {
#pragma unroll
  for (int i = 0; i < tile_elements / 8 / threads; ++i) {
    const int q = tid + i * threads;
    const int row = k_contiguous ? q >> 2 : q >> 4;
    const int chunk = k_contiguous ? q & 3 : q & 15;
    const std::int64_t mn = k_contiguous ? mn0 + row : mn0 + chunk * 8;
    const std::int64_t k = k_contiguous ? k0 + chunk * 8 : k0 + row;
    T* dst = tile + (k_contiguous ? k_contiguous_offset(row, chunk) : mn_contiguous_offset(row, chunk));
    if (vector) {
      // Extents are multiples of 8 here, so a chunk is wholly inside the matrix or wholly outside it.
      const bool inside = mn < mn_extent && k < k_extent;
      const T* src = inside ? (k_contiguous ? g + mn * ld + k : g + k * ld + mn) : g;
      cp_async_16(dst, src, inside ? 16 : 0);
    } else {
      alignas(16) T values[8];
#pragma unroll
      for (int e = 0; e < 8; ++e) {
        const std::int64_t mn_e = k_contiguous ? mn : mn + e, k_e = k_contiguous ? k + e : k;
        values[e] = mn_e < mn_extent && k_e < k_extent ? g[k_contiguous ? mn_e * ld + k_e : k_e * ld + mn_e]
                                                       : from_float(0.0f, T{});
      }
      *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(values);
    }
  }
}

// The A fragment of rows m_base..m_base+15 and k_base..k_base+15: four 8 x 8 matrices, in the order
// a0a1 (rows 0-7, k 0-7), a2a3 (rows 8-15, k 0-7), a4a5 (rows 0-7, k 8-15), a6a7 (rows 8-15, k 8-15).
template <bool k_contiguous>
__device__ inline void load_a_fragment(unsigned (&a)[4], const void* tile, int m_base, int k_base, int lane) {
  const auto* base = static_cast<const std::uint16_t*>(tile);
  if (k_contiguous) {
    const int row = m_base + (lane & 15), chunk = (k_base >> 3) + (lane >> 4);
    ldmatrix_x4(a, base + k_contiguous_offset(row, chunk));
  } else {
    const int k_row = k_base + (lane & 7) + ((lane >> 4) << 3), chunk = (m_base >> 3) + ((lane >> 3) & 1);
    ldmatrix_x4_trans(a, base + mn_contiguous_offset(k_row, chunk));
  }
}

// The B fragments of columns n_base..n_base+15 (two n8 tiles) and k_base..k_base+15: b[0], b[1] hold k 0-7
// and 8-15 of the first n8 tile, b[2], b[3] those of the second.
template <bool k_contiguous>
__device__ inline void load_b_fragments(unsigned (&b)[4], const void* tile, int n_base, int k_base, int lane) {
  const auto* base = static_cast<const std::uint16_t*>(tile);
  if (k_contiguous) {
    const int row = n_base + (lane & 7) + ((lane >> 4) << 3), chunk = (k_base >> 3) + ((lane >> 3) & 1);
    ldmatrix_x4(b, base + k_contiguous_offset(row, chunk));
  } else {
    const int k_row = k_base + (lane & 7) + (((lane >> 3) & 1) << 3), chunk = (n_base >> 3) + (lane >> 4);
    ldmatrix_x4_trans(b, base + mn_contiguous_offset(k_row, chunk));
  }
}

// a_k_contiguous: op(A) = A^T (layout T?); b_k_contiguous: op(B) = B (layout ?N).
template <typename T, bool a_k_contiguous, bool b_k_contiguous>
__global__ void __launch_bounds__(threads, 2)
    mma_gemm_kernel(mma_args args, const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ c) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  extern __shared__ __align__(128) unsigned char shared_bytes[];
  T* smem = reinterpret_cast<T*>(shared_bytes);
  const int tid = static_cast<int>(threadIdx.x), lane = tid & 31, warp = tid >> 5;
  const int warp_m0 = (warp & 1) * 64, warp_n0 = (warp >> 1) * 64;
  const std::int64_t m0 = static_cast<std::int64_t>(blockIdx.x) * block_m;
  const std::int64_t n0 = static_cast<std::int64_t>(blockIdx.y) * block_n;
  a += blockIdx.z * args.stride_a;
  b += blockIdx.z * args.stride_b;
  c += blockIdx.z * args.stride_c;
  const int k_tiles = static_cast<int>((args.k + block_k - 1) / block_k);

  auto load_stage = [&](int stage, int k_tile) {
    T* a_tile = smem + stage * stage_elements;
    T* b_tile = a_tile + tile_elements;
    const std::int64_t k0 = static_cast<std::int64_t>(k_tile) * block_k;
    load_tile<T, a_k_contiguous>(a_tile, a, args.lda, args.m, m0, args.k, k0, args.a_vector, tid);
    load_tile<T, b_k_contiguous>(b_tile, b, args.ldb, args.n, n0, args.k, k0, args.b_vector, tid);
  };

  // Every iteration commits one group, empty or not, so that wait_group counts tiles.
#pragma unroll
  for (int s = 0; s < stages - 1; ++s) {
    if (s < k_tiles) load_stage(s, s);
    cp_async_commit();
  }

  float acc[4][8][4] = {};
  for (int kt = 0; kt < k_tiles; ++kt) {
    // Tile kt has landed for this thread; the barrier makes it everyone's, and tells that no warp still
    // reads the stage that the next copy overwrites (the one consumed in iteration kt - 1).
    cp_async_wait<stages - 2>();
    __syncthreads();
    if (kt + stages - 1 < k_tiles) load_stage((kt + stages - 1) % stages, kt + stages - 1);
    cp_async_commit();

    const T* a_tile = smem + (kt % stages) * stage_elements;
    const T* b_tile = a_tile + tile_elements;
#pragma unroll
    for (int kk = 0; kk < block_k; kk += 16) {
      unsigned a_frag[4][4];
      unsigned b_frag[4][4];
#pragma unroll
      for (int mi = 0; mi < 4; ++mi) load_a_fragment<a_k_contiguous>(a_frag[mi], a_tile, warp_m0 + mi * 16, kk, lane);
#pragma unroll
      for (int nj = 0; nj < 4; ++nj) load_b_fragments<b_k_contiguous>(b_frag[nj], b_tile, warp_n0 + nj * 16, kk, lane);
#pragma unroll
      for (int mi = 0; mi < 4; ++mi) {
#pragma unroll
        for (int ni = 0; ni < 8; ++ni)
          mma_m16n8k16<T>::run(acc[mi][ni], a_frag[mi], b_frag[ni >> 1][(ni & 1) * 2],
                               b_frag[ni >> 1][(ni & 1) * 2 + 1]);
      }
    }
  }
  cp_async_wait<0>();
  __syncthreads();

  // Epilogue: the accumulators go through shared memory as a column-major [n][m] tile, so that C is written
  // in whole 16-byte pieces of its columns. Accumulator (mi, ni) holds rows lane/4 and lane/4 + 8 and columns
  // 2 (lane % 4) and 2 (lane % 4) + 1 of its 16 x 8 tile.
  T* c_tile = smem;
#pragma unroll
  for (int mi = 0; mi < 4; ++mi) {
#pragma unroll
    for (int ni = 0; ni < 8; ++ni) {
      const int ml = warp_m0 + mi * 16 + (lane >> 2);
      const int nl = warp_n0 + ni * 8 + (lane & 3) * 2;
      c_tile[nl * c_tile_stride + ml] = from_float(acc[mi][ni][0], T{});
      c_tile[(nl + 1) * c_tile_stride + ml] = from_float(acc[mi][ni][1], T{});
      c_tile[nl * c_tile_stride + ml + 8] = from_float(acc[mi][ni][2], T{});
      c_tile[(nl + 1) * c_tile_stride + ml + 8] = from_float(acc[mi][ni][3], T{});
    }
  }
  __syncthreads();
#pragma unroll 4
  for (int q = tid; q < block_n * (block_m / 8); q += threads) {
    const int column = q >> 4, chunk = q & 15;
    const std::int64_t n = n0 + column, m = m0 + chunk * 8;
    if (n >= args.n || m >= args.m) continue;
    const T* src = c_tile + column * c_tile_stride + chunk * 8;
    T* dst = c + n * args.ldc + m;
    if (args.c_vector) {
      *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(src);
    } else {
      for (int e = 0; e < 8 && m + e < args.m; ++e) dst[e] = src[e];
    }
  }
#else
  // The runner refuses this case below compute capability 8.0 (gemm_inhouse.cpp) before launching.
  __trap();
#endif
}

bool aligned_16(const void* pointer) { return reinterpret_cast<std::uintptr_t>(pointer) % 16 == 0; }

// 16-byte copies need the contiguous extent, the leading dimension and the batch stride in multiples of 8
// elements and a 16-byte aligned start.
bool vector_ok(const void* pointer, std::int64_t contiguous_extent, std::int64_t ld, std::int64_t stride,
               std::int64_t batch) {
  return aligned_16(pointer) && contiguous_extent % 8 == 0 && ld % 8 == 0 && (batch == 1 || stride % 8 == 0);
}

template <typename T, bool a_k_contiguous, bool b_k_contiguous>
void launch_kernel(const gemm_shape& s, const gemm_operands& o, cudaStream_t stream) {
  mma_args args{s.m,        s.n,        s.k,        s.lda,
                s.ldb,      s.ldc,      s.stride_a, s.stride_b,
                s.stride_c, false,      false,      false};
  args.a_vector = vector_ok(o.a, a_k_contiguous ? s.k : s.m, s.lda, s.stride_a, s.batch);
  args.b_vector = vector_ok(o.b, b_k_contiguous ? s.k : s.n, s.ldb, s.stride_b, s.batch);
  args.c_vector = vector_ok(o.c, s.m, s.ldc, s.stride_c, s.batch);
  const dim3 grid(static_cast<unsigned>((s.m + block_m - 1) / block_m),
                  static_cast<unsigned>((s.n + block_n - 1) / block_n), static_cast<unsigned>(s.batch));
  mma_gemm_kernel<T, a_k_contiguous, b_k_contiguous><<<grid, threads, smem_bytes, stream>>>(
      args, static_cast<const T*>(o.a), static_cast<const T*>(o.b), static_cast<T*>(o.c));
  BENCH_CUDA_TRY(cudaGetLastError());
}

// Calls `visit` with the kernel instance for the shape's dtype and layout (NN, NT, TN).
template <typename Visit>
void with_kernel(const gemm_shape& s, Visit&& visit) {
  const bool a_k = s.trans_a == 'T', b_k = s.trans_b == 'N';
  if (s.dtype == "bf16") {
    if (!a_k && b_k) return visit(mma_gemm_kernel<__nv_bfloat16, false, true>, launch_kernel<__nv_bfloat16, false, true>);
    if (!a_k && !b_k) return visit(mma_gemm_kernel<__nv_bfloat16, false, false>, launch_kernel<__nv_bfloat16, false, false>);
    if (a_k && b_k) return visit(mma_gemm_kernel<__nv_bfloat16, true, true>, launch_kernel<__nv_bfloat16, true, true>);
  } else if (s.dtype == "fp16") {
    if (!a_k && b_k) return visit(mma_gemm_kernel<__half, false, true>, launch_kernel<__half, false, true>);
    if (!a_k && !b_k) return visit(mma_gemm_kernel<__half, false, false>, launch_kernel<__half, false, false>);
    if (a_k && b_k) return visit(mma_gemm_kernel<__half, true, true>, launch_kernel<__half, true, true>);
  }
  throw case_not_supported("no in-house mma kernel for " + s.dtype + " " + s.trans_a + s.trans_b);
}

}  // namespace

void prepare_inhouse_mma(const gemm_shape& shape) {
  if ((shape.n + block_n - 1) / block_n > 65535)
    throw case_not_supported("n = " + std::to_string(shape.n) + " needs more than 65535 blocks in the grid's y");
  with_kernel(shape, [](auto kernel, auto) {
    BENCH_CUDA_TRY(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem_bytes));
  });
}

void launch_inhouse_mma(const gemm_shape& shape, const gemm_operands& operands, cudaStream_t stream) {
  with_kernel(shape, [&](auto, auto launch) { launch(shape, operands, stream); });
}

cudaFuncAttributes inhouse_mma_attributes(const gemm_shape& shape) {
  cudaFuncAttributes attributes{};
  with_kernel(shape, [&](auto kernel, auto) { BENCH_CUDA_TRY(cudaFuncGetAttributes(&attributes, kernel)); });
  return attributes;
}

}  // namespace cubench
