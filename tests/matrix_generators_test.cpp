#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

#include "matrix_generators.hpp"

namespace cubench {
namespace {

csr_matrix generate(const std::string& spec, unsigned threads = 0) {
  return generate_matrix(parse_generator_spec(spec), threads);
}

std::string spec_error(const std::string& spec) {
  try {
    parse_generator_spec(spec);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

bool same(const csr_matrix& x, const csr_matrix& y) {
  return x.rows == y.rows && x.cols == y.cols && x.row_offsets == y.row_offsets && x.col_indices == y.col_indices;
}

TEST(generator_spec, parses_sizes_defaults_and_prints_a_canonical_form) {
  const generator_spec s = parse_generator_spec("gen:rmat:scale=20:edges=16M:seed=7");
  EXPECT_EQ(s.rows, 1 << 20);
  EXPECT_EQ(s.cols, 1 << 20);
  EXPECT_EQ(s.edges, 16000000);
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(to_string(s), "gen:rmat:scale=20:edges=16M:a=0.57:b=0.19:c=0.19:seed=7");
  EXPECT_EQ(to_string(parse_generator_spec("gen:uniform:nnz=2500K:rows=1000000")),
            "gen:uniform:rows=1M:cols=1M:nnz=2500K:seed=1");
  EXPECT_EQ(to_string(parse_generator_spec("gen:banded:rows=1001:bandwidth=3:fill=0.5")),
            "gen:banded:rows=1001:cols=1001:bandwidth=3:fill=0.5:seed=1");
  EXPECT_EQ(to_string(parse_generator_spec("gen:blockdiag:rows=64:block=8")), "gen:blockdiag:rows=64:block=8:fill=1:seed=1");
  EXPECT_EQ(to_string(parse_generator_spec("gen:denserow:rows=10K:per_row=4")),
            "gen:denserow:rows=10K:cols=10K:per_row=4:dense_rows=1:seed=1");
  const std::string canonical = to_string(parse_generator_spec("gen:denserow:rows=10K:per_row=4"));
  EXPECT_EQ(to_string(parse_generator_spec(canonical)), canonical);
  EXPECT_TRUE(is_generator_spec("gen:uniform:rows=1:nnz=1"));
  EXPECT_FALSE(is_generator_spec("add32.mtx"));
}

TEST(generator_spec, says_what_is_wrong) {
  EXPECT_EQ(spec_error("gen:lattice:rows=4"),
            "a generator kind uniform, banded, rmat, blockdiag or denserow after 'gen:' (found 'lattice')");
  EXPECT_EQ(spec_error("gen:rmat:scale=20"), "gen:rmat:scale=1..30:edges=E[:a=A:b=B:c=C][:seed=S] ('edges' is missing)");
  EXPECT_EQ(spec_error("gen:rmat:scale=31:edges=1"),
            "gen:rmat:scale=1..30:edges=E[:a=A:b=B:c=C][:seed=S] (scale must be an integer in [1, 30], K/M/G allowed; "
            "found '31')");
  EXPECT_EQ(spec_error("gen:uniform:rows=10:nnz=5:rows=3"),
            "gen:uniform:rows=R[:cols=C]:nnz=N[:seed=S] ('rows' is given twice)");
  EXPECT_EQ(spec_error("gen:uniform:rows=10:nnz=5:bandwidth=3"),
            "gen:uniform:rows=R[:cols=C]:nnz=N[:seed=S] ('bandwidth' is not a key of gen:uniform)");
  EXPECT_EQ(spec_error("gen:uniform:rows=10:nnz"), "gen:uniform:rows=R[:cols=C]:nnz=N[:seed=S] (found 'nnz' without '=')");
  EXPECT_EQ(spec_error("gen:uniform:rows=10:nnz=101"), "gen:uniform:rows=R[:cols=C]:nnz=N[:seed=S] (nnz=101 exceeds rows x cols)");
  EXPECT_EQ(spec_error("gen:banded:rows=10:bandwidth=1:fill=0"),
            "gen:banded:rows=R[:cols=C]:bandwidth=W[:fill=F][:seed=S] (fill must be a number in (0, 1]; found '0')");
  EXPECT_EQ(spec_error("gen:rmat:scale=4:edges=10:a=0.5:b=0.3:c=0.3"),
            "gen:rmat:scale=1..30:edges=E[:a=A:b=B:c=C][:seed=S] (a + b + c must stay under 1)");
  EXPECT_EQ(spec_error("gen:uniform:rows=1.5K:nnz=1"),
            "gen:uniform:rows=R[:cols=C]:nnz=N[:seed=S] (rows must be an integer in [1, 2147483647], K/M/G allowed; "
            "found '1.5K')");
}

TEST(matrix_generators, are_valid_and_deterministic_per_seed_for_any_thread_count) {
  for (const char* spec : {"gen:uniform:rows=20000:cols=15000:nnz=200K:seed=3", "gen:banded:rows=9000:bandwidth=4:fill=0.7",
                           "gen:rmat:scale=14:edges=200K:seed=5", "gen:blockdiag:rows=10000:block=48:fill=0.3",
                           "gen:denserow:rows=12000:per_row=6:dense_rows=3"}) {
    const csr_matrix one = generate(spec, 1), four = generate(spec, 4);
    EXPECT_NO_THROW(validate(one)) << spec;
    EXPECT_TRUE(same(one, four)) << spec;
    EXPECT_TRUE(one.values.empty()) << spec;
  }
  EXPECT_FALSE(same(generate("gen:uniform:rows=5000:nnz=50K:seed=1"), generate("gen:uniform:rows=5000:nnz=50K:seed=2")));
  EXPECT_FALSE(same(generate("gen:rmat:scale=12:edges=50K:seed=1"), generate("gen:rmat:scale=12:edges=50K:seed=2")));
}

TEST(matrix_generators, uniform_rows_are_binomial) {
  const std::int64_t rows = 40000, cols = 20000, nnz = 400000;
  const csr_matrix a = generate("gen:uniform:rows=40000:cols=20000:nnz=400K:seed=9");
  const double p = static_cast<double>(nnz) / (static_cast<double>(rows) * static_cast<double>(cols));
  // nnz is Binomial(rows cols, p): within 5 standard deviations of its mean.
  EXPECT_NEAR(static_cast<double>(a.nnz()), static_cast<double>(nnz), 5 * std::sqrt(static_cast<double>(nnz) * (1 - p)));
  const row_length_stats s = row_lengths(a);
  EXPECT_NEAR(s.mean, 10.0, 0.05);
  EXPECT_NEAR(s.stddev, std::sqrt(cols * p * (1 - p)), 0.1);
  // Columns are spread evenly: each quarter of the columns holds a quarter of the entries.
  std::int64_t first_quarter = 0;
  for (const auto c : a.col_indices) first_quarter += c < cols / 4;
  EXPECT_NEAR(static_cast<double>(first_quarter) / static_cast<double>(a.nnz()), 0.25, 0.005);
}

TEST(matrix_generators, banded_rows_stay_in_the_band) {
  const csr_matrix full = generate("gen:banded:rows=1000:cols=800:bandwidth=5");
  for (std::int64_t r = 0; r < full.rows; ++r) {
    const std::int64_t low = std::max<std::int64_t>(0, r - 5), high = std::min<std::int64_t>(800, r + 6);
    ASSERT_EQ(full.row_length(r), std::max<std::int64_t>(0, high - low)) << r;
    if (full.row_length(r) > 0) {
      EXPECT_EQ(full.col_indices[static_cast<std::size_t>(full.row_offsets[r])], low) << r;
    }
  }
  const csr_matrix half = generate("gen:banded:rows=100000:bandwidth=10:fill=0.5");
  EXPECT_NEAR(row_lengths(half).mean, 10.5, 0.1);
  for (std::int64_t r = 0; r < half.rows; ++r) {
    for (auto k = half.row_offsets[r]; k < half.row_offsets[r + 1]; ++k) {
      ASSERT_LE(std::abs(half.col_indices[static_cast<std::size_t>(k)] - r), 10);
    }
  }
}

TEST(matrix_generators, blockdiag_rows_stay_in_their_block) {
  const csr_matrix a = generate("gen:blockdiag:rows=1000:block=64");
  EXPECT_EQ(a.nnz(), 15 * 64 * 64 + 40 * 40);
  for (std::int64_t r = 0; r < a.rows; ++r) {
    const std::int64_t block = r / 64;
    EXPECT_EQ(a.col_indices[static_cast<std::size_t>(a.row_offsets[r])], block * 64);
    EXPECT_EQ(a.row_length(r), block < 15 ? 64 : 40);
  }
}

TEST(matrix_generators, denserow_has_its_dense_rows_among_sparse_ones) {
  const csr_matrix a = generate("gen:denserow:rows=30000:cols=50000:per_row=8:dense_rows=2");
  EXPECT_EQ(a.row_length(10000), 50000);
  EXPECT_EQ(a.row_length(20000), 50000);
  std::int64_t sparse_nnz = 0, longest_sparse = 0;
  for (std::int64_t r = 0; r < a.rows; ++r) {
    if (r == 10000 || r == 20000) continue;
    sparse_nnz += a.row_length(r);
    longest_sparse = std::max(longest_sparse, a.row_length(r));
  }
  EXPECT_NEAR(static_cast<double>(sparse_nnz) / static_cast<double>(a.rows - 2), 8.0, 0.1);
  EXPECT_LT(longest_sparse, 40);
}

TEST(matrix_generators, rmat_degrees_follow_a_power_law) {
  const csr_matrix a = generate("gen:rmat:scale=16:edges=1M:seed=1");
  EXPECT_EQ(a.rows, 65536);
  EXPECT_LE(a.nnz(), 1000000 + 5000);
  EXPECT_GE(a.nnz(), 700000);
  const row_length_stats s = row_lengths(a);
  // Row 0 draws (a + b)^16 of the edges, each column with its bits 0 with probability a / (a + b) = 3/4: the
  // expected number of distinct columns sums 1 - (1 - p)^draws over the columns, grouped by their count of 1 bits.
  const double draws = std::pow(0.76, 16) * 1e6;
  double expected_distinct = 0, columns_with_k_ones = 1;
  for (int k = 0; k <= 16; ++k) {
    const double p = std::pow(0.75, 16 - k) * std::pow(0.25, k);
    expected_distinct += columns_with_k_ones * (1 - std::pow(1 - p, draws));
    columns_with_k_ones = columns_with_k_ones * (16 - k) / (k + 1);
  }
  EXPECT_NEAR(static_cast<double>(a.row_length(0)), expected_distinct, 0.03 * expected_distinct);
  // Most rows draw far fewer and many none.
  EXPECT_GT(s.stddev, 3 * s.mean);
  EXPECT_GT(s.empty_rows, a.rows / 10);
  EXPECT_EQ(a.row_length(0), s.max);
}

TEST(matrix_generators, reach_tens_of_millions_of_entries_quickly) {
  const auto start = std::chrono::steady_clock::now();
  const csr_matrix a = generate("gen:uniform:rows=2M:nnz=24M:seed=1");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(a.nnz(), 23900000);
  EXPECT_EQ(a.col_indices.capacity(), a.col_indices.size()) << "no slack beyond the entries";
  EXPECT_LT(seconds, 30.0);
  std::cout << "24M-entry uniform matrix in " << seconds << " s\n";
}

}  // namespace
}  // namespace cubench
