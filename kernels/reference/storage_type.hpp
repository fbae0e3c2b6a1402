// Element types of GEMM operands as stored in device memory, and the pair a GEMM dtype uses.
#pragma once

#include <cstdint>
#include <string>

namespace cubench {

/// How one element is stored.
enum class storage_type { f64, f32, f16, bf16, i8, i32 };

/// Bytes of one element.
int storage_bytes(storage_type type);

/// The input (A, B) and output (C) storage of a GEMM dtype.
struct gemm_storage {
  storage_type input;
  storage_type output;
};

/// The storage of a suite dtype (fp64, fp32, tf32, fp16, bf16, int8); throws std::invalid_argument otherwise.
gemm_storage gemm_storage_of(const std::string& dtype);

/// The bit pattern that marks an output element as never written: a NaN with a payload no arithmetic
/// produces, or for int32 a value beyond any int8 GEMM with k < 2^17.
std::uint64_t poison_bits(storage_type type);

}  // namespace cubench
