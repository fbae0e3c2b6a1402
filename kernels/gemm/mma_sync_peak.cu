// mma-sync-peak: the rate at which this GPU executes mma.sync.m16n8k16 (bf16 and fp16 in, fp32 accumulate) from
// registers alone, with no memory traffic. No kernel built on mma.sync, the in-house GEMM included, can beat it,
// so it bounds what the in-house GEMM's target (a fraction of cuBLAS, which on Hopper uses wgmma) can reach.
//
// Usage: mma-sync-peak [--device N]. Prints one line per dtype: the median of 20 timed launches in TFLOP/s.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <vector>

#include "cuda_call.cuh"
#include "cuda_resources.cuh"
#include "tensor_core_ptx.cuh"

namespace cubench {
namespace {

constexpr int chains = 8;  // independent accumulators per warp, enough to hide the mma pipeline's latency
constexpr int iterations = 4096;
constexpr int threads = 256;
constexpr double flop_per_mma = 2.0 * 16 * 8 * 16;

template <typename T>
__global__ void __launch_bounds__(threads) mma_chains(float* sink, unsigned seed) {
  unsigned a[4] = {seed, seed ^ 1u, seed ^ 2u, seed ^ 3u};
  const unsigned b0 = seed * 3u, b1 = seed * 5u;
  float d[chains][4] = {};
  for (int i = 0; i < iterations; ++i) {
#pragma unroll
    for (int c = 0; c < chains; ++c) ptx::mma_m16n8k16<T>::run(d[c], a, b0, b1);
  }
  float sum = 0;
#pragma unroll
  for (int c = 0; c < chains; ++c) sum += d[c][0] + d[c][1] + d[c][2] + d[c][3];
  // Never true for the seeds used; keeps the compiler from dropping the products.
  if (sum == 1234.5f) sink[threadIdx.x] = sum;
}

template <typename T>
double peak_tflops(int blocks, float* sink, cudaStream_t stream) {
  const cuda_event start, stop;
  mma_chains<T><<<blocks, threads, 0, stream>>>(sink, 0x3c003c00u);
  BENCH_CUDA_TRY(cudaGetLastError());
  std::vector<double> ms(20);
  for (double& sample : ms) {
    record_around(stream, start, stop, [&] {
      mma_chains<T><<<blocks, threads, 0, stream>>>(sink, 0x3c003c00u);
      BENCH_CUDA_TRY(cudaGetLastError());
    });
    sample = elapsed_ms(start, stop);
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  const double warps = static_cast<double>(blocks) * threads / 32;
  return warps * iterations * chains * flop_per_mma / (ms[ms.size() / 2] * 1e-3) / 1e12;
}

int run(int device) {
  BENCH_CUDA_TRY(cudaSetDevice(device));
  cudaDeviceProp props{};
  BENCH_CUDA_TRY(cudaGetDeviceProperties(&props, device));
  const cuda_stream stream;
  device_buffer sink(threads * sizeof(float));
  // Four blocks of eight warps per SM: every SM sub-partition gets several warps to interleave.
  const int blocks = props.multiProcessorCount * 4;
  std::printf("%s, %d SMs\n", props.name, props.multiProcessorCount);
  std::printf("mma.sync m16n8k16 bf16->fp32: %.1f TFLOP/s\n",
              peak_tflops<__nv_bfloat16>(blocks, sink.as<float>(), stream.get()));
  std::printf("mma.sync m16n8k16 fp16->fp32: %.1f TFLOP/s\n",
              peak_tflops<__half>(blocks, sink.as<float>(), stream.get()));
  return 0;
}

}  // namespace
}  // namespace cubench

int main(int argc, char** argv) {
  int device = 0;
  if (argc == 3 && std::strcmp(argv[1], "--device") == 0) {
    device = std::atoi(argv[2]);
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: mma-sync-peak [--device N]\n");
    return 2;
  }
  try {
    return cubench::run(device);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mma-sync-peak: %s\n", e.what());
    return 1;
  }
}
