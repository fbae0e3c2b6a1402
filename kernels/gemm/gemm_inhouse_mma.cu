// The in-house tensor-core GEMM: mma.sync.aligned.m16n8k16.row.col.f32.{bf16,f16} with fp32 accumulation.
// A block of 8 warps (4 along m, 2 along n) computes a 256 x 128 tile of C, each warp 64 x 64, which takes nearly
// all of a thread's 255 registers, so an SM runs one block. k advances 64 at a time through a cp.async pipeline of
// as many 48 KiB stages as the GPU's shared memory holds: 3 on sm_80 and sm_90, 2 on sm_86 and sm_89. ldmatrix
// (.trans for operands stored the other way) feeds the fragments in the layouts of the PTX ISA's "Matrix Fragments
// for mma.m16n8k16" one k-step ahead of the mmas that use them, from addresses each thread computes once; the one
// barrier per k-tile sits before the fragments of the next tile are read. The main loop's body has no branch, so
// the compiler spreads the copies and the ldmatrix among the mmas (on an H100 a branch there cost 5%).
//
// Shared-memory tiles keep the operand's contiguous direction:
// - k-contiguous (A transposed, B as stored): [rows][64 k], a 128-byte row of eight 16-byte chunks; chunk c of
//   row r lives at chunk c ^ (r & 7), so the eight rows one ldmatrix phase reads fall into eight different
//   16-byte bank groups;
// - m- or n-contiguous: [64 k][256 or 128], rows of 32 or 16 chunks; chunk c of row r lives at c ^ (r & 7), for
//   the same reason.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "cuda_call.cuh"
#include "gemm_inhouse.hpp"
#include "tensor_core_ptx.cuh"

namespace cubench {
namespace {

constexpr int warp_m = 64;
constexpr int warp_n = 64;
constexpr int warps_m = 4;
constexpr int warps_n = 2;
constexpr int block_m = warp_m * warps_m;
constexpr int block_n = warp_n * warps_n;
constexpr int block_k = 64;
constexpr int k_steps = block_k / 16;
constexpr int threads = 32 * warps_m * warps_n;
constexpr int a_tile_elements = block_m * block_k;
constexpr int b_tile_elements = block_n * block_k;
constexpr int stage_elements = a_tile_elements + b_tile_elements;
constexpr int stage_bytes = stage_elements * 2;
constexpr int min_stages = 2;
constexpr int max_stages = 3;
constexpr int c_tile_stride = block_m + 8;  // epilogue tile [n][m], padded against bank conflicts
static_assert(block_n * c_tile_stride * 2 <= min_stages * stage_bytes,
              "the epilogue tile reuses the pipeline's shared memory");
static_assert(k_steps >= 2, "the last k-step's barrier must follow every read of the stage the next copy refills");
static_assert(max_stages - min_stages == 1, "cp_async_wait_tile makes up for one missing stage with one empty group");
static_assert(k_steps <= 4 && warp_m / 16 == 4 && warp_n / 16 == 4, "fragment_offsets keeps four bases");

struct mma_args {
  std::int64_t m, n, k;
  std::int64_t lda, ldb, ldc;
  std::int64_t stride_a, stride_b, stride_c;
  int stages;                         // pipeline depth, min_stages to max_stages: what the GPU's shared memory holds
  bool a_vector, b_vector, c_vector;  // 16-byte copies allowed (aligned, extents multiples of 8)
};

using ptx::cp_async_16;
using ptx::cp_async_commit;
using ptx::cp_async_wait;
using ptx::ldmatrix_x4;
using ptx::ldmatrix_x4_trans;
using ptx::mma_m16n8k16;

// Waits until all but the newest stages - 2 tiles in flight have landed. wait_group takes its count as an
// immediate, and a branch here would cut the main loop into blocks that the compiler schedules apart; so the count
// is max_stages - 2, and a shallower pipeline first commits an empty group, which the count then covers, in one
// predicated instruction.
__device__ inline void cp_async_wait_tile(int stages) {
  asm volatile(
      "{\n.reg .pred shallow;\nsetp.lt.s32 shallow, %0, %1;\n@shallow cp.async.commit_group;\n}\n" ::"r"(stages),
      "n"(max_stages));
  cp_async_wait<max_stages - 2>();
}

__device__ inline __nv_bfloat16 from_float(float x, __nv_bfloat16) { return __float2bfloat16_rn(x); }
__device__ inline __half from_float(float x, __half) { return __float2half_rn(x); }

// Element offsets of 16-byte chunk `chunk` of row `row`, swizzled as the file's header describes; `width` is
// the m or n extent of an m- or n-contiguous tile.
__device__ inline int k_contiguous_offset(int row, int chunk) {
  constexpr int row_chunks = block_k / 8, rows_per_line = 8 / row_chunks;
  return row * block_k + ((chunk ^ (row / rows_per_line % row_chunks)) << 3);
}
template <int width>
__device__ inline int mn_contiguous_offset(int k_row, int chunk) {
  return k_row * width + ((chunk ^ (k_row & 7)) << 3);
}

// One thread's share of copying an operand's width x block_k tiles into shared memory, k-tile after k-tile. A tile's
// rows run along the operand's strided direction (m or n when it is k-contiguous, k otherwise) and its 16-byte
// chunks along the contiguous one; the thread copies one chunk column of rows row0, row0 + row_step, ...,
// which the swizzle keeps row_step rows apart in shared memory too. Outside the matrix the tile holds zeros,
// which add nothing to the products.
template <typename T, bool k_contiguous, int width>
class tile_copier {
 public:
  __device__ tile_copier(const T* g, std::int64_t ld, std::int64_t mn_extent, std::int64_t mn0, int tid)
      : row0_(tid / row_chunks),
        column0_(tid % row_chunks * 8),
        mn_left_(static_cast<int>(mn_extent - mn0 < width ? mn_extent - mn0 : width)),
        dst0_(k_contiguous ? k_contiguous_offset(row0_, tid % row_chunks)
                           : mn_contiguous_offset<width>(row0_, tid % row_chunks)),
        matrix_(g),
        src_(k_contiguous ? g + (mn0 + row0_) * ld + column0_ : g + row0_ * ld + mn0 + column0_),
        src_step_(row_step * ld),
        tile_advance_(k_contiguous ? block_k : block_k * ld) {}

  // Copies the k-tile whose first k is k_left elements before the end of k (none of it when k_left <= 0), then
  // moves on to the next one. vector: 16-byte copies (extents multiples of 8).
  template <bool vector>
  __device__ void copy(T* tile, std::int64_t k_left) {
    const int k_in = static_cast<int>(k_left < block_k ? k_left : block_k);
    const int rows_in = k_contiguous ? mn_left_ : k_in, columns_in = k_contiguous ? k_in : mn_left_;
    const T* src = src_;
    if (vector) {
      // Extents are multiples of 8 here, so a chunk is wholly inside the matrix or wholly outside it.
#pragma unroll
      for (int i = 0; i < count; ++i, src += src_step_) {
        const bool inside = row0_ + i * row_step < rows_in && column0_ < columns_in;
        cp_async_16(tile + dst0_ + i * row_step * row_length, inside ? src : matrix_, inside ? 16 : 0);
      }
    } else {
#pragma unroll 1
      for (int i = 0; i < count; ++i, src += src_step_) {
        const bool row_inside = row0_ + i * row_step < rows_in;
        alignas(16) T values[8];
#pragma unroll
        for (int e = 0; e < 8; ++e)
          values[e] = row_inside && column0_ + e < columns_in ? src[e] : from_float(0.0f, T{});
        *reinterpret_cast<uint4*>(tile + dst0_ + i * row_step * row_length) = *reinterpret_cast<const uint4*>(values);
      }
    }
    src_ += tile_advance_;
  }

 private:
  static constexpr int row_chunks = k_contiguous ? block_k / 8 : width / 8;
  static constexpr int row_length = k_contiguous ? block_k : width;
  static constexpr int row_step = threads / row_chunks;
  static constexpr int count = width * block_k / 8 / threads;
  static_assert(width * block_k / 8 % threads == 0, "every thread copies the same number of chunks");
  static_assert(row_step % 8 == 0, "a thread's chunks share their swizzle");

  int row0_, column0_, mn_left_, dst0_;
  const T* matrix_;
  const T* src_;
  std::int64_t src_step_, tile_advance_;
};

// Where a lane's ldmatrix addresses lie in a stage's tile, for fragment i (16 rows of the warp's 64 in m or n)
// at k-step ks. Moving 16 rows down a k-contiguous tile, or 16 k down an m- or n-contiguous one, leaves the swizzle
// unchanged (it reads the low three bits of the row), so the offset is base[ks] + a constant, or base[i] + a
// constant: the lane keeps four bases, and the main loop spends no arithmetic on ldmatrix addresses.
// operand_a picks the A layout (matrices in order rows 0-7 k 0-7, rows 8-15 k 0-7, rows 0-7 k 8-15, rows 8-15
// k 8-15: a0a1, a2a3, a4a5, a6a7) or the B layout (n 0-7 k 0-7, n 0-7 k 8-15, n 8-15 k 0-7, n 8-15 k 8-15: the
// b0 b1 pairs of two n8 tiles).
template <bool k_contiguous, bool operand_a>
class fragment_offsets {
 public:
  __device__ fragment_offsets(int warp_mn0, int lane) {
    // Lane l addresses row l % 8 of matrix l / 8; the two layouts differ in which of matrix bits 0 and 1 moves
    // along m or n and which along k.
    const int mn_half = operand_a ? (lane >> 3) & 1 : lane >> 4, k_half = operand_a ? lane >> 4 : (lane >> 3) & 1;
#pragma unroll
    for (int x = 0; x < 4; ++x) {
      if (k_contiguous)
        base_[x] = k_contiguous_offset(warp_mn0 + mn_half * 8 + (lane & 7), x * 2 + k_half);
      else
        base_[x] = mn_contiguous_offset<width>(k_half * 8 + (lane & 7), (warp_mn0 >> 3) + x * 2 + mn_half);
    }
  }
  __device__ int operator()(int i, int ks) const {
    return k_contiguous ? base_[ks] + i * 16 * block_k : base_[i] + ks * 16 * width;
  }
  __device__ void load(unsigned (&r)[4], const void* tile, int i, int ks) const {
    const auto* element = static_cast<const std::uint16_t*>(tile) + (*this)(i, ks);
    if (k_contiguous)
      ldmatrix_x4(r, element);
    else
      ldmatrix_x4_trans(r, element);
  }

 private:
  static constexpr int width = operand_a ? block_m : block_n;
  int base_[4];
};

// The k loop of one block: acc += the block's rows of op(A) times its columns of op(B), over all of k.
// vector: both operands are copied 16 bytes at a time.
template <bool vector, typename T, bool a_k_contiguous, bool b_k_contiguous>
__device__ __forceinline__ void accumulate(float (&acc)[warp_m / 16][warp_n / 8][4], T* smem,
                                           tile_copier<T, a_k_contiguous, block_m>& a_copier,
                                           tile_copier<T, b_k_contiguous, block_n>& b_copier, std::int64_t k,
                                           int stages, int warp_m0, int warp_n0, int lane) {
  const int k_tiles = static_cast<int>((k + block_k - 1) / block_k);
  std::int64_t k_left = k;  // k from the next tile to copy to the end
  // Copies past the last k-tile fill their stage with zeros, which nothing reads: no branch in the main loop.
  auto copy_stage = [&](int stage) {
    T* a_tile = smem + stage * stage_elements;
    a_copier.template copy<vector>(a_tile, k_left);
    b_copier.template copy<vector>(a_tile + a_tile_elements, k_left);
    k_left -= block_k;
  };

  // Every k-tile commits one group, so that wait_group counts tiles.
  for (int s = 0; s < stages - 1; ++s) {
    copy_stage(s);
    cp_async_commit();
  }
  cp_async_wait_tile(stages);
  __syncthreads();

  // The B fragments of a k-step are loaded whole before the step's mmas; each A fragment is reloaded for the
  // next step as soon as the step's mmas with it have issued.
  const fragment_offsets<a_k_contiguous, true> a_offsets(warp_m0, lane);
  const fragment_offsets<b_k_contiguous, false> b_offsets(warp_n0, lane);
  unsigned a_frag[warp_m / 16][4];
  unsigned b_frag[2][warp_n / 16][4];
  int read_stage = 0, write_stage = stages - 1;
#pragma unroll
  for (int mi = 0; mi < warp_m / 16; ++mi) a_offsets.load(a_frag[mi], smem, mi, 0);
#pragma unroll
  for (int nj = 0; nj < warp_n / 16; ++nj) b_offsets.load(b_frag[0][nj], smem + a_tile_elements, nj, 0);
  for (int kt = 0; kt < k_tiles; ++kt) {
#pragma unroll
    for (int ks = 0; ks < k_steps; ++ks) {
      if (ks == k_steps - 1) {
        // Tile kt + 1 has landed for this thread; the barrier makes it everyone's, and tells that no warp still
        // reads tile kt - 1's stage, which the copy issued at the next k-tile's first step overwrites.
        cp_async_wait_tile(stages);
        __syncthreads();
        read_stage = read_stage + 1 == stages ? 0 : read_stage + 1;
      }
      const T* a_next = smem + read_stage * stage_elements;
      const int ks_next = (ks + 1) % k_steps;
      const unsigned (&b_now)[warp_n / 16][4] = b_frag[ks % 2];
#pragma unroll
      for (int nj = 0; nj < warp_n / 16; ++nj) b_offsets.load(b_frag[(ks + 1) % 2][nj], a_next + a_tile_elements, nj, ks_next);
      if (ks == 0) {
        copy_stage(write_stage);
        cp_async_commit();
        write_stage = write_stage + 1 == stages ? 0 : write_stage + 1;
      }
#pragma unroll
      for (int mi = 0; mi < warp_m / 16; ++mi) {
#pragma unroll
        for (int step = 0; step < warp_n / 8; ++step) {
          // Serpentine over n, so that consecutive mmas share an operand.
          const int ni = mi % 2 == 0 ? step : warp_n / 8 - 1 - step;
          mma_m16n8k16<T>::run(acc[mi][ni], a_frag[mi], b_now[ni >> 1][(ni & 1) * 2], b_now[ni >> 1][(ni & 1) * 2 + 1]);
        }
        a_offsets.load(a_frag[mi], a_next, mi, ks_next);
      }
    }
  }
}

// a_k_contiguous: op(A) = A^T (layout T?); b_k_contiguous: op(B) = B (layout ?N).
template <typename T, bool a_k_contiguous, bool b_k_contiguous>
__global__ void __launch_bounds__(threads, 1)
    mma_gemm_kernel(mma_args args, const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ c) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  extern __shared__ __align__(128) unsigned char shared_bytes[];
  T* smem = reinterpret_cast<T*>(shared_bytes);
  const int tid = static_cast<int>(threadIdx.x), lane = tid & 31, warp = tid >> 5;
  const int warp_m0 = (warp % warps_m) * warp_m, warp_n0 = (warp / warps_m) * warp_n;
  const std::int64_t m0 = static_cast<std::int64_t>(blockIdx.x) * block_m;
  const std::int64_t n0 = static_cast<std::int64_t>(blockIdx.y) * block_n;
  a += blockIdx.z * args.stride_a;
  b += blockIdx.z * args.stride_b;
  c += blockIdx.z * args.stride_c;

  tile_copier<T, a_k_contiguous, block_m> a_copier(a, args.lda, args.m, m0, tid);
  tile_copier<T, b_k_contiguous, block_n> b_copier(b, args.ldb, args.n, n0, tid);
  float acc[warp_m / 16][warp_n / 8][4] = {};
  // Two copies of the main loop rather than a branch inside it, which would split its body into blocks that
  // the compiler schedules apart.
  if (args.a_vector && args.b_vector)
    accumulate<true>(acc, smem, a_copier, b_copier, args.k, args.stages, warp_m0, warp_n0, lane);
  else
    accumulate<false>(acc, smem, a_copier, b_copier, args.k, args.stages, warp_m0, warp_n0, lane);
  cp_async_wait<0>();
  __syncthreads();

  // Epilogue: the accumulators go through shared memory as a column-major [n][m] tile, so that C is written
  // in whole 16-byte pieces of its columns. Accumulator (mi, ni) holds rows lane/4 and lane/4 + 8 and columns
  // 2 (lane % 4) and 2 (lane % 4) + 1 of its 16 x 8 tile.
  T* c_tile = smem;
#pragma unroll
  for (int mi = 0; mi < warp_m / 16; ++mi) {
#pragma unroll
    for (int ni = 0; ni < warp_n / 8; ++ni) {
      const int ml = warp_m0 + mi * 16 + (lane >> 2);
      const int nl = warp_n0 + ni * 8 + (lane & 3) * 2;
      c_tile[nl * c_tile_stride + ml] = from_float(acc[mi][ni][0], T{});
      c_tile[(nl + 1) * c_tile_stride + ml] = from_float(acc[mi][ni][1], T{});
      c_tile[nl * c_tile_stride + ml + 8] = from_float(acc[mi][ni][2], T{});
      c_tile[(nl + 1) * c_tile_stride + ml + 8] = from_float(acc[mi][ni][3], T{});
    }
  }
  __syncthreads();
  constexpr int column_chunks = block_m / 8;
#pragma unroll 4
  for (int q = tid; q < block_n * column_chunks; q += threads) {
    const int column = q / column_chunks, chunk = q % column_chunks;
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

// The deepest pipeline that the current GPU's shared memory holds: 3 stages (144 KiB) on sm_80 and sm_90, 2 (96 KiB)
// on sm_86 and sm_89.
int pipeline_stages() {
  int device = 0, optin = 0;
  BENCH_CUDA_TRY(cudaGetDevice(&device));
  BENCH_CUDA_TRY(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device));
  const int stages = optin / stage_bytes < max_stages ? optin / stage_bytes : max_stages;
  if (stages < min_stages)
    throw case_not_supported("the in-house mma kernel needs " + std::to_string(min_stages * stage_bytes) +
                             " bytes of shared memory per block; this GPU grants " + std::to_string(optin));
  return stages;
}

template <typename T, bool a_k_contiguous, bool b_k_contiguous>
void launch_kernel(const gemm_shape& s, int stages, const gemm_operands& o, cudaStream_t stream) {
  mma_args args{s.m, s.n, s.k, s.lda, s.ldb, s.ldc, s.stride_a, s.stride_b, s.stride_c, stages, false, false, false};
  args.a_vector = vector_ok(o.a, a_k_contiguous ? s.k : s.m, s.lda, s.stride_a, s.batch);
  args.b_vector = vector_ok(o.b, b_k_contiguous ? s.k : s.n, s.ldb, s.stride_b, s.batch);
  args.c_vector = vector_ok(o.c, s.m, s.ldc, s.stride_c, s.batch);
  const dim3 grid(static_cast<unsigned>((s.m + block_m - 1) / block_m),
                  static_cast<unsigned>((s.n + block_n - 1) / block_n), static_cast<unsigned>(s.batch));
  mma_gemm_kernel<T, a_k_contiguous, b_k_contiguous><<<grid, threads, args.stages * stage_bytes, stream>>>(
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

int prepare_inhouse_mma(const gemm_shape& shape) {
  if ((shape.n + block_n - 1) / block_n > 65535)
    throw case_not_supported("n = " + std::to_string(shape.n) + " needs more than 65535 blocks in the grid's y");
  const int stages = pipeline_stages();
  const int smem_bytes = stages * stage_bytes;
  with_kernel(shape, [smem_bytes](auto kernel, auto) {
    BENCH_CUDA_TRY(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem_bytes));
  });
  return stages;
}

void launch_inhouse_mma(const gemm_shape& shape, int stages, const gemm_operands& operands, cudaStream_t stream) {
  with_kernel(shape, [&](auto, auto launch) { launch(shape, stages, operands, stream); });
}

cudaFuncAttributes inhouse_mma_attributes(const gemm_shape& shape) {
  cudaFuncAttributes attributes{};
  with_kernel(shape, [&](auto kernel, auto) { BENCH_CUDA_TRY(cudaFuncGetAttributes(&attributes, kernel)); });
  return attributes;
}

}  // namespace cubench
