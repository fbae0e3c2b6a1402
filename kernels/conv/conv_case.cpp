// A conv suite row as a bench_case: seeded inputs, rotation among input sets, the first call's output compared
// with the fp64 reference.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "conv_cases.hpp"
#include "cuda_call.cuh"
#include "reference/conv_reference.cuh"
#include "reference/gemm_reference.cuh"
#include "reference/output_verdict.hpp"
#include "statistics.hpp"

namespace cubench {
namespace {

class conv_case : public bench_case {
 public:
  explicit conv_case(conv_case_spec spec)
      : spec_(std::move(spec)),
        type_(gemm_storage_of(spec_.dtype).input),
        counts_{element_count(input_extents(spec_.geometry)), element_count(filter_extents(spec_.geometry)),
                element_count(output_extents(spec_.geometry))} {}

  void identify(result_record& r) const override {
    r.case_id = conv_case_id(spec_);
    r.family = "conv";
    r.impl = spec_.impl;
    r.variant = conv_variant(spec_);
    r.dtype = spec_.dtype;
    r.params = conv_params(spec_);
    r.flop = conv_flop(spec_.geometry);
    r.bytes = conv_min_bytes(spec_.geometry, conv_element_bytes(spec_.dtype));
  }

  void configure(case_context& context) override {
    if (spec_.impl == "cudnn")
      impl_ = make_cudnn_conv(spec_);
    else if (spec_.impl == "im2col_cublas")
      impl_ = make_im2col_cublas_conv(spec_);
    else
      impl_ = make_inhouse_conv(spec_);
    impl_->configure(context);
  }

  double working_set_bytes() const override { return conv_min_bytes(spec_.geometry, conv_element_bytes(spec_.dtype)); }

  void allocate(case_context& context, int input_sets) override {
    for (int t = 0; t < 3; ++t) buffers_[t].emplace(set_bytes(t) * static_cast<std::size_t>(input_sets));
    // The seed depends on the dtype and shape only, so every impl of a shape convolves the same inputs.
    const std::uint64_t seed = seed_from_text(spec_.dtype + "/" + conv_params(spec_));
    const int out = output_tensor();
    for (int set = 0; set < input_sets; ++set) {
      for (int t = 0; t < 3; ++t) {
        if (t == out) continue;
        fill_random(type_, tensor(t, set), counts_[t], seed + 3 * static_cast<std::uint64_t>(set) + t, context.stream);
      }
    }
    fill_poison(type_, tensor(out, 0), counts_[out], context.stream);
  }

  void prepare(case_context& context) override {
    impl_->prepare(context, operands(0));
    // The search ran every candidate plan into set 0's output: poison it again, so that elements the chosen
    // plan leaves unwritten still show.
    if (spec_.algo == "searched") {
      const int out = output_tensor();
      fill_poison(type_, tensor(out, 0), counts_[out], context.stream);
    }
  }

  void launch(cudaStream_t stream, int set) override { impl_->launch(stream, operands(set)); }

  void describe(case_context& context, result_record& record) const override { impl_->describe(context, record); }

  std::string verify(case_context& context, result_record& r) override {
    const int out = output_tensor();
    const device_buffer reference(static_cast<std::size_t>(counts_[out]) * sizeof(double));
    const conv_operands o = operands(0);
    const void* first = spec_.direction == conv_direction::bwd_data ? o.y : o.x;
    const void* second = spec_.direction == conv_direction::bwd_filter ? o.y : o.w;
    reference_conv(spec_.geometry, spec_.layout, spec_.direction, type_, first, second, reference.as<double>(),
                   context.stream);
    const output_metrics m =
        compare_with_reference(type_, tensor(out, 0), reference.as<double>(), counts_[out], context.stream);
    const double tolerance =
        conv_tolerance(spec_.dtype, conv_reduction_length(spec_.geometry, spec_.direction), impl_->summation());
    return judge_output(m, tolerance, r);
  }

  output_view output() const override {
    const int out = output_tensor();
    return {type_, tensor(out, 0), counts_[out]};
  }

 private:
  static constexpr int x_tensor = 0, w_tensor = 1, y_tensor = 2;

  int output_tensor() const {
    switch (spec_.direction) {
      case conv_direction::fwd:
        return y_tensor;
      case conv_direction::bwd_data:
        return x_tensor;
      case conv_direction::bwd_filter:
        return w_tensor;
    }
    return y_tensor;
  }

  // Every input set of a tensor starts on a 256-byte boundary, as a fresh cudaMalloc does, so that libraries see
  // the alignment a framework's tensors have whichever set a launch reads (conv_cudnn.cpp declares it to cuDNN).
  std::size_t set_bytes(int t) const {
    constexpr std::size_t alignment = 256;
    const std::size_t bytes = static_cast<std::size_t>(counts_[t]) * static_cast<std::size_t>(storage_bytes(type_));
    return (bytes + alignment - 1) / alignment * alignment;
  }

  void* tensor(int t, int set) const {
    return static_cast<char*>(buffers_[t]->get()) + static_cast<std::size_t>(set) * set_bytes(t);
  }

  conv_operands operands(int set) const { return {tensor(x_tensor, set), tensor(w_tensor, set), tensor(y_tensor, set)}; }

  conv_case_spec spec_;
  storage_type type_;
  std::int64_t counts_[3];
  std::optional<device_buffer> buffers_[3];
  std::unique_ptr<conv_impl> impl_;
};

}  // namespace

std::vector<registered_case> conv_suite_cases(const suite_table& table) {
  std::vector<registered_case> cases;
  for (const auto& spec : parse_conv_suite(table))
    cases.push_back({conv_case_id(spec), [spec] { return std::make_unique<conv_case>(spec); }});
  return cases;
}

}  // namespace cubench
