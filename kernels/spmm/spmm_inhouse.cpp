// The in-house implementation: the row-split or the merge kernel, as the suite's algorithm names it.
#include <optional>

#include "cuda_call.cuh"
#include "spmm_cases.hpp"
#include "spmm_inhouse.hpp"

namespace cubench {
namespace {

class inhouse_spmm : public spmm_impl {
 public:
  inhouse_spmm(const spmm_shape& shape, const std::string& algorithm)
      : shape_(shape), merge_(algorithm == "merge"), plan_(merge_ ? plan_merge(shape) : plan_row_split(shape)) {}

  void configure(case_context&) override {}

  void prepare(case_context&, const csr_matrix&, const std::vector<spmm_operands>& sets) override {
    sets_ = sets;
    if (merge_) scratch_.emplace(merge_scratch_bytes(plan_, shape_));
  }

  void launch(cudaStream_t stream, int set) override {
    const spmm_operands& operands = sets_[static_cast<std::size_t>(set)];
    if (merge_)
      launch_merge(plan_, shape_, operands, scratch_->get(), stream);
    else
      launch_row_split(plan_, shape_, operands, stream);
  }

  void describe(case_context&, result_record& record) const override {
    describe_kernel_binary(merge_ ? merge_attributes(plan_, shape_) : row_split_attributes(plan_, shape_), record);
    record.algorithm = describe_plan(plan_);
  }

 private:
  spmm_shape shape_;
  bool merge_;
  inhouse_plan plan_;
  std::vector<spmm_operands> sets_;
  std::optional<device_buffer> scratch_;
};

}  // namespace

std::unique_ptr<spmm_impl> make_inhouse_spmm(const spmm_shape& shape, const std::string& algorithm) {
  return std::make_unique<inhouse_spmm>(shape, algorithm);
}

}  // namespace cubench
