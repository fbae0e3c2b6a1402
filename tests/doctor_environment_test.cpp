#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "doctor_environment.hpp"
#include "doctor_test_support.hpp"
#include "scratch_dir.hpp"

namespace cubench {
namespace {

namespace fs = std::filesystem;
using testing::build_shared_object;
using testing::finding_for;
using testing::replace_all;
using testing::scratch_dir;

std::string read_fixture(const std::string& name) { return testing::read_text_file(testing::doctor_fixture(name)); }

const command_runner real_runner = [](const std::vector<std::string>& argv) { return run_process(argv); };

TEST(parse_loader_cache, reads_entries_in_order_and_skips_header_and_trailer) {
  const loader_cache cache = parse_loader_cache(replace_all(read_fixture("ldconfig-p.txt"), "@ROOT@", "/fake"), "ldconfig-p.txt");
  EXPECT_TRUE(cache.problems.empty()) << cache.problems.front();
  ASSERT_EQ(cache.entries.size(), 7u);
  EXPECT_EQ(cache.entries[0].soname, "libz.so.1");
  EXPECT_EQ(cache.entries[0].flags, "libc6,x86-64");
  EXPECT_EQ(cache.entries[0].path, "/lib/x86_64-linux-gnu/libz.so.1");
  EXPECT_EQ(cache.entries[5].flags, "libc6");
  EXPECT_EQ(cache.entries[6].flags, "libc6,x86-64, OS ABI: Linux 3.2.0");
  EXPECT_EQ(cache.entries[6].soname, "ld-linux-x86-64.so.2");
}

#if defined(__x86_64__)
TEST(parse_loader_cache, only_native_entries_count) {
  const loader_cache cache = parse_loader_cache(replace_all(read_fixture("ldconfig-p.txt"), "@ROOT@", "/fake"), "ldconfig-p.txt");
  EXPECT_TRUE(is_native_loader_entry(cache.entries[4]));
  EXPECT_FALSE(is_native_loader_entry(cache.entries[5])) << "a 32-bit library is not loaded by a 64-bit program";
}
#endif

TEST(parse_loader_cache, names_line_and_column_of_an_unreadable_line) {
  const loader_cache cache = parse_loader_cache(
      "2 libs found in cache `/etc/ld.so.cache'\n\tlibz.so.1 (libc6,x86-64) => /lib/libz.so.1\n"
      "\tlibbad.so.1 (libc6,x86-64) -> /lib/libbad.so.1\n\tlibrel.so.1 (libc6,x86-64) => lib/librel.so.1\ngarbage\n",
      "fake-ldconfig");
  EXPECT_EQ(cache.entries.size(), 1u);
  ASSERT_EQ(cache.problems.size(), 3u);
  EXPECT_EQ(cache.problems[0], "fake-ldconfig:3:14: expected '(flags) => path', found '(libc6,x86-64) -> /lib/libbad.so.1'");
  EXPECT_EQ(cache.problems[1], "fake-ldconfig:4:32: expected an absolute path after '=>', found 'lib/librel.so.1'");
  EXPECT_NE(cache.problems[2].find("fake-ldconfig:5:1: expected an indented entry"), std::string::npos) << cache.problems[2];
}

// Two toolkits that both ship libcusparse.so.12 (12.4 has 12.3.1.170, 13.0 has 12.6.3.3), a symlinked copy of
// 13.0's libcudart.so.13 as /usr/local/lib has it, and the cache fixture pointing at 13.0.
struct fake_library_tree {
  scratch_dir dir;
  std::string root;
  environment_inputs inputs;

  fake_library_tree() {
    root = fs::canonical(dir.path()).string();
    const std::string small = "int f(void) { return 1; }\n";
    const std::string large = "static int table[4096] = {1}; int f(void) { return table[0]; }\n";
    build_shared_object(dir, "cuda-12.4/lib64/libcusparse.so.12.3.1.170", small, "libcusparse.so.12");
    fs::create_symlink("libcusparse.so.12.3.1.170", dir / "cuda-12.4/lib64/libcusparse.so.12");
    build_shared_object(dir, "cuda-12.4/lib64/libcudart.so.12.4.127", small, "libcudart.so.12");
    fs::create_symlink("libcudart.so.12.4.127", dir / "cuda-12.4/lib64/libcudart.so.12");
    build_shared_object(dir, "cuda-13.0/lib/libcusparse.so.12", large, "libcusparse.so.12");
    build_shared_object(dir, "cuda-13.0/lib/libcudart.so.13", small, "libcudart.so.13");
    fs::create_directories(dir / "usr-local-lib");
    fs::create_symlink(root + "/cuda-13.0/lib/libcudart.so.13", dir / "usr-local-lib/libcudart.so.13");
    fs::create_directories(dir / "empty");

    inputs.cache = parse_loader_cache(replace_all(read_fixture("ldconfig-p.txt"), "@ROOT@", root), "ldconfig-p.txt");
    inputs.default_dirs = {};
    inputs.other_folders = {{root + "/cuda-12.4/lib64", "CUDA 12.4", {{"libcusparse", "12.3.1.170"}}},
                            {root + "/cuda-13.0/lib", "CUDA 13.0", {{"libcusparse", "12.6.3.3"}, {"libcudart", "13.0.96"}}}};
  }
};

TEST(resolve_library, the_cache_wins_and_the_other_toolkits_copy_is_shadowed) {
  fake_library_tree tree;
  const auto resolutions = resolve_library("libcusparse", tree.inputs);
  ASSERT_EQ(resolutions.size(), 1u);
  const soname_resolution& cusparse = resolutions[0];
  EXPECT_EQ(cusparse.soname, "libcusparse.so.12");
  ASSERT_TRUE(cusparse.resolved.has_value());
  EXPECT_EQ(cusparse.resolved->real_path, tree.root + "/cuda-13.0/lib/libcusparse.so.12");
  EXPECT_EQ(cusparse.resolved->origin, "loader cache");
  EXPECT_EQ(cusparse.resolved->version, "12.6.3.3");
  ASSERT_EQ(cusparse.others.size(), 1u);
  EXPECT_EQ(cusparse.others[0].path, tree.root + "/cuda-12.4/lib64/libcusparse.so.12");
  EXPECT_EQ(cusparse.others[0].version, "12.3.1.170") << "the real file's name gives the version";
  EXPECT_EQ(cusparse.differing().size(), 1u);
}

TEST(resolve_library, ld_library_path_comes_before_the_cache) {
  fake_library_tree tree;
  tree.inputs.ld_library_path = tree.root + "/empty:" + tree.root + "/cuda-12.4/lib64";
  const auto resolutions = resolve_library("libcusparse", tree.inputs);
  ASSERT_EQ(resolutions.size(), 1u);
  ASSERT_TRUE(resolutions[0].resolved.has_value());
  EXPECT_EQ(resolutions[0].resolved->origin, "LD_LIBRARY_PATH");
  EXPECT_EQ(resolutions[0].resolved->version, "12.3.1.170");
  ASSERT_EQ(resolutions[0].others.size(), 1u);
  EXPECT_EQ(resolutions[0].others[0].version, "12.6.3.3");
}

TEST(resolve_library, a_symbolic_link_to_the_same_file_is_not_a_shadow) {
  fake_library_tree tree;
  const auto resolutions = resolve_library("libcudart", tree.inputs);
  ASSERT_EQ(resolutions.size(), 2u);
  EXPECT_EQ(resolutions[0].soname, "libcudart.so.12");
  EXPECT_FALSE(resolutions[0].resolved.has_value()) << "12.4's runtime is on no loader path";
  EXPECT_EQ(resolutions[1].soname, "libcudart.so.13");
  ASSERT_TRUE(resolutions[1].resolved.has_value());
  EXPECT_EQ(resolutions[1].resolved->path, tree.root + "/usr-local-lib/libcudart.so.13");
  EXPECT_EQ(resolutions[1].resolved->version, "13.0.96");
  EXPECT_TRUE(resolutions[1].others.empty());
}

TEST(environment_findings, warns_about_a_shadowed_build_and_says_what_to_do) {
  fake_library_tree tree;
  const auto findings = environment_findings(tree.inputs, discovery_result{}, real_runner);
  const doctor_finding& cusparse = finding_for(findings, "libcusparse");
  EXPECT_EQ(cusparse.verdict, doctor_verdict::warn);
  EXPECT_NE(cusparse.summary.find("shadows a different build with the same SONAME (libcusparse.so.12)"), std::string::npos)
      << cusparse.summary;
  EXPECT_NE(cusparse.fix.find("LD_LIBRARY_PATH"), std::string::npos);

  const doctor_finding& cudart = finding_for(findings, "libcudart");
  EXPECT_EQ(cudart.verdict, doctor_verdict::ok);
  EXPECT_EQ(cudart.summary, "libcudart.so.13 -> " + tree.root + "/cuda-13.0/lib/libcudart.so.13");

  const doctor_finding& cudnn = finding_for(findings, "libcudnn");
  EXPECT_EQ(cudnn.verdict, doctor_verdict::warn);
  EXPECT_NE(cudnn.fix.find("cuDNN"), std::string::npos);
}

TEST(wheel_library_folders, take_their_version_from_the_dist_info) {
  scratch_dir dir;
  dir.write("site-packages/nvidia/cusparse/lib/libcusparse.so.12", "");
  dir.write("site-packages/nvidia/cusparse/__init__.py", "");
  dir.write("site-packages/nvidia_cusparse_cu12-12.1.0.106.dist-info/METADATA", "");
  dir.write("site-packages/nvidia/cu13/lib/libcublas.so.13", "");
  dir.write("site-packages/nvidia/include_only/include/x.h", "");
  const auto folders = wheel_library_folders(dir / "site-packages");
  ASSERT_EQ(folders.size(), 2u);
  EXPECT_EQ(folders[0].origin, "wheel nvidia/cu13");
  EXPECT_TRUE(folders[0].version_by_stem.empty());
  EXPECT_EQ(folders[1].path, dir / "site-packages/nvidia/cusparse/lib");
  EXPECT_EQ(folders[1].origin, "wheel nvidia/cusparse");
  EXPECT_EQ(folders[1].version_by_stem.at("libcusparse"), "12.1.0.106");
}

// A toolkit as discovery reports it, with bin/nvcc printing its release.
toolkit_info fake_toolkit(const scratch_dir& dir, const std::string& name, const std::string& full) {
  const std::string release = full.substr(0, full.rfind('.'));
  dir.write_script(name + "/bin/nvcc", "echo 'Cuda compilation tools, release " + release + ", V" + full + "'");
  toolkit_info toolkit;
  toolkit.root = fs::canonical(dir / name).string();
  toolkit.nvcc_path = toolkit.root + "/bin/nvcc";
  toolkit.nvcc = nvcc_version{*parse_version(release), *parse_version(full)};
  return toolkit;
}

TEST(environment_findings, names_the_first_nvcc_on_path_and_the_ones_it_shadows) {
  scratch_dir dir;
  discovery_result found;
  found.toolkits.push_back(fake_toolkit(dir, "cuda-12.4", "12.4.131"));
  fake_toolkit(dir, "elsewhere", "13.0.88");
  environment_inputs inputs;
  inputs.default_dirs = {};
  inputs.path = dir / "cuda-12.4/bin:" + dir / "elsewhere/bin:/nonexistent";
  const auto findings = environment_findings(inputs, found, real_runner);
  const doctor_finding& nvcc = finding_for(findings, "nvcc on PATH");
  EXPECT_EQ(nvcc.verdict, doctor_verdict::ok);
  EXPECT_EQ(nvcc.summary, dir / "cuda-12.4/bin/nvcc is CUDA 12.4.131 (" + found.toolkits[0].root + ")");
  ASSERT_EQ(nvcc.details.size(), 1u);
  EXPECT_EQ(nvcc.details[0], "shadows " + dir / "elsewhere/bin/nvcc, CUDA 13.0.88, outside the toolkits found");
}

TEST(environment_findings, no_nvcc_on_path_names_the_folder_to_add) {
  scratch_dir dir;
  discovery_result found;
  found.toolkits.push_back(fake_toolkit(dir, "cuda-12.4", "12.4.131"));
  environment_inputs inputs;
  inputs.default_dirs = {};
  inputs.path = "/nonexistent";
  const auto findings = environment_findings(inputs, found, real_runner);
  const doctor_finding& nvcc = finding_for(findings, "nvcc on PATH");
  EXPECT_EQ(nvcc.verdict, doctor_verdict::warn);
  EXPECT_EQ(nvcc.fix, "Add the bin folder of the toolkit you build with to PATH, e.g. export PATH=" + found.toolkits[0].root +
                          "/bin:$PATH.");
}

TEST(environment_findings, cuda_home_and_path_disagreeing_is_a_warning) {
  scratch_dir dir;
  discovery_result found;
  found.toolkits.push_back(fake_toolkit(dir, "cuda-12.4", "12.4.131"));
  found.toolkits.push_back(fake_toolkit(dir, "cuda-13.0", "13.0.88"));
  environment_inputs inputs;
  inputs.default_dirs = {};
  inputs.path = dir / "cuda-13.0/bin";
  inputs.cuda_home = dir / "cuda-12.4";
  const auto findings = environment_findings(inputs, found, real_runner);
  const doctor_finding& home = finding_for(findings, "CUDA_HOME");
  EXPECT_EQ(home.verdict, doctor_verdict::warn);
  EXPECT_NE(home.summary.find("but nvcc on PATH is CUDA 13.0"), std::string::npos) << home.summary;

  inputs.cuda_home = dir / "cuda-13.0";
  const auto agreeing = environment_findings(inputs, found, real_runner);
  EXPECT_EQ(finding_for(agreeing, "CUDA_HOME").verdict, doctor_verdict::ok);
}

}  // namespace
}  // namespace cubench
