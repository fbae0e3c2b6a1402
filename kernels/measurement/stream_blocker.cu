#include "stream_blocker.hpp"

#include <atomic>

#include "cuda_call.cuh"

namespace cubench {
namespace {

// Two seconds: a host that never releases (a debugger, CUDA_LAUNCH_BLOCKING=1) costs that, not a hang.
constexpr unsigned long long timeout_ns = 2'000'000'000ull;

__device__ unsigned long long global_ns() {
  unsigned long long ns;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(ns));
  return ns;
}

__global__ void spin_until_released(const volatile int* flag) {
  const unsigned long long start = global_ns();
  while (*flag == 0 && global_ns() - start < timeout_ns) {
  }
}

void* allocated_flag() {
  void* p = nullptr;
  BENCH_CUDA_TRY(cudaHostAlloc(&p, sizeof(int), cudaHostAllocMapped));
  *static_cast<volatile int*>(p) = 0;
  return p;
}

}  // namespace

void stream_blocker::host_release::operator()(void* p) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cudaFreeHost(p)); }

stream_blocker::stream_blocker() : flag_(allocated_flag()) {
  BENCH_CUDA_TRY(cudaHostGetDevicePointer(reinterpret_cast<void**>(&device_flag_), flag_.get(), 0));
}

stream_blocker::~stream_blocker() {
  release();
  if (blocked_ != nullptr) BENCH_CUDA_TRY_NOEXCEPT(cudaStreamSynchronize(blocked_));
}

void stream_blocker::block(cudaStream_t stream) {
  *static_cast<volatile int*>(flag_.get()) = 0;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  spin_until_released<<<1, 1, 0, stream>>>(device_flag_);
  BENCH_CUDA_TRY(cudaGetLastError());
  blocked_ = stream;
}

void stream_blocker::release() {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  *static_cast<volatile int*>(flag_.get()) = 1;
}

}  // namespace cubench
