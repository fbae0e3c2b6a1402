// The cuBLASLt implementation: cublasLtMatmul with the heuristic's first algorithm for a 32 MiB workspace.
// The algorithm chosen goes into the `algorithm` column, so that a regression can be traced to a change
// of kernel.
#include <cublasLt.h>

#include <cstdint>
#include <string>

#include "cuda_call.cuh"
#include "gemm_cases.hpp"
#include "gemm_library_types.hpp"

namespace cubench {
namespace {

struct matmul_desc_release {
  void operator()(cublasLtMatmulDesc_t desc) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cublasLtMatmulDescDestroy(desc)); }
};
struct layout_release {
  void operator()(cublasLtMatrixLayout_t layout) const noexcept {
    BENCH_CUDA_TRY_NOEXCEPT(cublasLtMatrixLayoutDestroy(layout));
  }
};
struct preference_release {
  void operator()(cublasLtMatmulPreference_t preference) const noexcept {
    BENCH_CUDA_TRY_NOEXCEPT(cublasLtMatmulPreferenceDestroy(preference));
  }
};
using matmul_desc = unique_handle<cublasLtMatmulDesc_t, matmul_desc_release>;
using matrix_layout = unique_handle<cublasLtMatrixLayout_t, layout_release>;
using matmul_preference = unique_handle<cublasLtMatmulPreference_t, preference_release>;

// A column-major layout of `rows` x `cols` with leading dimension ld, batched by stride when batch > 1.
matrix_layout make_layout(cudaDataType_t type, std::int64_t rows, std::int64_t cols, std::int64_t ld,
                          std::int64_t batch, std::int64_t stride) {
  cublasLtMatrixLayout_t layout = nullptr;
  BENCH_CUBLAS_TRY(cublasLtMatrixLayoutCreate(&layout, type, static_cast<std::uint64_t>(rows),
                                              static_cast<std::uint64_t>(cols), ld));
  matrix_layout owned(layout);
  if (batch > 1) {
    const auto count = static_cast<std::int32_t>(batch);
    BENCH_CUBLAS_TRY(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count));
    BENCH_CUBLAS_TRY(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                                                      sizeof stride));
  }
  return owned;
}

// One algorithm attribute as text, or nothing when this cuBLASLt stores it in another width.
template <typename T>
std::string algo_attribute(const cublasLtMatmulAlgo_t& algo, cublasLtMatmulAlgoConfigAttributes_t attribute,
                           const char* name) {
  T value{};
  std::size_t written = 0;
  if (cublasLtMatmulAlgoConfigGetAttribute(&algo, attribute, &value, sizeof value, &written) != CUBLAS_STATUS_SUCCESS)
    return "";
  return std::string(" ") + name + "=" + std::to_string(value);
}

class cublaslt_gemm : public gemm_impl {
 public:
  explicit cublaslt_gemm(const gemm_shape& shape)
      : shape_(shape), types_(gemm_library_types_of(shape.dtype)), scalars_(types_.scale) {}

  void configure(case_context&) override {}

  void prepare(case_context& context) override {
    handle_ = context.handles->cublaslt();
    workspace_ = context.handles->workspace();
    cublasLtMatmulDesc_t desc = nullptr;
    BENCH_CUBLAS_TRY(cublasLtMatmulDescCreate(&desc, types_.compute, types_.scale));
    desc_ = matmul_desc(desc);
    const cublasOperation_t ta = cublas_operation(shape_.trans_a), tb = cublas_operation(shape_.trans_b);
    BENCH_CUBLAS_TRY(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta));
    BENCH_CUBLAS_TRY(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb));
    const bool a_n = shape_.trans_a == 'N', b_n = shape_.trans_b == 'N';
    a_layout_ = make_layout(types_.ab, a_n ? shape_.m : shape_.k, a_n ? shape_.k : shape_.m, shape_.lda, shape_.batch,
                            shape_.stride_a);
    b_layout_ = make_layout(types_.ab, b_n ? shape_.k : shape_.n, b_n ? shape_.n : shape_.k, shape_.ldb, shape_.batch,
                            shape_.stride_b);
    c_layout_ = make_layout(types_.c, shape_.m, shape_.n, shape_.ldc, shape_.batch, shape_.stride_c);

    cublasLtMatmulPreference_t preference = nullptr;
    BENCH_CUBLAS_TRY(cublasLtMatmulPreferenceCreate(&preference));
    const matmul_preference owned_preference(preference);
    const std::uint64_t max_workspace = library_handles::workspace_bytes;
    BENCH_CUBLAS_TRY(cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                          &max_workspace, sizeof max_workspace));
    int found = 0;
    BENCH_CUBLAS_TRY(cublasLtMatmulAlgoGetHeuristic(handle_, desc, a_layout_.get(), b_layout_.get(), c_layout_.get(),
                                                    c_layout_.get(), preference, 1, &heuristic_, &found));
    if (found == 0)
      throw case_not_supported("cublasLtMatmulAlgoGetHeuristic found no algorithm for " + shape_.dtype + " " +
                               shape_.trans_a + shape_.trans_b);
  }

  void launch(cudaStream_t stream, const gemm_operands& o) override {
    BENCH_CUBLAS_TRY(cublasLtMatmul(handle_, desc_.get(), scalars_.alpha(), o.a, a_layout_.get(), o.b,
                                    b_layout_.get(), scalars_.beta(), o.c, c_layout_.get(), o.c, c_layout_.get(),
                                    &heuristic_.algo, workspace_, heuristic_.workspaceSize, stream));
  }

  void describe(case_context& context, result_record& record) const override {
    describe_library(*context.env, "cuBLASLt", "cublasLt", record);
    const cublasLtMatmulAlgo_t& algo = heuristic_.algo;
    std::string text = algo_attribute<std::int32_t>(algo, CUBLASLT_ALGO_CONFIG_ID, "algo") +
                       algo_attribute<std::uint32_t>(algo, CUBLASLT_ALGO_CONFIG_TILE_ID, "tile") +
                       algo_attribute<std::uint32_t>(algo, CUBLASLT_ALGO_CONFIG_STAGES_ID, "stages") +
                       algo_attribute<std::int32_t>(algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, "splitk") +
                       algo_attribute<std::uint32_t>(algo, CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME, "reduction") +
                       algo_attribute<std::uint32_t>(algo, CUBLASLT_ALGO_CONFIG_CTA_SWIZZLING, "swizzle") +
                       algo_attribute<std::uint32_t>(algo, CUBLASLT_ALGO_CONFIG_CUSTOM_OPTION, "custom") +
                       algo_attribute<std::uint16_t>(algo, CUBLASLT_ALGO_CONFIG_INNER_SHAPE_ID, "inner") +
                       algo_attribute<std::uint16_t>(algo, CUBLASLT_ALGO_CONFIG_CLUSTER_SHAPE_ID, "cluster") +
                       " workspace=" + std::to_string(heuristic_.workspaceSize);
    record.algorithm = text.substr(1);
  }

 private:
  gemm_shape shape_;
  gemm_library_types types_;
  gemm_scalars scalars_;
  cublasLtHandle_t handle_ = nullptr;
  void* workspace_ = nullptr;
  matmul_desc desc_{nullptr};
  matrix_layout a_layout_{nullptr}, b_layout_{nullptr}, c_layout_{nullptr};
  cublasLtMatmulHeuristicResult_t heuristic_{};
};

}  // namespace

std::unique_ptr<gemm_impl> make_cublaslt_gemm(const gemm_shape& shape) {
  return std::make_unique<cublaslt_gemm>(shape);
}

}  // namespace cubench
