// A GEMM suite row as a bench_case: seeded inputs, rotation among input sets, the first call's output
// compared with the fp64 reference.
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "cuda_call.cuh"
#include "gemm_cases.hpp"
#include "reference/gemm_reference.cuh"
#include "reference/output_verdict.hpp"
#include "statistics.hpp"
#include "tolerance.hpp"

namespace cubench {
namespace {

class gemm_case : public bench_case {
 public:
  explicit gemm_case(gemm_case_spec spec) : spec_(std::move(spec)), shape_(gemm_shape_of(spec_)) {}

  void identify(result_record& r) const override {
    r.case_id = gemm_case_id(spec_);
    r.family = "gemm";
    r.impl = spec_.impl;
    r.variant = gemm_variant(spec_);
    r.dtype = spec_.dtype;
    r.params = gemm_params(spec_);
    r.flop = gemm_flop(spec_);
    r.bytes = gemm_min_bytes(spec_);
  }

  void configure(case_context& context) override {
    if (spec_.impl == "cublas")
      impl_ = make_cublas_gemm(shape_);
    else if (spec_.impl == "cublaslt")
      impl_ = make_cublaslt_gemm(shape_);
    else
      impl_ = make_inhouse_gemm(shape_);
    impl_->configure(context);
  }

  double working_set_bytes() const override { return gemm_min_bytes(spec_); }

  void allocate(case_context& context, int input_sets) override {
    const int in_bytes = storage_bytes(shape_.storage.input), out_bytes = storage_bytes(shape_.storage.output);
    a_count_ = shape_.stride_a * shape_.batch;
    b_count_ = shape_.stride_b * shape_.batch;
    c_count_ = shape_.stride_c * shape_.batch;
    a_.emplace(static_cast<std::size_t>(a_count_ * in_bytes * input_sets));
    b_.emplace(static_cast<std::size_t>(b_count_ * in_bytes * input_sets));
    c_.emplace(static_cast<std::size_t>(c_count_ * out_bytes * input_sets));
    // The seed depends on the dtype and shape only, so every impl of a shape multiplies the same inputs.
    const std::uint64_t seed = seed_from_text(spec_.dtype + "/" + gemm_params(spec_));
    for (int set = 0; set < input_sets; ++set) {
      const gemm_operands o = operands(set);
      fill_random(shape_.storage.input, const_cast<void*>(o.a), a_count_, seed + 2 * static_cast<std::uint64_t>(set),
                  context.stream);
      fill_random(shape_.storage.input, const_cast<void*>(o.b), b_count_,
                  seed + 2 * static_cast<std::uint64_t>(set) + 1, context.stream);
    }
    fill_poison(shape_.storage.output, c_->get(), c_count_, context.stream);
  }

  void prepare(case_context& context) override { impl_->prepare(context); }

  void launch(cudaStream_t stream, int set) override { impl_->launch(stream, operands(set)); }

  void describe(case_context& context, result_record& record) const override { impl_->describe(context, record); }

  std::string verify(case_context& context, result_record& r) override {
    const device_buffer reference(static_cast<std::size_t>(c_count_) * sizeof(double));
    const gemm_operands o = operands(0);
    const gemm_problem problem{shape_.trans_a, shape_.trans_b, shape_.m,   shape_.n,
                               shape_.k,       shape_.lda,     shape_.ldb, shape_.ldc};
    const gemm_batch batch{shape_.batch, shape_.stride_a, shape_.stride_b, shape_.stride_c};
    reference_gemm(problem, batch, shape_.storage.input, o.a, o.b, reference.as<double>(), context.stream);
    const output_metrics m =
        compare_with_reference(shape_.storage.output, o.c, reference.as<double>(), c_count_, context.stream);
    return judge_output(m, gemm_tolerance(spec_.dtype, spec_.k), r);
  }

  output_view output() const override { return {shape_.storage.output, operands(0).c, c_count_}; }

 private:
  gemm_operands operands(int set) const {
    const auto in_bytes = storage_bytes(shape_.storage.input), out_bytes = storage_bytes(shape_.storage.output);
    return {static_cast<const char*>(a_->get()) + set * a_count_ * in_bytes,
            static_cast<const char*>(b_->get()) + set * b_count_ * in_bytes,
            static_cast<char*>(c_->get()) + set * c_count_ * out_bytes};
  }

  gemm_case_spec spec_;
  gemm_shape shape_;
  std::unique_ptr<gemm_impl> impl_;
  std::int64_t a_count_ = 0, b_count_ = 0, c_count_ = 0;
  std::optional<device_buffer> a_, b_, c_;
};

}  // namespace

std::vector<registered_case> gemm_suite_cases(const suite_table& table) {
  std::vector<registered_case> cases;
  for (const auto& spec : parse_gemm_suite(table))
    cases.push_back({gemm_case_id(spec), [spec] { return std::make_unique<gemm_case>(spec); }});
  return cases;
}

}  // namespace cubench
