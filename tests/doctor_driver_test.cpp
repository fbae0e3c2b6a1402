#include <gtest/gtest.h>

#include <string>

#include "doctor_driver.hpp"
#include "doctor_test_support.hpp"
#include "scratch_dir.hpp"

namespace cubench {
namespace {

using testing::build_shared_object;
using testing::scratch_dir;

// A libcuda.so.1 stand-in whose cuInit returns `init_result`.
std::string build_cuda_stub(const scratch_dir& dir, const std::string& name, int driver_version, int init_result) {
  return build_shared_object(dir, name,
                             "int cuDriverGetVersion(int* v) { *v = " + std::to_string(driver_version) + "; return 0; }\n"
                             "int cuInit(unsigned int flags) { (void)flags; return " + std::to_string(init_result) + "; }\n"
                             "int cuGetErrorName(int e, const char** s) {\n"
                             "  *s = e == 100 ? \"CUDA_ERROR_NO_DEVICE\" : e == 34 ? \"CUDA_ERROR_STUB_LIBRARY\" : \"CUDA_ERROR_UNKNOWN\";\n"
                             "  return 0;\n}\n",
                             "libcuda.so.1");
}

// A libnvidia-ml.so.1 stand-in with an H100 (MIG on, turning off at reset) and a V100 (no MIG, ECC turning off).
std::string build_nvml_stub(const scratch_dir& dir, const std::string& name, int init_result) {
  return build_shared_object(dir, name, R"C(
#include <string.h>
typedef struct dev* dev_t;
int nvmlInit_v2(void) { return )C" + std::to_string(init_result) + R"C(; }
int nvmlShutdown(void) { return 0; }
const char* nvmlErrorString(int r) { return r == 9 ? "Driver Not Loaded" : "Unknown Error"; }
int nvmlSystemGetDriverVersion(char* v, unsigned int n) { strncpy(v, "550.54.15", n); return 0; }
int nvmlDeviceGetCount_v2(unsigned int* n) { *n = 2; return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned int i, dev_t* d) { *d = (dev_t)(unsigned long)(i + 1); return 0; }
static int index_of(dev_t d) { return (int)(unsigned long)d - 1; }
int nvmlDeviceGetName(dev_t d, char* s, unsigned int n) {
  strncpy(s, index_of(d) == 0 ? "NVIDIA H100 80GB HBM3" : "Tesla V100-SXM2-16GB", n); return 0; }
int nvmlDeviceGetUUID(dev_t d, char* s, unsigned int n) { strncpy(s, index_of(d) == 0 ? "GPU-h100" : "GPU-v100", n); return 0; }
int nvmlDeviceGetCudaComputeCapability(dev_t d, int* major, int* minor) {
  *major = index_of(d) == 0 ? 9 : 7; *minor = 0; return 0; }
int nvmlDeviceGetMigMode(dev_t d, unsigned int* current, unsigned int* pending) {
  if (index_of(d) == 1) return 3;
  *current = 1; *pending = 0; return 0; }
int nvmlDeviceGetEccMode(dev_t d, int* current, int* pending) { *current = 1; *pending = index_of(d) == 0; return 0; }
)C",
                             "libnvidia-ml.so.1");
}

TEST(probe_driver, reads_versions_and_gpus_through_dlopen) {
  scratch_dir dir;
  driver_library_names names;
  names.cuda = build_cuda_stub(dir, "libcuda.so.1", 12040, 0);
  names.nvml = build_nvml_stub(dir, "libnvidia-ml.so.1", 0);
  const driver_state state = probe_driver(names);
  EXPECT_EQ(state.libcuda_error, "");
  EXPECT_EQ(state.nvml_error, "");
  EXPECT_EQ(state.cuda_driver_version, 12040);
  EXPECT_EQ(state.cu_init_code, 0);
  EXPECT_EQ(state.driver_version, "550.54.15");
  ASSERT_EQ(state.gpus.size(), 2u);
  EXPECT_EQ(state.gpus[0].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(state.gpus[0].uuid, "GPU-h100");
  EXPECT_EQ(state.gpus[0].cc_major, 9);
  EXPECT_EQ(state.gpus[0].mig_enabled, true);
  EXPECT_EQ(state.gpus[0].mig_pending, false);
  EXPECT_EQ(state.gpus[0].ecc_enabled, true);
  EXPECT_EQ(state.gpus[1].index, 1u);
  EXPECT_EQ(state.gpus[1].cc_major, 7);
  EXPECT_FALSE(state.gpus[1].mig_enabled.has_value()) << "NOT_SUPPORTED means the GPU has no MIG";
  EXPECT_EQ(state.gpus[1].ecc_pending, false);
}

TEST(probe_driver, names_cu_init_errors) {
  scratch_dir dir;
  driver_library_names names;
  names.cuda = build_cuda_stub(dir, "libcuda.so.1", 13000, 100);
  names.nvml = dir / "absent/libnvidia-ml.so.1";
  const driver_state state = probe_driver(names);
  EXPECT_EQ(state.cuda_driver_version, 13000);
  EXPECT_EQ(state.cu_init_code, cuda_error_no_device);
  EXPECT_EQ(state.cu_init_error, "CUDA_ERROR_NO_DEVICE (100)");
  EXPECT_NE(state.nvml_error.find("absent/libnvidia-ml.so.1"), std::string::npos) << state.nvml_error;
}

TEST(probe_driver, says_why_a_library_is_unusable) {
  scratch_dir dir;
  driver_library_names names;
  names.cuda = build_shared_object(dir, "libcuda.so.1", "int cuDriverGetVersion(int* v) { *v = 1; return 0; }\n", "libcuda.so.1");
  names.nvml = build_nvml_stub(dir, "libnvidia-ml.so.1", 9);
  const driver_state state = probe_driver(names);
  EXPECT_NE(state.libcuda_error.find("cuInit"), std::string::npos) << state.libcuda_error;
  EXPECT_EQ(state.nvml_error, "nvmlInit_v2 returned 9 (Driver Not Loaded)");
  EXPECT_TRUE(state.gpus.empty());

  names.cuda = dir / "nowhere/libcuda.so.1";
  EXPECT_NE(probe_driver(names).libcuda_error.find("nowhere/libcuda.so.1"), std::string::npos);
}

driver_state driver_of(const std::string& version, int cuda) {
  driver_state driver;
  driver.driver_version = version;
  driver.cuda_driver_version = cuda;
  return driver;
}

version_number cuda(int major, int minor) { return version_number{{major, minor}}; }

TEST(driver_fit_for, follows_the_driver_requirements_table) {
  const driver_state r550 = driver_of("550.54.15", 12040);
  EXPECT_EQ(driver_fit_for(r550, cuda(12, 4)).fit, driver_fit::native);
  EXPECT_EQ(driver_fit_for(r550, cuda(11, 8)).fit, driver_fit::native);
  const auto newer_minor = driver_fit_for(r550, cuda(12, 6));
  EXPECT_EQ(newer_minor.fit, driver_fit::minor_version_compatibility);
  EXPECT_EQ(newer_minor.minimum_driver, "560.28.03");
  const auto next_major = driver_fit_for(r550, cuda(13, 0));
  EXPECT_EQ(next_major.fit, driver_fit::too_old);
  EXPECT_EQ(next_major.minimum_driver, "580.65.06");
  EXPECT_NE(next_major.explanation.find("driver 550.54.15 runs CUDA up to 12.4"), std::string::npos) << next_major.explanation;

  EXPECT_EQ(driver_fit_for(driver_of("470.82.01", 11040), cuda(12, 0)).fit, driver_fit::too_old);
  EXPECT_EQ(driver_fit_for(driver_of("470.82.01", 11040), cuda(11, 8)).fit, driver_fit::minor_version_compatibility);
}

TEST(driver_fit_for, uses_the_driver_cuda_version_for_releases_the_table_lacks) {
  EXPECT_EQ(driver_fit_for(driver_of("580.65.06", 13000), cuda(13, 1)).fit, driver_fit::minor_version_compatibility);
  EXPECT_EQ(driver_fit_for(driver_of("590.10.01", 13010), cuda(13, 1)).fit, driver_fit::native);
  EXPECT_EQ(driver_fit_for(driver_of("", 12040), cuda(12, 4)).fit, driver_fit::native);
  EXPECT_EQ(driver_fit_for(driver_of("", 12040), cuda(13, 0)).fit, driver_fit::too_old);
}

TEST(driver_fit_for, without_a_driver_still_names_the_minimum) {
  driver_state none;
  none.libcuda_error = "libcuda.so.1: cannot open shared object file";
  const auto answer = driver_fit_for(none, cuda(12, 4));
  EXPECT_EQ(answer.fit, driver_fit::no_driver);
  EXPECT_EQ(answer.minimum_driver, "550.54.14");
}

TEST(driver_findings, no_driver_is_a_warning_that_names_the_driver_to_install) {
  driver_state none;
  none.libcuda_error = "libcuda.so.1: cannot open shared object file: No such file or directory";
  none.nvml_error = "libnvidia-ml.so.1: cannot open shared object file: No such file or directory";
  const auto findings = driver_findings(none, cuda(13, 0));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].verdict, doctor_verdict::warn);
  EXPECT_NE(findings[0].summary.find("no NVIDIA driver"), std::string::npos);
  EXPECT_EQ(findings[0].details.size(), 2u);
  EXPECT_NE(findings[0].fix.find("580.65.06 or newer to run CUDA 13.0"), std::string::npos) << findings[0].fix;
}

TEST(driver_findings, the_toolkit_stub_posing_as_the_driver_is_an_error) {
  driver_state stub = driver_of("", 13000);
  stub.cu_init_code = cuda_error_stub_library;
  stub.cu_init_error = "CUDA_ERROR_STUB_LIBRARY (34)";
  stub.nvml_error = "libnvidia-ml.so.1: cannot open shared object file";
  const auto findings = driver_findings(stub, std::nullopt);
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0].verdict, doctor_verdict::error);
  EXPECT_NE(findings[0].fix.find("stubs"), std::string::npos);
}

TEST(driver_findings, reports_each_gpu_and_warns_about_mig_and_pending_modes) {
  scratch_dir dir;
  driver_library_names names;
  names.cuda = build_cuda_stub(dir, "libcuda.so.1", 12040, 0);
  names.nvml = build_nvml_stub(dir, "libnvidia-ml.so.1", 0);
  const auto findings = driver_findings(probe_driver(names), cuda(12, 4));
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].verdict, doctor_verdict::ok);
  EXPECT_EQ(findings[0].summary, "driver 550.54.15, runs CUDA up to 12.4");

  EXPECT_EQ(findings[1].subject, "GPU 0");
  EXPECT_EQ(findings[1].summary, "NVIDIA H100 80GB HBM3, compute capability 9.0 (sm_90), MIG on, ECC on");
  EXPECT_EQ(findings[1].verdict, doctor_verdict::warn);
  EXPECT_NE(findings[1].fix.find("nvidia-smi -r -i 0"), std::string::npos) << findings[1].fix;

  EXPECT_EQ(findings[2].summary, "Tesla V100-SXM2-16GB, compute capability 7.0 (sm_70), no MIG, ECC on");
  EXPECT_EQ(findings[2].verdict, doctor_verdict::warn);
  EXPECT_NE(findings[2].fix.find("Reboot"), std::string::npos) << findings[2].fix;
}

}  // namespace
}  // namespace cubench
