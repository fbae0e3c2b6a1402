// JUnit XML of `bench compare` for CI dashboards: every case and candidate is a test case.
#pragma once

#include <set>
#include <utility>

#include "report_writer.hpp"

namespace cubench {

/// One <testsuite> per candidate; a case fails when it has a finding in the gate, and is skipped when its timing
/// was ambiguous or it is on one side only.
class junit_report : public report_writer {
 public:
  explicit junit_report(std::set<finding> fail_on) : fail_on_(std::move(fail_on)) {}
  void write(const compare_report& report, std::ostream& out) const override;

 private:
  std::set<finding> fail_on_;
};

}  // namespace cubench
