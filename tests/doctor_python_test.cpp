#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "doctor_python.hpp"
#include "doctor_test_support.hpp"
#include "scratch_dir.hpp"

namespace cubench {
namespace {

namespace fs = std::filesystem;
using testing::finding_for;
using testing::scratch_dir;

const command_runner real_runner = [](const std::vector<std::string>& argv) { return run_process(argv); };

std::string fixture_path(const std::string& name) { return testing::doctor_fixture("python/" + name); }

// A stand-in for python3 that ignores the script and prints what a real probe would, after some import noise.
std::string fake_python(const scratch_dir& dir, const std::string& fixture) {
  return dir.write_script("bin/python3", "echo 'UserWarning: noise printed while importing torch'\n"
                                         "printf '\\n%s' '" + std::string(python_probe_marker) + "'\n"
                                         "tr -d '\\n' < '" + fixture_path(fixture) + "'\necho");
}

python_probe probe_fixture(const std::string& fixture) {
  scratch_dir dir;
  return probe_python(fake_python(dir, fixture), real_runner);
}

driver_state driver_of(const std::string& version, int cuda, std::vector<std::pair<int, int>> capabilities = {}) {
  driver_state driver;
  driver.driver_version = version;
  driver.cuda_driver_version = cuda;
  unsigned index = 0;
  for (const auto& [major, minor] : capabilities) {
    gpu_description gpu;
    gpu.index = index++;
    gpu.name = "GPU";
    gpu.cc_major = major;
    gpu.cc_minor = minor;
    driver.gpus.push_back(gpu);
  }
  return driver;
}

driver_state no_driver() {
  driver_state driver;
  driver.libcuda_error = "libcuda.so.1: cannot open shared object file: No such file or directory";
  return driver;
}

bool has_subject(const std::vector<doctor_finding>& findings, const std::string& subject) {
  return std::any_of(findings.begin(), findings.end(), [&](const doctor_finding& f) { return f.subject == subject; });
}

TEST(sass_compatibility, follows_binary_compatibility_rules) {
  const std::vector<std::string> wheel = {"sm_80", "sm_90a", "compute_90", "sm_100f"};
  EXPECT_TRUE(has_sass_for(wheel, 8, 6)) << "sm_80 SASS runs on later 8.x";
  EXPECT_FALSE(has_sass_for({"sm_86"}, 8, 0)) << "never on an earlier minor";
  EXPECT_TRUE(has_sass_for(wheel, 9, 0));
  EXPECT_FALSE(has_sass_for({"sm_90a"}, 10, 0)) << "arch-specific code runs on its own capability only";
  EXPECT_TRUE(has_sass_for(wheel, 10, 3)) << "family code runs on later minors";
  EXPECT_FALSE(has_sass_for(wheel, 12, 0));
  EXPECT_TRUE(has_ptx_for(wheel, 12, 0)) << "PTX is JIT-compiled for any later GPU";
  EXPECT_FALSE(has_ptx_for({"compute_90a"}, 10, 0));
  EXPECT_FALSE(has_ptx_for({"compute_90", "bogus", "sm_"}, 8, 6));
}

TEST(parse_python_probe, finds_the_json_after_import_noise) {
  std::string error;
  const python_probe probe = parse_python_probe(
      "noise\n" + std::string(python_probe_marker) + "{\"executable\": \"/x/python3\", \"version\": \"3.12.3\", "
      "\"site_packages\": [\"/x/site-packages\"], \"torch_installs\": [], \"torch\": null}\n", error);
  EXPECT_EQ(error, "");
  EXPECT_EQ(probe.executable, "/x/python3");
  EXPECT_EQ(probe.site_packages, std::vector<std::string>{"/x/site-packages"});
  EXPECT_FALSE(probe.torch.has_value());
}

TEST(parse_python_probe, says_where_the_json_breaks_and_what_it_found) {
  std::string error;
  parse_python_probe("line one\n" + std::string(python_probe_marker) + "{\"executable\": ]\n", error);
  EXPECT_EQ(error.rfind("python probe output:2:36: expected JSON", 0), 0u) << error;

  error.clear();
  parse_python_probe(std::string(python_probe_marker) + "{\"torch\": {\"is_available\": \"yes\"}}\n", error);
  EXPECT_EQ(error, "probe.torch.is_available: expected true or false, found string \"yes\"");

  error.clear();
  parse_python_probe("Traceback (most recent call last):\nSyntaxError: invalid syntax\n", error);
  EXPECT_NE(error.find("expected a line starting 'CUBENCH_DOCTOR_JSON '"), std::string::npos) << error;
  EXPECT_NE(error.find("SyntaxError: invalid syntax"), std::string::npos) << error;
}

TEST(python_findings, a_missing_interpreter_is_a_warning_not_the_end) {
  const python_probe probe = probe_python("/nonexistent/python3", real_runner);
  EXPECT_NE(probe.error, "");
  const auto findings = python_findings(probe, no_driver());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].verdict, doctor_verdict::warn);
  EXPECT_NE(findings[0].fix.find("--python"), std::string::npos);
}

TEST(python_findings, torch_absent_skips_the_pytorch_checks) {
  const python_probe probe = probe_fixture("torch_absent.json");
  ASSERT_EQ(probe.error, "");
  const auto findings = python_findings(probe, no_driver());
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].summary, probe.python + " is /usr/bin/python3 (Python 3.12.3)");
  EXPECT_EQ(findings[1].verdict, doctor_verdict::ok);
  EXPECT_EQ(findings[1].summary, "not installed for this interpreter; the PyTorch checks are skipped");
}

TEST(python_findings, a_cpu_only_build_on_a_gpu_machine_is_an_error_with_what_to_install) {
  const python_probe probe = probe_fixture("cpu_only.json");
  const auto findings = python_findings(probe, driver_of("550.54.15", 12040, {{9, 0}}));
  const doctor_finding& torch = finding_for(findings, "torch");
  EXPECT_EQ(torch.verdict, doctor_verdict::error);
  EXPECT_NE(torch.summary.find("CPU-only build (torch.version.cuda is None)"), std::string::npos) << torch.summary;
  EXPECT_NE(torch.fix.find("the CUDA wheel from PyTorch's package index for your CUDA major"), std::string::npos) << torch.fix;
  EXPECT_NE(torch.fix.find("runs CUDA up to 12.4, so a wheel for CUDA 12.x no newer than that"), std::string::npos) << torch.fix;
  EXPECT_FALSE(has_subject(findings, "torch.cuda"));

  EXPECT_EQ(finding_for(python_findings(probe, no_driver()), "torch").verdict, doctor_verdict::warn);
}

TEST(python_findings, a_driver_too_old_for_the_wheel_is_the_reason_given) {
  const python_probe probe = probe_fixture("driver_too_old.json");
  ASSERT_EQ(probe.error, "");
  const auto findings = python_findings(probe, driver_of("470.82.01", 11040, {{8, 0}}));
  const doctor_finding& cuda = finding_for(findings, "torch.cuda");
  EXPECT_EQ(cuda.verdict, doctor_verdict::error);
  EXPECT_NE(cuda.summary.find("the driver is too old for this wheel's CUDA 12.4"), std::string::npos) << cuda.summary;
  EXPECT_NE(cuda.fix.find("Upgrade the NVIDIA driver to 550.54.14 or newer"), std::string::npos) << cuda.fix;
  EXPECT_NE(cuda.fix.find("CUDA 11.x"), std::string::npos) << cuda.fix;
  ASSERT_FALSE(cuda.details.empty());
  EXPECT_NE(cuda.details[0].find("found version 11040"), std::string::npos);
  EXPECT_EQ(finding_for(findings, "torch").summary,
            "torch 2.5.1+cu124 at /home/u/venv/lib/python3.12/site-packages/torch, built for CUDA 12.4, cuDNN 9.1.0");
  EXPECT_EQ(finding_for(findings, "kernels for sm_80").verdict, doctor_verdict::ok) << "NVML's GPUs when torch sees none";
}

TEST(python_findings, a_gpu_without_sass_or_ptx_in_the_wheel_is_an_error) {
  const auto findings = python_findings(probe_fixture("no_sass.json"), driver_of("570.86.10", 12080));
  const doctor_finding& blackwell = finding_for(findings, "kernels for sm_120");
  EXPECT_EQ(blackwell.verdict, doctor_verdict::error);
  EXPECT_NE(blackwell.fix.find("arch list includes sm_120"), std::string::npos);
  EXPECT_EQ(finding_for(findings, "kernels for sm_90").verdict, doctor_verdict::ok);
  EXPECT_EQ(finding_for(findings, "torch").summary.find("cuDNN 8.9.2") != std::string::npos, true);
}

TEST(python_findings, a_second_torch_on_sys_path_is_a_shadow_warning) {
  const auto findings = python_findings(probe_fixture("shadowed.json"), driver_of("550.54.15", 12040, {{9, 0}}));
  const doctor_finding& others = finding_for(findings, "other torch installs");
  EXPECT_EQ(others.verdict, doctor_verdict::warn);
  ASSERT_EQ(others.details.size(), 2u);
  EXPECT_EQ(others.details[0], "shadowed on sys.path: /usr/lib/python3/dist-packages/torch (torch 2.1.0, CUDA 11.8; sys.path)");
  EXPECT_EQ(others.details[1].rfind("in another environment: /opt/conda/envs/old", 0), 0u);
  EXPECT_NE(others.fix.find("/usr/bin/python3 -m pip uninstall torch"), std::string::npos);
  EXPECT_EQ(finding_for(findings, "torch.cuda").verdict, doctor_verdict::ok);
}

// A fake torch package as the real one lays out what the probe reads.
struct fake_torch_spec {
  std::string version = "2.4.0+cu124";
  std::string cuda = "'12.4'";
  std::string arch_flags = "sm_80 sm_90 compute_90";
  std::string init_error = "Found no NVIDIA driver on your system.";
  std::string import_error;
};

void write_fake_torch(const scratch_dir& dir, const std::string& where, const fake_torch_spec& spec) {
  dir.write(where + "/torch/version.py", "from typing import Optional\n__version__ = '" + spec.version + "'\ncuda: Optional[str] = " + spec.cuda +
                                             "\nhip = None\n");
  std::string init = spec.import_error.empty() ? "" : "raise ImportError('" + spec.import_error + "')\n";
  init += "print('torch says hello on stdout')\n"
          "from . import version\n__version__ = version.__version__\n"
          "class _C:\n    @staticmethod\n    def _cuda_getArchFlags():\n        return '" + spec.arch_flags + "'\n"
          "class backends:\n    class cudnn:\n        @staticmethod\n        def version():\n            return 90100\n"
          "class cuda:\n    @staticmethod\n    def is_available():\n        return False\n"
          "    @staticmethod\n    def init():\n        raise RuntimeError('" + spec.init_error + "')\n";
  dir.write(where + "/torch/__init__.py", init);
}

// python3 -S: no site-packages of this machine, so that only the fake torch folders are on sys.path.
std::string isolated_python(const scratch_dir& dir, const std::string& python_path, const std::string& conda_prefix = "") {
  return dir.write_script("bin/python", "PYTHONPATH='" + python_path + "' CONDA_PREFIX='" + conda_prefix +
                                            "' CONDA_EXE= HOME='" + dir.path() + "' exec python3 -S \"$@\"");
}

TEST(python_probe_script, reports_a_torch_that_cannot_reach_cuda) {
  scratch_dir dir;
  write_fake_torch(dir, "first", {});
  const python_probe probe = probe_python(isolated_python(dir, dir / "first"), real_runner);
  ASSERT_EQ(probe.error, "");
  ASSERT_TRUE(probe.torch.has_value());
  EXPECT_EQ(probe.torch->import_error, "");
  EXPECT_EQ(probe.torch->version, "2.4.0+cu124");
  EXPECT_EQ(probe.torch->cuda, "12.4");
  EXPECT_EQ(probe.torch->cudnn, 90100);
  EXPECT_FALSE(probe.torch->is_available);
  EXPECT_EQ(probe.torch->init_error, "Found no NVIDIA driver on your system.");
  EXPECT_EQ(probe.torch->arch_list, (std::vector<std::string>{"sm_80", "sm_90", "compute_90"}));
  EXPECT_EQ(probe.torch->file, dir / "first/torch/__init__.py");
}

TEST(python_probe_script, finds_shadowed_and_conda_installs_without_importing_them) {
  scratch_dir dir;
  write_fake_torch(dir, "first", {});
  fake_torch_spec older;
  older.version = "2.1.0";
  older.cuda = "None";
  write_fake_torch(dir, "second", older);
  fake_torch_spec conda;
  conda.version = "1.13.1";
  conda.cuda = "'11.7'";
  write_fake_torch(dir, "conda/lib/python3.10/site-packages", conda);
  const python_probe probe = probe_python(isolated_python(dir, dir / "first:" + dir / "second", dir / "conda"), real_runner);
  ASSERT_EQ(probe.error, "");
  ASSERT_EQ(probe.torch_installs.size(), 3u);
  EXPECT_EQ(probe.torch_installs[0].path, dir / "first/torch");
  EXPECT_EQ(probe.torch_installs[1].version, "2.1.0");
  EXPECT_EQ(probe.torch_installs[1].cuda, "");
  EXPECT_EQ(probe.torch_installs[1].where, "sys.path");
  EXPECT_EQ(probe.torch_installs[2].version, "1.13.1");
  EXPECT_EQ(probe.torch_installs[2].cuda, "11.7");
  EXPECT_EQ(probe.torch_installs[2].where, "conda env " + dir / "conda");

  const auto findings = python_findings(probe, no_driver());
  EXPECT_EQ(finding_for(findings, "other torch installs").verdict, doctor_verdict::warn);
  EXPECT_EQ(finding_for(findings, "torch.cuda").verdict, doctor_verdict::warn) << "no driver here: said by the driver check";
}

TEST(python_probe_script, reports_an_import_failure_and_no_torch_at_all) {
  scratch_dir dir;
  fake_torch_spec broken;
  broken.import_error = "libcudnn.so.9: cannot open shared object file";
  write_fake_torch(dir, "broken", broken);
  const python_probe probe = probe_python(isolated_python(dir, dir / "broken"), real_runner);
  ASSERT_EQ(probe.error, "");
  ASSERT_TRUE(probe.torch.has_value());
  EXPECT_EQ(probe.torch->import_error, "ImportError: libcudnn.so.9: cannot open shared object file");
  EXPECT_EQ(finding_for(python_findings(probe, no_driver()), "torch").verdict, doctor_verdict::error);

  const python_probe none = probe_python(isolated_python(dir, dir / "empty"), real_runner);
  ASSERT_EQ(none.error, "");
  EXPECT_FALSE(none.torch.has_value());
  EXPECT_TRUE(none.torch_installs.empty());
}

}  // namespace
}  // namespace cubench
