// Functions that host code and CUDA kernels share are marked CUBENCH_HOST_DEVICE: __host__ __device__ under
// nvcc, nothing under a plain C++ compiler, so that the same header is tested on machines without CUDA.
#pragma once

#ifdef __CUDACC__
/// Compiles the function for the host and for the device under nvcc.
#define CUBENCH_HOST_DEVICE __host__ __device__
#else
/// Compiles the function for the host only.
#define CUBENCH_HOST_DEVICE
#endif
