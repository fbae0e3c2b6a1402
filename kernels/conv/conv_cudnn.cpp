// The cuDNN implementation: cuDNN's graph API through NVIDIA's cudnn-frontend headers, as PyTorch 2.x runs its
// convolutions, one conv_fprop, conv_dgrad or conv_wgrad node per case. The candidates are heuristics mode A's
// list followed by cuDNN's fallback list (PyTorch's order), less the engines the dtype rules out and those that need
// more than the workspace cap; `heuristic` runs the first that builds, `searched` the fastest of all that build,
// timed on the case's own buffers. The `algorithm` column records the plan's engine and knobs, its numerical notes
// and workspace, since a regression is often a different choice. Every dtype leaves out engines noted
// DOWN_CONVERT_INPUTS, as PyTorch does; fp32 also leaves out those noted TENSOR_CORE, so that it never becomes TF32,
// while tf32 allows them (PyTorch's allow_tf32).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "conv_cases.hpp"
#include "cuda_call.cuh"
#include "stream_blocker.hpp"

#if CUBENCH_HAVE_CUDNN
// The frontend's bundled nlohmann-json 3.11.3 cannot share a translation unit with the Debian 3.11.2 that
// runner_env.hpp declares; without it the frontend only loses graph serialization, which this file does not use.
#define CUDNN_FRONTEND_SKIP_JSON_LIB
#include <cudnn_frontend.h>
#endif

namespace cubench {
namespace {

#if CUBENCH_HAVE_CUDNN

namespace fe = cudnn_frontend;

// cuDNN gets as much workspace as it asks for, up to this.
constexpr std::int64_t workspace_cap = std::int64_t{1} << 30;

// conv_case starts every tensor on a 256-byte boundary; PyTorch declares at most 32 bytes for its own.
constexpr std::int64_t tensor_alignment = 32;

// The variant-pack ids of the three tensors, whichever of them a direction writes.
constexpr std::int64_t x_uid = 1, w_uid = 2, y_uid = 3;

std::string code_name(fe::error_code_t code) {
  switch (code) {
    case fe::error_code_t::OK: return "OK";
    case fe::error_code_t::ATTRIBUTE_NOT_SET: return "ATTRIBUTE_NOT_SET";
    case fe::error_code_t::SHAPE_DEDUCTION_FAILED: return "SHAPE_DEDUCTION_FAILED";
    case fe::error_code_t::INVALID_TENSOR_NAME: return "INVALID_TENSOR_NAME";
    case fe::error_code_t::INVALID_VARIANT_PACK: return "INVALID_VARIANT_PACK";
    case fe::error_code_t::GRAPH_NOT_SUPPORTED: return "GRAPH_NOT_SUPPORTED";
    case fe::error_code_t::GRAPH_EXECUTION_PLAN_CREATION_FAILED: return "GRAPH_EXECUTION_PLAN_CREATION_FAILED";
    case fe::error_code_t::GRAPH_EXECUTION_FAILED: return "GRAPH_EXECUTION_FAILED";
    case fe::error_code_t::HEURISTIC_QUERY_FAILED: return "HEURISTIC_QUERY_FAILED";
    case fe::error_code_t::UNSUPPORTED_GRAPH_FORMAT: return "UNSUPPORTED_GRAPH_FORMAT";
    case fe::error_code_t::CUDA_API_FAILED: return "CUDA_API_FAILED";
    case fe::error_code_t::CUDNN_BACKEND_API_FAILED: return "CUDNN_BACKEND_API_FAILED";
    case fe::error_code_t::INVALID_CUDA_DEVICE: return "INVALID_CUDA_DEVICE";
    case fe::error_code_t::HANDLE_ERROR: return "HANDLE_ERROR";
    case fe::error_code_t::INVALID_VALUE: return "INVALID_VALUE";
  }
  return "error_code_" + std::to_string(static_cast<int>(code));
}

// The frontend returns an error object rather than a status. It is not_supported when the frontend says that
// cuDNN offers no engine or plan for the graph, else a cuda_error named after the frontend's code; both name
// the call. The frontend's messages may carry cuDNN's multi-line error text: the reason keeps it on one line.
void throw_on_frontend_error(fe::error_t status, const call_site& site) {
  if (status.is_good()) return;
  std::string message = status.get_message();
  for (std::size_t at = message.find('\n'); at != std::string::npos; at = message.find('\n', at))
    message.replace(at, 1, "; ");
  const fe::error_code_t code = status.get_code();
  const std::string name = "cudnn_frontend " + code_name(code);
  if (code == fe::error_code_t::GRAPH_NOT_SUPPORTED || code == fe::error_code_t::HEURISTIC_QUERY_FAILED ||
      code == fe::error_code_t::GRAPH_EXECUTION_PLAN_CREATION_FAILED)
    throw case_not_supported(std::string(site.file) + ":" + std::to_string(site.line) + ": " + site.call +
                             " failed: " + name + ": " + message);
  throw cuda_error(site, name, message);
}

// Calls a cudnn-frontend graph function; throws case_not_supported or cubench::cuda_error unless it succeeds.
#define BENCH_CUDNN_FRONTEND_TRY(call) throw_on_frontend_error((call), ::cubench::call_site{#call, __FILE__, __LINE__})

const char* note_name(fe::NumericalNote_t note) {
  switch (note) {
    case fe::NumericalNote_t::NOT_SET: return "NOT_SET";
    case fe::NumericalNote_t::TENSOR_CORE: return "TENSOR_CORE";
    case fe::NumericalNote_t::DOWN_CONVERT_INPUTS: return "DOWN_CONVERT_INPUTS";
    case fe::NumericalNote_t::REDUCED_PRECISION_REDUCTION: return "REDUCED_PRECISION_REDUCTION";
    case fe::NumericalNote_t::FFT: return "FFT";
    case fe::NumericalNote_t::NONDETERMINISTIC: return "NONDETERMINISTIC";
    case fe::NumericalNote_t::WINOGRAD: return "WINOGRAD";
    case fe::NumericalNote_t::WINOGRAD_TILE_4x4: return "WINOGRAD_TILE_4x4";
    case fe::NumericalNote_t::WINOGRAD_TILE_6x6: return "WINOGRAD_TILE_6x6";
    case fe::NumericalNote_t::WINOGRAD_TILE_13x13: return "WINOGRAD_TILE_13x13";
    case fe::NumericalNote_t::STRICT_NAN_PROP: return "STRICT_NAN_PROP";
  }
  return "NOTE";
}

// The frontend keeps each plan's numerical notes in Graph's protected plan list and has no getter for them.
class conv_graph : public fe::graph::Graph {
 public:
  // The notes of the plan at `index`, without the NOT_SET entries the frontend pads the list with.
  std::vector<fe::NumericalNote_t> numeric_notes_at(std::int64_t index) const {
    std::vector<fe::NumericalNote_t> notes;
    for (const fe::NumericalNote_t note : plans.numeric_notes.at(static_cast<std::size_t>(index)))
      if (note != fe::NumericalNote_t::NOT_SET) notes.push_back(note);
    return notes;
  }
};

fe::DataType_t io_type_of(const std::string& dtype) {
  if (dtype == "fp16") return fe::DataType_t::HALF;
  if (dtype == "bf16") return fe::DataType_t::BFLOAT16;
  return fe::DataType_t::FLOAT;
}

// A graph tensor of the case's layout: the frontend takes extents in N, C, H, W order and the layout as strides.
fe::graph::Tensor_attributes& describe_tensor(fe::graph::Tensor_attributes& t, const char* name, std::int64_t uid,
                                             const tensor_index& extents, conv_layout layout) {
  const tensor_strides s = dense_strides(layout, extents);
  return t.set_name(name)
      .set_uid(uid)
      .set_dim({extents.n, extents.c, extents.h, extents.w})
      .set_stride({s.n, s.c, s.h, s.w})
      .set_alignment(tensor_alignment);
}

std::shared_ptr<fe::graph::Tensor_attributes> input_tensor(conv_graph& graph, const char* name, std::int64_t uid,
                                                           const tensor_index& extents, conv_layout layout) {
  fe::graph::Tensor_attributes t;
  return graph.tensor(describe_tensor(t, name, uid, extents, layout));
}

// Padding, stride and dilation, the same along height and width, for any of the three convolution nodes.
template <typename attributes>
attributes conv_attributes(const conv_geometry& g) {
  attributes a;
  a.set_padding({g.pad, g.pad}).set_stride({g.stride, g.stride}).set_dilation({g.dilation, g.dilation});
  return a;
}

class cudnn_conv : public conv_impl {
 public:
  explicit cudnn_conv(const conv_case_spec& spec) : spec_(spec) {}

  void configure(case_context&) override {}

  void prepare(case_context& context, const conv_operands& set0) override {
    handle_ = context.handles->cudnn();
    BENCH_CUDNN_TRY(cudnnSetStream(handle_, context.stream));
    bound_ = context.stream;
    make_graph();
    BENCH_CUDNN_FRONTEND_TRY(graph_.validate());
    BENCH_CUDNN_FRONTEND_TRY(graph_.build_operation_graph(handle_));
    BENCH_CUDNN_FRONTEND_TRY(graph_.create_execution_plans({fe::HeurMode_t::A, fe::HeurMode_t::FALLBACK}));
    std::vector<fe::NumericalNote_t> left_out{fe::NumericalNote_t::DOWN_CONVERT_INPUTS};
    if (spec_.dtype == "fp32") left_out.push_back(fe::NumericalNote_t::TENSOR_CORE);
    graph_.deselect_numeric_notes(left_out);
    graph_.deselect_workspace_greater_than(workspace_cap);
    BENCH_CUDNN_FRONTEND_TRY(graph_.check_support());
    const bool searched = spec_.algo == "searched";
    const std::vector<std::int64_t> built = build_candidates(searched);
    chosen_ = searched ? fastest_plan(built, set0) : built.front();
    const std::int64_t bytes = workspace_of(chosen_);
    if (bytes > 0) workspace_.emplace(static_cast<std::size_t>(bytes));
    BENCH_CUDNN_FRONTEND_TRY(graph_.get_plan_name_at_index(chosen_, plan_name_));
    notes_ = graph_.numeric_notes_at(chosen_);
  }

  void launch(cudaStream_t stream, const conv_operands& o) override {
    if (stream != bound_) {
      BENCH_CUDNN_TRY(cudnnSetStream(handle_, stream));
      bound_ = stream;
    }
    run(chosen_, o, workspace_ ? workspace_->get() : nullptr);
  }

  void describe(case_context& context, result_record& record) const override {
    describe_library(*context.env, "cuDNN", "cudnn", record);
    std::string notes;
    for (const fe::NumericalNote_t note : notes_) notes += (notes.empty() ? "" : ",") + std::string(note_name(note));
    record.algorithm = "plan=" + plan_name_ + " notes=" + (notes.empty() ? "none" : notes) +
                       " workspace=" + std::to_string(workspace_ ? workspace_->size() : 0);
  }

  conv_summation summation() const override {
    for (const fe::NumericalNote_t note : notes_) {
      if (note == fe::NumericalNote_t::FFT || note == fe::NumericalNote_t::WINOGRAD ||
          note == fe::NumericalNote_t::WINOGRAD_TILE_4x4 || note == fe::NumericalNote_t::WINOGRAD_TILE_6x6 ||
          note == fe::NumericalNote_t::WINOGRAD_TILE_13x13)
        return conv_summation::transform;
    }
    return conv_summation::direct;
  }

 private:
  // The direction's node over tensors in the case's layout, fp32 compute for every dtype.
  void make_graph() {
    const conv_geometry& g = spec_.geometry;
    const conv_layout layout = spec_.layout;
    graph_.set_io_data_type(io_type_of(spec_.dtype))
        .set_intermediate_data_type(fe::DataType_t::FLOAT)
        .set_compute_data_type(fe::DataType_t::FLOAT);
    std::shared_ptr<fe::graph::Tensor_attributes> out;
    switch (spec_.direction) {
      case conv_direction::fwd:
        out = graph_.conv_fprop(input_tensor(graph_, "x", x_uid, input_extents(g), layout),
                                input_tensor(graph_, "w", w_uid, filter_extents(g), layout),
                                conv_attributes<fe::graph::Conv_fprop_attributes>(g));
        describe_tensor(*out, "y", y_uid, output_extents(g), layout);
        break;
      case conv_direction::bwd_data:
        out = graph_.conv_dgrad(input_tensor(graph_, "dy", y_uid, output_extents(g), layout),
                                input_tensor(graph_, "w", w_uid, filter_extents(g), layout),
                                conv_attributes<fe::graph::Conv_dgrad_attributes>(g));
        describe_tensor(*out, "dx", x_uid, input_extents(g), layout);
        break;
      case conv_direction::bwd_filter:
        out = graph_.conv_wgrad(input_tensor(graph_, "dy", y_uid, output_extents(g), layout),
                                input_tensor(graph_, "x", x_uid, input_extents(g), layout),
                                conv_attributes<fe::graph::Conv_wgrad_attributes>(g));
        describe_tensor(*out, "dw", w_uid, filter_extents(g), layout);
        break;
    }
    out->set_output(true);
  }

  // Builds the candidates in order: all of them to search, else up to the first that builds, which is the plan
  // the frontend's HEURISTICS_CHOICE policy would take.
  std::vector<std::int64_t> build_candidates(bool all) {
    const std::int64_t count = graph_.get_execution_plan_count();
    std::vector<std::int64_t> built;
    for (std::int64_t i = 0; i < count && (all || built.empty()); ++i)
      if (graph_.build_plan_at_index(i).is_good()) built.push_back(i);
    if (built.empty())
      throw case_not_supported("cuDNN offered " + std::to_string(count) + " plans, none of which builds" +
                               (spec_.dtype == "fp32" ? " without tensor cores" : "") + " within a " +
                               std::to_string(workspace_cap >> 20) + " MiB workspace");
    return built;
  }

  // Times each built plan on set 0, one warm-up and then the fastest of three launches, in a workspace as large as
  // the hungriest plan's (the cap bounds it), each launch behind the blocking kernel as the measurement's are, so
  // that a plan whose host side is slower is not taken for a slower kernel. A plan that builds but fails to run
  // fails the case: cuDNN said it would run.
  std::int64_t fastest_plan(const std::vector<std::int64_t>& built, const conv_operands& set0) {
    std::int64_t bytes = 0;
    for (const std::int64_t i : built) bytes = std::max(bytes, workspace_of(i));
    const device_buffer search_workspace(static_cast<std::size_t>(bytes > 0 ? bytes : 1));
    const cuda_event start, stop;
    stream_blocker blocker;
    float fastest_ms = std::numeric_limits<float>::infinity();
    std::int64_t fastest = built.front();
    for (const std::int64_t i : built) {
      run(i, set0, search_workspace.get());
      for (int timed = 0; timed < 3; ++timed) {
        blocker.block(bound_);
        record_around(bound_, start, stop, [&] { run(i, set0, search_workspace.get()); });
        blocker.release();
        const float ms = elapsed_ms(start, stop);
        if (ms < fastest_ms) {
          fastest_ms = ms;
          fastest = i;
        }
      }
    }
    return fastest;
  }

  std::int64_t workspace_of(std::int64_t plan) const {
    std::int64_t bytes = 0;
    BENCH_CUDNN_FRONTEND_TRY(graph_.get_workspace_size_plan_at_index(plan, bytes));
    return bytes;
  }

  void run(std::int64_t plan, const conv_operands& o, void* workspace) {
    pack_[x_uid] = o.x;
    pack_[w_uid] = o.w;
    pack_[y_uid] = o.y;
    BENCH_CUDNN_FRONTEND_TRY(graph_.execute_plan_at_index(handle_, pack_, workspace, plan));
  }

  conv_case_spec spec_;
  cudnnHandle_t handle_ = nullptr;
  cudaStream_t bound_ = nullptr;
  conv_graph graph_;
  std::int64_t chosen_ = -1;
  std::unordered_map<std::int64_t, void*> pack_;
  std::optional<device_buffer> workspace_;
  std::string plan_name_;
  std::vector<fe::NumericalNote_t> notes_;
};

#else

// This runner was built without cuDNN: every cuDNN case says why.
class cudnn_conv : public conv_impl {
 public:
  explicit cudnn_conv(const conv_case_spec&) {}
  void configure(case_context&) override { throw case_not_supported(CUBENCH_CUDNN_REASON); }
  void prepare(case_context&, const conv_operands&) override {}
  void launch(cudaStream_t, const conv_operands&) override {}
  void describe(case_context&, result_record&) const override {}
  conv_summation summation() const override { return conv_summation::direct; }
};

#endif

}  // namespace

std::unique_ptr<conv_impl> make_cudnn_conv(const conv_case_spec& spec) { return std::make_unique<cudnn_conv>(spec); }

}  // namespace cubench
