#include "kernel_image_probe.hpp"

#include "cuda_call.cuh"

namespace cubench {
namespace {

// Compiled for every entry of CMAKE_CUDA_ARCHITECTURES like every other kernel of the runner, so the image
// the runtime picks for it is the one the runner's other kernels get.
__global__ void image_probe_kernel() {}

}  // namespace

kernel_image probe_kernel_image(int device) {
  BENCH_CUDA_TRY(cudaSetDevice(device));
  cudaFuncAttributes attributes{};
  BENCH_CUDA_TRY(cudaFuncGetAttributes(&attributes, image_probe_kernel));
  return {attributes.binaryVersion, attributes.ptxVersion};
}

}  // namespace cubench
