// The bench_case interface every family implements, the registry that turns a suite file into cases,
// and run_case(), which takes one case through its phases (configure, allocate, first call, verify,
// measure in several placements) and records its status and reason instead of letting a failure stop the run.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>

#include "cuda_resources.cuh"
#include "measure.hpp"
#include "reference/storage_type.hpp"
#include "result_record.hpp"
#include "runner_env.hpp"

namespace cubench {

/// A case this runner or GPU cannot run; recorded as not_supported with the message as its reason.
class case_not_supported : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A failure that left the device unusable (a sticky CUDA error): the runner records nothing more and exits.
class sticky_device_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Library handles and a workspace shared by the cases of a run, each created on first use.
class library_handles {
 public:
  /// The workspace every library call gets: at least 32 MiB, as cuBLASLt's heuristics assume.
  static constexpr std::size_t workspace_bytes = std::size_t{32} << 20;

  /// The run's cuBLAS handle.
  cublasHandle_t cublas();
  /// The run's cuBLASLt handle.
  cublasLtHandle_t cublaslt();
  /// The run's cuSPARSE handle.
  cusparseHandle_t cusparse();
#if CUBENCH_HAVE_CUDNN
  /// The run's cuDNN handle.
  cudnnHandle_t cudnn();
#endif
  /// The shared workspace; calls using it are ordered by the run's single stream.
  void* workspace();
  /// Destroys the handles and frees the workspace, which no case may use any more; the next call of each
  /// creates or allocates a new one.
  void renew();

 private:
  std::optional<cublas_handle> cublas_;
  std::optional<cublaslt_handle> cublaslt_;
  std::optional<cusparse_handle> cusparse_;
#if CUBENCH_HAVE_CUDNN
  std::optional<cudnn_handle> cudnn_;
#endif
  std::optional<device_buffer> workspace_;
};

/// What a case gets from the run.
struct case_context {
  int device = 0;
  const runner_env* env = nullptr;
  const gpu_env* gpu = nullptr;
  cudaStream_t stream = nullptr;
  library_handles* handles = nullptr;
  measurement_options options;
};

/// An output in device memory: `count` elements stored as `type`.
struct output_view {
  storage_type type;
  const void* data;
  std::int64_t count;
};

/// One case. The runner calls identify, then configure, working_set_bytes, allocate, prepare and the first
/// launch, describe, verify, two more launches on set 0 whose output it compares with the first's, and the
/// launches of the measurement; verification never runs while timing.
class bench_case {
 public:
  virtual ~bench_case() = default;
  /// Fills the identity and the counted work: family, impl, variant, dtype, params, case_id, flop, bytes.
  virtual void identify(result_record& record) const = 0;
  /// Checks that the case can run on this GPU with this runner; throws case_not_supported with the reason.
  virtual void configure(case_context& context) = 0;
  /// Bytes of one input set, inputs and outputs, which sizes the rotation among sets.
  virtual double working_set_bytes() const = 0;
  /// Allocates `input_sets` sets, fills the inputs with seeded random data and poisons set 0's output.
  virtual void allocate(case_context& context, int input_sets) = 0;
  /// Library set-up that belongs to the first call (heuristics, plans): timed in first_call_ms with it.
  virtual void prepare(case_context& context) = 0;
  /// Enqueues one launch reading input set `set`; it must be capturable in a CUDA graph.
  virtual void launch(cudaStream_t stream, int set) = 0;
  /// Fills the provenance of the implementation: library versions and path, binary kind, algorithm.
  virtual void describe(case_context& context, result_record& record) const = 0;
  /// Compares set 0's output, from the first call, with the fp64 reference; fills the numerics columns
  /// and returns why the output is incorrect, or "" when it is within tolerance.
  virtual std::string verify(case_context& context, result_record& record) = 0;
  /// Set 0's output, as verify reads it.
  virtual output_view output() const = 0;
};

/// A case of a suite, made only when it is about to run.
struct registered_case {
  std::string case_id;
  std::function<std::unique_ptr<bench_case>()> make;
  /// Launches per sample the case must be timed with, from --cases-file (`bench run` gives a case's later runner
  /// processes the first one's, so that all time it alike); 0: chosen from its warm-up.
  int launches_per_sample = 0;
};

/// Reads a suite file and lists its cases through its family's reader; throws suite_error on a bad file.
std::vector<registered_case> load_suite_cases(const std::string& path);

/// A case's results row and raw per-launch samples, with the placement each was measured in.
struct case_outcome {
  result_record record;
  std::vector<double> samples_ms;
  std::vector<int> sample_placements;
};

/// Runs a case through its phases on top of the run's provenance; a failure becomes the row's status and
/// reason. The measurement takes context.options.placements placements: the first on the case that was
/// verified, each later one on a fresh case made by `registered`; every placement has its own L2 flush
/// buffer, and the later ones new library handles and workspace, all allocated behind a spacer
/// (placement_spacer_bytes) so that they land elsewhere in memory. Throws sticky_device_error when the
/// device cannot be used any more.
case_outcome run_case(const registered_case& registered, case_context& context, clock_monitor& clocks,
                      const result_record& provenance);

/// Fills binary_kind, binary_arch and ptx_arch for an in-house kernel: `sass` when the runner carries SASS
/// for the architecture the runtime picked, `ptx_jit` when the driver compiled the embedded PTX.
void describe_kernel_binary(const cudaFuncAttributes& attributes, result_record& record);

/// Fills library, its built and loaded versions and the loaded path from what --env found.
void describe_library(const runner_env& env, const std::string& library_name, const std::string& column_value,
                      result_record& record);

}  // namespace cubench
