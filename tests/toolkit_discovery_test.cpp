#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "header_macros.hpp"
#include "scratch_dir.hpp"
#include "toolkit_discovery.hpp"
#include "version_parsing.hpp"

namespace cubench {
namespace {

namespace fs = std::filesystem;
using testing::scratch_dir;

// What a fake toolkit tree contains.
struct fake_toolkit {
  std::string release = "12.4";
  std::string nvcc_full = "12.4.131";
  int cuda_version = 12040;
  bool cudnn = true;
  bool thrust_in_cccl = false;
};

// A toolkit laid out like a real one under dir/name, with a bin/nvcc script that prints what nvcc prints.
std::string make_toolkit(const scratch_dir& dir, const std::string& name, const fake_toolkit& spec = {}) {
  dir.write_script(name + "/bin/nvcc", "echo 'nvcc: NVIDIA (R) Cuda compiler driver'\n"
                                       "echo 'Cuda compilation tools, release " +
                                           spec.release + ", V" + spec.nvcc_full + "'\necho 'Build cuda_" +
                                           spec.release + "'");
  const std::string version = std::to_string(spec.cuda_version);
  dir.write(name + "/include/cuda.h", "#ifndef CUDA_H\n#define CUDA_H\n#define CUDA_VERSION " + version + "\n#endif\n");
  dir.write(name + "/include/cuda_runtime_api.h", "#define CUDART_VERSION  " + version + "\n");
  dir.write(name + "/include/cublas_api.h",
            "#define CUBLAS_VER_MAJOR 12\n#define CUBLAS_VER_MINOR 4\n#define CUBLAS_VER_PATCH 5\n"
            "#define CUBLAS_VER_BUILD 8\n#define CUBLAS_VERSION (CUBLAS_VER_MAJOR * 10000 + CUBLAS_VER_MINOR * 100)\n");
  dir.write(name + "/include/cublasLt.h", "#include <cublas_api.h>\n");
  dir.write(name + "/include/cusparse.h",
            "#define CUSPARSE_VER_MAJOR 12 /* major */\n#define CUSPARSE_VER_MINOR 3\n#define CUSPARSE_VER_PATCH 1\n"
            "#define CUSPARSE_VER_BUILD 170 // build\n#define CUSPARSE_VERSION (CUSPARSE_VER_MAJOR * 1000 + \\\n"
            "                          CUSPARSE_VER_MINOR *  100)\n");
  dir.write(name + (spec.thrust_in_cccl ? "/include/cccl/thrust/version.h" : "/include/thrust/version.h"),
            "#define THRUST_VERSION 200302 // MMMmmmpp\n");
  for (const char* file : {"libcudart.so.12.4.127", "libcublas.so.12.4.5.8", "libcublasLt.so.12.4.5.8",
                           "libcusparse.so.12.3.1.170", "libcudart_static.a", "libcublas_static.a",
                           "libcublasLt_static.a", "libcusparse_static.a", "libculibos.a"})
    dir.write(name + "/lib64/" + file, "");
  fs::create_symlink("libcublas.so.12.4.5.8", dir / (name + "/lib64/libcublas.so.12"));
  fs::create_symlink("libcublas.so.12", dir / (name + "/lib64/libcublas.so"));
  dir.write(name + "/lib64/stubs/libnvidia-ml.so", "");
  if (spec.cudnn) {
    dir.write(name + "/include/cudnn_version.h",
              "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 1\n#define CUDNN_PATCHLEVEL 0\n"
              "#define CUDNN_VERSION (CUDNN_MAJOR * 10000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)\n");
    dir.write(name + "/lib64/libcudnn.so.9", "");
  }
  return fs::canonical(dir / name).string();
}

// Discovery over the given folders only, never the machine's own toolkits.
discovery_result discover_only(std::vector<std::string> roots) {
  discovery_options options;
  options.toolkit_roots = std::move(roots);
  options.search_standard_locations = false;
  options.nvcc_timeout = std::chrono::seconds(10);
  return discover_toolkits(options);
}

const skipped_toolkit* skipped_entry(const discovery_result& found, const std::string& path) {
  for (const auto& skipped : found.skipped)
    if (skipped.path == path) return &skipped;
  return nullptr;
}

// Sets an environment variable for one scope and puts the old value back.
class scoped_env {
 public:
  scoped_env(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
  ~scoped_env() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(parse_version, reads_major_minor_and_more) {
  const auto short_version = parse_version("11.8");
  ASSERT_TRUE(short_version);
  EXPECT_EQ(short_version->major(), 11);
  EXPECT_EQ(short_version->minor(), 8);
  const auto long_version = parse_version("12.4.131");
  ASSERT_TRUE(long_version);
  EXPECT_EQ(long_version->text(), "12.4.131");
  EXPECT_EQ(long_version->major_minor(), "12.4");
  EXPECT_TRUE(long_version->same_major_minor(*parse_version("12.4")));
  EXPECT_FALSE(long_version->same_major_minor(*parse_version("12.3.131")));
}

TEST(parse_version, rejects_what_is_not_dotted_digits) {
  for (const char* bad : {"", "12", "12.", ".4", "12..4", "12.x", "v12.4", " 12.4", "12.4-rc1", "1234567890.1"})
    EXPECT_FALSE(parse_version(bad)) << "'" << bad << "'";
}

TEST(parse_version, orders_by_major_then_minor) {
  EXPECT_TRUE(major_minor_less(*parse_version("11.8"), *parse_version("12.4")));
  EXPECT_TRUE(major_minor_less(*parse_version("12.4"), *parse_version("12.10")));
  EXPECT_FALSE(major_minor_less(*parse_version("12.4.99"), *parse_version("12.4.1")));
}

TEST(split_list, splits_at_the_separator_and_trims_blanks) {
  EXPECT_EQ(split_list(" 11.8, 12.4 ,13.0"), (std::vector<std::string>{"11.8", "12.4", "13.0"}));
  EXPECT_EQ(split_list("algo=1 | algo=2", '|'), (std::vector<std::string>{"algo=1", "algo=2"}));
  EXPECT_EQ(split_list("sw_power_cap|hw_slowdown", '|'), (std::vector<std::string>{"sw_power_cap", "hw_slowdown"}));
  EXPECT_EQ(split_list(""), (std::vector<std::string>{""}));
}

TEST(parse_nvcc_version, reads_release_and_full_version) {
  std::string error;
  const auto version = parse_nvcc_version(
      "nvcc: NVIDIA (R) Cuda compiler driver\nCopyright (c) 2005-2024 NVIDIA Corporation\n"
      "Built on Thu_Mar_28_02:18:24_PDT_2024\nCuda compilation tools, release 12.4, V12.4.131\n"
      "Build cuda_12.4.r12.4/compiler.34097967_0\n",
      error);
  ASSERT_TRUE(version) << error;
  EXPECT_EQ(version->release.text(), "12.4");
  EXPECT_EQ(version->full.text(), "12.4.131");
}

TEST(parse_nvcc_version, says_what_it_found_instead) {
  std::string error;
  EXPECT_FALSE(parse_nvcc_version("Segmentation fault\n", error));
  EXPECT_EQ(error, "expected a line 'Cuda compilation tools, release X.Y, VX.Y.Z', found 'Segmentation fault'");
  EXPECT_FALSE(parse_nvcc_version("Cuda compilation tools, release twelve, V12\n", error));
  EXPECT_EQ(error, "expected 'release X.Y, VX.Y.Z', found 'Cuda compilation tools, release twelve, V12'");
  EXPECT_FALSE(parse_nvcc_version("", error));
  EXPECT_NE(error.find("found no output"), std::string::npos);
}

TEST(header_macros, reads_object_like_defines_without_comments) {
  const auto macros = parse_header_macros(
      "/* header */\n#define A 12 // twelve\n  #  define B   0x10\n#define C(x) x\n#define D /* gone */ 7 /* too */\n"
      "#define E (A * \\\n   100)\n#define F 5\n#define A 99\n#definex 1\n",
      "h.h");
  std::string error;
  EXPECT_EQ(macros.integer("A", error), 12);
  EXPECT_EQ(macros.macros.at("B").value, "0x10");
  EXPECT_EQ(macros.macros.at("B").line, 3);
  EXPECT_EQ(macros.macros.at("B").column, 17);
  EXPECT_EQ(macros.macros.count("C"), 0u);
  EXPECT_EQ(macros.integer("D", error), 7);
  EXPECT_EQ(macros.macros.at("E").value, "(A *     100)");
  EXPECT_EQ(macros.macros.at("F").line, 8);
  EXPECT_EQ(macros.macros.count("definex"), 0u);
}

TEST(header_macros, errors_name_file_line_and_column) {
  const auto macros = parse_header_macros("\n#define CUDNN_MAJOR nine\n", "/x/cudnn_version.h");
  std::string error;
  EXPECT_FALSE(macros.integer("CUDNN_MAJOR", error));
  EXPECT_EQ(error, "/x/cudnn_version.h:2:21: expected an integer for CUDNN_MAJOR, found 'nine'");
  EXPECT_FALSE(macros.integer("CUDNN_MINOR", error));
  EXPECT_EQ(error, "/x/cudnn_version.h: expected '#define CUDNN_MINOR <integer>', found no such macro");
}

TEST(discover_toolkits, reads_every_version_of_a_complete_toolkit) {
  scratch_dir dir;
  const std::string root = make_toolkit(dir, "cuda-12.4");
  const auto found = discover_only({root});
  ASSERT_EQ(found.toolkits.size(), 1u) << (found.skipped.empty() ? "" : found.skipped[0].reason);
  const auto& toolkit = found.toolkits[0];
  EXPECT_EQ(toolkit.root, root);
  EXPECT_EQ(toolkit.name(), "cuda-12.4");
  EXPECT_EQ(toolkit.nvcc_path, root + "/bin/nvcc");
  EXPECT_EQ(toolkit.nvcc.full.text(), "12.4.131");
  EXPECT_EQ(toolkit.cuda_h_version, "12.4");
  EXPECT_TRUE(toolkit.problems.empty()) << toolkit.problems[0];

  const struct {
    const char* key;
    const char* version;
    const char* shared;
    const char* static_file;
  } expected[] = {
      {"cudart", "12.4", "libcudart.so.12.4.127", "libcudart_static.a"},
      {"cublas", "12.4.5.8", "libcublas.so.12.4.5.8", "libcublas_static.a"},
      {"cublaslt", "12.4.5.8", "libcublasLt.so.12.4.5.8", "libcublasLt_static.a"},
      {"cusparse", "12.3.1.170", "libcusparse.so.12.3.1.170", "libcusparse_static.a"},
      {"cudnn", "9.1.0", "libcudnn.so.9", ""},
      {"thrust", "2.3.2", "", ""},
  };
  for (const auto& want : expected) {
    const auto* library = toolkit.library(want.key);
    ASSERT_NE(library, nullptr) << want.key;
    EXPECT_TRUE(library->present) << want.key << ": " << library->reason;
    EXPECT_EQ(library->version, want.version) << want.key;
    EXPECT_EQ(fs::path(library->shared_library).filename().string(), want.shared) << want.key;
    EXPECT_EQ(fs::path(library->static_library).filename().string(), want.static_file) << want.key;
  }
  EXPECT_EQ(toolkit.library("cublaslt")->header, root + "/include/cublas_api.h");
  EXPECT_EQ(toolkit.nvml_stub, root + "/lib64/stubs/libnvidia-ml.so");
}

TEST(discover_toolkits, finds_thrust_in_the_cccl_folder) {
  scratch_dir dir;
  fake_toolkit spec;
  spec.thrust_in_cccl = true;
  const std::string root = make_toolkit(dir, "cuda-13.0", spec);
  const auto found = discover_only({root});
  ASSERT_EQ(found.toolkits.size(), 1u);
  const auto* thrust = found.toolkits[0].library("thrust");
  EXPECT_TRUE(thrust->present);
  EXPECT_EQ(thrust->header, root + "/include/cccl/thrust/version.h");
}

TEST(discover_toolkits, a_missing_library_leaves_the_toolkit_usable_with_a_reason) {
  scratch_dir dir;
  fake_toolkit spec;
  spec.cudnn = false;
  const std::string root = make_toolkit(dir, "cuda-12.4", spec);
  const auto found = discover_only({root});
  ASSERT_EQ(found.toolkits.size(), 1u);
  const auto* cudnn = found.toolkits[0].library("cudnn");
  EXPECT_FALSE(cudnn->present);
  EXPECT_EQ(cudnn->reason, "cuDNN not found in " + root + "/include (no cudnn_version.h)");
  EXPECT_TRUE(found.toolkits[0].library("cublas")->present);
}

TEST(discover_toolkits, a_header_without_its_library_is_not_present) {
  scratch_dir dir;
  const std::string root = make_toolkit(dir, "cuda-12.4");
  fs::remove(root + "/lib64/libcudnn.so.9");
  const auto found = discover_only({root});
  ASSERT_EQ(found.toolkits.size(), 1u);
  const auto* cudnn = found.toolkits[0].library("cudnn");
  EXPECT_FALSE(cudnn->present);
  EXPECT_EQ(cudnn->version, "9.1.0");
  EXPECT_NE(cudnn->reason.find("no libcudnn.so* or libcudnn_static.a in " + root + "/lib64"), std::string::npos)
      << cudnn->reason;
}

TEST(discover_toolkits, skips_bad_folders_and_keeps_the_good_ones) {
  scratch_dir dir;
  const std::string good = make_toolkit(dir, "good");
  dir.write("no-nvcc/include/cuda.h", "#define CUDA_VERSION 12040\n");
  dir.write_script("broken/bin/nvcc", "echo 'nvcc: error while loading shared libraries: libnvvm.so.4' >&2\nexit 1");
  dir.write_script("garbage/bin/nvcc", "echo 'hello world'");
  dir.write("not-executable/bin/nvcc", "");
  dir.write("a-file", "");
  const std::vector<std::string> bad = {dir / "no-nvcc", dir / "broken",    dir / "garbage",
                                        dir / "not-executable", dir / "a-file", dir / "missing"};
  std::vector<std::string> roots = bad;
  roots.push_back(good);
  const auto found = discover_only(roots);

  ASSERT_EQ(found.toolkits.size(), 1u);
  EXPECT_EQ(found.toolkits[0].root, good);
  ASSERT_EQ(found.skipped.size(), bad.size());
  const auto reason = [&](const std::string& path) {
    const auto* entry = skipped_entry(found, path);
    return entry ? entry->reason : std::string("(not skipped)");
  };
  EXPECT_EQ(reason(dir / "no-nvcc"), "no executable bin/nvcc, so not a CUDA toolkit (or an unfinished install)");
  EXPECT_EQ(reason(dir / "not-executable"), reason(dir / "no-nvcc"));
  EXPECT_EQ(reason(dir / "broken"), fs::canonical(dir / "broken").string() +
                                        "/bin/nvcc --version failed: exit status 1: nvcc: error while loading shared "
                                        "libraries: libnvvm.so.4");
  EXPECT_EQ(reason(dir / "garbage"),
            fs::canonical(dir / "garbage").string() +
                "/bin/nvcc --version: expected a line 'Cuda compilation tools, release X.Y, VX.Y.Z', found 'hello world'");
  EXPECT_EQ(reason(dir / "a-file"), "not a directory");
  EXPECT_EQ(reason(dir / "missing"), "does not exist");
}

TEST(discover_toolkits, a_hanging_nvcc_times_out) {
  scratch_dir dir;
  dir.write_script("hang/bin/nvcc", "sleep 30");
  discovery_options options;
  options.toolkit_roots = {dir / "hang"};
  options.search_standard_locations = false;
  options.nvcc_timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  const auto found = discover_toolkits(options);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  ASSERT_EQ(found.skipped.size(), 1u);
  EXPECT_NE(found.skipped[0].reason.find("--version failed: timed out after 0.3 s"), std::string::npos)
      << found.skipped[0].reason;
}

TEST(discover_toolkits, headers_from_another_release_are_a_problem) {
  scratch_dir dir;
  fake_toolkit spec;
  spec.cuda_version = 12060;
  const std::string root = make_toolkit(dir, "mixed", spec);
  dir.write("mixed/include/cusparse.h", "#define CUSPARSE_VER_MAJOR twelve\n");
  const auto found = discover_only({root});
  ASSERT_EQ(found.toolkits.size(), 1u);
  const auto& problems = found.toolkits[0].problems;
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], root + "/include/cuda.h says CUDA_VERSION 12060 (12.6) but nvcc says 12.4: headers and "
                                "compiler come from different toolkits");
  EXPECT_EQ(problems[1], "cuSPARSE version unknown: " + root +
                             "/include/cusparse.h:1:28: expected an integer for CUSPARSE_VER_MAJOR, found 'twelve'");
}

TEST(discover_toolkits, searches_standard_places_and_dedupes_by_real_path) {
  scratch_dir dir;
  const scoped_env no_home("CUDA_HOME", nullptr);
  const scoped_env path_var("CUDA_PATH", (dir / "usr-local/cuda").c_str());
  fake_toolkit cuda13;
  cuda13.release = "13.0";
  cuda13.nvcc_full = "13.0.88";
  cuda13.cuda_version = 13000;
  make_toolkit(dir, "usr-local/cuda-13.0", cuda13);
  fs::create_symlink("cuda-13.0", dir / "usr-local/cuda");
  fake_toolkit cuda118;
  cuda118.release = "11.8";
  cuda118.nvcc_full = "11.8.89";
  cuda118.cuda_version = 11080;
  make_toolkit(dir, "prefix/cuda-11.8", cuda118);
  make_toolkit(dir, "prefix/cuda-12.4");
  fs::create_directories(dir / "prefix/cuda-12.6");
  make_toolkit(dir, "elsewhere/cuda-12.4");

  discovery_options options;
  options.toolkit_roots = {dir / "elsewhere/cuda-12.4"};
  options.usr_local = dir / "usr-local";
  options.install_prefix = dir / "prefix";
  const auto found = discover_toolkits(options);

  ASSERT_EQ(found.toolkits.size(), 3u);
  EXPECT_EQ(found.toolkits[0].version().major_minor(), "11.8");
  EXPECT_EQ(found.toolkits[1].version().major_minor(), "12.4");
  EXPECT_EQ(found.toolkits[1].root, fs::canonical(dir / "elsewhere/cuda-12.4").string());
  EXPECT_EQ(found.toolkits[2].version().major_minor(), "13.0");
  const std::vector<std::string> found_as = {dir / "usr-local/cuda", dir / "usr-local/cuda-13.0"};
  EXPECT_EQ(found.toolkits[2].found_as, found_as);

  ASSERT_EQ(found.skipped.size(), 2u);
  EXPECT_EQ(found.skipped[0].path, dir / "prefix/cuda-12.4");
  EXPECT_EQ(found.skipped[0].reason, "CUDA 12.4 was already found at " + found.toolkits[1].root + ", which is used");
  EXPECT_EQ(found.skipped[1].path, dir / "prefix/cuda-12.6");
}

TEST(discover_toolkits, the_install_prefix_defaults_to_the_install_scripts) {
  {
    const scoped_env unset("CUBENCH_TOOLKIT_PREFIX", nullptr);
    EXPECT_EQ(default_toolkit_prefix(), "/opt/cubench/toolkits");
  }
  const scoped_env set("CUBENCH_TOOLKIT_PREFIX", "/x/toolkits");
  EXPECT_EQ(default_toolkit_prefix(), "/x/toolkits");
}

discovery_result installed(std::initializer_list<const char*> versions) {
  discovery_result found;
  for (const char* version : versions) {
    toolkit_info toolkit;
    toolkit.nvcc.release = *parse_version(version);
    toolkit.nvcc.full = toolkit.nvcc.release;
    toolkit.root = std::string("/opt/cuda-") + version;
    found.toolkits.push_back(toolkit);
  }
  return found;
}

std::vector<std::string> selected_names(const std::vector<const toolkit_info*>& selected) {
  std::vector<std::string> names;
  for (const auto* toolkit : selected) names.push_back(toolkit->name());
  return names;
}

TEST(select_toolkits, matches_by_major_minor) {
  const auto found = installed({"11.8", "12.4", "13.0"});
  std::string error;
  EXPECT_EQ(selected_names(select_toolkits(found, "11.8,12.4", error)),
            (std::vector<std::string>{"cuda-11.8", "cuda-12.4"}));
  EXPECT_EQ(error, "");
  EXPECT_EQ(selected_names(select_toolkits(found, " 13.0 , 12.4.131,13.0", error)),
            (std::vector<std::string>{"cuda-13.0", "cuda-12.4"}));
  EXPECT_EQ(selected_names(select_toolkits(found, "all", error)),
            (std::vector<std::string>{"cuda-11.8", "cuda-12.4", "cuda-13.0"}));
  EXPECT_EQ(error, "");
}

TEST(select_toolkits, an_unknown_release_names_what_exists_and_how_to_install) {
  const auto found = installed({"12.4", "13.0"});
  std::string error;
  EXPECT_TRUE(select_toolkits(found, "12.4,10.2", error).empty());
  EXPECT_EQ(error,
            "--toolkits '12.4,10.2', item 2: CUDA 10.2 is not installed; found: 12.4 (/opt/cuda-12.4), 13.0 "
            "(/opt/cuda-13.0); scripts/install-toolkit --versions X.Y installs 11.8 and 12.4; for another release "
            "install it yourself and pass --toolkit-root DIR");
  EXPECT_TRUE(select_toolkits(found, "11.8", error).empty());
  EXPECT_NE(error.find("CUDA 11.8 is not installed; found: 12.4 (/opt/cuda-12.4), 13.0 (/opt/cuda-13.0); install it "
                       "with: scripts/install-toolkit --versions 11.8"),
            std::string::npos)
      << error;
}

TEST(select_toolkits, a_malformed_item_says_what_was_expected) {
  const auto found = installed({"12.4"});
  std::string error;
  EXPECT_TRUE(select_toolkits(found, "12.4,twelve", error).empty());
  EXPECT_EQ(error, "--toolkits '12.4,twelve', item 2: expected a toolkit release MAJOR.MINOR such as 12.4, or 'all', "
                   "found 'twelve'");
  EXPECT_TRUE(select_toolkits(found, "12.4,", error).empty());
  EXPECT_NE(error.find("item 2: expected a toolkit release"), std::string::npos) << error;
}

TEST(select_toolkits, all_with_nothing_installed_is_an_error) {
  std::string error;
  EXPECT_TRUE(select_toolkits(discovery_result{}, "all", error).empty());
  EXPECT_NE(error.find("no CUDA toolkit found"), std::string::npos) << error;
}

}  // namespace
}  // namespace cubench
