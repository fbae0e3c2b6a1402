#include "gemm_reference.cuh"

#include <cmath>
#include <stdexcept>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <thrust/execution_policy.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>

#include "cuda_call.cuh"
#include "cuda_resources.cuh"

namespace cubench {
namespace {

__host__ __device__ inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

__device__ inline double to_double(double x) { return x; }
__device__ inline double to_double(float x) { return x; }
__device__ inline double to_double(__half x) { return __half2float(x); }
__device__ inline double to_double(__nv_bfloat16 x) { return __bfloat162float(x); }
__device__ inline double to_double(std::int8_t x) { return x; }
__device__ inline double to_double(std::int32_t x) { return x; }

// Uniform in [-1, 1) with 24 random bits, exact in float; narrower types round it once, to nearest.
__device__ inline float uniform_float(std::uint64_t h) { return static_cast<float>(h >> 40) * 0x1p-23f - 1.0f; }

template <typename T>
__device__ T random_value(std::uint64_t h);
template <>
__device__ double random_value<double>(std::uint64_t h) {
  return static_cast<double>(h >> 11) * 0x1p-52 - 1.0;
}
template <>
__device__ float random_value<float>(std::uint64_t h) {
  return uniform_float(h);
}
template <>
__device__ __half random_value<__half>(std::uint64_t h) {
  return __float2half_rn(uniform_float(h));
}
template <>
__device__ __nv_bfloat16 random_value<__nv_bfloat16>(std::uint64_t h) {
  return __float2bfloat16_rn(uniform_float(h));
}
template <>
__device__ std::int8_t random_value<std::int8_t>(std::uint64_t h) {
  return static_cast<std::int8_t>(static_cast<int>(h >> 56) - 128);
}

template <typename T>
__global__ void fill_random_kernel(T* data, std::int64_t count, std::uint64_t seed) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)
    data[i] = random_value<T>(splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(i))));
}

template <typename Bits>
__global__ void fill_bits_kernel(Bits* data, std::int64_t count, Bits bits) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)
    data[i] = bits;
}

constexpr int grid_stride_blocks = 1024;
constexpr int grid_stride_threads = 256;

template <typename T>
void launch_fill_random(void* data, std::int64_t count, std::uint64_t seed, cudaStream_t stream) {
  fill_random_kernel<<<grid_stride_blocks, grid_stride_threads, 0, stream>>>(static_cast<T*>(data), count, seed);
  BENCH_CUDA_TRY(cudaGetLastError());
}

template <typename Bits>
void launch_fill_bits(void* data, std::int64_t count, std::uint64_t bits, cudaStream_t stream) {
  fill_bits_kernel<<<grid_stride_blocks, grid_stride_threads, 0, stream>>>(static_cast<Bits*>(data), count,
                                                                          static_cast<Bits>(bits));
  BENCH_CUDA_TRY(cudaGetLastError());
}

// The reference: 64 x 64 outputs per block of 16 x 16 threads, 4 x 4 per thread, k in tiles of 16 through
// shared memory. Tiling changes only where operands come from: every output still sums k = 0, 1, ... in order.
constexpr int ref_tile = 64;
constexpr int ref_k_tile = 16;
constexpr int ref_threads = 16;

struct reference_args {
  std::int64_t m, n, k;
  std::int64_t a_m_stride, a_k_stride, b_k_stride, b_n_stride, ldc;
  std::int64_t stride_a, stride_b, stride_c;
};

template <typename T>
__global__ void __launch_bounds__(ref_threads* ref_threads)
    reference_gemm_kernel(reference_args args, const T* __restrict__ a, const T* __restrict__ b, double* c) {
  __shared__ double a_tile[ref_k_tile][ref_tile + 1];
  __shared__ double b_tile[ref_k_tile][ref_tile + 1];
  a += blockIdx.z * args.stride_a;
  b += blockIdx.z * args.stride_b;
  c += blockIdx.z * args.stride_c;
  const std::int64_t m0 = static_cast<std::int64_t>(blockIdx.x) * ref_tile;
  const std::int64_t n0 = static_cast<std::int64_t>(blockIdx.y) * ref_tile;
  const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * ref_threads + tx;
  // Consecutive threads read consecutive addresses in whichever direction the operand is contiguous.
  const bool a_m_contiguous = args.a_m_stride == 1, b_k_contiguous = args.b_k_stride == 1;
  double acc[4][4] = {};
  for (std::int64_t k0 = 0; k0 < args.k; k0 += ref_k_tile) {
    for (int e = tid; e < ref_tile * ref_k_tile; e += ref_threads * ref_threads) {
      const int mm = a_m_contiguous ? e % ref_tile : e / ref_k_tile;
      const int kk = a_m_contiguous ? e / ref_tile : e % ref_k_tile;
      const std::int64_t m = m0 + mm, k = k0 + kk;
      a_tile[kk][mm] = m < args.m && k < args.k ? to_double(a[m * args.a_m_stride + k * args.a_k_stride]) : 0.0;
      const int nn = b_k_contiguous ? e / ref_k_tile : e % ref_tile;
      const int kb = b_k_contiguous ? e % ref_k_tile : e / ref_tile;
      const std::int64_t n = n0 + nn, kn = k0 + kb;
      b_tile[kb][nn] = n < args.n && kn < args.k ? to_double(b[kn * args.b_k_stride + n * args.b_n_stride]) : 0.0;
    }
    __syncthreads();
    const int k_count = static_cast<int>(args.k - k0 < ref_k_tile ? args.k - k0 : ref_k_tile);
    for (int kk = 0; kk < k_count; ++kk) {
#pragma unroll
      for (int i = 0; i < 4; ++i) {
#pragma unroll
        for (int j = 0; j < 4; ++j)
          acc[i][j] = fma(a_tile[kk][tx + ref_threads * i], b_tile[kk][ty + ref_threads * j], acc[i][j]);
      }
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const std::int64_t m = m0 + tx + ref_threads * i, n = n0 + ty + ref_threads * j;
      if (m < args.m && n < args.n) c[m + n * args.ldc] = acc[i][j];
    }
  }
}

template <typename T>
void launch_reference(const reference_args& args, std::int64_t batch, const void* a, const void* b, double* c,
                      cudaStream_t stream) {
  const dim3 grid(static_cast<unsigned>((args.m + ref_tile - 1) / ref_tile),
                  static_cast<unsigned>((args.n + ref_tile - 1) / ref_tile), static_cast<unsigned>(batch));
  reference_gemm_kernel<T><<<grid, dim3(ref_threads, ref_threads), 0, stream>>>(args, static_cast<const T*>(a),
                                                                                 static_cast<const T*>(b), c);
  BENCH_CUDA_TRY(cudaGetLastError());
}

// Each output element, unpacked once by a kernel per type so that a single Thrust reduction serves all types.
struct unpacked_element {
  double value;
  std::uint64_t bits;
};

template <typename T, typename Bits>
__global__ void unpack_kernel(const T* c, std::int64_t count, Bits poison, unpacked_element* out,
                              std::uint8_t* unwritten) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const Bits bits = reinterpret_cast<const Bits*>(c)[i];
    out[i] = {to_double(c[i]), static_cast<std::uint64_t>(bits)};
    unwritten[i] = bits == poison;
  }
}

template <typename T, typename Bits>
void launch_unpack(const void* c, std::int64_t count, std::uint64_t poison, unpacked_element* out,
                   std::uint8_t* unwritten, cudaStream_t stream) {
  unpack_kernel<T, Bits><<<grid_stride_blocks, grid_stride_threads, 0, stream>>>(
      static_cast<const T*>(c), count, static_cast<Bits>(poison), out, unwritten);
  BENCH_CUDA_TRY(cudaGetLastError());
}

struct metric_partial {
  double sum_sq_diff;
  double sum_sq_ref;
  double max_abs;
  double max_rel;
  long long nan_count;
  long long inf_count;
  long long unwritten_count;
  unsigned long long hash;
};

struct combine_partials {
  __host__ __device__ metric_partial operator()(const metric_partial& x, const metric_partial& y) const {
    return {x.sum_sq_diff + y.sum_sq_diff,
            x.sum_sq_ref + y.sum_sq_ref,
            x.max_abs > y.max_abs ? x.max_abs : y.max_abs,
            x.max_rel > y.max_rel ? x.max_rel : y.max_rel,
            x.nan_count + y.nan_count,
            x.inf_count + y.inf_count,
            x.unwritten_count + y.unwritten_count,
            x.hash + y.hash};
  }
};

// One element's share of the metrics; relative errors only where |ref| reaches `rel_floor`.
struct element_partial {
  const unpacked_element* output;
  const std::uint8_t* unwritten;
  const double* reference;
  double rel_floor;

  __device__ metric_partial operator()(std::int64_t i) const {
    const double ref = reference[i];
    const unpacked_element element = output[i];
    // Position-dependent mixing, summed: independent of the reduction's order, sensitive to any bit moved.
    metric_partial p{0, ref * ref, 0, 0, 0, 0, 0, splitmix64(element.bits ^ splitmix64(static_cast<std::uint64_t>(i)))};
    if (unwritten[i]) {
      p.unwritten_count = 1;
    } else if (isnan(element.value)) {
      p.nan_count = 1;
    } else if (isinf(element.value)) {
      p.inf_count = 1;
    } else {
      const double diff = fabs(element.value - ref);
      p.sum_sq_diff = diff * diff;
      p.max_abs = diff;
      if (fabs(ref) >= rel_floor) p.max_rel = diff / fabs(ref);
    }
    return p;
  }
};

// One 16-bit word's share of hash_bits: every storage type but int8 is a whole number of them.
struct word_hash {
  const std::uint16_t* words;
  __device__ unsigned long long operator()(std::int64_t i) const {
    return splitmix64(words[i] ^ splitmix64(static_cast<std::uint64_t>(i)));
  }
};

}  // namespace

void fill_random(storage_type type, void* data, std::int64_t count, std::uint64_t seed, cudaStream_t stream) {
  switch (type) {
    case storage_type::f64:
      return launch_fill_random<double>(data, count, seed, stream);
    case storage_type::f32:
      return launch_fill_random<float>(data, count, seed, stream);
    case storage_type::f16:
      return launch_fill_random<__half>(data, count, seed, stream);
    case storage_type::bf16:
      return launch_fill_random<__nv_bfloat16>(data, count, seed, stream);
    case storage_type::i8:
      return launch_fill_random<std::int8_t>(data, count, seed, stream);
    case storage_type::i32:
      break;
  }
  throw std::invalid_argument("fill_random: no random inputs of this storage type");
}

void fill_poison(storage_type type, void* data, std::int64_t count, cudaStream_t stream) {
  switch (storage_bytes(type)) {
    case 8:
      return launch_fill_bits<std::uint64_t>(data, count, poison_bits(type), stream);
    case 4:
      return launch_fill_bits<std::uint32_t>(data, count, poison_bits(type), stream);
    case 2:
      return launch_fill_bits<std::uint16_t>(data, count, poison_bits(type), stream);
    default:
      return launch_fill_bits<std::uint8_t>(data, count, poison_bits(type), stream);
  }
}

void reference_gemm(const gemm_problem& p, const gemm_batch& batch, storage_type input, const void* a,
                    const void* b, double* c, cudaStream_t stream) {
  validate(p);
  if (batch.count < 1 || batch.count > 65535) throw std::invalid_argument("reference_gemm: batch must be in [1, 65535]");
  if ((p.n + ref_tile - 1) / ref_tile > 65535) throw std::invalid_argument("reference_gemm: n too large for the grid");
  const reference_args args{p.m,
                            p.n,
                            p.k,
                            p.trans_a == 'N' ? 1 : p.lda,
                            p.trans_a == 'N' ? p.lda : 1,
                            p.trans_b == 'N' ? 1 : p.ldb,
                            p.trans_b == 'N' ? p.ldb : 1,
                            p.ldc,
                            batch.stride_a,
                            batch.stride_b,
                            batch.stride_c};
  switch (input) {
    case storage_type::f64:
      return launch_reference<double>(args, batch.count, a, b, c, stream);
    case storage_type::f32:
      return launch_reference<float>(args, batch.count, a, b, c, stream);
    case storage_type::f16:
      return launch_reference<__half>(args, batch.count, a, b, c, stream);
    case storage_type::bf16:
      return launch_reference<__nv_bfloat16>(args, batch.count, a, b, c, stream);
    case storage_type::i8:
      return launch_reference<std::int8_t>(args, batch.count, a, b, c, stream);
    case storage_type::i32:
      break;
  }
  throw std::invalid_argument("reference_gemm: no GEMM takes inputs of this storage type");
}

std::uint64_t hash_bits(storage_type type, const void* data, std::int64_t count, cudaStream_t stream) {
  if (type == storage_type::i8) throw std::invalid_argument("hash_bits: int8 outputs are not hashed");
  const std::int64_t words = count * storage_bytes(type) / 2;
  const thrust::counting_iterator<std::int64_t> first(0), last(words);
  return thrust::transform_reduce(thrust::cuda::par.on(stream), first, last,
                                  word_hash{static_cast<const std::uint16_t*>(data)}, 0ULL,
                                  thrust::plus<unsigned long long>());
}

output_metrics compare_with_reference(storage_type output, const void* c, const double* reference,
                                      std::int64_t count, cudaStream_t stream) {
  const device_buffer unpacked(static_cast<std::size_t>(count) * sizeof(unpacked_element));
  const device_buffer unwritten(static_cast<std::size_t>(count));
  auto* elements = unpacked.as<unpacked_element>();
  auto* flags = unwritten.as<std::uint8_t>();
  const std::uint64_t poison = poison_bits(output);
  switch (output) {
    case storage_type::f64:
      launch_unpack<double, std::uint64_t>(c, count, poison, elements, flags, stream);
      break;
    case storage_type::f32:
      launch_unpack<float, std::uint32_t>(c, count, poison, elements, flags, stream);
      break;
    case storage_type::f16:
      launch_unpack<__half, std::uint16_t>(c, count, poison, elements, flags, stream);
      break;
    case storage_type::bf16:
      launch_unpack<__nv_bfloat16, std::uint16_t>(c, count, poison, elements, flags, stream);
      break;
    case storage_type::i32:
      launch_unpack<std::int32_t, std::uint32_t>(c, count, poison, elements, flags, stream);
      break;
    case storage_type::i8:
      throw std::invalid_argument("compare_with_reference: no GEMM writes int8");
  }
  const auto policy = thrust::cuda::par.on(stream);
  const thrust::counting_iterator<std::int64_t> first(0), last(count);
  const metric_partial zero{0, 0, 0, 0, 0, 0, 0, 0};
  // The first pass gives the reference's RMS, the floor under which relative errors are not taken;
  // the second pass, with that floor, gives the maximum relative error.
  const metric_partial all = thrust::transform_reduce(
      policy, first, last, element_partial{elements, flags, reference, INFINITY}, zero, combine_partials{});
  const double rms = std::sqrt(all.sum_sq_ref / static_cast<double>(count));
  const metric_partial relative = thrust::transform_reduce(
      policy, first, last, element_partial{elements, flags, reference, 0.01 * rms}, zero, combine_partials{});
  output_metrics m;
  const double ref_norm = std::sqrt(all.sum_sq_ref), diff_norm = std::sqrt(all.sum_sq_diff);
  m.norm_rel_err = ref_norm > 0 ? diff_norm / ref_norm : (diff_norm > 0 ? INFINITY : 0.0);
  m.max_abs_err = all.max_abs;
  m.max_rel_err = relative.max_rel;
  m.nan_count = all.nan_count;
  m.inf_count = all.inf_count;
  m.unwritten_count = all.unwritten_count;
  m.hash = all.hash;
  return m;
}

}  // namespace cubench
