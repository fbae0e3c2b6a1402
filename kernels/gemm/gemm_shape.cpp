#include "gemm_cases.hpp"

namespace cubench {

gemm_shape gemm_shape_of(const gemm_case_spec& spec) {
  gemm_shape s;
  s.dtype = spec.dtype;
  s.storage = gemm_storage_of(spec.dtype);
  s.trans_a = spec.layout[0];
  s.trans_b = spec.layout[1];
  s.m = spec.m;
  s.n = spec.n;
  s.k = spec.k;
  s.lda = s.trans_a == 'N' ? s.m : s.k;
  s.ldb = s.trans_b == 'N' ? s.k : s.n;
  s.ldc = s.m;
  s.batch = spec.batch;
  s.stride_a = s.m * s.k;
  s.stride_b = s.k * s.n;
  s.stride_c = s.m * s.n;
  return s;
}

}  // namespace cubench
