// Helpers the doctor tests share: ELF shared objects built at test time with a chosen SONAME and DT_NEEDED, fixture
// files, and looking up findings.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "doctor_report.hpp"

#include "scratch_dir.hpp"
#include "subprocess.hpp"

namespace cubench::testing {

/// Compiles `c_source` into dir/relative as a shared object named `soname` (none when empty) that records each of
/// `linked` (paths of other shared objects) as DT_NEEDED; returns its path, or "" after a test failure.
inline std::string build_shared_object(const scratch_dir& dir, const std::string& relative, const std::string& c_source,
                                       const std::string& soname, const std::vector<std::string>& linked = {}) {
  const std::string source = dir.write(relative + ".c", c_source);
  const std::string output = dir / relative;
  std::vector<std::string> argv = {BENCH_TEST_CXX_COMPILER, "-x", "c", "-shared", "-fPIC", "-o", output, source, "-x", "none"};
  if (!soname.empty()) argv.push_back("-Wl,-soname," + soname);
  // --no-as-needed keeps DT_NEEDED for libraries whose symbols the stub never uses.
  argv.push_back("-Wl,--no-as-needed");
  for (const auto& library : linked) argv.push_back(library);
  const process_result result = run_process(argv);
  EXPECT_TRUE(result.succeeded()) << result.describe_failure({}) << "\n" << result.output;
  return result.succeeded() ? output : "";
}

/// The whole text of `path`; "" when it cannot be read.
inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The path of tests/data/doctor/<name>.
inline std::string doctor_fixture(const std::string& name) { return std::string(BENCH_TEST_DATA_DIR) + "/doctor/" + name; }

/// `text` with every `from` replaced by `to`.
inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

/// The finding about `subject`; throws when there is none, which fails the test.
inline const doctor_finding& finding_for(const std::vector<doctor_finding>& findings, const std::string& subject) {
  for (const auto& finding : findings)
    if (finding.subject == subject) return finding;
  throw std::runtime_error("no finding about " + subject);
}

}  // namespace cubench::testing
