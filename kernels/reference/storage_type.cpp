#include "storage_type.hpp"

#include <stdexcept>

namespace cubench {

int storage_bytes(storage_type type) {
  switch (type) {
    case storage_type::f64:
      return 8;
    case storage_type::f32:
    case storage_type::i32:
      return 4;
    case storage_type::f16:
    case storage_type::bf16:
      return 2;
    case storage_type::i8:
      return 1;
  }
  throw std::invalid_argument("unknown storage type");
}

gemm_storage gemm_storage_of(const std::string& dtype) {
  if (dtype == "fp64") return {storage_type::f64, storage_type::f64};
  if (dtype == "fp32" || dtype == "tf32") return {storage_type::f32, storage_type::f32};
  if (dtype == "fp16") return {storage_type::f16, storage_type::f16};
  if (dtype == "bf16") return {storage_type::bf16, storage_type::bf16};
  if (dtype == "int8") return {storage_type::i8, storage_type::i32};
  throw std::invalid_argument("unknown GEMM dtype '" + dtype + "'");
}

std::uint64_t poison_bits(storage_type type) {
  switch (type) {
    case storage_type::f64:
      return 0x7ff4deaddeaddeadULL;
    case storage_type::f32:
      return 0x7fadbeefULL;
    case storage_type::f16:
      return 0x7eadULL;
    case storage_type::bf16:
      return 0x7fadULL;
    case storage_type::i32:
      return 0x7eadbeefULL;
    case storage_type::i8:
      return 0x7fULL;
  }
  throw std::invalid_argument("unknown storage type");
}

}  // namespace cubench
