#include "elf_needed.hpp"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace cubench {
namespace {

// Closes the file descriptor libelf reads from.
class file_descriptor {
 public:
  explicit file_descriptor(int fd) : fd_(fd) {}
  file_descriptor(const file_descriptor&) = delete;
  file_descriptor& operator=(const file_descriptor&) = delete;
  ~file_descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

struct elf_closer {
  void operator()(Elf* elf) const { elf_end(elf); }
};
using elf_handle = std::unique_ptr<Elf, elf_closer>;

bool libelf_ready() {
  static const bool ready = elf_version(EV_CURRENT) != EV_NONE;
  return ready;
}

}  // namespace

elf_dynamic_names read_elf_dynamic_names(const std::filesystem::path& file) {
  elf_dynamic_names names;
  const std::string where = file.string() + ": ";
  if (!libelf_ready()) {
    names.error = where + "libelf is older than this program's ELF version: " + elf_errmsg(-1);
    return names;
  }
  const file_descriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    names.error = where + "cannot open: " + std::strerror(errno);
    return names;
  }
  const elf_handle elf(elf_begin(fd.get(), ELF_C_READ_MMAP, nullptr));
  if (!elf) {
    names.error = where + "libelf cannot read it: " + elf_errmsg(-1);
    return names;
  }
  if (elf_kind(elf.get()) != ELF_K_ELF) {
    names.error = where + "expected an ELF file, found " +
                  (elf_kind(elf.get()) == ELF_K_AR ? "an ar archive" : "something else (e.g. a linker script)");
    return names;
  }
  Elf_Scn* section = nullptr;
  bool found_dynamic = false;
  while ((section = elf_nextscn(elf.get(), section)) != nullptr) {
    GElf_Shdr header;
    if (gelf_getshdr(section, &header) == nullptr || header.sh_type != SHT_DYNAMIC) continue;
    found_dynamic = true;
    Elf_Data* data = elf_getdata(section, nullptr);
    if (data == nullptr || header.sh_entsize == 0) break;
    const std::size_t count = header.sh_size / header.sh_entsize;
    for (std::size_t i = 0; i < count; ++i) {
      GElf_Dyn entry;
      if (gelf_getdyn(data, static_cast<int>(i), &entry) == nullptr || entry.d_tag == DT_NULL) break;
      if (entry.d_tag != DT_NEEDED && entry.d_tag != DT_SONAME) continue;
      const char* name = elf_strptr(elf.get(), header.sh_link, entry.d_un.d_val);
      if (name == nullptr) continue;
      if (entry.d_tag == DT_NEEDED)
        names.needed.emplace_back(name);
      else
        names.soname = name;
    }
    break;
  }
  if (!found_dynamic) names.error = where + "expected a dynamic section, found none (a static object?)";
  return names;
}

int cudart_major_of(const std::string& needed) {
  static const std::string prefix = "libcudart.so.";
  if (needed.rfind(prefix, 0) != 0) return 0;
  int major = 0;
  std::size_t i = prefix.size();
  for (; i < needed.size() && needed[i] >= '0' && needed[i] <= '9'; ++i) major = major * 10 + (needed[i] - '0');
  if (i == prefix.size() || (i < needed.size() && needed[i] != '.')) return 0;
  return major;
}

}  // namespace cubench
