#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "doctor.hpp"
#include "doctor_python.hpp"
#include "doctor_test_support.hpp"
#include "scratch_dir.hpp"

namespace cubench {
namespace {

namespace fs = std::filesystem;
using testing::build_shared_object;
using testing::doctor_fixture;
using testing::read_text_file;
using testing::replace_all;
using testing::scratch_dir;

// A machine in a container: driver R535 with one H100, toolkits 12.4 and 13.0 side by side (both ship
// libcusparse.so.12), a venv with torch 2.5.1+cu124 and a torch_scatter built for CUDA 11.
class fake_machine {
 public:
  fake_machine() : root_(fs::canonical(dir_.path()).string()) {
    dir_.write(".dockerenv", "");
    const std::string code = "int f(void) { return 1; }\n";
    const std::string larger = "static int t[2048] = {1}; int f(void) { return t[0]; }\n";
    for (const auto& [name, full] : {std::pair<std::string, std::string>{"cuda-12.4", "12.4.131"}, {"cuda-13.0", "13.0.88"}}) {
      const std::string release = full.substr(0, full.rfind('.'));
      dir_.write_script(name + "/bin/nvcc", "echo 'Cuda compilation tools, release " + release + ", V" + full + "'");
      toolkit_info toolkit;
      toolkit.root = root_ + "/" + name;
      toolkit.found_as = {toolkit.root};
      toolkit.nvcc_path = toolkit.root + "/bin/nvcc";
      toolkit.nvcc = nvcc_version{*parse_version(release), *parse_version(full)};
      toolkit.library_dirs = {toolkit.root + "/lib64"};
      toolkit.host_compiler.accepted = "g++ 6 to 13";
      toolkit.host_compiler.compiler = host_compiler{"/usr/bin/g++-12", *parse_version("12.2.0")};
      library_info cusparse;
      cusparse.key = "cusparse";
      cusparse.name = "cuSPARSE";
      cusparse.present = true;
      cusparse.version = name == "cuda-12.4" ? "12.3.1.170" : "12.6.3.3";
      cusparse.shared_library = toolkit.root + "/lib64/libcusparse.so.12";
      toolkit.libraries = {cusparse};
      discovery_.toolkits.push_back(toolkit);
      build_shared_object(dir_, name + "/lib64/libcusparse.so.12", name == "cuda-12.4" ? code : larger, "libcusparse.so.12");
    }
    build_shared_object(dir_, "cuda-13.0/lib64/libcudart.so.13", code, "libcudart.so.13");
    const std::string cudart11 = build_shared_object(dir_, "stubs/libcudart.so.11.0", code, "libcudart.so.11.0");
    const std::string c10 = build_shared_object(dir_, "stubs/libc10.so", code, "libc10.so");
    build_shared_object(dir_, "site-packages/torch_scatter/_scatter_cuda.so", code, "", {cudart11, c10});
    dir_.write("site-packages/torch/__init__.py", "");
    dir_.write_script("venv/bin/python3", "printf '%s' '" + std::string(python_probe_marker) + "'\nsed 's|@ROOT@|" + root_ +
                                              "|g' '" + doctor_fixture("python/report_probe.json") + "' | tr -d '\\n'\necho");
    ldconfig_ = replace_all(replace_all(read_text_file(doctor_fixture("ldconfig-p.txt")), "@ROOT@/cuda-13.0/lib/", root_ + "/cuda-13.0/lib64/"),
                            "@ROOT@", root_);
  }

  doctor_sources sources() const {
    doctor_sources sources;
    sources.driver = [] {
      driver_state driver;
      driver.driver_version = "535.104.05";
      driver.cuda_driver_version = 12020;
      gpu_description h100;
      h100.name = "NVIDIA H100 80GB HBM3";
      h100.uuid = "GPU-11111111-2222-3333-4444-555555555555";
      h100.cc_major = 9;
      h100.mig_enabled = false;
      h100.mig_pending = false;
      h100.ecc_enabled = true;
      h100.ecc_pending = true;
      driver.gpus = {h100};
      return driver;
    };
    sources.toolkits = [found = discovery_] { return found; };
    sources.environment = [path = root_ + "/cuda-13.0/bin"](const char* name) {
      return std::string(name) == "PATH" ? path : std::string();
    };
    sources.run = [cache = ldconfig_](const std::vector<std::string>& argv) {
      if (fs::path(argv.at(0)).filename() == "ldconfig") {
        process_result result;
        result.exit_code = 0;
        result.output = cache;
        return result;
      }
      return run_process(argv);
    };
    sources.root = root_;
    sources.default_library_dirs = {};
    return sources;
  }

  doctor_options options() const {
    doctor_options options;
    options.python = root_ + "/venv/bin/python3";
    return options;
  }

  const std::string& root() const { return root_; }

 private:
  scratch_dir dir_;
  std::string root_;
  discovery_result discovery_;
  std::string ldconfig_;
};

// Compares with tests/data/doctor/<golden>; on a difference the output is left in the working folder for review.
void expect_golden(const std::string& output, const std::string& golden) {
  const std::string expected = read_text_file(doctor_fixture(golden));
  if (output == expected) return;
  const std::string actual = (fs::current_path() / (golden + ".actual")).string();
  std::ofstream(actual) << output;
  ADD_FAILURE() << "output differs from " << doctor_fixture(golden) << "; it is in " << actual;
}

TEST(run_doctor, the_text_report_matches_its_golden_file) {
  fake_machine machine;
  const doctor_report report = run_doctor(machine.sources(), machine.options());
  std::ostringstream text;
  write_doctor_text(report, text);
  expect_golden(replace_all(text.str(), machine.root(), "@ROOT@"), "report.txt");
}

TEST(run_doctor, the_json_report_matches_its_golden_file) {
  fake_machine machine;
  const doctor_report report = run_doctor(machine.sources(), machine.options());
  std::ostringstream json;
  write_doctor_json(report, json);
  expect_golden(replace_all(json.str(), machine.root(), "@ROOT@"), "report.json");
}

TEST(run_doctor, any_error_makes_the_exit_status_one) {
  fake_machine machine;
  const doctor_report report = run_doctor(machine.sources(), machine.options());
  EXPECT_GT(report.count(doctor_verdict::error), 0);
  EXPECT_EQ(report.exit_status(), 1);

  doctor_report clean;
  clean.add({doctor_finding{"driver", "NVIDIA driver", doctor_verdict::warn, "no driver", {}, "install one"}});
  EXPECT_EQ(clean.exit_status(), 0) << "warnings alone leave the status at 0";
}

TEST(run_doctor, every_check_reports_in_order) {
  fake_machine machine;
  const doctor_report report = run_doctor(machine.sources(), machine.options());
  std::vector<std::string> checks;
  for (const auto& finding : report.findings)
    if (checks.empty() || checks.back() != finding.check) checks.push_back(finding.check);
  EXPECT_EQ(checks, (std::vector<std::string>{"driver", "toolkits", "environment", "python", "extensions", "container"}));
}

}  // namespace
}  // namespace cubench
