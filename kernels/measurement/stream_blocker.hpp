// Holds a stream until the host has enqueued a whole sample (flush, events, launches), so that the sample's events
// time the GPU's work and not the host's enqueueing, which a library call can make longer than a short kernel
// (nvbench's blocking kernel does the same).
#pragma once

#include <cuda_runtime_api.h>

#include "cuda_resources.cuh"

namespace cubench {

/// A host flag in pinned, mapped memory and a kernel that spins on it.
class stream_blocker {
 public:
  /// Allocates the flag; throws cuda_error when pinned mapped memory cannot be had.
  stream_blocker();
  /// Releases a kernel still spinning (a sample that threw between block and release) and waits for it, so that
  /// the flag it reads outlives it.
  ~stream_blocker();
  stream_blocker(const stream_blocker&) = delete;
  stream_blocker& operator=(const stream_blocker&) = delete;

  /// Enqueues the spinning kernel: what the stream holds after it waits until release() (or two seconds).
  void block(cudaStream_t stream);
  /// Lets the spinning kernel finish.
  void release();

 private:
  struct host_release {
    void operator()(void* p) const noexcept;
  };
  unique_handle<void*, host_release> flag_;
  int* device_flag_ = nullptr;
  cudaStream_t blocked_ = nullptr;
};

}  // namespace cubench
