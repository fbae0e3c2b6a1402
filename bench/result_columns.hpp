// The columns of results.csv and samples.csv, in file order, each bound to its record field.
// Writers and readers both walk these tables, so the schema is spelled once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "result_record.hpp"

namespace cubench {

/// A pointer to one field of result_record, whatever its type.
using result_field = std::variant<std::string result_record::*,
                                  std::optional<int> result_record::*,
                                  std::optional<std::int64_t> result_record::*,
                                  std::optional<double> result_record::*,
                                  std::optional<bool> result_record::*,
                                  case_status result_record::*>;

/// A column name and the field it holds.
struct result_column {
  std::string_view name;
  result_field field;
};

/// The columns of results.csv after `schema_version`, in order.
const std::vector<result_column>& result_columns();

/// The header names of samples.csv, in order.
const std::vector<std::string_view>& sample_column_names();

/// Formats a field of a record as its CSV cell text (unquoted); empty for an absent optional.
std::string format_field(const result_record& record, const result_field& field);

/// Parses cell text into a field of a record; returns an error message, or empty on success.
std::string parse_field(std::string_view text, result_record& record, const result_field& field);

/// Formats a double as printf's %g at the fewest significant digits (at least 6) that parse back to the same value;
/// "nan", "inf" and "-inf" otherwise.
std::string format_double(double value);

}  // namespace cubench
