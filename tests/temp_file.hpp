// A file under GoogleTest's temporary folder, named after the running test.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace cubench::testing {

/// Writes `text` to a file of GoogleTest's temporary folder and returns its path; the name starts with the running
/// test's, since CTest runs each test in its own process and in parallel.
inline std::string write_test_file(const std::string& name, const std::string& text) {
  const std::string path =
      ::testing::TempDir() + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace cubench::testing
