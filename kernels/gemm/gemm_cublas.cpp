// The cuBLAS implementation: cublasGemmEx, or cublasGemmStridedBatchedEx for a batch, default algorithm.
#include "cuda_call.cuh"
#include "gemm_cases.hpp"
#include "gemm_library_types.hpp"

namespace cubench {
namespace {

class cublas_gemm : public gemm_impl {
 public:
  explicit cublas_gemm(const gemm_shape& shape)
      : shape_(shape), types_(gemm_library_types_of(shape.dtype)), scalars_(types_.scale) {}

  void configure(case_context&) override {}

  void prepare(case_context& context) override {
    handle_ = context.handles->cublas();
    workspace_ = context.handles->workspace();
    bind(context.stream);
  }

  void launch(cudaStream_t stream, const gemm_operands& o) override {
    bind(stream);
    const auto ta = cublas_operation(shape_.trans_a), tb = cublas_operation(shape_.trans_b);
    const int m = static_cast<int>(shape_.m), n = static_cast<int>(shape_.n), k = static_cast<int>(shape_.k);
    const int lda = static_cast<int>(shape_.lda), ldb = static_cast<int>(shape_.ldb), ldc = static_cast<int>(shape_.ldc);
    if (shape_.batch == 1) {
      BENCH_CUBLAS_TRY(cublasGemmEx(handle_, ta, tb, m, n, k, scalars_.alpha(), o.a, types_.ab, lda, o.b, types_.ab,
                                    ldb, scalars_.beta(), o.c, types_.c, ldc, types_.compute, CUBLAS_GEMM_DEFAULT));
    } else {
      BENCH_CUBLAS_TRY(cublasGemmStridedBatchedEx(handle_, ta, tb, m, n, k, scalars_.alpha(), o.a, types_.ab, lda,
                                                  shape_.stride_a, o.b, types_.ab, ldb, shape_.stride_b,
                                                  scalars_.beta(), o.c, types_.c, ldc, shape_.stride_c,
                                                  static_cast<int>(shape_.batch), types_.compute, CUBLAS_GEMM_DEFAULT));
    }
  }

  void describe(case_context& context, result_record& record) const override {
    describe_library(*context.env, "cuBLAS", "cublas", record);
  }

 private:
  // cublasSetStream drops a workspace set before it, so the two go together, and only on a change of stream.
  void bind(cudaStream_t stream) {
    if (stream == bound_) return;
    BENCH_CUBLAS_TRY(cublasSetStream(handle_, stream));
    BENCH_CUBLAS_TRY(cublasSetWorkspace(handle_, workspace_, library_handles::workspace_bytes));
    bound_ = stream;
  }

  gemm_shape shape_;
  gemm_library_types types_;
  gemm_scalars scalars_;
  cublasHandle_t handle_ = nullptr;
  void* workspace_ = nullptr;
  cudaStream_t bound_ = nullptr;
};

}  // namespace

std::unique_ptr<gemm_impl> make_cublas_gemm(const gemm_shape& shape) { return std::make_unique<cublas_gemm>(shape); }

}  // namespace cubench
