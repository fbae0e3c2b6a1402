// The im2col + cuBLAS implementation: a kernel copies x into the im2col matrices of
// bench/im2col_indexing.hpp, and cuBLAS multiplies them with the filters, the way frameworks lowered
// convolutions before cuDNN (and still do where it is missing). Forward only; every toolkit runs it.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "conv_cases.hpp"
#include "cuda_call.cuh"
#include "gemm/gemm_library_types.hpp"
#include "im2col_indexing.hpp"
#include "reference/storage_type.hpp"

namespace cubench {
namespace {

// The im2col matrices may take this much device memory at most.
constexpr double max_col_bytes = 8.0 * (1 << 30);
constexpr int im2col_threads = 128;

// The kernels copy elements as raw bits (std::uint16_t or std::uint32_t): padding is +0.0 in every type.

// Block (m, group) writes row m of the group's matrix: the r s c entries of output pixel m, c fastest.
template <typename T>
__global__ void im2col_nhwc_kernel(conv_geometry g, tensor_strides xs, const T* __restrict__ x, T* __restrict__ col) {
  const std::int64_t m = blockIdx.x, group = blockIdx.y, rows = gridDim.x;
  const int cg = static_cast<int>(g.c / g.groups), cols = static_cast<int>(g.r * g.s) * cg;
  const output_pixel pixel = output_pixel_of(g, m);
  T* out = col + (group * rows + m) * cols;
  for (int entry = static_cast<int>(threadIdx.x); entry < cols; entry += blockDim.x) {
    const filter_tap tap = channel_fastest_tap(entry, static_cast<int>(g.s), cg);
    const std::int64_t source = conv_source_offset(g, xs, pixel, group * cg + tap.c, tap.r, tap.s);
    out[entry] = source < 0 ? T{0} : x[source];
  }
}

// Block (row, group, n) writes one row (a tap (c, r, s)) of image n's matrix for the group: its p q outputs.
template <typename T>
__global__ void im2col_nchw_kernel(conv_geometry g, tensor_strides xs, const T* __restrict__ x, T* __restrict__ col) {
  const std::int64_t row = blockIdx.x, group = blockIdx.y, n = blockIdx.z, rows = gridDim.x;
  const int q_count = static_cast<int>(conv_output_w(g)), cols = static_cast<int>(conv_output_h(g)) * q_count;
  const std::int64_t cg = g.c / g.groups;
  const filter_tap tap = channel_slowest_tap(static_cast<int>(row), static_cast<int>(g.r), static_cast<int>(g.s));
  T* out = col + ((n * g.groups + group) * rows + row) * cols;
  for (int pq = static_cast<int>(threadIdx.x); pq < cols; pq += blockDim.x) {
    const int p = pq / q_count;
    const std::int64_t source = conv_source_offset(g, xs, {n, p, pq - p * q_count}, group * cg + tap.c, tap.r, tap.s);
    out[pq] = source < 0 ? T{0} : x[source];
  }
}

template <typename T>
void launch_im2col(const conv_geometry& g, conv_layout layout, const void* x, void* col, cudaStream_t stream) {
  const tensor_strides xs = dense_strides(layout, input_extents(g));
  const im2col_shape shape = im2col_shape_of(g, layout);
  if (layout == conv_layout::nhwc) {
    const dim3 grid(static_cast<unsigned>(shape.rows), static_cast<unsigned>(g.groups));
    im2col_nhwc_kernel<T><<<grid, im2col_threads, 0, stream>>>(g, xs, static_cast<const T*>(x), static_cast<T*>(col));
  } else {
    const dim3 grid(static_cast<unsigned>(shape.rows), static_cast<unsigned>(g.groups), static_cast<unsigned>(g.n));
    im2col_nchw_kernel<T><<<grid, im2col_threads, 0, stream>>>(g, xs, static_cast<const T*>(x), static_cast<T*>(col));
  }
  BENCH_CUDA_TRY(cudaGetLastError());
}

class im2col_cublas_conv : public conv_impl {
 public:
  explicit im2col_cublas_conv(const conv_case_spec& spec)
      : spec_(spec),
        type_(gemm_storage_of(spec.dtype).input),
        types_(gemm_library_types_of(spec.dtype)),
        scalars_(types_.scale) {}

  void configure(case_context&) override {
    const conv_geometry& g = spec_.geometry;
    const im2col_shape shape = im2col_shape_of(g, spec_.layout);
    const double col_bytes = static_cast<double>(shape.matrices * shape.rows) * static_cast<double>(shape.cols) *
                             storage_bytes(type_);
    if (col_bytes > max_col_bytes)
      throw case_not_supported("the im2col matrices would take " + std::to_string(col_bytes / (1 << 30)) +
                               " GiB, more than the 8 GiB allowed");
    constexpr std::int64_t int_max = std::numeric_limits<int>::max();
    if (shape.rows > int_max || shape.cols > int_max || g.groups > 65535)
      throw case_not_supported("the im2col matrices exceed cuBLAS's 32-bit dimensions or the kernel's grid");
    col_.emplace(static_cast<std::size_t>(col_bytes));
  }

  void prepare(case_context& context, const conv_operands&) override {
    handle_ = context.handles->cublas();
    workspace_ = context.handles->workspace();
    bind(context.stream);
  }

  void launch(cudaStream_t stream, const conv_operands& o) override {
    bind(stream);
    if (storage_bytes(type_) == 4)
      launch_im2col<std::uint32_t>(spec_.geometry, spec_.layout, o.x, col_->get(), stream);
    else
      launch_im2col<std::uint16_t>(spec_.geometry, spec_.layout, o.x, col_->get(), stream);
    if (spec_.layout == conv_layout::nhwc)
      multiply_nhwc(o);
    else
      multiply_nchw(o);
  }

  void describe(case_context& context, result_record& record) const override {
    describe_library(*context.env, "cuBLAS", "cublas", record);
  }

  conv_summation summation() const override { return conv_summation::direct; }

 private:
  // y as [n p q][k] = the group's matrix [n p q][r s c] times its KRSC filters transposed; in cuBLAS's
  // column-major terms y^T (k x npq, ld k) = W^T (op T of depth x kg, ld depth) col^T (depth x npq).
  void multiply_nhwc(const conv_operands& o) {
    const conv_geometry& g = spec_.geometry;
    const im2col_shape shape = im2col_shape_of(g, spec_.layout);
    const int kg = static_cast<int>(filters_per_group(g)), npq = static_cast<int>(shape.rows),
              depth = static_cast<int>(shape.cols), ldc = static_cast<int>(g.k);
    if (g.groups == 1) {
      BENCH_CUBLAS_TRY(cublasGemmEx(handle_, CUBLAS_OP_T, CUBLAS_OP_N, kg, npq, depth, scalars_.alpha(), o.w, types_.ab,
                                    depth, col_->get(), types_.ab, depth, scalars_.beta(), o.y, types_.c, ldc,
                                    types_.compute, CUBLAS_GEMM_DEFAULT));
      return;
    }
    BENCH_CUBLAS_TRY(cublasGemmStridedBatchedEx(
        handle_, CUBLAS_OP_T, CUBLAS_OP_N, kg, npq, depth, scalars_.alpha(), o.w, types_.ab, depth,
        static_cast<long long>(kg) * depth, col_->get(), types_.ab, depth, static_cast<long long>(npq) * depth,
        scalars_.beta(), o.y, types_.c, ldc, kg, static_cast<int>(g.groups), types_.compute, CUBLAS_GEMM_DEFAULT));
  }

  // y of image n as [k][p q] = the group's KCRS filters times the image's matrix [c r s][p q]; column-major,
  // y_n^T (pq x kg, ld pq) = col^T (pq x depth, ld pq) W^T (depth x kg, ld depth), batched over images.
  void multiply_nchw(const conv_operands& o) {
    const conv_geometry& g = spec_.geometry;
    const im2col_shape shape = im2col_shape_of(g, spec_.layout);
    const int kg = static_cast<int>(filters_per_group(g)), pq = static_cast<int>(shape.cols),
              depth = static_cast<int>(shape.rows);
    const std::size_t element = static_cast<std::size_t>(storage_bytes(type_));
    for (std::int64_t group = 0; group < g.groups; ++group) {
      const char* a = static_cast<const char*>(col_->get()) + element * static_cast<std::size_t>(group * depth * pq);
      const char* b = static_cast<const char*>(o.w) + element * static_cast<std::size_t>(group * kg * depth);
      char* c = static_cast<char*>(o.y) + element * static_cast<std::size_t>(group * kg * pq);
      if (g.n == 1 && g.groups == 1) {
        BENCH_CUBLAS_TRY(cublasGemmEx(handle_, CUBLAS_OP_N, CUBLAS_OP_N, pq, kg, depth, scalars_.alpha(), a, types_.ab,
                                      pq, b, types_.ab, depth, scalars_.beta(), c, types_.c, pq, types_.compute,
                                      CUBLAS_GEMM_DEFAULT));
        continue;
      }
      BENCH_CUBLAS_TRY(cublasGemmStridedBatchedEx(
          handle_, CUBLAS_OP_N, CUBLAS_OP_N, pq, kg, depth, scalars_.alpha(), a, types_.ab, pq,
          static_cast<long long>(g.groups) * depth * pq, b, types_.ab, depth, 0, scalars_.beta(), c, types_.c, pq,
          static_cast<long long>(g.k) * pq, static_cast<int>(g.n), types_.compute, CUBLAS_GEMM_DEFAULT));
    }
  }

  // cublasSetStream drops a workspace set before it, so the two go together, and only on a change of stream.
  void bind(cudaStream_t stream) {
    if (stream == bound_) return;
    BENCH_CUBLAS_TRY(cublasSetStream(handle_, stream));
    BENCH_CUBLAS_TRY(cublasSetWorkspace(handle_, workspace_, library_handles::workspace_bytes));
    bound_ = stream;
  }

  conv_case_spec spec_;
  storage_type type_;
  gemm_library_types types_;
  gemm_scalars scalars_;
  std::optional<device_buffer> col_;
  cublasHandle_t handle_ = nullptr;
  void* workspace_ = nullptr;
  cudaStream_t bound_ = nullptr;
};

}  // namespace

std::unique_ptr<conv_impl> make_im2col_cublas_conv(const conv_case_spec& spec) {
  return std::make_unique<im2col_cublas_conv>(spec);
}

}  // namespace cubench
