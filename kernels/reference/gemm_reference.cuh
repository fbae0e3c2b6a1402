// The fp64 GEMM reference and the comparison of an output against it, on the GPU. The reference sums
// each element over k in order with fused multiply-adds, so its bits are the same under every toolkit
// and equal to cpu_reference_gemm's (bench/cpu_reference.hpp).
#pragma once

#include <cstdint>

#include <cuda_runtime_api.h>

#include "cpu_reference.hpp"
#include "storage_type.hpp"

namespace cubench {

/// A batch of equally shaped problems, each operand `stride` elements after the previous one.
struct gemm_batch {
  std::int64_t count = 1;
  std::int64_t stride_a = 0;
  std::int64_t stride_b = 0;
  std::int64_t stride_c = 0;
};

/// Fills `count` elements with uniform values from a seeded hash of their index: [-1, 1) rounded to
/// the type for floating point, [-128, 127] for int8. Never zeros only; the same bits on every GPU.
void fill_random(storage_type type, void* data, std::int64_t count, std::uint64_t seed, cudaStream_t stream);

/// Fills `count` elements with poison_bits(type).
void fill_poison(storage_type type, void* data, std::int64_t count, cudaStream_t stream);

/// C = op(A) op(B) in fp64 for inputs stored as `input`; C is column-major with the problem's ldc.
void reference_gemm(const gemm_problem& problem, const gemm_batch& batch, storage_type input, const void* a,
                    const void* b, double* c, cudaStream_t stream);

/// An output compared with its reference, element by element.
struct output_metrics {
  double norm_rel_err = 0;  // ||C - Cref||_2 / ||Cref||_2 over the finite, written elements
  double max_abs_err = 0;
  double max_rel_err = 0;   // over elements whose reference is at least 1% of the reference's RMS
  std::int64_t nan_count = 0;
  std::int64_t inf_count = 0;
  std::int64_t unwritten_count = 0;  // elements still holding poison_bits
  std::uint64_t hash = 0;            // order-aware 64-bit hash of the output's bits
};

/// An order-aware 64-bit hash of the bits of `count` elements stored as `type` (not int8), for telling whether two
/// outputs are bitwise the same; it is not output_metrics::hash.
std::uint64_t hash_bits(storage_type type, const void* data, std::int64_t count, cudaStream_t stream);

/// Compares `count` output elements of type `output` with the fp64 reference through Thrust reductions.
output_metrics compare_with_reference(storage_type output, const void* c, const double* reference,
                                      std::int64_t count, cudaStream_t stream);

}  // namespace cubench
