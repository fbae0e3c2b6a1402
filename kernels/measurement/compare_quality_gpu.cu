// compare-quality-gpu: bench compare's quality bars (issue 4) on a real GPU. Each trial measures one cuBLAS bf16
// GEMM (the runner's own cublas impl, handle and workspace) three times with the runner's own measurement loop:
// as the baseline, again (an A/A pair), and with a spin kernel appended inside the timed region that adds a known 5%
// of the baseline's median (a slowdown of known size).
// compare_samples, the function behind `bench compare`'s time verdicts, judges both pairs at default settings.
// The three measurements of a trial run in a rotating order, so that clock drift favours none of them.
//
// Usage: compare-quality-gpu [--trials N] [--device N]. Prints, per GEMM size, how many A/A pairs were flagged
// slower or faster and how many 5% slowdowns were flagged slower, then one line per trial.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "compare.hpp"
#include "cuda_call.cuh"
#include "cuda_resources.cuh"
#include "gemm/gemm_cases.hpp"
#include "measure.hpp"
#include "reference/gemm_reference.cuh"

namespace cubench {
namespace {

__global__ void spin_kernel(long long cycles) {
  const long long start = clock64();
  while (clock64() - start < cycles) {
  }
}

// A, B and C of a column-major bf16 GEMM, A and B seeded random data.
struct gemm_buffers {
  device_buffer a, b, c;
  gemm_buffers(const gemm_shape& shape, cudaStream_t stream)
      : a(std::size_t(shape.m * shape.k) * 2),
        b(std::size_t(shape.k * shape.n) * 2),
        c(std::size_t(shape.m * shape.n) * 2) {
    fill_random(storage_type::bf16, a.get(), shape.m * shape.k, 1, stream);
    fill_random(storage_type::bf16, b.get(), shape.k * shape.n, 2, stream);
  }
  gemm_operands operands() const { return {a.get(), b.get(), c.get()}; }
};

const char* verdict_name(time_verdict v) { return to_string(v).data(); }

// One size's trials; returns the number of A/A pairs flagged and of 5% slowdowns flagged slower.
std::array<int, 2> run_size(int m, int n, int k, int trials, case_context& context, l2_flusher& flusher,
                            clock_monitor& clocks) {
  gemm_case_spec spec;
  spec.impl = "cublas";
  spec.dtype = "bf16";
  spec.layout = "NN";
  spec.m = m;
  spec.n = n;
  spec.k = k;
  const gemm_shape shape = gemm_shape_of(spec);
  const std::unique_ptr<gemm_impl> cublas = make_cublas_gemm(shape);
  cublas->prepare(context);
  const gemm_buffers g(shape, context.stream);
  const cudaStream_t stream = context.stream;
  int khz = 0;
  BENCH_CUDA_TRY(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, context.device));
  const measurement_options options{};
  const launch_fn gemm = [&](cudaStream_t s, int) { cublas->launch(s, g.operands()); };
  const measurement first = measure_launches(gemm, 1, stream, flusher, clocks, options);
  // The spin adds 5% of the first median at the maximum SM clock: a known delay in time, not in work, so a
  // clock below the maximum (the power cap) makes it longer, never shorter.
  const long long cycles = static_cast<long long>(0.05 * first.summary.median * khz);
  const launch_fn slowed = [&](cudaStream_t s, int set) {
    gemm(s, set);
    spin_kernel<<<1, 1, 0, s>>>(cycles);
    BENCH_CUDA_TRY(cudaGetLastError());
  };
  const compare_options defaults{};
  int aa_flagged = 0, slow_flagged = 0;
  std::printf("gemm bf16 %dx%dx%d: first median %.4f ms, spin %.4f ms at the maximum clock\n", m, n, k,
              first.summary.median, 0.05 * first.summary.median);
  for (int t = 0; t < trials; ++t) {
    std::array<std::vector<double>, 3> samples;  // baseline, A/A, slowed
    for (int i = 0; i < 3; ++i) {
      const int which = (i + t) % 3;
      samples[which] = measure_launches(which == 2 ? slowed : gemm, 1, stream, flusher, clocks, options).samples_ms;
    }
    const time_comparison aa = compare_samples(samples[0], samples[1], defaults, 2 * t);
    const time_comparison slow = compare_samples(samples[0], samples[2], defaults, 2 * t + 1);
    aa_flagged += aa.verdict == time_verdict::slower || aa.verdict == time_verdict::faster;
    slow_flagged += slow.verdict == time_verdict::slower;
    std::printf("  trial %2d: A/A %-9s ratio %.4f | +5%% %-9s ratio %.4f\n", t + 1, verdict_name(aa.verdict),
                aa.ratio.value_or(0), verdict_name(slow.verdict), slow.ratio.value_or(0));
  }
  return {aa_flagged, slow_flagged};
}

int run(int trials, int device) {
  BENCH_CUDA_TRY(cudaSetDevice(device));
  const cuda_stream stream;
  l2_flusher flusher(device);
  clock_monitor clocks("");
  library_handles handles;
  case_context context;
  context.device = device;
  context.stream = stream.get();
  context.handles = &handles;
  const std::array<std::array<int, 3>, 2> sizes{{{4096, 4096, 4096}, {4096, 4096, 1024}}};
  std::vector<std::string> summary;
  for (const auto& s : sizes) {
    const auto [aa, slow] = run_size(s[0], s[1], s[2], trials, context, flusher, clocks);
    char line[160];
    std::snprintf(line, sizeof line, "gemm bf16 %dx%dx%d: A/A flagged %d of %d; 5%% slowdown flagged slower %d of %d",
                  s[0], s[1], s[2], aa, trials, slow, trials);
    summary.emplace_back(line);
  }
  for (const auto& line : summary) std::printf("%s\n", line.c_str());
  return 0;
}

}  // namespace
}  // namespace cubench

int main(int argc, char** argv) {
  int trials = 20, device = 0;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 < argc && std::strcmp(argv[i], "--trials") == 0) {
      trials = std::atoi(argv[i + 1]);
    } else if (i + 1 < argc && std::strcmp(argv[i], "--device") == 0) {
      device = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: compare-quality-gpu [--trials N] [--device N]\n");
      return 2;
    }
  }
  try {
    return cubench::run(trials, device);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare-quality-gpu: %s\n", e.what());
    return 1;
  }
}
