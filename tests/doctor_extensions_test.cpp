#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "doctor_extensions.hpp"
#include "doctor_test_support.hpp"
#include "elf_needed.hpp"
#include "scratch_dir.hpp"

namespace cubench {
namespace {

namespace fs = std::filesystem;
using testing::build_shared_object;
using testing::finding_for;
using testing::scratch_dir;

// The libraries extensions link, built once per test as stubs with real SONAMEs.
struct runtime_stubs {
  std::string cudart11;
  std::string cudart12;
  std::string c10;
};

runtime_stubs build_runtime_stubs(const scratch_dir& dir) {
  runtime_stubs stubs;
  stubs.cudart11 = build_shared_object(dir, "stubs/libcudart.so.11.0", "int cudaGetDeviceCount(int* n) { *n = 0; return 0; }\n",
                                       "libcudart.so.11.0");
  stubs.cudart12 = build_shared_object(dir, "stubs/libcudart.so.12", "int cudaGetDeviceCount(int* n) { *n = 0; return 0; }\n",
                                       "libcudart.so.12");
  stubs.c10 = build_shared_object(dir, "stubs/libc10.so", "int c10_stub(void) { return 1; }\n", "libc10.so");
  return stubs;
}

python_probe probe_with_torch(const std::string& cuda, const std::string& version) {
  python_probe probe;
  probe.python = "python3";
  probe.executable = "/env/bin/python3";
  torch_state torch;
  torch.version = version;
  torch.cuda = cuda;
  probe.torch = torch;
  return probe;
}

TEST(elf_needed, reads_soname_and_needed_in_order) {
  scratch_dir dir;
  const auto stubs = build_runtime_stubs(dir);
  const std::string ext = build_shared_object(dir, "ext.so", "int ext(void) { return 2; }\n", "ext.so", {stubs.cudart11, stubs.c10});
  ASSERT_FALSE(ext.empty());

  const elf_dynamic_names names = read_elf_dynamic_names(ext);
  EXPECT_EQ(names.error, "");
  EXPECT_EQ(names.soname, "ext.so");
  const auto cudart = std::find(names.needed.begin(), names.needed.end(), "libcudart.so.11.0");
  const auto c10 = std::find(names.needed.begin(), names.needed.end(), "libc10.so");
  ASSERT_NE(cudart, names.needed.end());
  ASSERT_NE(c10, names.needed.end());
  EXPECT_LT(cudart - names.needed.begin(), c10 - names.needed.begin());
  EXPECT_EQ(read_elf_dynamic_names(stubs.cudart12).soname, "libcudart.so.12");
}

TEST(elf_needed, follows_symbolic_links) {
  scratch_dir dir;
  const auto stubs = build_runtime_stubs(dir);
  fs::create_symlink(stubs.cudart12, dir / "libcudart.so");
  EXPECT_EQ(read_elf_dynamic_names(dir / "libcudart.so").soname, "libcudart.so.12");
}

TEST(elf_needed, names_the_file_and_what_it_is_instead) {
  scratch_dir dir;
  const std::string script = dir.write("libc.so", "/* GNU ld script */\nGROUP ( /lib/libc.so.6 )\n");
  const elf_dynamic_names names = read_elf_dynamic_names(script);
  EXPECT_NE(names.error.find(script), std::string::npos) << names.error;
  EXPECT_NE(names.error.find("expected an ELF file"), std::string::npos) << names.error;
  EXPECT_TRUE(names.needed.empty());

  const elf_dynamic_names missing = read_elf_dynamic_names(dir / "absent.so");
  EXPECT_NE(missing.error.find("cannot open"), std::string::npos) << missing.error;
}

TEST(elf_needed, cudart_major_comes_from_the_needed_name) {
  EXPECT_EQ(cudart_major_of("libcudart.so.11.0"), 11);
  EXPECT_EQ(cudart_major_of("libcudart.so.12"), 12);
  EXPECT_EQ(cudart_major_of("libcudart.so.13"), 13);
  EXPECT_EQ(cudart_major_of("libcudart.so"), 0);
  EXPECT_EQ(cudart_major_of("libcudart.so.x"), 0);
  EXPECT_EQ(cudart_major_of("libcudart.so.12x"), 0);
  EXPECT_EQ(cudart_major_of("libcublas.so.12"), 0);
}

// A site-packages folder with extensions of both CUDA majors, plus files the scan must leave out.
struct fake_site_packages {
  scratch_dir dir;
  std::string root;

  fake_site_packages() {
    const auto stubs = build_runtime_stubs(dir);
    root = dir / "site-packages";
    const std::string code = "int init(void) { return 0; }\n";
    build_shared_object(dir, "site-packages/torch_scatter/_scatter_cuda.so", code, "", {stubs.cudart11, stubs.c10});
    build_shared_object(dir, "site-packages/flash_attn_2_cuda.cpython-311-x86_64-linux-gnu.so", code, "",
                        {stubs.cudart12, stubs.c10});
    build_shared_object(dir, "site-packages/cupy_backends/cuda/api/runtime.so", code, "", {stubs.cudart11});
    build_shared_object(dir, "site-packages/cpu_only_ext/_ops.so", code, "", {stubs.c10});
    build_shared_object(dir, "site-packages/numpy/core/_multiarray_umath.so", code, "");
    build_shared_object(dir, "site-packages/torch/lib/libtorch_cuda.so", code, "", {stubs.cudart11});
    build_shared_object(dir, "site-packages/nvidia/cuda_runtime/lib/libcudart.so.12", code, "libcudart.so.12");
    dir.write("site-packages/broken/_ext.so", "not an ELF file");
  }
};

TEST(scan_extensions, finds_every_package_that_links_cudart_or_c10) {
  fake_site_packages site;
  const auto extensions = scan_extensions({site.root});
  std::vector<std::string> packages;
  for (const auto& extension : extensions) packages.push_back(extension.package);
  EXPECT_EQ(packages, (std::vector<std::string>{"cpu_only_ext", "cupy_backends", "flash_attn_2_cuda", "torch_scatter"}));

  const auto scatter = std::find_if(extensions.begin(), extensions.end(), [](const auto& e) { return e.package == "torch_scatter"; });
  ASSERT_NE(scatter, extensions.end());
  EXPECT_EQ(scatter->cudart_needed, std::vector<std::string>{"libcudart.so.11.0"});
  EXPECT_TRUE(scatter->links_c10);
  EXPECT_EQ(scatter->path, site.root + "/torch_scatter/_scatter_cuda.so");
}

TEST(extension_findings, a_torch_extension_of_another_cuda_major_is_an_error_with_its_fix) {
  fake_site_packages site;
  const auto findings = extension_findings(scan_extensions({site.root}), probe_with_torch("12.4", "2.4.0+cu124"));

  const doctor_finding& scatter = finding_for(findings, "torch_scatter");
  EXPECT_EQ(scatter.verdict, doctor_verdict::error);
  EXPECT_NE(scatter.summary.find("CUDA 11"), std::string::npos) << scatter.summary;
  EXPECT_NE(scatter.summary.find("CUDA 12.4"), std::string::npos) << scatter.summary;
  EXPECT_NE(scatter.fix.find("built for CUDA 12 and torch 2.4.0+cu124"), std::string::npos) << scatter.fix;
  EXPECT_NE(scatter.fix.find("/env/bin/python3 -m pip install --force-reinstall --no-cache-dir torch_scatter"),
            std::string::npos) << scatter.fix;

  const doctor_finding& flash = finding_for(findings, "flash_attn_2_cuda");
  EXPECT_EQ(flash.verdict, doctor_verdict::ok);

  const doctor_finding& cupy = finding_for(findings, "cupy_backends");
  EXPECT_EQ(cupy.verdict, doctor_verdict::warn) << "a standalone runtime of another major only shares the process";

  const doctor_finding& cpu = finding_for(findings, "cpu_only_ext");
  EXPECT_EQ(cpu.verdict, doctor_verdict::ok);
  EXPECT_NE(cpu.summary.find("no libcudart"), std::string::npos);
}

TEST(extension_findings, without_a_cuda_torch_there_is_nothing_to_match) {
  fake_site_packages site;
  const auto findings = extension_findings(scan_extensions({site.root}), probe_with_torch("", "2.4.0+cpu"));
  const doctor_finding& scatter = finding_for(findings, "torch_scatter");
  EXPECT_EQ(scatter.verdict, doctor_verdict::warn);
  EXPECT_NE(scatter.fix.find("CUDA 11 build of torch"), std::string::npos) << scatter.fix;
  EXPECT_EQ(finding_for(findings, "cupy_backends").verdict, doctor_verdict::ok);
}

TEST(extension_findings, an_empty_site_packages_says_so) {
  scratch_dir dir;
  dir.write("site-packages/pure/__init__.py", "");
  const auto findings = extension_findings(scan_extensions({dir / "site-packages"}), probe_with_torch("12.4", "2.4.0"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].verdict, doctor_verdict::ok);
  EXPECT_EQ(findings[0].summary, "no compiled extension links libcudart or libc10");
}

}  // namespace
}  // namespace cubench
