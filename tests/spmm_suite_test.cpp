#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include "matrix_generators.hpp"
#include "scratch_dir.hpp"
#include "spmm_suite.hpp"
#include "tolerance.hpp"

namespace cubench {
namespace {

using testing::scratch_dir;

const std::string header = "family,impl,algorithm,dtype,layout,matrix,n\n";

// The message of the suite_error that reading `text` throws, with the path replaced by "F", or "".
std::string suite_error_of(const std::string& text) {
  const scratch_dir dir;
  const std::string path = dir.write("spmm.csv", text);
  try {
    read_spmm_suite(path);
  } catch (const suite_error& e) {
    std::string message = e.what();
    if (message.rfind(path, 0) == 0) message = "F" + message.substr(path.size());
    return message;
  }
  return "";
}

TEST(spmm_suite, expands_lists_into_cases_with_stable_ids) {
  const scratch_dir dir;
  const auto specs = read_spmm_suite(dir.write(
      "spmm.csv", header + "spmm,cusparse,csr_alg2|default,fp32,row|col,add32.mtx,1|64\n"
                           "spmm,inhouse,merge,bf16,row,gen:rmat:edges=16M:scale=20,256\n"));
  ASSERT_EQ(specs.size(), 9u);
  EXPECT_EQ(spmm_case_id(specs[0]), "spmm/cusparse/csr_alg2/fp32/layout=row;matrix=add32.mtx;n=1");
  EXPECT_EQ(spmm_case_id(specs[3]), "spmm/cusparse/csr_alg2/fp32/layout=col;matrix=add32.mtx;n=64");
  EXPECT_EQ(spmm_case_id(specs[4]), "spmm/cusparse/default/fp32/layout=row;matrix=add32.mtx;n=1");
  EXPECT_EQ(specs[8].matrix, "gen:rmat:scale=20:edges=16M:a=0.57:b=0.19:c=0.19:seed=1");
  EXPECT_EQ(specs[8].line, 3u);
  EXPECT_EQ(spmm_case_id(specs[8]),
            "spmm/inhouse/merge/bf16/layout=row;matrix=gen:rmat:scale=20:edges=16M:a=0.57:b=0.19:c=0.19:seed=1;n=256");
}

TEST(spmm_suite, names_the_bad_cell) {
  EXPECT_EQ(suite_error_of(header + "spmm,cusparse,csr_alg9,fp32,row,add32.mtx,8\n"),
            "F:2:3: expected one of default, csr_alg1, csr_alg2, csr_alg3, coo_alg1, coo_alg2, coo_alg3, coo_alg4, "
            "blocked_ell_alg1, or several joined by '|' in column 'algorithm', found 'csr_alg9'");
  EXPECT_EQ(suite_error_of(header + "spmm,inhouse,csr_alg2,fp32,row,add32.mtx,8\n"),
            "F:2:3: expected one of row_split, merge, or several joined by '|' in column 'algorithm', found 'csr_alg2'");
  EXPECT_EQ(suite_error_of(header + "spmm,inhouse,merge,int8,row,add32.mtx,8\n"),
            "F:2:4: expected one of fp64, fp32, fp16, bf16, or several joined by '|' in column 'dtype', found 'int8'");
  EXPECT_EQ(suite_error_of(header + "spmm,inhouse,merge,fp32,row|,add32.mtx,8\n"),
            "F:2:5: expected one of row, col, or several joined by '|' in column 'layout', found 'row|'");
  EXPECT_EQ(suite_error_of(header + "spmm,inhouse,merge,fp32,row,add32.mtx,8|0\n"),
            "F:2:7: expected an integer in [1, 2147483647], or several joined by '|' in column 'n', found '8|0'");
  EXPECT_EQ(suite_error_of(header + "spmm,inhouse,merge,fp32,row,dir/add32.mtx,8\n"),
            "F:2:6: expected a .mtx file name in the matrix folder (no '/'), or a generator spec gen:KIND:key=value:... "
            "in column 'matrix', found 'dir/add32.mtx'");
  EXPECT_EQ(suite_error_of(header + "spmm,inhouse,merge,fp32,row,gen:rmat:scale=20,8\n"),
            "F:2:6: expected gen:rmat:scale=1..30:edges=E[:a=A:b=B:c=C][:seed=S] ('edges' is missing) in column "
            "'matrix', found 'gen:rmat:scale=20'");
  EXPECT_EQ(suite_error_of(header + "spmm,inhouse,merge,fp32,row,add32.mtx,8\n"
                                    "spmm,inhouse,merge|row_split,fp32,row,add32.mtx,8\n"),
            "F:3:6: expected each case once, but spmm/inhouse/merge/fp32/layout=row;matrix=add32.mtx;n=8 is also on line "
            "2 in column 'matrix', found 'add32.mtx'");
  EXPECT_EQ(suite_error_of("family,impl,dtype,layout,matrix,n\nspmm,inhouse,fp32,row,add32.mtx,8\n"),
            "F:1:7: expected a column 'algorithm' in the header, found none");
}

TEST(spmm_suite, counts_work_and_tolerates_the_longest_row) {
  spmm_case_spec spec;
  spec.dtype = "fp16";
  spec.n = 64;
  EXPECT_EQ(spmm_flop(spec, 1000), 2.0 * 1000 * 64);
  EXPECT_EQ(spmm_min_bytes(spec, 10, 20, 1000), 11 * 4 + 1000 * 6 + (20 + 10) * 64 * 2);
  EXPECT_EQ(spmm_tolerance("fp32", 400), gemm_tolerance("fp32", 400));
  EXPECT_EQ(spmm_tolerance("bf16", 0), gemm_tolerance("bf16", 1));
}

TEST(spmm_suite, matrix_folder_comes_from_the_flag_then_the_environment) {
  ::setenv(matrix_dir_variable, "/from/env", 1);
  EXPECT_EQ(resolve_matrix_dir("/from/flag"), "/from/flag");
  EXPECT_EQ(resolve_matrix_dir(""), "/from/env");
  ::unsetenv(matrix_dir_variable);
  EXPECT_EQ(resolve_matrix_dir(""), "");
  try {
    load_spmm_matrix("add32.mtx", "");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "matrix add32.mtx: expected a folder of .mtx files from --matrix-dir or CUBENCH_MATRIX_DIR, found neither");
  }
  EXPECT_EQ(load_spmm_matrix("gen:blockdiag:rows=64:block=8", "").nnz(), 8 * 64);
}

// The project's suites parse, and every real matrix they name is in matrices/manifest.csv.
TEST(spmm_suite, project_suites_parse_and_name_manifest_matrices) {
  std::set<std::string> manifest;
  std::ifstream file(BENCH_SOURCE_DIR "/matrices/manifest.csv");
  for (std::string line; std::getline(file, line);) manifest.insert(line.substr(0, line.find(',')) + ".mtx");
  for (const char* suite : {"spmm_quick.csv", "spmm_nightly.csv"}) {
    const auto specs = read_spmm_suite(std::string(BENCH_SOURCE_DIR "/bench/suites/") + suite);
    EXPECT_FALSE(specs.empty()) << suite;
    std::set<std::string> real;
    std::int64_t widest = 0;
    for (const auto& s : specs) {
      if (!is_generator_spec(s.matrix)) {
        EXPECT_EQ(manifest.count(s.matrix), 1u) << suite << ": " << s.matrix;
        real.insert(s.matrix);
      }
      widest = std::max(widest, s.n);
    }
    if (std::string(suite) == "spmm_nightly.csv") {
      EXPECT_EQ(real.size(), 16u) << "the nightly suite covers the 16 real matrices";
      EXPECT_GE(widest, 1000) << "dense widths reach the thousands";
    }
  }
}

}  // namespace
}  // namespace cubench
