#include "matrix_market.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string_view>
#include <utility>

namespace cubench {
namespace {

constexpr std::int64_t max_dimension = std::numeric_limits<std::int32_t>::max();

// The file's bytes, mapped read-only so that a file of gigabytes costs no copy.
class mapped_file {
 public:
  explicit mapped_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw matrix_market_error(path + ": expected a readable Matrix Market file, found none: " + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
      ::close(fd);
      throw matrix_market_error(path + ": expected a regular Matrix Market file, found something else");
    }
    size_ = static_cast<std::size_t>(info.st_size);
    if (size_ > 0) {
      void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (mapped == MAP_FAILED) {
        const int error = errno;
        ::close(fd);
        throw matrix_market_error(path + ": cannot map the file: " + std::strerror(error));
      }
      data_ = static_cast<const char*>(mapped);
      ::madvise(mapped, size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
  }
  ~mapped_file() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;

  std::string_view text() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) == (y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
         });
}

// A found token as an error quotes it: long lines are cut.
std::string quoted(std::string_view text) {
  constexpr std::size_t limit = 60;
  return "'" + std::string(text.substr(0, limit)) + (text.size() > limit ? "...'" : "'");
}

enum class field_kind { real, integer, pattern };
enum class symmetry_kind { general, symmetric, skew_symmetric };

struct header {
  field_kind field = field_kind::real;
  symmetry_kind symmetry = symmetry_kind::general;
  std::int64_t rows = 0, cols = 0, entries = 0;
  unsigned size_line = 0;
};

// Walks the file line by line and token by token, keeping the position an error names.
class scanner {
 public:
  scanner(const std::string& path, std::string_view text) : path_(path), text_(text) {}

  // The next line, without its line break; false at the end of the file.
  bool next_line() {
    if (next_ >= text_.size()) {
      // Errors at the end name the line after the last one, where more was expected.
      if (!at_end_) ++line_number_;
      at_end_ = true;
      line_ = {};
      return false;
    }
    const std::size_t end = text_.find('\n', next_);
    const std::size_t stop = end == std::string_view::npos ? text_.size() : end;
    line_ = text_.substr(next_, stop - next_);
    if (!line_.empty() && line_.back() == '\r') line_.remove_suffix(1);
    next_ = stop + 1;
    ++line_number_;
    token_end_ = 0;
    return true;
  }

  // The next line that is neither blank nor a comment; false at the end of the file.
  bool next_content_line() {
    while (next_line()) {
      const std::size_t first = line_.find_first_not_of(" \t");
      if (first != std::string_view::npos && line_[first] != '%') return true;
    }
    return false;
  }

  // The next token of the current line, empty at its end; token_column() is its 1-based column.
  std::string_view next_token() {
    std::size_t start = token_end_;
    while (start < line_.size() && (line_[start] == ' ' || line_[start] == '\t')) ++start;
    std::size_t end = start;
    while (end < line_.size() && line_[end] != ' ' && line_[end] != '\t') ++end;
    token_start_ = start;
    token_end_ = end;
    return line_.substr(start, end - start);
  }

  std::string_view line() const { return line_; }
  unsigned line_number() const { return line_number_; }
  std::size_t token_column() const { return token_start_ + 1; }

  [[noreturn]] void fail(std::size_t column, const std::string& expected, const std::string& found) const {
    throw matrix_market_error(path_ + ":" + std::to_string(line_number_) + ":" + std::to_string(column) +
                              ": expected " + expected + ", found " + found);
  }
  // Fails at the current token, quoting it, or naming the end of the line when there is none.
  [[noreturn]] void fail_token(std::string_view token, const std::string& expected) const {
    fail(token_column(), expected, token.empty() ? "the end of the line" : quoted(token));
  }

  const std::string& path() const { return path_; }

 private:
  const std::string& path_;
  std::string_view text_;
  std::size_t next_ = 0;
  std::string_view line_;
  unsigned line_number_ = 0;
  bool at_end_ = false;
  std::size_t token_start_ = 0, token_end_ = 0;
};

bool parse_integer(std::string_view token, std::int64_t& value) {
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  return error == std::errc() && end == token.data() + token.size() && !token.empty();
}

bool parse_real(std::string_view token, double& value) {
  if (token.size() > 1 && token.front() == '+' && token[1] != '-') token.remove_prefix(1);
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  return error == std::errc() && end == token.data() + token.size() && !token.empty() && std::isfinite(value);
}

header read_header(scanner& in) {
  const std::string banner = "the banner '%%MatrixMarket matrix coordinate FIELD SYMMETRY'";
  if (!in.next_line()) in.fail(1, banner, "an empty file");
  header h;
  const std::string_view magic = in.next_token();
  if (!equal_ignoring_case(magic, "%%MatrixMarket")) in.fail(1, banner, quoted(in.line()));
  if (const auto object = in.next_token(); !equal_ignoring_case(object, "matrix"))
    in.fail_token(object, "object 'matrix' in the banner");
  if (const auto format = in.next_token(); !equal_ignoring_case(format, "coordinate"))
    in.fail_token(format, "format 'coordinate' in the banner (this reader takes sparse matrices)");
  const auto field = in.next_token();
  if (equal_ignoring_case(field, "real"))
    h.field = field_kind::real;
  else if (equal_ignoring_case(field, "integer"))
    h.field = field_kind::integer;
  else if (equal_ignoring_case(field, "pattern"))
    h.field = field_kind::pattern;
  else
    in.fail_token(field, "field 'real', 'integer' or 'pattern' in the banner");
  const auto symmetry = in.next_token();
  if (equal_ignoring_case(symmetry, "general"))
    h.symmetry = symmetry_kind::general;
  else if (equal_ignoring_case(symmetry, "symmetric"))
    h.symmetry = symmetry_kind::symmetric;
  else if (equal_ignoring_case(symmetry, "skew-symmetric"))
    h.symmetry = symmetry_kind::skew_symmetric;
  else
    in.fail_token(symmetry, "symmetry 'general', 'symmetric' or 'skew-symmetric' in the banner");
  if (const auto extra = in.next_token(); !extra.empty()) in.fail_token(extra, "the end of the banner");

  if (!in.next_content_line())
    in.fail(1, "the size line 'rows columns entries'", "the end of the file");
  h.size_line = in.line_number();
  const auto size_field = [&in](const std::string& what, std::int64_t low, std::int64_t high) {
    const auto token = in.next_token();
    std::int64_t value = 0;
    if (!parse_integer(token, value) || value < low || value > high)
      in.fail_token(token, "the number of " + what + " on the size line, an integer in [" + std::to_string(low) +
                               ", " + std::to_string(high) + "]");
    return value;
  };
  h.rows = size_field("rows", 1, max_dimension);
  h.cols = size_field("columns", 1, max_dimension);
  const std::size_t cols_column = in.token_column();
  h.entries = size_field("entries", 0, std::numeric_limits<std::int64_t>::max());
  if (const auto extra = in.next_token(); !extra.empty())
    in.fail_token(extra, "the end of the size line 'rows columns entries'");
  if (h.symmetry != symmetry_kind::general && h.rows != h.cols)
    in.fail(cols_column, "as many columns as rows (" + std::to_string(h.rows) + ") in a symmetric matrix",
            "'" + std::to_string(h.cols) + "'");
  return h;
}

// One data entry: 0-based row and column, its value (1 for a pattern), and where it was read.
struct entry {
  std::int32_t row;
  std::int32_t col;
  double value;
};

// Reads the data lines after the header, checking each, and hands every entry to `sink` with its line.
void for_each_entry(scanner& in, const header& h, const std::function<void(const entry&, unsigned)>& sink) {
  const std::string count = std::to_string(h.entries) + " entries as the size line (line " +
                            std::to_string(h.size_line) + ") states";
  const auto index = [&in](const std::string& what, std::int64_t high) {
    const auto token = in.next_token();
    std::int64_t value = 0;
    if (!parse_integer(token, value) || value < 1 || value > high)
      in.fail_token(token, "a " + what + " index in [1, " + std::to_string(high) + "]");
    return static_cast<std::int32_t>(value - 1);
  };
  for (std::int64_t e = 0; e < h.entries; ++e) {
    if (!in.next_content_line()) in.fail(1, count, std::to_string(e) + ": the file ends early");
    entry x{index("row", h.rows), index("column", h.cols), 1.0};
    if (h.field == field_kind::pattern) {
      if (const auto extra = in.next_token(); !extra.empty())
        in.fail_token(extra, "the end of the line after 'row column' (a pattern matrix has no values)");
    } else {
      const auto token = in.next_token();
      if (h.field == field_kind::integer) {
        std::int64_t value = 0;
        if (!parse_integer(token, value)) in.fail_token(token, "an integer value");
        x.value = static_cast<double>(value);
      } else if (!parse_real(token, x.value)) {
        in.fail_token(token, "a finite real value");
      }
      if (const auto extra = in.next_token(); !extra.empty())
        in.fail_token(extra, "the end of the line after 'row column value'");
    }
    if (h.symmetry == symmetry_kind::skew_symmetric && x.row == x.col)
      in.fail(1, "an entry off the diagonal in a skew-symmetric matrix",
              "(" + std::to_string(x.row + 1) + ", " + std::to_string(x.col + 1) + ")");
    sink(x, in.line_number());
  }
  if (in.next_content_line()) in.fail(1, count, "more: " + quoted(in.line()));
}

// The lines of the first two entries that land on (row, col) once the file is expanded, for a duplicate's error.
std::pair<unsigned, unsigned> duplicate_lines(const std::string& path, std::string_view text, std::int32_t row,
                                              std::int32_t col) {
  scanner in(path, text);
  const header h = read_header(in);
  unsigned first = 0, second = 0;
  for_each_entry(in, h, [&](const entry& x, unsigned line) {
    const bool mirrored = h.symmetry != symmetry_kind::general && x.row != x.col;
    if ((x.row == row && x.col == col) || (mirrored && x.col == row && x.row == col)) {
      if (first == 0)
        first = line;
      else if (second == 0)
        second = line;
    }
  });
  return {first, second};
}

}  // namespace

csr_matrix read_matrix_market(const std::string& path, const matrix_market_options& options) {
  const mapped_file file(path);
  scanner in(path, file.text());
  const header h = read_header(in);
  const bool mirror = h.symmetry != symmetry_kind::general;
  const bool has_values = h.field != field_kind::pattern;

  // Coordinates first (the expanded count is known only at the end), then a counting sort into rows.
  std::vector<std::int32_t> rows, cols;
  std::vector<double> values;
  // A data line takes at least four bytes ("1 1\n"): a size line that overstates the entries cannot reserve more.
  const auto capacity = std::min(static_cast<std::size_t>(h.entries), file.text().size() / 4);
  rows.reserve(capacity);
  cols.reserve(capacity);
  if (has_values) values.reserve(capacity);
  const double mirror_sign = h.symmetry == symmetry_kind::skew_symmetric ? -1.0 : 1.0;
  for_each_entry(in, h, [&](const entry& x, unsigned) {
    rows.push_back(x.row);
    cols.push_back(x.col);
    if (has_values) values.push_back(x.value);
    if (mirror && x.row != x.col) {
      rows.push_back(x.col);
      cols.push_back(x.row);
      if (has_values) values.push_back(mirror_sign * x.value);
    }
  });

  csr_matrix a;
  a.rows = h.rows;
  a.cols = h.cols;
  a.row_offsets.assign(static_cast<std::size_t>(h.rows + 1), 0);
  for (const std::int32_t r : rows) ++a.row_offsets[static_cast<std::size_t>(r) + 1];
  for (std::size_t r = 0; r < static_cast<std::size_t>(h.rows); ++r) a.row_offsets[r + 1] += a.row_offsets[r];
  a.col_indices.resize(cols.size());
  if (has_values) a.values.resize(cols.size());
  {
    std::vector<std::int64_t> next(a.row_offsets.begin(), a.row_offsets.end() - 1);
    for (std::size_t e = 0; e < rows.size(); ++e) {
      const auto at = static_cast<std::size_t>(next[static_cast<std::size_t>(rows[e])]++);
      a.col_indices[at] = cols[e];
      if (has_values) a.values[at] = values[e];
    }
  }
  rows = {};
  cols = {};
  values = {};

  // Sort each row by column, then merge or reject duplicates, compacting in place.
  std::vector<std::pair<std::int32_t, double>> scratch;
  std::int64_t write = 0;
  for (std::int64_t r = 0; r < h.rows; ++r) {
    const auto begin = static_cast<std::size_t>(a.row_offsets[static_cast<std::size_t>(r)]);
    const auto end = static_cast<std::size_t>(a.row_offsets[static_cast<std::size_t>(r + 1)]);
    scratch.clear();
    for (std::size_t k = begin; k < end; ++k) scratch.emplace_back(a.col_indices[k], has_values ? a.values[k] : 0.0);
    std::stable_sort(scratch.begin(), scratch.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    a.row_offsets[static_cast<std::size_t>(r)] = write;
    for (std::size_t k = 0; k < scratch.size(); ++k) {
      if (k > 0 && scratch[k].first == scratch[k - 1].first) {
        if (options.duplicates == duplicate_policy::reject) {
          const auto col = scratch[k].first;
          const auto [first, second] = duplicate_lines(path, file.text(), static_cast<std::int32_t>(r), col);
          throw matrix_market_error(path + ":" + std::to_string(second) + ":1: expected each entry once, found (" +
                                    std::to_string(r + 1) + ", " + std::to_string(col + 1) + ") again" +
                                    (mirror ? " once mirrored" : "") + ", first at line " + std::to_string(first));
        }
        if (has_values) a.values[static_cast<std::size_t>(write - 1)] += scratch[k].second;
        continue;
      }
      a.col_indices[static_cast<std::size_t>(write)] = scratch[k].first;
      if (has_values) a.values[static_cast<std::size_t>(write)] = scratch[k].second;
      ++write;
    }
  }
  a.row_offsets.back() = write;
  a.col_indices.resize(static_cast<std::size_t>(write));
  a.col_indices.shrink_to_fit();
  if (has_values) {
    a.values.resize(static_cast<std::size_t>(write));
    a.values.shrink_to_fit();
  }
  return a;
}

}  // namespace cubench
