// An SpMM suite row as a bench_case: the matrix loaded or generated once for consecutive cases, its structure
// uploaded with seeded random values, seeded B, C poisoned, the first call's output checked element by element
// against the fp64 reference.
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "cuda_call.cuh"
#include "reference/gemm_reference.cuh"
#include "reference/output_verdict.hpp"
#include "reference/spmm_reference.cuh"
#include "spmm_cases.hpp"
#include "statistics.hpp"

namespace cubench {
namespace {

std::string& matrix_dir_setting() {
  static std::string dir;
  return dir;
}

// The last matrix used: suites group their rows by matrix, so consecutive cases share one load or generation.
std::shared_ptr<const csr_matrix> shared_matrix(const std::string& matrix) {
  static std::string key;
  static std::shared_ptr<const csr_matrix> cached;
  const std::string wanted = matrix + "\n" + matrix_dir_setting();
  if (cached && key == wanted) return cached;
  // The previous matrix goes first: either may take gigabytes.
  cached.reset();
  key.clear();
  cached = std::make_shared<const csr_matrix>(load_spmm_matrix(matrix, matrix_dir_setting()));
  key = wanted;
  return cached;
}

std::string mib(double bytes) { return std::to_string(static_cast<long long>(bytes / (1 << 20) + 0.5)) + " MiB"; }

class spmm_case : public bench_case {
 public:
  explicit spmm_case(spmm_case_spec spec) : spec_(std::move(spec)) {}

  void identify(result_record& r) const override {
    r.case_id = spmm_case_id(spec_);
    r.family = "spmm";
    r.impl = spec_.impl;
    r.variant = spec_.algorithm;
    r.dtype = spec_.dtype;
    r.params = spmm_params(spec_);
  }

  void configure(case_context& context) override {
    matrix_ = shared_matrix(spec_.matrix);
    const csr_matrix& a = *matrix_;
    constexpr std::int64_t index_limit = std::numeric_limits<std::int32_t>::max();
    if (a.nnz() > index_limit || a.rows >= index_limit)
      throw case_not_supported("A has " + std::to_string(a.rows) + " rows and " + std::to_string(a.nnz()) +
                               " entries; the SpMM cases index with 32 bits (at most " + std::to_string(index_limit) +
                               " entries)");
    shape_.dtype = spec_.dtype;
    shape_.storage = gemm_storage_of(spec_.dtype).input;
    shape_.order = spec_.layout == "row" ? dense_order::row_major : dense_order::col_major;
    shape_.rows = a.rows;
    shape_.cols = a.cols;
    shape_.nnz = a.nnz();
    shape_.n = spec_.n;
    const row_length_stats lengths = row_lengths(a);
    shape_.longest_row = lengths.max;
    shape_.mean_row = lengths.mean;
    impl_ = spec_.impl == "cusparse" ? make_cusparse_spmm(shape_, spec_.algorithm) : make_inhouse_spmm(shape_, spec_.algorithm);
    impl_->configure(context);
  }

  double working_set_bytes() const override { return spmm_min_bytes(spec_, shape_.rows, shape_.cols, shape_.nnz); }

  void allocate(case_context& context, int input_sets) override {
    const auto value_bytes = static_cast<std::size_t>(storage_bytes(shape_.storage));
    const auto offsets_bytes = static_cast<std::size_t>(shape_.rows + 1) * sizeof(std::int32_t);
    const auto cols_bytes = static_cast<std::size_t>(shape_.nnz) * sizeof(std::int32_t);
    const auto values_bytes = static_cast<std::size_t>(shape_.nnz) * value_bytes;
    const auto b_bytes = static_cast<std::size_t>(shape_.cols * shape_.n) * value_bytes;
    const auto c_bytes = static_cast<std::size_t>(shape_.rows * shape_.n) * value_bytes;
    check_memory(input_sets, static_cast<double>(offsets_bytes + cols_bytes + values_bytes),
                 static_cast<double>(b_bytes), static_cast<double>(c_bytes));

    std::vector<std::int32_t> offsets(matrix_->row_offsets.begin(), matrix_->row_offsets.end());
    const std::uint64_t seed = seed_from_text(spec_.dtype + "/" + spmm_params(spec_));
    for (int set = 0; set < input_sets; ++set) {
      storage& s = sets_.emplace_back(offsets_bytes, cols_bytes, values_bytes, b_bytes, c_bytes);
      if (set == 0) {
        BENCH_CUDA_TRY(cudaMemcpyAsync(s.offsets.get(), offsets.data(), offsets_bytes, cudaMemcpyHostToDevice,
                                       context.stream));
        BENCH_CUDA_TRY(cudaMemcpyAsync(s.cols.get(), matrix_->col_indices.data(), cols_bytes, cudaMemcpyHostToDevice,
                                       context.stream));
      } else {
        BENCH_CUDA_TRY(cudaMemcpyAsync(s.offsets.get(), sets_[0].offsets.get(), offsets_bytes,
                                       cudaMemcpyDeviceToDevice, context.stream));
        BENCH_CUDA_TRY(cudaMemcpyAsync(s.cols.get(), sets_[0].cols.get(), cols_bytes, cudaMemcpyDeviceToDevice,
                                       context.stream));
      }
      const auto set_seed = seed + 2 * static_cast<std::uint64_t>(set);
      fill_random(shape_.storage, s.values.get(), shape_.nnz, set_seed, context.stream);
      fill_random(shape_.storage, s.b.get(), shape_.cols * shape_.n, set_seed + 1, context.stream);
      operands_.push_back({{s.offsets.as<std::int32_t>(), s.cols.as<std::int32_t>(), s.values.get()}, s.b.get(),
                           s.c.get()});
    }
    // The host copy of the offsets goes away at return.
    BENCH_CUDA_TRY(cudaStreamSynchronize(context.stream));
    fill_poison(shape_.storage, sets_[0].c.get(), shape_.rows * shape_.n, context.stream);
  }

  void prepare(case_context& context) override { impl_->prepare(context, *matrix_, operands_); }

  void launch(cudaStream_t stream, int set) override { impl_->launch(stream, set); }

  // The counted work depends on the matrix, known only once configure has loaded it.
  void describe(case_context& context, result_record& r) const override {
    impl_->describe(context, r);
    r.flop = spmm_flop(spec_, shape_.nnz);
    r.bytes = working_set_bytes();
  }

  std::string verify(case_context& context, result_record& r) override {
    const output_metrics m = compare_spmm_with_reference(problem(), shape_.storage, operands_[0].c, context.stream);
    return judge_output(m, spmm_tolerance(spec_.dtype, shape_.longest_row), r);
  }

  output_view output() const override { return {shape_.storage, sets_[0].c.get(), shape_.rows * shape_.n}; }

 private:
  // One input set's device memory.
  struct storage {
    storage(std::size_t offsets_bytes, std::size_t cols_bytes, std::size_t values_bytes, std::size_t b_bytes,
            std::size_t c_bytes)
        : offsets(offsets_bytes), cols(std::max<std::size_t>(cols_bytes, 1)), values(std::max<std::size_t>(values_bytes, 1)),
          b(b_bytes), c(c_bytes) {}
    device_buffer offsets, cols, values, b, c;
  };

  spmm_problem problem() const {
    const spmm_operands& o = operands_[0];
    return {o.a.row_offsets, o.a.col_indices, o.a.values, o.b, shape_.storage, shape_.rows, shape_.cols, shape_.n,
            shape_.order};
  }

  // Dense operands of any width are allowed; one that does not fit is out_of_memory with the sizes, before any
  // allocation fails halfway.
  void check_memory(int input_sets, double a_bytes, double b_bytes, double c_bytes) const {
    std::size_t free_bytes = 0, total_bytes = 0;
    BENCH_CUDA_TRY(cudaMemGetInfo(&free_bytes, &total_bytes));
    const spmm_problem sizes{nullptr, nullptr, nullptr, nullptr, shape_.storage, shape_.rows, shape_.cols, shape_.n,
                             shape_.order};
    const double check = spmm_check_bytes(sizes);
    const double need = input_sets * (a_bytes + b_bytes + c_bytes) + check;
    if (need <= static_cast<double>(free_bytes)) return;
    throw cuda_error(call_site{"allocate A, B and C", __FILE__, __LINE__}, "cudaErrorMemoryAllocation",
                     "A " + mib(a_bytes) + ", B " + mib(b_bytes) + " and C " + mib(c_bytes) + " per input set x " +
                         std::to_string(input_sets) + ", and the output check's " + mib(check) + ", need " +
                         mib(need) + "; the GPU has " + mib(static_cast<double>(free_bytes)) + " free of " +
                         mib(static_cast<double>(total_bytes)));
  }

  spmm_case_spec spec_;
  std::shared_ptr<const csr_matrix> matrix_;
  spmm_shape shape_;
  std::unique_ptr<spmm_impl> impl_;
  std::vector<storage> sets_;
  std::vector<spmm_operands> operands_;
};

}  // namespace

void set_matrix_dir(const std::string& dir) { matrix_dir_setting() = dir; }

std::vector<registered_case> spmm_suite_cases(const suite_table& table) {
  std::vector<registered_case> cases;
  for (const auto& spec : parse_spmm_suite(table))
    cases.push_back({spmm_case_id(spec), [spec] { return std::make_unique<spmm_case>(spec); }});
  return cases;
}

}  // namespace cubench
