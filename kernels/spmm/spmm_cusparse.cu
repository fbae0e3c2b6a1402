// The cuSPARSE implementation: cusparseSpMM with the suite's algorithm on A in CSR, in COO (row indices expanded
// from the offsets) or in blocked-ELL (16 x 16 blocks, converted on the host). The buffer comes from
// cusparseSpMM_bufferSize and cusparseSpMM_preprocess runs for the CSR algorithms, all in the first call, outside
// the timed region. A combination the library lacks returns CUSPARSE_STATUS_NOT_SUPPORTED, which the case
// registry records as not_supported with that status in the reason.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "cuda_call.cuh"
#include "cuda_resources.cuh"
#include "spmm_cases.hpp"

namespace cubench {
namespace {

constexpr int ell_block = 16;
// Blocked-ELL stores whole blocks and pads every block row to the widest: past this many stored values per
// entry the format is not a sensible choice for the matrix, and the case is not_supported.
constexpr double max_ell_values_per_entry = 64;

struct sparse_release {
  void operator()(cusparseSpMatDescr_t d) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cusparseDestroySpMat(d)); }
};
struct dense_release {
  void operator()(cusparseDnMatDescr_t d) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cusparseDestroyDnMat(d)); }
};
using sparse_descriptor = unique_handle<cusparseSpMatDescr_t, sparse_release>;
using dense_descriptor = unique_handle<cusparseDnMatDescr_t, dense_release>;

enum class sparse_format { csr, coo, blocked_ell };

struct algorithm_info {
  cusparseSpMMAlg_t id;
  const char* name;
  sparse_format format;
};

const algorithm_info& algorithm_of(const std::string& algorithm) {
  static const std::map<std::string, algorithm_info> table{
      {"default", {CUSPARSE_SPMM_ALG_DEFAULT, "CUSPARSE_SPMM_ALG_DEFAULT", sparse_format::csr}},
      {"csr_alg1", {CUSPARSE_SPMM_CSR_ALG1, "CUSPARSE_SPMM_CSR_ALG1", sparse_format::csr}},
      {"csr_alg2", {CUSPARSE_SPMM_CSR_ALG2, "CUSPARSE_SPMM_CSR_ALG2", sparse_format::csr}},
      {"csr_alg3", {CUSPARSE_SPMM_CSR_ALG3, "CUSPARSE_SPMM_CSR_ALG3", sparse_format::csr}},
      {"coo_alg1", {CUSPARSE_SPMM_COO_ALG1, "CUSPARSE_SPMM_COO_ALG1", sparse_format::coo}},
      {"coo_alg2", {CUSPARSE_SPMM_COO_ALG2, "CUSPARSE_SPMM_COO_ALG2", sparse_format::coo}},
      {"coo_alg3", {CUSPARSE_SPMM_COO_ALG3, "CUSPARSE_SPMM_COO_ALG3", sparse_format::coo}},
      {"coo_alg4", {CUSPARSE_SPMM_COO_ALG4, "CUSPARSE_SPMM_COO_ALG4", sparse_format::coo}},
      {"blocked_ell_alg1", {CUSPARSE_SPMM_BLOCKED_ELL_ALG1, "CUSPARSE_SPMM_BLOCKED_ELL_ALG1", sparse_format::blocked_ell}},
  };
  const auto it = table.find(algorithm);
  if (it == table.end()) throw std::invalid_argument("unknown cuSPARSE SpMM algorithm '" + algorithm + "'");
  return it->second;
}

cudaDataType value_type_of(storage_type storage) {
  switch (storage) {
    case storage_type::f64:
      return CUDA_R_64F;
    case storage_type::f32:
      return CUDA_R_32F;
    case storage_type::f16:
      return CUDA_R_16F;
    case storage_type::bf16:
      return CUDA_R_16BF;
    case storage_type::i8:
    case storage_type::i32:
      break;
  }
  throw std::invalid_argument("cuSPARSE SpMM cases take fp64, fp32, fp16 or bf16 values");
}

// Row index of every entry, from the offsets: the last row whose offset is at most the entry.
__global__ void expand_rows_kernel(const std::int32_t* __restrict__ offsets, std::int64_t rows, std::int64_t nnz,
                                   std::int32_t* __restrict__ out) {
  for (std::int64_t k = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; k < nnz;
       k += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    std::int64_t low = 0, high = rows;
    while (high - low > 1) {
      const std::int64_t mid = (low + high) / 2;
      if (offsets[mid] <= k)
        low = mid;
      else
        high = mid;
    }
    out[k] = static_cast<std::int32_t>(low);
  }
}

// Each entry's value into its place in the blocked-ELL value array (position computed on the host).
template <typename Bits>
__global__ void scatter_kernel(const Bits* __restrict__ values, const std::int64_t* __restrict__ position,
                               std::int64_t nnz, Bits* __restrict__ out) {
  for (std::int64_t k = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; k < nnz;
       k += static_cast<std::int64_t>(gridDim.x) * blockDim.x)
    out[position[k]] = values[k];
}

// Blocked-ELL layout of a CSR structure: each block row's distinct block columns, padded with -1 to the widest.
struct ell_layout {
  std::int64_t width_blocks = 0;
  std::vector<std::int32_t> block_columns;  // [rows / ell_block][width_blocks]
  std::vector<std::int64_t> position;       // each entry's index in the [rows][width_blocks ell_block] value array
};

ell_layout ell_layout_of(const csr_matrix& a) {
  ell_layout ell;
  const std::int64_t block_rows = a.rows / ell_block;
  std::vector<std::vector<std::int32_t>> columns(static_cast<std::size_t>(block_rows));
  for (std::int64_t br = 0; br < block_rows; ++br) {
    auto& list = columns[static_cast<std::size_t>(br)];
    for (auto k = a.row_offsets[static_cast<std::size_t>(br * ell_block)];
         k < a.row_offsets[static_cast<std::size_t>((br + 1) * ell_block)]; ++k)
      list.push_back(a.col_indices[static_cast<std::size_t>(k)] / ell_block);
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    ell.width_blocks = std::max<std::int64_t>(ell.width_blocks, static_cast<std::int64_t>(list.size()));
  }
  ell.block_columns.assign(static_cast<std::size_t>(block_rows * ell.width_blocks), -1);
  ell.position.resize(static_cast<std::size_t>(a.nnz()));
  const std::int64_t ell_cols = ell.width_blocks * ell_block;
  for (std::int64_t br = 0; br < block_rows; ++br) {
    const auto& list = columns[static_cast<std::size_t>(br)];
    std::copy(list.begin(), list.end(), ell.block_columns.begin() + br * ell.width_blocks);
    for (std::int64_t r = br * ell_block; r < (br + 1) * ell_block; ++r) {
      for (auto k = a.row_offsets[static_cast<std::size_t>(r)]; k < a.row_offsets[static_cast<std::size_t>(r + 1)]; ++k) {
        const std::int32_t col = a.col_indices[static_cast<std::size_t>(k)];
        const auto slot = std::lower_bound(list.begin(), list.end(), col / ell_block) - list.begin();
        ell.position[static_cast<std::size_t>(k)] = r * ell_cols + slot * ell_block + col % ell_block;
      }
    }
  }
  return ell;
}

std::string bytes_text(double bytes) { return std::to_string(static_cast<long long>(bytes / (1 << 20))) + " MiB"; }

class cusparse_spmm : public spmm_impl {
 public:
  cusparse_spmm(const spmm_shape& shape, const std::string& algorithm)
      : shape_(shape), algorithm_(algorithm_of(algorithm)), value_type_(value_type_of(shape.storage)) {
    compute_type_ = shape.storage == storage_type::f64 ? CUDA_R_64F : CUDA_R_32F;
  }

  void configure(case_context&) override {
    if (algorithm_.format != sparse_format::blocked_ell) return;
    if (shape_.rows % ell_block != 0 || shape_.cols % ell_block != 0)
      throw case_not_supported("blocked-ELL here takes " + std::to_string(ell_block) + " x " +
                               std::to_string(ell_block) + " blocks, which must tile A; A is " +
                               std::to_string(shape_.rows) + " x " + std::to_string(shape_.cols));
  }

  void prepare(case_context& context, const csr_matrix& host, const std::vector<spmm_operands>& sets) override {
    handle_ = context.handles->cusparse();
    bind(context.stream);
    if (algorithm_.format == sparse_format::blocked_ell) prepare_ell(host, context.stream);
    for (const auto& o : sets) {
      auto& s = *states_.emplace_back(std::make_unique<set_state>());
      s.a = sparse_descriptor(make_sparse(o, context.stream, s));
      s.b = dense_descriptor(make_dense(shape_.cols, const_cast<void*>(o.b)));
      s.c = dense_descriptor(make_dense(shape_.rows, o.c));
    }
    const set_state& first = *states_.front();
    BENCH_CUSPARSE_TRY(cusparseSpMM_bufferSize(handle_, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                               CUSPARSE_OPERATION_NON_TRANSPOSE, alpha(), first.a.get(), first.b.get(),
                                               beta(), first.c.get(), compute_type_, algorithm_.id, &buffer_bytes_));
    // The preprocessing may keep state in the buffer, so each input set gets its own.
    for (auto& s : states_) {
      s->buffer.emplace(std::max<std::size_t>(buffer_bytes_, 1));
      if (algorithm_.format == sparse_format::csr)
        BENCH_CUSPARSE_TRY(cusparseSpMM_preprocess(handle_, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                                   CUSPARSE_OPERATION_NON_TRANSPOSE, alpha(), s->a.get(), s->b.get(),
                                                   beta(), s->c.get(), compute_type_, algorithm_.id, s->buffer->get()));
    }
  }

  void launch(cudaStream_t stream, int set) override {
    bind(stream);
    const set_state& s = *states_[static_cast<std::size_t>(set)];
    BENCH_CUSPARSE_TRY(cusparseSpMM(handle_, CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE,
                                    alpha(), s.a.get(), s.b.get(), beta(), s.c.get(), compute_type_, algorithm_.id,
                                    s.buffer->get()));
  }

  void describe(case_context& context, result_record& record) const override {
    describe_library(*context.env, "cuSPARSE", "cusparse", record);
    record.algorithm = std::string(algorithm_.name) + " buffer=" + std::to_string(buffer_bytes_) + "B" +
                       (algorithm_.format == sparse_format::csr ? " preprocess=yes" : "") +
                       (algorithm_.format == sparse_format::blocked_ell
                            ? " ell_block=" + std::to_string(ell_block) + " ell_cols=" + std::to_string(ell_cols_)
                            : "");
  }

 private:
  struct set_state {
    sparse_descriptor a{nullptr};
    dense_descriptor b{nullptr}, c{nullptr};
    std::optional<device_buffer> rows;        // COO row indices
    std::optional<device_buffer> ell_values;  // blocked-ELL values
    std::optional<device_buffer> buffer;
  };

  const void* alpha() const { return compute_type_ == CUDA_R_64F ? static_cast<const void*>(&one_d_) : &one_f_; }
  const void* beta() const { return compute_type_ == CUDA_R_64F ? static_cast<const void*>(&zero_d_) : &zero_f_; }

  void bind(cudaStream_t stream) {
    if (stream == bound_) return;
    BENCH_CUSPARSE_TRY(cusparseSetStream(handle_, stream));
    bound_ = stream;
  }

  void prepare_ell(const csr_matrix& host, cudaStream_t stream) {
    const ell_layout layout = ell_layout_of(host);
    ell_cols_ = layout.width_blocks * ell_block;
    const double stored = static_cast<double>(shape_.rows) * static_cast<double>(ell_cols_);
    if (stored > max_ell_values_per_entry * static_cast<double>(std::max<std::int64_t>(1, shape_.nnz)))
      throw case_not_supported("blocked-ELL would store " + std::to_string(static_cast<long long>(stored)) +
                               " values for " + std::to_string(shape_.nnz) + " entries (the widest block row has " +
                               std::to_string(layout.width_blocks) + " blocks of " + std::to_string(ell_block) +
                               "); the limit is " + std::to_string(static_cast<int>(max_ell_values_per_entry)) +
                               " per entry, " + bytes_text(stored * storage_bytes(shape_.storage)) + " per set");
    ell_columns_.emplace(std::max<std::size_t>(layout.block_columns.size(), 1) * sizeof(std::int32_t));
    ell_position_.emplace(std::max<std::size_t>(layout.position.size(), 1) * sizeof(std::int64_t));
    BENCH_CUDA_TRY(cudaMemcpyAsync(ell_columns_->get(), layout.block_columns.data(),
                                   layout.block_columns.size() * sizeof(std::int32_t), cudaMemcpyHostToDevice, stream));
    BENCH_CUDA_TRY(cudaMemcpyAsync(ell_position_->get(), layout.position.data(),
                                   layout.position.size() * sizeof(std::int64_t), cudaMemcpyHostToDevice, stream));
    // The host vectors go away at return: the copies must be done by then.
    BENCH_CUDA_TRY(cudaStreamSynchronize(stream));
  }

  cusparseSpMatDescr_t make_sparse(const spmm_operands& o, cudaStream_t stream, set_state& s) {
    cusparseSpMatDescr_t d = nullptr;
    auto* offsets = const_cast<std::int32_t*>(o.a.row_offsets);
    auto* cols = const_cast<std::int32_t*>(o.a.col_indices);
    auto* values = const_cast<void*>(o.a.values);
    switch (algorithm_.format) {
      case sparse_format::csr:
        BENCH_CUSPARSE_TRY(cusparseCreateCsr(&d, shape_.rows, shape_.cols, shape_.nnz, offsets, cols, values,
                                             CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO,
                                             value_type_));
        break;
      case sparse_format::coo: {
        s.rows.emplace(static_cast<std::size_t>(std::max<std::int64_t>(shape_.nnz, 1)) * sizeof(std::int32_t));
        expand_rows_kernel<<<1024, 256, 0, stream>>>(o.a.row_offsets, shape_.rows, shape_.nnz, s.rows->as<std::int32_t>());
        BENCH_CUDA_TRY(cudaGetLastError());
        BENCH_CUSPARSE_TRY(cusparseCreateCoo(&d, shape_.rows, shape_.cols, shape_.nnz, s.rows->get(), cols, values,
                                             CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO, value_type_));
        break;
      }
      case sparse_format::blocked_ell: {
        const std::size_t count = static_cast<std::size_t>(shape_.rows * ell_cols_);
        const int bytes = storage_bytes(shape_.storage);
        s.ell_values.emplace(std::max<std::size_t>(count, 1) * static_cast<std::size_t>(bytes));
        BENCH_CUDA_TRY(cudaMemsetAsync(s.ell_values->get(), 0, count * static_cast<std::size_t>(bytes), stream));
        const auto* position = ell_position_->as<std::int64_t>();
        if (bytes == 8)
          scatter_kernel<<<1024, 256, 0, stream>>>(static_cast<const std::uint64_t*>(o.a.values), position, shape_.nnz,
                                                   s.ell_values->as<std::uint64_t>());
        else if (bytes == 4)
          scatter_kernel<<<1024, 256, 0, stream>>>(static_cast<const std::uint32_t*>(o.a.values), position, shape_.nnz,
                                                   s.ell_values->as<std::uint32_t>());
        else
          scatter_kernel<<<1024, 256, 0, stream>>>(static_cast<const std::uint16_t*>(o.a.values), position, shape_.nnz,
                                                   s.ell_values->as<std::uint16_t>());
        BENCH_CUDA_TRY(cudaGetLastError());
        BENCH_CUSPARSE_TRY(cusparseCreateBlockedEll(&d, shape_.rows, shape_.cols, ell_block, ell_cols_,
                                                    ell_columns_->get(), s.ell_values->get(), CUSPARSE_INDEX_32I,
                                                    CUSPARSE_INDEX_BASE_ZERO, value_type_));
        break;
      }
    }
    return d;
  }

  cusparseDnMatDescr_t make_dense(std::int64_t rows, void* values) {
    const bool row_major = shape_.order == dense_order::row_major;
    cusparseDnMatDescr_t d = nullptr;
    BENCH_CUSPARSE_TRY(cusparseCreateDnMat(&d, rows, shape_.n, row_major ? shape_.n : rows, values, value_type_,
                                           row_major ? CUSPARSE_ORDER_ROW : CUSPARSE_ORDER_COL));
    return d;
  }

  spmm_shape shape_;
  const algorithm_info& algorithm_;
  cudaDataType value_type_;
  cudaDataType compute_type_;
  float one_f_ = 1.0f, zero_f_ = 0.0f;
  double one_d_ = 1.0, zero_d_ = 0.0;
  cusparseHandle_t handle_ = nullptr;
  cudaStream_t bound_ = nullptr;
  std::size_t buffer_bytes_ = 0;
  std::int64_t ell_cols_ = 0;
  std::optional<device_buffer> ell_columns_, ell_position_;
  std::vector<std::unique_ptr<set_state>> states_;
};

}  // namespace

std::unique_ptr<spmm_impl> make_cusparse_spmm(const spmm_shape& shape, const std::string& algorithm) {
  return std::make_unique<cusparse_spmm>(shape, algorithm);
}

}  // namespace cubench
