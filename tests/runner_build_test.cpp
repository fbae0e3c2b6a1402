#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "runner_build.hpp"
#include "scratch_dir.hpp"
#include "subprocess.hpp"

namespace cubench {
namespace {

namespace fs = std::filesystem;
using testing::scratch_dir;

// A source checkout with the folders the source hash covers.
void make_sources(const scratch_dir& dir) {
  dir.write("src/kernels/CMakeLists.txt", "project(runner LANGUAGES CXX)\n");
  dir.write("src/kernels/gemm.cu", "__global__ void k() {}\n");
  dir.write("src/bench/result_record.cpp", "int x;\n");
  dir.write("src/bench/notes.md", "not a source\n");
  dir.write("src/cmake/bench_warnings.cmake", "# flags\n");
}

toolkit_info fake_toolkit(const std::string& compiler_path = "/usr/bin/g++-12") {
  toolkit_info toolkit;
  toolkit.root = "/opt/cubench/toolkits/cuda-12.4";
  toolkit.nvcc_path = toolkit.root + "/bin/nvcc";
  toolkit.nvcc.release = *parse_version("12.4");
  toolkit.nvcc.full = *parse_version("12.4.131");
  toolkit.host_compiler.compiler = host_compiler{compiler_path, *parse_version("12.2.0")};
  return toolkit;
}

build_options options_for(const scratch_dir& dir) {
  build_options options;
  options.source_dir = dir / "src";
  options.build_dir = dir / "build";
  options.use_ccache = false;
  return options;
}

TEST(link_mode, round_trips_through_text) {
  EXPECT_EQ(parse_link_mode("shared"), link_mode::shared);
  EXPECT_EQ(parse_link_mode("static"), link_mode::static_libraries);
  EXPECT_EQ(to_string(link_mode::static_libraries), "static");
  EXPECT_FALSE(parse_link_mode("dynamic"));
}

TEST(check_cuda_architectures, accepts_what_cmake_accepts) {
  for (const char* good : {"80-real;90", "90", "90a-virtual", "80;86-real;90a", "all-major", "native", "100f"})
    EXPECT_EQ(check_cuda_architectures(good), "") << good;
}

TEST(check_cuda_architectures, names_the_bad_item) {
  EXPECT_EQ(check_cuda_architectures("80-real;sm_90"),
            "--cuda-architectures '80-real;sm_90', item 2 (column 9): expected an architecture such as 80, 90-real, "
            "90a-virtual or all-major, found 'sm_90'");
  EXPECT_NE(check_cuda_architectures("80;").find("item 2 (column 4)"), std::string::npos);
  EXPECT_NE(check_cuda_architectures("90-fake").find("found '90-fake'"), std::string::npos);
}

TEST(hash_runner_sources, changes_with_a_source_and_only_with_a_source) {
  scratch_dir dir;
  make_sources(dir);
  const auto options = options_for(dir);
  const std::string first = hash_runner_sources(options);
  EXPECT_EQ(first.size(), 64u);
  EXPECT_EQ(hash_runner_sources(options), first);

  dir.write("src/bench/notes.md", "edited, still not a source\n");
  dir.write("src/README.md", "outside the hashed folders\n");
  EXPECT_EQ(hash_runner_sources(options), first);

  dir.write("src/kernels/gemm.cu", "__global__ void k() { }\n");
  const std::string after_kernel_edit = hash_runner_sources(options);
  EXPECT_NE(after_kernel_edit, first);
  dir.write("src/cmake/anything", "x");
  const std::string after_cmake_add = hash_runner_sources(options);
  EXPECT_NE(after_cmake_add, after_kernel_edit);
  fs::rename(dir / "src/bench/result_record.cpp", dir / "src/bench/result_record2.cpp");
  const std::string after_rename = hash_runner_sources(options);
  EXPECT_NE(after_rename, after_cmake_add);
  dir.write("src/tests/gpu/gemm_gpu_test.cu", "TEST(a, b) { }\n");
  const std::string after_gpu_test = hash_runner_sources(options);
  EXPECT_NE(after_gpu_test, after_rename) << "the GPU tests are built beside the runner";
  dir.write("src/tests/orchestrator_test.cpp", "TEST(a, b) { }\n");
  EXPECT_EQ(hash_runner_sources(options), after_gpu_test) << "the host tests are not";
}

TEST(plan_runner_build, passes_the_toolkit_and_options_to_cmake) {
  scratch_dir dir;
  make_sources(dir);
  const auto toolkit = fake_toolkit();
  auto options = options_for(dir);
  options.jobs = 2;
  const auto plan = plan_runner_build(toolkit, options, "sources");
  EXPECT_EQ(plan.name, "cuda-12.4");
  EXPECT_EQ(plan.dir, dir / "build/runners/cuda-12.4");
  EXPECT_EQ(plan.runner, plan.dir + "/bench-runner");
  EXPECT_EQ(plan.problem, "");
  const std::vector<std::string> configure = {"cmake",
                                              "--fresh",
                                              "-S", dir / "src/kernels",
                                              "-B", plan.dir,
                                              "-G", "Ninja",
                                              "-DCMAKE_BUILD_TYPE=Release",
                                              "-DCMAKE_CUDA_COMPILER=/opt/cubench/toolkits/cuda-12.4/bin/nvcc",
                                              "-DCUDAToolkit_ROOT=/opt/cubench/toolkits/cuda-12.4",
                                              "-DCMAKE_CUDA_HOST_COMPILER=/usr/bin/g++-12",
                                              "-DCMAKE_CXX_COMPILER=/usr/bin/g++-12",
                                              "-DCMAKE_CUDA_ARCHITECTURES=80-real;90",
                                              "-DCUBENCH_STATIC_CUDA=OFF",
                                              "-DCUBENCH_TOOLKIT_VERSION=12.4",
                                              "-DCUBENCH_SOURCE_DIR=" + dir / "src"};
  EXPECT_EQ(plan.configure_command, configure);
  EXPECT_EQ(plan.build_command, (std::vector<std::string>{"cmake", "--build", plan.dir, "--parallel", "2"}));
}

TEST(plan_runner_build, the_key_follows_sources_toolkit_and_options) {
  scratch_dir dir;
  make_sources(dir);
  const auto options = options_for(dir);
  const auto toolkit = fake_toolkit();
  const auto base = plan_runner_build(toolkit, options, "sources-1");
  EXPECT_EQ(plan_runner_build(toolkit, options, "sources-1").key, base.key);

  const auto new_sources = plan_runner_build(toolkit, options, "sources-2");
  EXPECT_NE(new_sources.key, base.key);
  EXPECT_EQ(new_sources.configure_key, base.configure_key);

  auto other_archs = options;
  other_archs.cuda_architectures = "90";
  EXPECT_NE(plan_runner_build(toolkit, other_archs, "sources-1").configure_key, base.configure_key);
  auto more_jobs = options;
  more_jobs.jobs = 7;
  EXPECT_EQ(plan_runner_build(toolkit, more_jobs, "sources-1").key, base.key);

  auto newer_nvcc = toolkit;
  newer_nvcc.nvcc.full = *parse_version("12.4.99");
  EXPECT_NE(plan_runner_build(newer_nvcc, options, "sources-1").key, base.key);
  auto updated_compiler = toolkit;
  updated_compiler.host_compiler.compiler->version = *parse_version("12.3.0");
  EXPECT_NE(plan_runner_build(updated_compiler, options, "sources-1").key, base.key);
  EXPECT_NE(plan_runner_build(fake_toolkit("/usr/bin/g++-11"), options, "sources-1").key, base.key);
}

TEST(plan_runner_build, passes_cudnn_frontend_and_configures_afresh_when_its_headers_change) {
  scratch_dir dir;
  make_sources(dir);
  const auto toolkit = fake_toolkit();
  auto options = options_for(dir);
  const auto without = plan_runner_build(toolkit, options, "s");
  options.cudnn_frontend_include_dir = dir / "frontend/include";
  const auto missing = plan_runner_build(toolkit, options, "s");
  EXPECT_EQ(missing.configure_command.back(), "-DCUBENCH_CUDNN_FRONTEND_INCLUDE_DIR=" + dir / "frontend/include");
  EXPECT_EQ(missing.configure_command.size(), without.configure_command.size() + 1);
  EXPECT_NE(missing.configure_key, without.configure_key);

  dir.write("frontend/include/cudnn_frontend_version.h", "#define CUDNN_FRONTEND_MINOR_VERSION 18\n");
  const auto installed = plan_runner_build(toolkit, options, "s");
  EXPECT_NE(installed.configure_key, missing.configure_key);
  EXPECT_EQ(plan_runner_build(toolkit, options, "s").configure_key, installed.configure_key);
  dir.write("frontend/include/cudnn_frontend_version.h", "#define CUDNN_FRONTEND_MINOR_VERSION 19\n");
  EXPECT_NE(plan_runner_build(toolkit, options, "s").configure_key, installed.configure_key);
}

TEST(plan_runner_build, static_linking_gets_its_own_tree_and_needs_the_archives) {
  scratch_dir dir;
  make_sources(dir);
  auto options = options_for(dir);
  options.link = link_mode::static_libraries;
  auto toolkit = fake_toolkit();
  toolkit.root = dir / "toolkit";
  dir.write("toolkit/lib64/libcudart_static.a", "");
  dir.write("toolkit/lib64/libcublas_static.a", "");
  toolkit.library_dirs = {dir / "toolkit/lib64"};
  const auto plan = plan_runner_build(toolkit, options, "s");
  EXPECT_EQ(plan.name, "cuda-12.4-static");
  EXPECT_NE(std::find(plan.configure_command.begin(), plan.configure_command.end(), "-DCUBENCH_STATIC_CUDA=ON"),
            plan.configure_command.end());
  EXPECT_EQ(plan.problem, "static linking needs libcublasLt_static.a, libcusparse_static.a, libculibos.a, not found in " +
                              dir / "toolkit/lib64" + " (scripts/install-toolkit installs them unless run with --no-static)");
  const auto report = execute_runner_build(plan);
  EXPECT_EQ(report.status, build_status::failed);
  EXPECT_EQ(report.error, plan.problem);
  EXPECT_FALSE(fs::exists(plan.dir));
}

TEST(plan_runner_build, without_a_host_compiler_it_fails_with_the_fix) {
  scratch_dir dir;
  make_sources(dir);
  auto toolkit = fake_toolkit();
  toolkit.host_compiler.compiler.reset();
  toolkit.host_compiler.problem = "no host compiler that CUDA 12.4's nvcc accepts; fix: apt-get install g++-13";
  const auto report = execute_runner_build(plan_runner_build(toolkit, options_for(dir), "s"));
  EXPECT_EQ(report.status, build_status::failed);
  EXPECT_EQ(report.error, toolkit.host_compiler.problem);
}

TEST(plan_runner_build, a_matching_key_and_an_existing_runner_are_up_to_date) {
  scratch_dir dir;
  make_sources(dir);
  const auto toolkit = fake_toolkit();
  const auto options = options_for(dir);
  const auto plan = plan_runner_build(toolkit, options, "s");
  EXPECT_FALSE(plan.up_to_date);
  dir.write_script("build/runners/cuda-12.4/bench-runner", "true");
  dir.write("build/runners/cuda-12.4/cubench-build.key", "key " + plan.key + "\nconfigure " + plan.configure_key + "\n");
  const auto again = plan_runner_build(toolkit, options, "s");
  EXPECT_TRUE(again.up_to_date);
  EXPECT_FALSE(again.fresh_configure);
  EXPECT_EQ(again.configure_command[1], "-S");
  EXPECT_EQ(execute_runner_build(again).status, build_status::up_to_date);
  EXPECT_FALSE(plan_runner_build(toolkit, options, "changed").up_to_date);
  fs::remove(dir / "build/runners/cuda-12.4/bench-runner");
  EXPECT_FALSE(plan_runner_build(toolkit, options, "s").up_to_date);
}

// Builds a plain C++ "runner" with the real cmake and ninja: the CUDA variables are passed but unused.
class runner_build_with_cmake : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"cmake", "ninja", "g++"})
      if (find_executable(tool, environment_path()).empty()) GTEST_SKIP() << tool << " is not on PATH";
    dir_.write("src/kernels/CMakeLists.txt",
               "cmake_minimum_required(VERSION 3.25)\nproject(fake_runner LANGUAGES CXX)\n"
               "add_executable(bench-runner main.cpp)\n");
    dir_.write("src/kernels/main.cpp", "int main() { return 0; }\n");
    toolkit_ = fake_toolkit(find_executable("g++", environment_path()));
    options_ = options_for(dir_);
  }

  build_report build() { return execute_runner_build(plan_runner_build(toolkit_, options_, hash_runner_sources(options_))); }

  scratch_dir dir_;
  toolkit_info toolkit_;
  build_options options_;
};

TEST_F(runner_build_with_cmake, builds_then_skips_then_rebuilds_on_change) {
  const auto first = build();
  ASSERT_EQ(first.status, build_status::built) << first.error << "\n" << first.error_excerpt;
  const std::string runner = dir_ / "build/runners/cuda-12.4/bench-runner";
  EXPECT_TRUE(fs::is_regular_file(runner));
  std::ifstream log(dir_ / "build/runners/cuda-12.4/build.log");
  std::string first_line;
  std::getline(log, first_line);
  EXPECT_EQ(first_line.rfind("$ cmake --fresh -S ", 0), 0u) << first_line;

  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(build().status, build_status::up_to_date);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));

  dir_.write("src/kernels/main.cpp", "int main() { return 1 - 1; }\n");
  EXPECT_EQ(build().status, build_status::built);
  EXPECT_EQ(build().status, build_status::up_to_date);
}

TEST_F(runner_build_with_cmake, a_compile_error_fails_with_its_text_and_leaves_no_key) {
  ASSERT_EQ(build().status, build_status::built);
  dir_.write("src/kernels/main.cpp", "int main() { return undeclared_name; }\n");
  const auto report = build();
  EXPECT_EQ(report.status, build_status::failed);
  EXPECT_EQ(report.error.rfind("build failed (exit status 1); log: " + dir_ / "build/runners/cuda-12.4/build.log", 0), 0u)
      << report.error;
  EXPECT_NE(report.error_excerpt.find("main.cpp:1:21: error:"), std::string::npos) << report.error_excerpt;
  EXPECT_NE(report.error_excerpt.find("undeclared_name"), std::string::npos) << report.error_excerpt;
  EXPECT_FALSE(fs::exists(dir_ / "build/runners/cuda-12.4/cubench-build.key"));
  dir_.write("src/kernels/main.cpp", "int main() { return 0; }\n");
  EXPECT_EQ(build().status, build_status::built);
}

TEST_F(runner_build_with_cmake, a_configure_error_fails_with_cmakes_words) {
  dir_.write("src/kernels/CMakeLists.txt", "cmake_minimum_required(VERSION 3.25)\nproject(x LANGUAGES CXX)\n"
                                           "message(FATAL_ERROR \"kernels need something\")\n");
  const auto report = build();
  EXPECT_EQ(report.status, build_status::failed);
  EXPECT_EQ(report.error.rfind("configure failed (exit status 1)", 0), 0u) << report.error;
  EXPECT_NE(report.error_excerpt.find("kernels need something"), std::string::npos) << report.error_excerpt;
}

}  // namespace
}  // namespace cubench
