// A Markdown summary of `bench compare` for a CI job summary: the gate, the worst regressions, wrong results,
// mismatches and the geometric means.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "report_writer.hpp"

namespace cubench {

/// Writes the summary; lists longer than a screen end with a pointer to compare.csv.
class markdown_report : public report_writer {
 public:
  explicit markdown_report(std::set<finding> fail_on) : fail_on_(std::move(fail_on)) {}
  void write(const compare_report& report, std::ostream& out) const override;

 private:
  std::set<finding> fail_on_;
};

/// Escapes text for a Markdown table cell: punctuation that Markdown or HTML would act on gets a backslash,
/// line breaks become spaces.
std::string markdown_escape(std::string_view text);

}  // namespace cubench
