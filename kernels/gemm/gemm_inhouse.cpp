// The in-house implementation: picks the tensor-core or the SIMT kernel by dtype.
#include "cuda_call.cuh"
#include "gemm_cases.hpp"
#include "gemm_inhouse.hpp"

namespace cubench {
namespace {

class inhouse_gemm : public gemm_impl {
 public:
  explicit inhouse_gemm(const gemm_shape& shape) : shape_(shape), tensor_cores_(shape.dtype != "fp32") {}

  void configure(case_context& context) override {
    if (tensor_cores_ && context.gpu->cc_major < 8)
      throw case_not_supported("the in-house " + shape_.dtype + " kernel uses mma.sync bf16/fp16 m16n8k16, " +
                               "which needs compute capability 8.0; this GPU has " +
                               std::to_string(context.gpu->cc_major) + "." + std::to_string(context.gpu->cc_minor));
    if (tensor_cores_)
      stages_ = prepare_inhouse_mma(shape_);
    else
      prepare_inhouse_simt(shape_);
  }

  void prepare(case_context&) override {}

  void launch(cudaStream_t stream, const gemm_operands& operands) override {
    if (tensor_cores_)
      launch_inhouse_mma(shape_, stages_, operands, stream);
    else
      launch_inhouse_simt(shape_, operands, stream);
  }

  void describe(case_context&, result_record& record) const override {
    describe_kernel_binary(tensor_cores_ ? inhouse_mma_attributes(shape_) : inhouse_simt_attributes(shape_), record);
  }

 private:
  gemm_shape shape_;
  bool tensor_cores_;
  int stages_ = 0;  // the mma kernel's pipeline depth on this GPU
};

}  // namespace

std::unique_ptr<gemm_impl> make_inhouse_gemm(const gemm_shape& shape) { return std::make_unique<inhouse_gemm>(shape); }

}  // namespace cubench
