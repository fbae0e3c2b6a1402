// The cuDNN implementation: the legacy convolution API (in cuDNN 9's cnn library, as PyTorch's v7 path uses
// it), forward, backward data and backward filter. The algorithm is cuDNN's heuristic's first choice
// (cudnnGet*Algorithm_v7) or its measured search's fastest (cudnnFind*AlgorithmEx), among those that fit the
// workspace cap; the `algorithm` column records it with its math type, since a regression is often a
// different choice. fp32 runs with CUDNN_FMA_MATH and only accepts FMA algorithms, so that it never becomes
// TF32; tf32 runs with CUDNN_DEFAULT_MATH, which permits TF32 tensor cores (as PyTorch's allow_tf32 does).
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "conv_cases.hpp"
#include "cuda_call.cuh"

namespace cubench {
namespace {

#if CUBENCH_HAVE_CUDNN

// cuDNN gets as much workspace as it asks for, up to this.
constexpr std::size_t workspace_cap = std::size_t{1} << 30;

struct tensor_release {
  void operator()(cudnnTensorDescriptor_t d) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cudnnDestroyTensorDescriptor(d)); }
};
struct filter_release {
  void operator()(cudnnFilterDescriptor_t d) const noexcept { BENCH_CUDA_TRY_NOEXCEPT(cudnnDestroyFilterDescriptor(d)); }
};
struct convolution_release {
  void operator()(cudnnConvolutionDescriptor_t d) const noexcept {
    BENCH_CUDA_TRY_NOEXCEPT(cudnnDestroyConvolutionDescriptor(d));
  }
};
using tensor_descriptor = unique_handle<cudnnTensorDescriptor_t, tensor_release>;
using filter_descriptor = unique_handle<cudnnFilterDescriptor_t, filter_release>;
using convolution_descriptor = unique_handle<cudnnConvolutionDescriptor_t, convolution_release>;

// The descriptors of one case: x (or dx), w (or dw), y (or dy) and the convolution.
struct descriptors {
  tensor_descriptor x{nullptr}, y{nullptr};
  filter_descriptor w{nullptr};
  convolution_descriptor conv{nullptr};
};

const char* math_name(cudnnMathType_t math) {
  switch (math) {
    case CUDNN_DEFAULT_MATH:
      return "DEFAULT_MATH";
    case CUDNN_TENSOR_OP_MATH:
      return "TENSOR_OP_MATH";
    case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION:
      return "TENSOR_OP_MATH_ALLOW_CONVERSION";
    case CUDNN_FMA_MATH:
      return "FMA_MATH";
  }
  return "unknown_math";
}

// Each direction's entry points, algorithm enum and the names cuDNN's headers give its algorithms.
struct forward_api {
  using algo_t = cudnnConvolutionFwdAlgo_t;
  using perf_t = cudnnConvolutionFwdAlgoPerf_t;
  static int max_count(cudnnHandle_t handle) {
    int count = 0;
    BENCH_CUDNN_TRY(cudnnGetConvolutionForwardAlgorithmMaxCount(handle, &count));
    return count;
  }
  static void heuristic(cudnnHandle_t handle, const descriptors& d, std::vector<perf_t>& perf, int* found) {
    BENCH_CUDNN_TRY(cudnnGetConvolutionForwardAlgorithm_v7(handle, d.x.get(), d.w.get(), d.conv.get(), d.y.get(),
                                                           static_cast<int>(perf.size()), found, perf.data()));
  }
  static void search(cudnnHandle_t handle, const descriptors& d, const conv_operands& o, std::vector<perf_t>& perf,
                     int* found, void* workspace, std::size_t bytes) {
    BENCH_CUDNN_TRY(cudnnFindConvolutionForwardAlgorithmEx(handle, d.x.get(), o.x, d.w.get(), o.w, d.conv.get(),
                                                           d.y.get(), o.y, static_cast<int>(perf.size()), found,
                                                           perf.data(), workspace, bytes));
  }
  static void run(cudnnHandle_t handle, const descriptors& d, const conv_operands& o, algo_t algo, void* workspace,
                  std::size_t bytes, const float* alpha, const float* beta) {
    BENCH_CUDNN_TRY(cudnnConvolutionForward(handle, alpha, d.x.get(), o.x, d.w.get(), o.w, d.conv.get(), algo,
                                            workspace, bytes, beta, d.y.get(), o.y));
  }
  static bool transform(algo_t algo) {
    return algo == CUDNN_CONVOLUTION_FWD_ALGO_FFT || algo == CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING ||
           algo == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD || algo == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED;
  }
  static std::string name(algo_t algo) {
    switch (algo) {
      case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM:
        return "IMPLICIT_GEMM";
      case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM:
        return "IMPLICIT_PRECOMP_GEMM";
      case CUDNN_CONVOLUTION_FWD_ALGO_GEMM:
        return "GEMM";
      case CUDNN_CONVOLUTION_FWD_ALGO_DIRECT:
        return "DIRECT";
      case CUDNN_CONVOLUTION_FWD_ALGO_FFT:
        return "FFT";
      case CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING:
        return "FFT_TILING";
      case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD:
        return "WINOGRAD";
      case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED:
        return "WINOGRAD_NONFUSED";
      default:
        return "FWD_ALGO_" + std::to_string(static_cast<int>(algo));
    }
  }
};

struct backward_data_api {
  using algo_t = cudnnConvolutionBwdDataAlgo_t;
  using perf_t = cudnnConvolutionBwdDataAlgoPerf_t;
  static int max_count(cudnnHandle_t handle) {
    int count = 0;
    BENCH_CUDNN_TRY(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(handle, &count));
    return count;
  }
  static void heuristic(cudnnHandle_t handle, const descriptors& d, std::vector<perf_t>& perf, int* found) {
    BENCH_CUDNN_TRY(cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, d.w.get(), d.y.get(), d.conv.get(), d.x.get(),
                                                                static_cast<int>(perf.size()), found, perf.data()));
  }
  static void search(cudnnHandle_t handle, const descriptors& d, const conv_operands& o, std::vector<perf_t>& perf,
                     int* found, void* workspace, std::size_t bytes) {
    BENCH_CUDNN_TRY(cudnnFindConvolutionBackwardDataAlgorithmEx(handle, d.w.get(), o.w, d.y.get(), o.y, d.conv.get(),
                                                                d.x.get(), o.x, static_cast<int>(perf.size()), found,
                                                                perf.data(), workspace, bytes));
  }
  static void run(cudnnHandle_t handle, const descriptors& d, const conv_operands& o, algo_t algo, void* workspace,
                  std::size_t bytes, const float* alpha, const float* beta) {
    BENCH_CUDNN_TRY(cudnnConvolutionBackwardData(handle, alpha, d.w.get(), o.w, d.y.get(), o.y, d.conv.get(), algo,
                                                 workspace, bytes, beta, d.x.get(), o.x));
  }
  static bool transform(algo_t algo) {
    return algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT || algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING ||
           algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD || algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED;
  }
  static std::string name(algo_t algo) {
    switch (algo) {
      case CUDNN_CONVOLUTION_BWD_DATA_ALGO_0:
        return "BWD_DATA_ALGO_0";
      case CUDNN_CONVOLUTION_BWD_DATA_ALGO_1:
        return "BWD_DATA_ALGO_1";
      case CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT:
        return "FFT";
      case CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING:
        return "FFT_TILING";
      case CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD:
        return "WINOGRAD";
      case CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED:
        return "WINOGRAD_NONFUSED";
      default:
        return "BWD_DATA_ALGO_" + std::to_string(static_cast<int>(algo));
    }
  }
};

struct backward_filter_api {
  using algo_t = cudnnConvolutionBwdFilterAlgo_t;
  using perf_t = cudnnConvolutionBwdFilterAlgoPerf_t;
  static int max_count(cudnnHandle_t handle) {
    int count = 0;
    BENCH_CUDNN_TRY(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(handle, &count));
    return count;
  }
  static void heuristic(cudnnHandle_t handle, const descriptors& d, std::vector<perf_t>& perf, int* found) {
    BENCH_CUDNN_TRY(cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, d.x.get(), d.y.get(), d.conv.get(), d.w.get(),
                                                                  static_cast<int>(perf.size()), found, perf.data()));
  }
  static void search(cudnnHandle_t handle, const descriptors& d, const conv_operands& o, std::vector<perf_t>& perf,
                     int* found, void* workspace, std::size_t bytes) {
    BENCH_CUDNN_TRY(cudnnFindConvolutionBackwardFilterAlgorithmEx(handle, d.x.get(), o.x, d.y.get(), o.y, d.conv.get(),
                                                                  d.w.get(), o.w, static_cast<int>(perf.size()), found,
                                                                  perf.data(), workspace, bytes));
  }
  static void run(cudnnHandle_t handle, const descriptors& d, const conv_operands& o, algo_t algo, void* workspace,
                  std::size_t bytes, const float* alpha, const float* beta) {
    BENCH_CUDNN_TRY(cudnnConvolutionBackwardFilter(handle, alpha, d.x.get(), o.x, d.y.get(), o.y, d.conv.get(), algo,
                                                   workspace, bytes, beta, d.w.get(), o.w));
  }
  static bool transform(algo_t algo) {
    return algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT || algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING ||
           algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD ||
           algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED;
  }
  static std::string name(algo_t algo) {
    switch (algo) {
      case CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0:
        return "BWD_FILTER_ALGO_0";
      case CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1:
        return "BWD_FILTER_ALGO_1";
      case CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT:
        return "FFT";
      case CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3:
        return "BWD_FILTER_ALGO_3";
      case CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD:
        return "WINOGRAD";
      case CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED:
        return "WINOGRAD_NONFUSED";
      case CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING:
        return "FFT_TILING";
      default:
        return "BWD_FILTER_ALGO_" + std::to_string(static_cast<int>(algo));
    }
  }
};

cudnnDataType_t data_type_of(const std::string& dtype) {
  if (dtype == "fp16") return CUDNN_DATA_HALF;
  if (dtype == "bf16") return CUDNN_DATA_BFLOAT16;
  return CUDNN_DATA_FLOAT;
}

// The math type the descriptor starts with; the chosen algorithm's own replaces it (except for fp32).
cudnnMathType_t initial_math_of(const std::string& dtype) {
  if (dtype == "fp32") return CUDNN_FMA_MATH;
  if (dtype == "tf32") return CUDNN_DEFAULT_MATH;
  return CUDNN_TENSOR_OP_MATH;
}

int checked_int(std::int64_t value, const char* what) {
  if (value > std::numeric_limits<int>::max())
    throw case_not_supported(std::string(what) + " = " + std::to_string(value) +
                             " exceeds the 32-bit extents of cuDNN's legacy descriptors");
  return static_cast<int>(value);
}

template <typename api>
class cudnn_conv : public conv_impl {
 public:
  explicit cudnn_conv(const conv_case_spec& spec) : spec_(spec) {}

  void configure(case_context&) override {
    const conv_geometry& g = spec_.geometry;
    checked_int(element_count(input_extents(g)), "n c h w");
    checked_int(element_count(output_extents(g)), "n k p q");
    checked_int(element_count(filter_extents(g)), "k c r s / groups");
  }

  void prepare(case_context& context, const conv_operands& set0) override {
    handle_ = context.handles->cudnn();
    BENCH_CUDNN_TRY(cudnnSetStream(handle_, context.stream));
    bound_ = context.stream;
    make_descriptors();
    const std::vector<typename api::perf_t> candidates = spec_.algo == "searched" ? search(set0) : heuristic();
    choose(candidates);
  }

  void launch(cudaStream_t stream, const conv_operands& o) override {
    if (stream != bound_) {
      BENCH_CUDNN_TRY(cudnnSetStream(handle_, stream));
      bound_ = stream;
    }
    api::run(handle_, d_, o, chosen_.algo, workspace_ ? workspace_->get() : nullptr, chosen_.memory, &one_, &zero_);
  }

  void describe(case_context& context, result_record& record) const override {
    describe_library(*context.env, "cuDNN", "cudnn", record);
    record.algorithm = "algo=" + api::name(chosen_.algo) + " math=" + math_name(math_) +
                       " workspace=" + std::to_string(chosen_.memory) +
                       " deterministic=" + (chosen_.determinism == CUDNN_DETERMINISTIC ? "1" : "0");
  }

  conv_summation summation() const override {
    return api::transform(chosen_.algo) ? conv_summation::transform : conv_summation::direct;
  }

 private:
  void make_descriptors() {
    const conv_geometry& g = spec_.geometry;
    const cudnnTensorFormat_t format = spec_.layout == conv_layout::nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
    const cudnnDataType_t type = data_type_of(spec_.dtype);
    cudnnTensorDescriptor_t x = nullptr, y = nullptr;
    BENCH_CUDNN_TRY(cudnnCreateTensorDescriptor(&x));
    d_.x = tensor_descriptor(x);
    BENCH_CUDNN_TRY(cudnnCreateTensorDescriptor(&y));
    d_.y = tensor_descriptor(y);
    cudnnFilterDescriptor_t w = nullptr;
    BENCH_CUDNN_TRY(cudnnCreateFilterDescriptor(&w));
    d_.w = filter_descriptor(w);
    cudnnConvolutionDescriptor_t conv = nullptr;
    BENCH_CUDNN_TRY(cudnnCreateConvolutionDescriptor(&conv));
    d_.conv = convolution_descriptor(conv);
    const auto i = [](std::int64_t v) { return static_cast<int>(v); };
    BENCH_CUDNN_TRY(cudnnSetTensor4dDescriptor(x, format, type, i(g.n), i(g.c), i(g.h), i(g.w)));
    BENCH_CUDNN_TRY(cudnnSetTensor4dDescriptor(y, format, type, i(g.n), i(g.k), i(conv_output_h(g)), i(conv_output_w(g))));
    BENCH_CUDNN_TRY(cudnnSetFilter4dDescriptor(w, type, format, i(g.k), i(channels_per_group(g)), i(g.r), i(g.s)));
    BENCH_CUDNN_TRY(cudnnSetConvolution2dDescriptor(conv, i(g.pad), i(g.pad), i(g.stride), i(g.stride), i(g.dilation),
                                                    i(g.dilation), CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    BENCH_CUDNN_TRY(cudnnSetConvolutionGroupCount(conv, i(g.groups)));
    math_ = initial_math_of(spec_.dtype);
    BENCH_CUDNN_TRY(cudnnSetConvolutionMathType(conv, math_));
  }

  std::vector<typename api::perf_t> heuristic() {
    std::vector<typename api::perf_t> perf(static_cast<std::size_t>(api::max_count(handle_)));
    int found = 0;
    api::heuristic(handle_, d_, perf, &found);
    perf.resize(static_cast<std::size_t>(found));
    return perf;
  }

  // cudnnFind gets a workspace as large as the hungriest algorithm the heuristic lists, up to the cap.
  std::vector<typename api::perf_t> search(const conv_operands& set0) {
    std::size_t bytes = 0;
    for (const auto& p : heuristic()) {
      if (p.status == CUDNN_STATUS_SUCCESS && p.memory <= workspace_cap && p.memory > bytes) bytes = p.memory;
    }
    const device_buffer search_workspace(bytes > 0 ? bytes : 1);
    std::vector<typename api::perf_t> perf(static_cast<std::size_t>(api::max_count(handle_)));
    int found = 0;
    api::search(handle_, d_, set0, perf, &found, search_workspace.get(), bytes);
    perf.resize(static_cast<std::size_t>(found));
    return perf;
  }

  // The first candidate that ran (or would run), fits the cap and, for fp32, computes with FMA only.
  void choose(const std::vector<typename api::perf_t>& candidates) {
    for (const auto& p : candidates) {
      if (p.status != CUDNN_STATUS_SUCCESS || p.memory > workspace_cap) continue;
      if (spec_.dtype == "fp32" && p.mathType != CUDNN_FMA_MATH) continue;
      chosen_ = p;
      math_ = p.mathType;
      BENCH_CUDNN_TRY(cudnnSetConvolutionMathType(d_.conv.get(), math_));
      if (p.memory > 0) workspace_.emplace(p.memory);
      return;
    }
    throw case_not_supported(std::string("cuDNN ") + (spec_.algo == "searched" ? "search" : "heuristic") + " offered " +
                             std::to_string(candidates.size()) + " algorithms, none usable" +
                             (spec_.dtype == "fp32" ? " with FMA math" : "") + " within a " +
                             std::to_string(workspace_cap >> 20) + " MiB workspace");
  }

  conv_case_spec spec_;
  cudnnHandle_t handle_ = nullptr;
  cudaStream_t bound_ = nullptr;
  descriptors d_;
  cudnnMathType_t math_ = CUDNN_DEFAULT_MATH;
  typename api::perf_t chosen_{};
  std::optional<device_buffer> workspace_;
  const float one_ = 1.0f, zero_ = 0.0f;
};

#else

// This runner was built without cuDNN: every cuDNN case says why.
class cudnn_conv : public conv_impl {
 public:
  void configure(case_context&) override { throw case_not_supported(CUBENCH_CUDNN_REASON); }
  void prepare(case_context&, const conv_operands&) override {}
  void launch(cudaStream_t, const conv_operands&) override {}
  void describe(case_context&, result_record&) const override {}
  conv_summation summation() const override { return conv_summation::direct; }
};

#endif

}  // namespace

std::unique_ptr<conv_impl> make_cudnn_conv(const conv_case_spec& spec) {
#if CUBENCH_HAVE_CUDNN
  switch (spec.direction) {
    case conv_direction::fwd:
      return std::make_unique<cudnn_conv<forward_api>>(spec);
    case conv_direction::bwd_data:
      return std::make_unique<cudnn_conv<backward_data_api>>(spec);
    case conv_direction::bwd_filter:
      return std::make_unique<cudnn_conv<backward_filter_api>>(spec);
  }
  throw std::logic_error("unknown convolution direction");
#else
  static_cast<void>(spec);
  return std::make_unique<cudnn_conv>();
#endif
}

}  // namespace cubench
