// The in-house implicit-GEMM convolution. The forward convolution is the GEMM y[m][k] = sum_d A[m][d] W[k][d]
// with m = (n, p, q) an output pixel, k an output channel and d = (r, s, c) a filter tap and input channel:
// W is the KRSC filter as it is stored, and A, the NHWC im2col matrix (bench/im2col_indexing.hpp), is never
// built: each block gathers its rows of A straight from x.
//
// A block of 4 warps (2 x 2) computes a tile_m x tile_n tile of y; d advances 32 at a time through a 4-stage
// cp.async pipeline. Both shared-memory tiles are [rows][32 d], 64-byte rows of four 16-byte chunks, chunk j of
// row i stored at j ^ ((i >> 1) & 3) so that the eight rows one ldmatrix phase reads fall into eight different
// bank groups; ldmatrix (no .trans: both operands are d-contiguous) feeds mma.sync.m16n8k16.
//
// Each thread copies the same 8-channel chunk of every 32-wide slice of d for its rows. With c a multiple of
// 8 a chunk lies within one filter tap, so the thread keeps its (r, s, c) and steps it by 32 per slice instead
// of dividing; otherwise it loads element by element.
#include "conv_implicit_gemm.hpp"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <limits>
#include <string>

#include "case_registry.hpp"
#include "conv_cases.hpp"
#include "cuda_call.cuh"
#include "im2col_indexing.hpp"
#include "tensor_core_ptx.cuh"

namespace cubench {
namespace {

constexpr int block_k = 32;
constexpr int stages = 4;
constexpr int threads = 128;
constexpr int chunks_per_row = block_k / 8;
constexpr int rows_per_pass = threads / chunks_per_row;  // rows one pass of all threads copies
constexpr int outside = -(1 << 30);  // an input row far enough above the image to stay outside it

struct implicit_gemm_args {
  int h, w, c, k, r, s, stride, pad, dilation;
  int p, q;
  std::int64_t m;      // n p q, the GEMM's rows
  int depth;           // r s c, the GEMM's depth
  bool vector_loads;   // c % 8 == 0, x and w 16-byte aligned
  bool vector_stores;  // k % 8 == 0, y 16-byte aligned
};

template <int tile_m, int tile_n>
struct tile_shape {
  static constexpr int warp_m = tile_m / 2;
  static constexpr int warp_n = tile_n / 2;
  static constexpr int m_frags = warp_m / 16;  // m16 tiles per warp
  static constexpr int n_frags = warp_n / 8;   // n8 tiles per warp
  static constexpr int a_passes = tile_m / rows_per_pass;
  static constexpr int b_passes = tile_n / rows_per_pass;
  static constexpr int a_elements = tile_m * block_k;
  static constexpr int stage_elements = (tile_m + tile_n) * block_k;
  static constexpr int smem_bytes = stages * stage_elements * 2;
  static constexpr int c_stride = tile_n + 8;  // epilogue tile [m][n], padded against bank conflicts
  static_assert(tile_m * c_stride * 2 <= smem_bytes, "the epilogue tile reuses the pipeline's shared memory");
  static_assert(a_passes >= 1 && b_passes >= 1 && n_frags % 2 == 0, "tiles are multiples of 32 x 32");
};

__device__ inline int swizzled(int row, int chunk) { return row * block_k + ((chunk ^ ((row >> 1) & 3)) << 3); }

__device__ inline __nv_bfloat16 from_float(float v, __nv_bfloat16) { return __float2bfloat16_rn(v); }
__device__ inline __half from_float(float v, __half) { return __float2half_rn(v); }

template <typename T, int tile_m, int tile_n>
__global__ void __launch_bounds__(threads)
    implicit_gemm_kernel(implicit_gemm_args args, const T* __restrict__ x, const T* __restrict__ w,
                         T* __restrict__ y) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  using shape = tile_shape<tile_m, tile_n>;
  extern __shared__ __align__(128) unsigned char shared_bytes[];
  T* smem = reinterpret_cast<T*>(shared_bytes);
  const int tid = static_cast<int>(threadIdx.x), lane = tid & 31, warp = tid >> 5;
  const int warp_m0 = (warp & 1) * shape::warp_m, warp_n0 = (warp >> 1) * shape::warp_n;
  const std::int64_t m0 = static_cast<std::int64_t>(blockIdx.x) * tile_m;
  const int n0 = static_cast<int>(blockIdx.y) * tile_n;
  const int chunk = tid % chunks_per_row, row0 = tid / chunks_per_row;

  // This thread's rows of A: where their image starts in x and the input corner of their window.
  const T* a_image[shape::a_passes];
  int a_h0[shape::a_passes], a_w0[shape::a_passes];
  const std::int64_t pq = static_cast<std::int64_t>(args.p) * args.q;
#pragma unroll
  for (int i = 0; i < shape::a_passes; ++i) {
    const std::int64_t m = m0 + row0 + i * rows_per_pass;
    a_image[i] = x;
    a_h0[i] = outside;
    a_w0[i] = outside;
    if (m < args.m) {
      const std::int64_t n = m / pq;
      const int pq_index = static_cast<int>(m - n * pq), p = pq_index / args.q;
      a_image[i] = x + n * args.h * args.w * static_cast<std::int64_t>(args.c);
      a_h0[i] = p * args.stride - args.pad;
      a_w0[i] = (pq_index - p * args.q) * args.stride - args.pad;
    }
  }
  // The tap of this thread's chunk in the next slice to load (vector path).
  filter_tap tap = channel_fastest_tap(chunk * 8, args.s, args.c);

  const auto gather = [&](int i, int r, int s, int c) -> const T* {
    const int h = a_h0[i] + r * args.dilation, wc = a_w0[i] + s * args.dilation;
    const bool inside = r < args.r && static_cast<unsigned>(h) < static_cast<unsigned>(args.h) &&
                        static_cast<unsigned>(wc) < static_cast<unsigned>(args.w);
    return inside ? a_image[i] + (static_cast<std::int64_t>(h) * args.w + wc) * args.c + c : nullptr;
  };

  const auto load_stage = [&](int stage, int k_tile) {
    T* a_tile = smem + stage * shape::stage_elements;
    T* b_tile = a_tile + shape::a_elements;
    const int d = k_tile * block_k + chunk * 8;
    if (args.vector_loads) {
#pragma unroll
      for (int i = 0; i < shape::a_passes; ++i) {
        const T* src = gather(i, tap.r, tap.s, tap.c);
        ptx::cp_async_16(a_tile + swizzled(row0 + i * rows_per_pass, chunk), src != nullptr ? src : x,
                         src != nullptr ? 16 : 0);
      }
#pragma unroll
      for (int i = 0; i < shape::b_passes; ++i) {
        const int k = n0 + row0 + i * rows_per_pass;
        const bool inside = k < args.k && d < args.depth;
        ptx::cp_async_16(b_tile + swizzled(row0 + i * rows_per_pass, chunk),
                         inside ? w + static_cast<std::int64_t>(k) * args.depth + d : w, inside ? 16 : 0);
      }
      tap.c += block_k;
      while (tap.c >= args.c) {
        tap.c -= args.c;
        if (++tap.s == args.s) {
          tap.s = 0;
          ++tap.r;
        }
      }
    } else {
      const T zero = from_float(0.0f, T{});
#pragma unroll
      for (int i = 0; i < shape::a_passes; ++i) {
        alignas(16) T values[8];
        for (int e = 0; e < 8; ++e) {
          const filter_tap t = channel_fastest_tap(d + e, args.s, args.c);
          const T* src = d + e < args.depth ? gather(i, t.r, t.s, t.c) : nullptr;
          values[e] = src != nullptr ? *src : zero;
        }
        *reinterpret_cast<uint4*>(a_tile + swizzled(row0 + i * rows_per_pass, chunk)) =
            *reinterpret_cast<const uint4*>(values);
      }
#pragma unroll
      for (int i = 0; i < shape::b_passes; ++i) {
        const int k = n0 + row0 + i * rows_per_pass;
        alignas(16) T values[8];
        for (int e = 0; e < 8; ++e)
          values[e] = k < args.k && d + e < args.depth ? w[static_cast<std::int64_t>(k) * args.depth + d + e] : zero;
        *reinterpret_cast<uint4*>(b_tile + swizzled(row0 + i * rows_per_pass, chunk)) =
            *reinterpret_cast<const uint4*>(values);
      }
    }
  };

  const int k_tiles = (args.depth + block_k - 1) / block_k;
  // Every iteration commits one group, empty or not, so that wait_group counts slices.
#pragma unroll
  for (int stage = 0; stage < stages - 1; ++stage) {
    if (stage < k_tiles) load_stage(stage, stage);
    ptx::cp_async_commit();
  }

  float acc[shape::m_frags][shape::n_frags][4] = {};
  for (int kt = 0; kt < k_tiles; ++kt) {
    // Slice kt has landed for this thread; the barrier makes it everyone's and tells that no warp still reads
    // the stage the next copy overwrites (the one consumed in iteration kt - 1).
    ptx::cp_async_wait<stages - 2>();
    __syncthreads();
    if (kt + stages - 1 < k_tiles) load_stage((kt + stages - 1) % stages, kt + stages - 1);
    ptx::cp_async_commit();

    const T* a_tile = smem + (kt % stages) * shape::stage_elements;
    const T* b_tile = a_tile + shape::a_elements;
#pragma unroll
    for (int kk = 0; kk < block_k; kk += 16) {
      unsigned a_frag[shape::m_frags][4];
      unsigned b_frag[shape::n_frags / 2][4];
      // A: matrices (rows 0-7, d 0-7), (rows 8-15, d 0-7), (rows 0-7, d 8-15), (rows 8-15, d 8-15).
#pragma unroll
      for (int mi = 0; mi < shape::m_frags; ++mi)
        ptx::ldmatrix_x4(a_frag[mi], a_tile + swizzled(warp_m0 + mi * 16 + (lane & 15), (kk >> 3) + (lane >> 4)));
      // B: two n8 tiles, each as (d 0-7, d 8-15).
#pragma unroll
      for (int nj = 0; nj < shape::n_frags / 2; ++nj)
        ptx::ldmatrix_x4(b_frag[nj], b_tile + swizzled(warp_n0 + nj * 16 + (lane & 7) + ((lane >> 4) << 3),
                                                       (kk >> 3) + ((lane >> 3) & 1)));
#pragma unroll
      for (int mi = 0; mi < shape::m_frags; ++mi) {
#pragma unroll
        for (int ni = 0; ni < shape::n_frags; ++ni)
          ptx::mma_m16n8k16<T>::run(acc[mi][ni], a_frag[mi], b_frag[ni >> 1][(ni & 1) * 2],
                                    b_frag[ni >> 1][(ni & 1) * 2 + 1]);
      }
    }
  }
  ptx::cp_async_wait<0>();
  __syncthreads();

  // Epilogue: through shared memory as a row-major [m][n] tile, so that y (NHWC: [n p q][k]) is written in
  // 16-byte pieces of its rows. Accumulator (mi, ni) holds rows lane / 4 and lane / 4 + 8 and columns
  // 2 (lane % 4) and 2 (lane % 4) + 1 of its 16 x 8 tile.
  T* c_tile = smem;
#pragma unroll
  for (int mi = 0; mi < shape::m_frags; ++mi) {
#pragma unroll
    for (int ni = 0; ni < shape::n_frags; ++ni) {
      const int row = warp_m0 + mi * 16 + (lane >> 2), col = warp_n0 + ni * 8 + (lane & 3) * 2;
      c_tile[row * shape::c_stride + col] = from_float(acc[mi][ni][0], T{});
      c_tile[row * shape::c_stride + col + 1] = from_float(acc[mi][ni][1], T{});
      c_tile[(row + 8) * shape::c_stride + col] = from_float(acc[mi][ni][2], T{});
      c_tile[(row + 8) * shape::c_stride + col + 1] = from_float(acc[mi][ni][3], T{});
    }
  }
  __syncthreads();
  constexpr int out_chunks = tile_n / 8;
#pragma unroll 4
  for (int q = tid; q < tile_m * out_chunks; q += threads) {
    const int row = q / out_chunks, col = (q % out_chunks) * 8;
    const std::int64_t m = m0 + row;
    const int k = n0 + col;
    if (m >= args.m || k >= args.k) continue;
    const T* src = c_tile + row * shape::c_stride + col;
    T* dst = y + m * args.k + k;
    if (args.vector_stores) {
      *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(src);
    } else {
      for (int e = 0; e < 8 && k + e < args.k; ++e) dst[e] = src[e];
    }
  }
#else
  // The runner refuses this case below compute capability 8.0 (make_inhouse_conv) before launching.
  __trap();
#endif
}

bool aligned_16(const void* pointer) { return reinterpret_cast<std::uintptr_t>(pointer) % 16 == 0; }

implicit_gemm_args args_of(const conv_geometry& g, const void* x, const void* w, const void* y) {
  implicit_gemm_args a{};
  a.h = static_cast<int>(g.h);
  a.w = static_cast<int>(g.w);
  a.c = static_cast<int>(g.c);
  a.k = static_cast<int>(g.k);
  a.r = static_cast<int>(g.r);
  a.s = static_cast<int>(g.s);
  a.stride = static_cast<int>(g.stride);
  a.pad = static_cast<int>(g.pad);
  a.dilation = static_cast<int>(g.dilation);
  a.p = static_cast<int>(conv_output_h(g));
  a.q = static_cast<int>(conv_output_w(g));
  a.m = g.n * conv_output_h(g) * conv_output_w(g);
  a.depth = static_cast<int>(g.r * g.s * g.c);
  a.vector_loads = implicit_gemm_vector_loads(g, x, w);
  a.vector_stores = g.k % 8 == 0 && aligned_16(y);
  return a;
}

template <typename T, int tile_m, int tile_n>
void launch_kernel(const conv_geometry& g, const void* x, const void* w, void* y, cudaStream_t stream) {
  const implicit_gemm_args args = args_of(g, x, w, y);
  const dim3 grid(static_cast<unsigned>((args.m + tile_m - 1) / tile_m), static_cast<unsigned>((g.k + tile_n - 1) / tile_n));
  implicit_gemm_kernel<T, tile_m, tile_n><<<grid, threads, tile_shape<tile_m, tile_n>::smem_bytes, stream>>>(
      args, static_cast<const T*>(x), static_cast<const T*>(w), static_cast<T*>(y));
  BENCH_CUDA_TRY(cudaGetLastError());
}

// Calls `visit(kernel, launch, smem_bytes)` with the instance for the type and tile.
template <typename T, typename Visit>
void with_tile(implicit_gemm_tile tile, Visit&& visit) {
  if (tile.m == 128 && tile.n == 128)
    return visit(implicit_gemm_kernel<T, 128, 128>, launch_kernel<T, 128, 128>, tile_shape<128, 128>::smem_bytes);
  if (tile.m == 128 && tile.n == 64)
    return visit(implicit_gemm_kernel<T, 128, 64>, launch_kernel<T, 128, 64>, tile_shape<128, 64>::smem_bytes);
  if (tile.m == 64 && tile.n == 64)
    return visit(implicit_gemm_kernel<T, 64, 64>, launch_kernel<T, 64, 64>, tile_shape<64, 64>::smem_bytes);
  throw case_not_supported("no in-house implicit-GEMM kernel for a " + std::to_string(tile.m) + "x" +
                           std::to_string(tile.n) + " tile");
}

template <typename Visit>
void with_kernel(storage_type type, implicit_gemm_tile tile, Visit&& visit) {
  if (type == storage_type::f16) return with_tile<__half>(tile, visit);
  if (type == storage_type::bf16) return with_tile<__nv_bfloat16>(tile, visit);
  throw case_not_supported("the in-house implicit-GEMM kernel takes fp16 or bf16 only");
}

// The in-house implementation of a conv case.
class inhouse_conv : public conv_impl {
 public:
  explicit inhouse_conv(const conv_case_spec& spec) : spec_(spec), type_(gemm_storage_of(spec.dtype).input) {}

  void configure(case_context& context) override {
    if (context.gpu->cc_major < 8)
      throw case_not_supported("the in-house implicit GEMM uses mma.sync fp16/bf16 m16n8k16, which needs compute "
                               "capability 8.0; this GPU has " +
                               std::to_string(context.gpu->cc_major) + "." + std::to_string(context.gpu->cc_minor));
    tile_ = choose_implicit_gemm_tile(spec_.geometry, context.gpu->sm_count);
    prepare_implicit_gemm(spec_.geometry, type_, tile_);
  }

  void prepare(case_context&, const conv_operands& set0) override {
    vector_loads_ = implicit_gemm_vector_loads(spec_.geometry, set0.x, set0.w);
  }

  void launch(cudaStream_t stream, const conv_operands& o) override {
    launch_implicit_gemm(spec_.geometry, type_, tile_, o.x, o.w, o.y, stream);
  }

  void describe(case_context&, result_record& record) const override {
    describe_kernel_binary(implicit_gemm_attributes(type_, tile_), record);
    record.algorithm = implicit_gemm_description(tile_, vector_loads_);
  }

  conv_summation summation() const override { return conv_summation::direct; }

 private:
  conv_case_spec spec_;
  storage_type type_;
  implicit_gemm_tile tile_;
  bool vector_loads_ = false;
};

}  // namespace

implicit_gemm_tile choose_implicit_gemm_tile(const conv_geometry& g, int sm_count) {
  const std::int64_t m = g.n * conv_output_h(g) * conv_output_w(g);
  for (const implicit_gemm_tile tile : {implicit_gemm_tile{128, 128}, implicit_gemm_tile{128, 64}}) {
    if (tile.n > 64 && g.k <= 64) continue;
    const std::int64_t blocks = (m + tile.m - 1) / tile.m * ((g.k + tile.n - 1) / tile.n);
    if (blocks >= 2 * static_cast<std::int64_t>(sm_count)) return tile;
  }
  return {64, 64};
}

void prepare_implicit_gemm(const conv_geometry& g, storage_type type, implicit_gemm_tile tile) {
  if (g.groups != 1) throw case_not_supported("the in-house implicit GEMM computes one group only");
  constexpr std::int64_t int_max = std::numeric_limits<int>::max();
  const std::int64_t p = conv_output_h(g), q = conv_output_w(g);
  if (g.h * g.w * g.c > int_max || g.r * g.s * g.c > int_max || p * q > int_max)
    throw case_not_supported("an image, its output or the filter depth r s c exceeds the kernel's 32-bit indexing");
  if ((g.n * p * q + tile.m - 1) / tile.m > int_max || (g.k + tile.n - 1) / tile.n > 65535)
    throw case_not_supported("n p q = " + std::to_string(g.n * p * q) + " and k = " + std::to_string(g.k) +
                             " need more blocks than a grid holds");
  with_kernel(type, tile, [](auto kernel, auto, int smem_bytes) {
    BENCH_CUDA_TRY(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem_bytes));
  });
}

void launch_implicit_gemm(const conv_geometry& g, storage_type type, implicit_gemm_tile tile, const void* x,
                          const void* w, void* y, cudaStream_t stream) {
  with_kernel(type, tile, [&](auto, auto launch, int) { launch(g, x, w, y, stream); });
}

bool implicit_gemm_vector_loads(const conv_geometry& g, const void* x, const void* w) {
  return g.c % 8 == 0 && aligned_16(x) && aligned_16(w);
}

cudaFuncAttributes implicit_gemm_attributes(storage_type type, implicit_gemm_tile tile) {
  cudaFuncAttributes attributes{};
  with_kernel(type, tile, [&](auto kernel, auto, int) { BENCH_CUDA_TRY(cudaFuncGetAttributes(&attributes, kernel)); });
  return attributes;
}

std::string implicit_gemm_description(implicit_gemm_tile tile, bool vector_loads) {
  return "tile=" + std::to_string(tile.m) + "x" + std::to_string(tile.n) + "x" + std::to_string(block_k) +
         " stages=" + std::to_string(stages) + " loads=" + (vector_loads ? "vector" : "scalar");
}

std::unique_ptr<conv_impl> make_inhouse_conv(const conv_case_spec& spec) { return std::make_unique<inhouse_conv>(spec); }

}  // namespace cubench
