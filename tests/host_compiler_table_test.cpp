#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "host_compiler_table.hpp"
#include "scratch_dir.hpp"

namespace cubench {
namespace {

using testing::scratch_dir;

version_number v(const char* text) { return *parse_version(text); }

TEST(host_compiler_table, cuda_11_8_accepts_up_to_gcc_11) {
  EXPECT_TRUE(host_compiler_accepted(v("11.8"), 11));
  EXPECT_TRUE(host_compiler_accepted(v("11.8"), 9));
  EXPECT_FALSE(host_compiler_accepted(v("11.8"), 12));
  EXPECT_FALSE(host_compiler_accepted(v("11.8"), 5));
}

TEST(host_compiler_table, cuda_12_4_accepts_up_to_gcc_13) {
  EXPECT_TRUE(host_compiler_accepted(v("12.4"), 13));
  EXPECT_TRUE(host_compiler_accepted(v("12.4"), 12));
  EXPECT_FALSE(host_compiler_accepted(v("12.4"), 14));
}

TEST(host_compiler_table, cuda_13_0_accepts_up_to_gcc_15) {
  EXPECT_TRUE(host_compiler_accepted(v("13.0"), 15));
  EXPECT_TRUE(host_compiler_accepted(v("13.0"), 12));
  EXPECT_FALSE(host_compiler_accepted(v("13.0"), 16));
  EXPECT_FALSE(host_compiler_accepted(v("13.0"), 6));
}

TEST(host_compiler_table, a_release_between_rows_borrows_the_older_row_and_says_so) {
  std::string note;
  const auto limits = host_compiler_limits_for(v("12.6"), &note);
  ASSERT_TRUE(limits);
  EXPECT_EQ(limits->max_gcc_major, 13);
  EXPECT_EQ(note, "CUDA 12.6 is not in the host-compiler table; using the limits of CUDA 12.4");
  note.clear();
  EXPECT_TRUE(host_compiler_limits_for(v("12.4.131"), &note));
  EXPECT_EQ(note, "");
  EXPECT_FALSE(host_compiler_limits_for(v("10.2")));
  EXPECT_FALSE(host_compiler_accepted(v("10.2"), 8));
}

TEST(host_compiler_table, rows_are_ordered_and_ranges_sane) {
  const auto& table = host_compiler_table();
  ASSERT_FALSE(table.empty());
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_LE(table[i].min_gcc_major, table[i].max_gcc_major);
    if (i > 0) {
      EXPECT_TRUE(major_minor_less(table[i - 1].toolkit, table[i].toolkit));
    }
  }
}

TEST(choose_host_compiler, picks_the_newest_accepted) {
  const std::vector<host_compiler> installed = {
      {"/usr/bin/g++-11", v("11.4.0")}, {"/usr/bin/g++-12", v("12.2.0")}, {"/usr/bin/g++-14", v("14.2.0")}};
  const auto for_118 = choose_host_compiler(v("11.8"), installed);
  ASSERT_TRUE(for_118.compiler);
  EXPECT_EQ(for_118.compiler->path, "/usr/bin/g++-11");
  EXPECT_EQ(for_118.accepted, "g++ 6 to 11");
  EXPECT_EQ(for_118.problem, "");
  const auto for_124 = choose_host_compiler(v("12.4"), installed);
  ASSERT_TRUE(for_124.compiler);
  EXPECT_EQ(for_124.compiler->path, "/usr/bin/g++-12");
  const auto for_130 = choose_host_compiler(v("13.0"), installed);
  ASSERT_TRUE(for_130.compiler);
  EXPECT_EQ(for_130.compiler->path, "/usr/bin/g++-14");
}

TEST(choose_host_compiler, none_accepted_names_the_fix) {
  const auto choice = choose_host_compiler(v("11.8"), {{"/usr/bin/g++", v("12.2.0")}});
  EXPECT_FALSE(choice.compiler);
  EXPECT_EQ(choice.problem,
            "no host compiler that CUDA 11.8's nvcc accepts (g++ 6 to 11); found /usr/bin/g++ 12.2.0; fix: apt-get "
            "install g++-11");
  EXPECT_NE(choose_host_compiler(v("12.4"), {}).problem.find("found no g++ on PATH"), std::string::npos);
}

TEST(probe_host_compilers, runs_each_distinct_gxx_on_the_path) {
  scratch_dir dir;
  dir.write_script("bin/g++-11", "[ \"$1\" = -dumpfullversion ] && echo 11.4.0");
  dir.write_script("bin/g++-12", "[ \"$1\" = -dumpfullversion ] && echo 12.2.0");
  std::filesystem::create_symlink("g++-12", dir / "bin/g++");
  dir.write_script("other/g++-13", "echo 'g++-13: broken' >&2; exit 1");
  dir.write_script("other/g++-14", "echo 14.1.0");
  dir.write("other/g++-15", "not executable");

  const auto found = probe_host_compilers(dir / "bin" + ":" + dir / "other" + ":" + dir / "missing");
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].path, dir / "bin/g++-11");
  EXPECT_EQ(found[0].version.text(), "11.4.0");
  EXPECT_EQ(found[1].path, dir / "bin/g++-12");
  EXPECT_EQ(found[1].version.text(), "12.2.0");
  EXPECT_EQ(found[2].path, dir / "other/g++-14");

  const auto choice = choose_host_compiler(v("11.8"), found);
  ASSERT_TRUE(choice.compiler);
  EXPECT_EQ(choice.compiler->path, dir / "bin/g++-11");
}

}  // namespace
}  // namespace cubench
