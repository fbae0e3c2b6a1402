#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>

#include "gemm_suite.hpp"
#include "suite_parser.hpp"
#include "temp_file.hpp"

namespace cubench {
namespace {

using testing::write_test_file;

// The message of the suite_error that reading a file throws, with the file's path replaced by "bad.csv",
// or "" when it reads cleanly.
std::string gemm_error(const std::string& text) {
  const std::string path = write_test_file("bad.csv", text);
  try {
    read_gemm_suite(path);
  } catch (const suite_error& e) {
    std::string message = e.what();
    if (message.rfind(path, 0) == 0) message.replace(0, path.size(), "bad.csv");
    return message;
  }
  return "";
}

const std::string header = "family,impl,dtype,layout,m,n,k,batch\n";

TEST(suite_table, reads_header_rows_comments_and_quotes) {
  const auto path = write_test_file("table.csv",
                                "# a comment\n"
                                "family, name ,note\n"
                                "\n"
                                "gemm,\"a,b\",\"say \"\"hi\"\"\"\r\n"
                                "gemm,plain,x");
  const suite_table table = read_suite_table(path);
  ASSERT_EQ(table.columns, (std::vector<std::string>{"family", "name", "note"}));
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].line, 4u);
  EXPECT_EQ(table.rows[0].cells[1], "a,b");
  EXPECT_EQ(table.rows[0].cells[2], "say \"hi\"");
  EXPECT_EQ(table.rows[1].line, 5u);
  EXPECT_EQ(table.rows[1].cells[2], "x");
  EXPECT_EQ(suite_family(table), "gemm");
}

TEST(suite_table, names_file_line_and_column_of_a_short_row) {
  const auto path = write_test_file("short.csv", "family,a,b\ngemm,1,2\ngemm,1\n");
  try {
    read_suite_table(path);
    FAIL() << "expected a suite_error";
  } catch (const suite_error& e) {
    EXPECT_EQ(std::string(e.what()), path + ":3:3: expected 3 cells as in the header, found 2");
  }
}

TEST(suite_table, rejects_unclosed_quote_and_missing_file) {
  const auto path = write_test_file("quote.csv", "family,a\ngemm,\"open\n");
  EXPECT_THROW(read_suite_table(path), suite_error);
  try {
    read_suite_table(::testing::TempDir() + "no-such-suite.csv");
    FAIL() << "expected a suite_error";
  } catch (const suite_error& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-suite.csv"), std::string::npos);
  }
}

TEST(suite_table, family_must_agree_on_every_row) {
  const auto path = write_test_file("mixed.csv", "family,a\ngemm,1\nspmm,2\n");
  try {
    suite_family(read_suite_table(path));
    FAIL() << "expected a suite_error";
  } catch (const suite_error& e) {
    EXPECT_EQ(std::string(e.what()), path + ":3:1: expected 'gemm' as on the first row in column 'family', found 'spmm'");
  }
}

TEST(gemm_suite, parses_cases_in_any_column_order) {
  const auto path = write_test_file("order.csv",
                                "m,n,k,batch,family,impl,dtype,layout\n"
                                "16,4096,4096,1,gemm,cublas,bf16,TN\n"
                                "33,17,9,4,gemm,inhouse,fp32,NT\n");
  const auto specs = read_gemm_suite(path);
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].impl, "cublas");
  EXPECT_EQ(specs[0].m, 16);
  EXPECT_EQ(specs[0].layout, "TN");
  EXPECT_EQ(specs[1].batch, 4);
  EXPECT_EQ(specs[1].line, 3u);
}

TEST(gemm_suite, bad_integer_names_its_cell) {
  EXPECT_EQ(gemm_error(header + "gemm,cublas,fp32,NN,64,-3,64,1\n"),
            "bad.csv:2:6: expected an integer in [1, 2147483647] in column 'n', found '-3'");
  EXPECT_NE(gemm_error(header + "gemm,cublas,fp32,NN,64,64,6x4,1\n").find(":2:7: expected an integer"),
            std::string::npos);
  EXPECT_NE(gemm_error(header + "gemm,cublas,fp32,NN,64,64,99999999999,1\n").find(":2:7:"), std::string::npos);
}

TEST(gemm_suite, bad_choice_lists_what_is_allowed) {
  EXPECT_NE(gemm_error(header + "gemm,cublas,fp8,NN,1,1,1,1\n")
                .find(":2:3: expected one of fp64, fp32, tf32, fp16, bf16, int8 in column 'dtype', found 'fp8'"),
            std::string::npos);
  EXPECT_NE(gemm_error(header + "gemm,inhouse,fp64,NN,1,1,1,1\n")
                .find(":2:3: expected one of fp32, fp16, bf16 in column 'dtype', found 'fp64'"),
            std::string::npos);
  EXPECT_NE(gemm_error(header + "gemm,cublas,fp32,TT,1,1,1,1\n").find(":2:4:"), std::string::npos);
  EXPECT_NE(gemm_error(header + "spmm,cublas,fp32,NN,1,1,1,1\n").find(":2:1:"), std::string::npos);
}

TEST(gemm_suite, header_must_hold_exactly_the_gemm_columns) {
  EXPECT_NE(gemm_error("family,impl,dtype,layout,m,n,k\ngemm,cublas,fp32,NN,1,1,1\n")
                .find(":1:8: expected a column 'batch' in the header, found none"),
            std::string::npos);
  EXPECT_NE(gemm_error(header.substr(0, header.size() - 1) + ",alpha\ngemm,cublas,fp32,NN,1,1,1,1,2\n")
                .find(":1:9: expected one of the columns"),
            std::string::npos);
  EXPECT_NE(gemm_error("family,m,m\n").find(":1:3: expected each column once, found 'm' again"), std::string::npos);
}

TEST(gemm_suite, case_identity_and_counts) {
  gemm_case_spec spec;
  spec.impl = "cublas";
  spec.dtype = "int8";
  spec.layout = "TN";
  spec.m = 16;
  spec.n = 32;
  spec.k = 64;
  spec.batch = 3;
  EXPECT_EQ(gemm_params(spec), "batch=3;k=64;layout=TN;m=16;n=32");
  EXPECT_EQ(gemm_case_id(spec), "gemm/cublas/strided_batched/int8/batch=3;k=64;layout=TN;m=16;n=32");
  EXPECT_DOUBLE_EQ(gemm_flop(spec), 2.0 * 16 * 32 * 64 * 3);
  EXPECT_DOUBLE_EQ(gemm_min_bytes(spec), 3.0 * (16 * 64 + 64 * 32 + 16 * 32 * 4));
  spec.impl = "inhouse";
  spec.dtype = "bf16";
  spec.batch = 1;
  EXPECT_EQ(gemm_variant(spec), "mma_sync_256x128x64");
  EXPECT_DOUBLE_EQ(gemm_min_bytes(spec), 2.0 * (16 * 64 + 64 * 32 + 16 * 32));
}

TEST(gemm_suite, shipped_suites_parse_with_unique_case_ids) {
  for (const char* name : {"gemm_quick.csv", "gemm_nightly.csv"}) {
    const auto specs = read_gemm_suite(std::string(BENCH_SOURCE_DIR) + "/bench/suites/" + name);
    EXPECT_GT(specs.size(), 5u) << name;
    std::set<std::string> ids;
    for (const auto& spec : specs) EXPECT_TRUE(ids.insert(gemm_case_id(spec)).second) << gemm_case_id(spec);
  }
}

}  // namespace
}  // namespace cubench
