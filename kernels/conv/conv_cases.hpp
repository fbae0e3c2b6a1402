// The convolution family: its suite rows as cases, and the interface its implementations (cuDNN, im2col +
// cuBLAS, the in-house implicit GEMM) share. Tensors are dense in the case's layout: x is n c h w, w is
// k (c / groups) r s (KCRS or KRSC), y is n k p q.
#pragma once

#include <memory>
#include <vector>

#include <cuda_runtime_api.h>

#include "case_registry.hpp"
#include "conv_suite.hpp"
#include "conv_tolerance.hpp"
#include "suite_parser.hpp"

namespace cubench {

/// Device pointers of one input set, each on a 256-byte boundary. Which tensor is written depends on the direction:
/// y forward, x for bwd_data (dx from dy and w), w for bwd_filter (dw from x and dy).
struct conv_operands {
  void* x = nullptr;
  void* w = nullptr;
  void* y = nullptr;
};

/// One way of computing a convolution case.
class conv_impl {
 public:
  virtual ~conv_impl() = default;
  /// Checks the GPU and runner can run the case and allocates scratch memory; throws case_not_supported.
  virtual void configure(case_context& context) = 0;
  /// Set-up that belongs to the first call (handles bound to the stream, algorithm choice); it may run the
  /// convolution on set 0's operands.
  virtual void prepare(case_context& context, const conv_operands& set0) = 0;
  /// Enqueues the convolution on the stream; capturable in a CUDA graph.
  virtual void launch(cudaStream_t stream, const conv_operands& operands) = 0;
  /// Fills the library or kernel-binary provenance and the algorithm chosen.
  virtual void describe(case_context& context, result_record& record) const = 0;
  /// How the chosen algorithm sums, which sets the tolerance.
  virtual conv_summation summation() const = 0;
};

/// cuDNN's graph API through cudnn-frontend, the plan by heuristic or by measured search (spec.algo).
std::unique_ptr<conv_impl> make_cudnn_conv(const conv_case_spec& spec);
/// An im2col kernel and cuBLAS GEMMs, forward only.
std::unique_ptr<conv_impl> make_im2col_cublas_conv(const conv_case_spec& spec);
/// The in-house mma.sync implicit-GEMM kernel, forward, fp16 or bf16, NHWC.
std::unique_ptr<conv_impl> make_inhouse_conv(const conv_case_spec& spec);

/// The cases of a conv suite table; throws suite_error naming the bad cell.
std::vector<registered_case> conv_suite_cases(const suite_table& table);

}  // namespace cubench
