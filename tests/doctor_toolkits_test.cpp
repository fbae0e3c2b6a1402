#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "doctor_toolkits.hpp"

namespace cubench {
namespace {

version_number release(int major, int minor) { return version_number{{major, minor}}; }

toolkit_info toolkit(const std::string& full, bool with_compiler = true) {
  toolkit_info info;
  const auto version = *parse_version(full);
  info.root = "/opt/cuda-" + version.major_minor();
  info.found_as = {info.root, "/usr/local/cuda"};
  info.nvcc_path = info.root + "/bin/nvcc";
  info.nvcc = nvcc_version{release(version.major(), version.minor()), version};
  library_info cublas;
  cublas.key = "cublas";
  cublas.name = "cuBLAS";
  cublas.present = true;
  cublas.version = "12.4.5.8";
  cublas.shared_library = info.root + "/lib64/libcublas.so.12.4.5.8";
  library_info cudnn;
  cudnn.key = "cudnn";
  cudnn.name = "cuDNN";
  cudnn.reason = "cuDNN not found in " + info.root + "/include (no cudnn_version.h)";
  info.libraries = {cublas, cudnn};
  info.host_compiler.accepted = "g++ 6 to 11";
  if (with_compiler)
    info.host_compiler.compiler = host_compiler{"/usr/bin/g++-11", *parse_version("11.4.0")};
  else
    info.host_compiler.problem = "no installed g++ is in g++ 6 to 11; install g++-11";
  return info;
}

driver_state r535_with_v100_and_h100() {
  driver_state driver;
  driver.driver_version = "535.104.05";
  driver.cuda_driver_version = 12020;
  gpu_description v100;
  v100.index = 0;
  v100.cc_major = 7;
  gpu_description h100;
  h100.index = 1;
  h100.cc_major = 9;
  driver.gpus = {v100, h100};
  return driver;
}

bool has_detail(const doctor_finding& finding, const std::string& text) {
  return std::any_of(finding.details.begin(), finding.details.end(), [&](const std::string& d) { return d == text; });
}

TEST(can_build_for, knows_when_architectures_came_and_went) {
  EXPECT_EQ(can_build_for(release(11, 8), 9, 0), true);
  EXPECT_EQ(can_build_for(release(11, 7), 9, 0), false) << "sm_90 needs 11.8";
  EXPECT_EQ(can_build_for(release(12, 9), 7, 0), true);
  EXPECT_EQ(can_build_for(release(13, 0), 7, 0), false) << "13.0 dropped Volta";
  EXPECT_EQ(can_build_for(release(13, 0), 6, 1), false) << "and Pascal";
  EXPECT_EQ(can_build_for(release(13, 0), 5, 2), false) << "and Maxwell";
  EXPECT_EQ(can_build_for(release(13, 0), 7, 5), true) << "Turing stays";
  EXPECT_EQ(can_build_for(release(12, 0), 3, 5), false) << "12.0 dropped Kepler";
  EXPECT_EQ(can_build_for(release(12, 8), 12, 0), true);
  EXPECT_EQ(can_build_for(release(13, 0), 10, 1), false) << "13.0 calls it sm_110";
  EXPECT_EQ(can_build_for(release(13, 0), 11, 0), true);
  EXPECT_FALSE(can_build_for(release(13, 0), 15, 0).has_value());
}

TEST(toolkit_findings, a_toolkit_the_driver_cannot_run_is_an_error_with_the_driver_to_install) {
  discovery_result found;
  found.toolkits = {toolkit("11.8.89"), toolkit("13.0.88")};
  const auto findings = toolkit_findings(found, r535_with_v100_and_h100());
  ASSERT_EQ(findings.size(), 2u);

  const doctor_finding& old_one = findings[0];
  EXPECT_EQ(old_one.subject, "CUDA 11.8");
  EXPECT_EQ(old_one.verdict, doctor_verdict::ok);
  EXPECT_EQ(old_one.summary, "/opt/cuda-11.8, nvcc 11.8.89; cuBLAS 12.4.5.8, cuDNN absent");
  EXPECT_TRUE(has_detail(old_one, "build for GPU 0 (sm_70): yes"));
  EXPECT_TRUE(has_detail(old_one, "build for GPU 1 (sm_90): yes"));
  EXPECT_TRUE(has_detail(old_one, "host compiler: /usr/bin/g++-11 (g++ 11.4.0; accepts g++ 6 to 11)"));
  EXPECT_TRUE(has_detail(old_one, "found as /usr/local/cuda"));

  const doctor_finding& new_one = findings[1];
  EXPECT_EQ(new_one.verdict, doctor_verdict::error);
  EXPECT_EQ(new_one.fix, "Upgrade the NVIDIA driver to 580.65.06 or newer, or use a toolkit no newer than CUDA 12.2.");
  EXPECT_TRUE(has_detail(new_one, "build for GPU 0 (sm_70): no, CUDA 12.9 was the last release with sm_70"));
  EXPECT_TRUE(has_detail(new_one, "build for GPU 1 (sm_90): yes"));
}

TEST(toolkit_findings, minor_version_compatibility_and_missing_compilers_are_warnings) {
  discovery_result found;
  found.toolkits = {toolkit("12.4.131", false)};
  const auto findings = toolkit_findings(found, r535_with_v100_and_h100());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].verdict, doctor_verdict::warn);
  EXPECT_NE(findings[0].fix.find("550.54.14"), std::string::npos) << "the first warning's fix is kept: " << findings[0].fix;
  EXPECT_TRUE(has_detail(findings[0], "host compiler: none installed that it accepts (g++ 6 to 11)"));
}

TEST(toolkit_findings, an_old_toolkit_for_a_new_gpu_names_the_first_release_that_builds_for_it) {
  discovery_result found;
  found.toolkits = {toolkit("11.7.99")};
  driver_state driver = r535_with_v100_and_h100();
  const auto findings = toolkit_findings(found, driver);
  EXPECT_EQ(findings[0].verdict, doctor_verdict::warn);
  EXPECT_TRUE(has_detail(findings[0], "build for GPU 1 (sm_90): no, sm_90 needs CUDA 11.8 or newer"));
  EXPECT_EQ(findings[0].fix, "Use CUDA 11.8 or newer for sm_90.");
}

TEST(toolkit_findings, none_found_and_skipped_folders_are_warnings) {
  discovery_result found;
  found.skipped = {{"/usr/local/cuda-12.1", "no executable bin/nvcc, so not a CUDA toolkit (or an unfinished install)"}};
  const auto findings = toolkit_findings(found, driver_state{});
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].summary, "no CUDA toolkit found");
  EXPECT_EQ(findings[0].verdict, doctor_verdict::warn);
  EXPECT_EQ(findings[1].subject, "skipped folders");
  EXPECT_EQ(findings[1].details,
            std::vector<std::string>{"/usr/local/cuda-12.1: no executable bin/nvcc, so not a CUDA toolkit (or an unfinished install)"});
}

}  // namespace
}  // namespace cubench
