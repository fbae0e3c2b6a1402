#include "matrix_generators.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace cubench {
namespace {

constexpr std::int64_t max_dimension = std::numeric_limits<std::int32_t>::max();
constexpr std::string_view prefix = "gen:";
constexpr double pi = 3.14159265358979323846;

struct kind_def {
  std::string_view kind;
  std::vector<std::string_view> keys;      // in canonical order
  std::vector<std::string_view> required;
  std::string_view usage;
};

const std::vector<kind_def>& kinds() {
  static const std::vector<kind_def> table{
      {"uniform", {"rows", "cols", "nnz", "seed"}, {"rows", "nnz"}, "gen:uniform:rows=R[:cols=C]:nnz=N[:seed=S]"},
      {"banded",
       {"rows", "cols", "bandwidth", "fill", "seed"},
       {"rows", "bandwidth"},
       "gen:banded:rows=R[:cols=C]:bandwidth=W[:fill=F][:seed=S]"},
      {"rmat",
       {"scale", "edges", "a", "b", "c", "seed"},
       {"scale", "edges"},
       "gen:rmat:scale=1..30:edges=E[:a=A:b=B:c=C][:seed=S]"},
      {"blockdiag", {"rows", "block", "fill", "seed"}, {"rows", "block"}, "gen:blockdiag:rows=R:block=B[:fill=F][:seed=S]"},
      {"denserow",
       {"rows", "cols", "per_row", "dense_rows", "seed"},
       {"rows", "per_row"},
       "gen:denserow:rows=R[:cols=C]:per_row=K[:dense_rows=D][:seed=S]"},
  };
  return table;
}

[[noreturn]] void spec_error(const kind_def& kind, const std::string& detail) {
  throw std::invalid_argument(std::string(kind.usage) + " (" + detail + ")");
}

// A non-negative integer with an optional K, M or G suffix (powers of 1000).
bool parse_size(std::string_view text, std::int64_t& value) {
  std::int64_t multiplier = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K': multiplier = 1000; break;
      case 'M': multiplier = 1000 * 1000; break;
      case 'G': multiplier = 1000 * 1000 * 1000; break;
      default: break;
    }
    if (multiplier != 1) text.remove_suffix(1);
  }
  std::int64_t base = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), base);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() || base < 0) return false;
  if (base > std::numeric_limits<std::int64_t>::max() / multiplier) return false;
  value = base * multiplier;
  return true;
}

std::string size_text(std::int64_t value) {
  for (const auto& [suffix, unit] : {std::pair{'G', 1000000000LL}, std::pair{'M', 1000000LL}, std::pair{'K', 1000LL}}) {
    if (value != 0 && value % unit == 0) return std::to_string(value / unit) + suffix;
  }
  return std::to_string(value);
}

std::string fraction_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

// The uniform stream of one row: splitmix64 over a state seeded by the spec's seed and the row.
class row_random {
 public:
  row_random(std::uint64_t seed, std::int64_t row) : state_(mix(seed ^ mix(static_cast<std::uint64_t>(row)))) {}

  std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix(state_);
  }
  // Uniform in (0, 1].
  double open_uniform() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1p-53; }

  // Poisson(mean): inversion for small means, the normal approximation above (R-MAT rows reach tens of thousands).
  std::int64_t poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean < 64) {
      const double limit = std::exp(-mean);
      std::int64_t k = 0;
      for (double p = open_uniform(); p > limit; p *= open_uniform()) ++k;
      return k;
    }
    const double z = std::sqrt(-2.0 * std::log(open_uniform())) * std::cos(2.0 * pi * open_uniform());
    return std::max<std::int64_t>(0, static_cast<std::int64_t>(std::llround(mean + std::sqrt(mean) * z)));
  }

  // Appends each column of [low, high) with probability p, in order, by geometric skips between them.
  void bernoulli_columns(std::int64_t low, std::int64_t high, double p, std::vector<std::int32_t>& out) {
    if (p >= 1.0) {
      for (std::int64_t j = low; j < high; ++j) out.push_back(static_cast<std::int32_t>(j));
      return;
    }
    if (p <= 0.0) return;
    const double log_q = std::log1p(-p);
    double j = static_cast<double>(low) - 1.0;
    for (;;) {
      j += 1.0 + std::floor(std::log(open_uniform()) / log_q);
      if (j >= static_cast<double>(high)) return;
      out.push_back(static_cast<std::int32_t>(j));
    }
  }

 private:
  static std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  std::uint64_t state_;
};

using row_source = std::function<void(std::int64_t row, row_random& random, std::vector<std::int32_t>& out)>;

// Rows in fixed blocks handed to threads as they come free; each block's columns are kept apart and
// concatenated in row order at the end, so that the output does not depend on the scheduling.
csr_matrix generate_rows(std::int64_t rows, std::int64_t cols, std::uint64_t seed, const row_source& source,
                         unsigned threads) {
  constexpr std::int64_t block_rows = 4096;
  const std::int64_t blocks = (rows + block_rows - 1) / block_rows;
  csr_matrix a;
  a.rows = rows;
  a.cols = cols;
  a.row_offsets.assign(static_cast<std::size_t>(rows + 1), 0);
  std::vector<std::vector<std::int32_t>> block_columns(static_cast<std::size_t>(blocks));
  std::atomic<std::int64_t> next_block{0};
  const auto work = [&] {
    for (std::int64_t b = next_block++; b < blocks; b = next_block++) {
      auto& out = block_columns[static_cast<std::size_t>(b)];
      const std::int64_t first = b * block_rows, last = std::min(rows, first + block_rows);
      for (std::int64_t r = first; r < last; ++r) {
        const std::size_t before = out.size();
        row_random random(seed, r);
        source(r, random, out);
        a.row_offsets[static_cast<std::size_t>(r + 1)] = static_cast<std::int64_t>(out.size() - before);
      }
      out.shrink_to_fit();
    }
  };
  const unsigned count = static_cast<unsigned>(std::min<std::int64_t>(
      blocks, threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < count; ++t) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();

  for (std::size_t r = 0; r < static_cast<std::size_t>(rows); ++r) a.row_offsets[r + 1] += a.row_offsets[r];
  a.col_indices.reserve(static_cast<std::size_t>(a.row_offsets.back()));
  for (auto& block : block_columns) {
    a.col_indices.insert(a.col_indices.end(), block.begin(), block.end());
    block = {};
  }
  return a;
}

csr_matrix generate_rmat(const generator_spec& s, unsigned threads) {
  const double d = 1.0 - s.a - s.b - s.c;
  const double top = s.a + s.b, bottom = s.c + d;
  // Given the row's bit at a level, the column bit is 0 with probability a/(a+b) (upper half) or c/(c+d).
  const auto threshold = [](double p) { return static_cast<std::uint32_t>(std::min(p * 0x1p32, 0x1p32 - 1)); };
  const std::uint32_t upper_left = threshold(s.a / top), lower_left = threshold(s.c / bottom);
  const std::int64_t n = std::int64_t{1} << s.scale;
  const row_source source = [&](std::int64_t row, row_random& random, std::vector<std::int32_t>& out) {
    // The row's share of the edges is the product of its bits' halves; its degree is Poisson around that.
    double share = 1.0;
    for (int level = 0; level < s.scale; ++level) share *= (row >> level) & 1 ? bottom : top;
    const std::int64_t degree = random.poisson(static_cast<double>(s.edges) * share);
    const std::size_t first = out.size();
    for (std::int64_t e = 0; e < degree; ++e) {
      std::int64_t col = 0;
      std::uint64_t bits = 0;
      for (int level = 0; level < s.scale; ++level) {
        if (level % 2 == 0) bits = random.next();
        const auto draw = static_cast<std::uint32_t>(level % 2 == 0 ? bits : bits >> 32);
        const bool row_bit = (row >> (s.scale - 1 - level)) & 1;
        col = 2 * col + (draw >= (row_bit ? lower_left : upper_left) ? 1 : 0);
      }
      out.push_back(static_cast<std::int32_t>(col));
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
    out.erase(std::unique(out.begin() + static_cast<std::ptrdiff_t>(first), out.end()), out.end());
  };
  return generate_rows(n, n, s.seed, source, threads);
}

}  // namespace

bool is_generator_spec(std::string_view text) { return text.substr(0, prefix.size()) == prefix; }

generator_spec parse_generator_spec(std::string_view text) {
  if (!is_generator_spec(text)) throw std::invalid_argument("a generator spec starting with 'gen:'");
  text.remove_prefix(prefix.size());
  const std::string_view kind_name = text.substr(0, text.find(':'));
  const auto kind = std::find_if(kinds().begin(), kinds().end(), [&](const kind_def& k) { return k.kind == kind_name; });
  if (kind == kinds().end())
    throw std::invalid_argument("a generator kind uniform, banded, rmat, blockdiag or denserow after 'gen:' (found '" +
                                std::string(kind_name) + "')");
  generator_spec s;
  s.kind = std::string(kind_name);
  std::vector<std::string_view> seen;
  std::string_view rest = kind_name.size() < text.size() ? text.substr(kind_name.size() + 1) : std::string_view();
  while (!rest.empty()) {
    const std::string_view item = rest.substr(0, rest.find(':'));
    rest = item.size() < rest.size() ? rest.substr(item.size() + 1) : std::string_view();
    const std::size_t equals = item.find('=');
    const std::string_view key = item.substr(0, equals);
    if (equals == std::string_view::npos) spec_error(*kind, "found '" + std::string(item) + "' without '='");
    const std::string_view value = item.substr(equals + 1);
    if (std::find(kind->keys.begin(), kind->keys.end(), key) == kind->keys.end())
      spec_error(*kind, "'" + std::string(key) + "' is not a key of gen:" + s.kind);
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      spec_error(*kind, "'" + std::string(key) + "' is given twice");
    seen.push_back(key);
    const auto size = [&](std::int64_t low, std::int64_t high) {
      std::int64_t v = 0;
      if (!parse_size(value, v) || v < low || v > high)
        spec_error(*kind, std::string(key) + " must be an integer in [" + std::to_string(low) + ", " +
                              std::to_string(high) + "], K/M/G allowed; found '" + std::string(value) + "'");
      return v;
    };
    const auto fraction = [&](double low, double high) {
      double v = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (error != std::errc() || end != value.data() + value.size() || value.empty() || !(v > low && v <= high))
        spec_error(*kind, std::string(key) + " must be a number in (" + fraction_text(low) + ", " +
                              fraction_text(high) + "]; found '" + std::string(value) + "'");
      return v;
    };
    if (key == "rows") s.rows = size(1, max_dimension);
    else if (key == "cols") s.cols = size(1, max_dimension);
    else if (key == "nnz") s.nnz = size(0, std::numeric_limits<std::int64_t>::max());
    else if (key == "bandwidth") s.bandwidth = size(0, max_dimension);
    else if (key == "block") s.block = size(1, max_dimension);
    else if (key == "per_row") s.per_row = size(0, max_dimension);
    else if (key == "dense_rows") s.dense_rows = size(0, max_dimension);
    else if (key == "scale") s.scale = static_cast<int>(size(1, 30));
    else if (key == "edges") s.edges = size(1, std::numeric_limits<std::int64_t>::max() / 4);
    else if (key == "a") s.a = fraction(0, 1);
    else if (key == "b") s.b = fraction(0, 1);
    else if (key == "c") s.c = fraction(0, 1);
    else if (key == "fill") s.fill = fraction(0, 1);
    else s.seed = static_cast<std::uint64_t>(size(0, std::numeric_limits<std::int64_t>::max()));
  }
  for (const auto key : kind->required) {
    if (std::find(seen.begin(), seen.end(), key) == seen.end()) spec_error(*kind, "'" + std::string(key) + "' is missing");
  }
  if (s.kind == "rmat") s.rows = std::int64_t{1} << s.scale;
  if (s.cols == 0) s.cols = s.rows;
  if (s.kind == "uniform" && static_cast<double>(s.nnz) > static_cast<double>(s.rows) * static_cast<double>(s.cols))
    spec_error(*kind, "nnz=" + size_text(s.nnz) + " exceeds rows x cols");
  if (s.kind == "rmat" && !(s.a + s.b + s.c < 1.0)) spec_error(*kind, "a + b + c must stay under 1");
  if (s.kind == "blockdiag" && s.block > s.rows) spec_error(*kind, "block must not exceed rows");
  if (s.kind == "denserow" && s.per_row > s.cols) spec_error(*kind, "per_row must not exceed cols");
  if (s.kind == "denserow" && s.dense_rows > s.rows) spec_error(*kind, "dense_rows must not exceed rows");
  return s;
}

std::string to_string(const generator_spec& s) {
  std::string text = std::string(prefix) + s.kind;
  const auto add = [&text](const char* key, const std::string& value) { text += std::string(":") + key + "=" + value; };
  if (s.kind == "rmat") {
    add("scale", std::to_string(s.scale));
    add("edges", size_text(s.edges));
    add("a", fraction_text(s.a));
    add("b", fraction_text(s.b));
    add("c", fraction_text(s.c));
  } else {
    add("rows", size_text(s.rows));
    if (s.kind != "blockdiag") add("cols", size_text(s.cols));
    if (s.kind == "uniform") add("nnz", size_text(s.nnz));
    if (s.kind == "banded") add("bandwidth", size_text(s.bandwidth));
    if (s.kind == "blockdiag") add("block", size_text(s.block));
    if (s.kind == "denserow") {
      add("per_row", size_text(s.per_row));
      add("dense_rows", size_text(s.dense_rows));
    }
    if (s.kind == "banded" || s.kind == "blockdiag") add("fill", fraction_text(s.fill));
  }
  add("seed", std::to_string(s.seed));
  return text;
}

csr_matrix generate_matrix(const generator_spec& s, unsigned threads) {
  if (s.kind == "rmat") return generate_rmat(s, threads);
  row_source source;
  if (s.kind == "uniform") {
    const double p = static_cast<double>(s.nnz) / (static_cast<double>(s.rows) * static_cast<double>(s.cols));
    source = [&s, p](std::int64_t, row_random& random, std::vector<std::int32_t>& out) {
      random.bernoulli_columns(0, s.cols, p, out);
    };
  } else if (s.kind == "banded") {
    source = [&s](std::int64_t row, row_random& random, std::vector<std::int32_t>& out) {
      random.bernoulli_columns(std::max<std::int64_t>(0, row - s.bandwidth), std::min(s.cols, row + s.bandwidth + 1),
                               s.fill, out);
    };
  } else if (s.kind == "blockdiag") {
    source = [&s](std::int64_t row, row_random& random, std::vector<std::int32_t>& out) {
      const std::int64_t first = row / s.block * s.block;
      random.bernoulli_columns(first, std::min(s.rows, first + s.block), s.fill, out);
    };
  } else if (s.kind == "denserow") {
    const double p = static_cast<double>(s.per_row) / static_cast<double>(s.cols);
    // The dense rows are spread evenly: row (k + 1) rows / (dense_rows + 1) for k < dense_rows.
    auto dense_rows = std::make_shared<std::vector<std::int64_t>>();
    for (std::int64_t k = 0; k < s.dense_rows; ++k) dense_rows->push_back((k + 1) * s.rows / (s.dense_rows + 1));
    source = [&s, p, dense_rows](std::int64_t row, row_random& random, std::vector<std::int32_t>& out) {
      const bool dense = std::binary_search(dense_rows->begin(), dense_rows->end(), row);
      random.bernoulli_columns(0, s.cols, dense ? 1.0 : p, out);
    };
  } else {
    throw std::invalid_argument("generate_matrix: unknown generator kind '" + s.kind + "'");
  }
  return generate_rows(s.rows, s.cols, s.seed, source, threads);
}

}  // namespace cubench
