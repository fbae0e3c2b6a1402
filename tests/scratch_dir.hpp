// A temporary folder per test, removed with everything in it when the test ends, and helpers to fill it.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace cubench::testing {

/// A fresh folder under $TMPDIR (or /tmp), deleted by the destructor.
class scratch_dir {
 public:
  scratch_dir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/cubench-test-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  /// The folder's absolute path.
  const std::string& path() const { return path_; }
  /// path()/relative.
  std::string operator/(const std::string& relative) const { return path_ + "/" + relative; }

  /// Writes `text` to path()/relative, creating parent folders; returns the file's path.
  std::string write(const std::string& relative, const std::string& text) const {
    const std::filesystem::path file = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    return file.string();
  }

  /// Writes a `#!/bin/sh` script with `body` and makes it executable; returns its path.
  std::string write_script(const std::string& relative, const std::string& body) const {
    const std::string file = write(relative, "#!/bin/sh\n" + body + "\n");
    ::chmod(file.c_str(), 0755);
    return file;
  }

 private:
  std::string path_;
};

}  // namespace cubench::testing
