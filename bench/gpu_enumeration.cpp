#include "gpu_enumeration.hpp"

#include <cstdlib>
#include <string>

#include "doctor_driver.hpp"

namespace cubench {
namespace {

std::string describe(const gpu_inventory& inventory) {
  if (inventory.gpus.empty()) return "none";
  std::string text;
  for (const auto& gpu : inventory.gpus)
    text += (text.empty() ? "" : ", ") + std::to_string(gpu.index) + " (" + gpu.name + ", " + gpu.uuid + ")";
  return text;
}

}  // namespace

gpu_inventory fake_gpu_inventory(unsigned count) {
  gpu_inventory inventory;
  inventory.driver_version = "fake";
  inventory.cuda_driver_version = "fake";
  for (unsigned i = 0; i < count; ++i) inventory.gpus.push_back({i, "GPU-fake-" + std::to_string(i), "Fake GPU", ""});
  return inventory;
}

gpu_inventory enumerate_gpus() {
  if (const char* fake = std::getenv(fake_gpus_variable); fake != nullptr && *fake != '\0') {
    char* end = nullptr;
    const unsigned long count = std::strtoul(fake, &end, 10);
    if (*end != '\0' || count > 64) {
      gpu_inventory inventory;
      inventory.error = std::string(fake_gpus_variable) + ": expected a number of fake GPUs (0 to 64), found '" +
                        fake + "'";
      return inventory;
    }
    return fake_gpu_inventory(static_cast<unsigned>(count));
  }
  const driver_state driver = probe_driver();
  gpu_inventory inventory;
  inventory.driver_version = driver.driver_version;
  if (driver.cuda_driver_version != 0) inventory.cuda_driver_version = cuda_version_text(driver.cuda_driver_version);
  for (const auto& gpu : driver.gpus) {
    const std::string capability =
        gpu.cc_major > 0 ? std::to_string(gpu.cc_major) + "." + std::to_string(gpu.cc_minor) : std::string();
    inventory.gpus.push_back({gpu.index, gpu.uuid, gpu.name, capability});
  }
  if (!driver.nvml_error.empty())
    inventory.error = "NVML could not list the GPUs: " + driver.nvml_error;
  else if (inventory.gpus.empty())
    inventory.error = "NVML lists no GPU on this machine";
  return inventory;
}

std::vector<gpu_info> select_gpus(const gpu_inventory& inventory, std::string_view selection, std::string& error) {
  if (selection == "all") return inventory.gpus;
  std::vector<gpu_info> selected;
  std::size_t start = 0;
  while (start <= selection.size()) {
    std::size_t end = selection.find(',', start);
    if (end == std::string_view::npos) end = selection.size();
    const std::string item(selection.substr(start, end - start));
    start = end + 1;
    const gpu_info* match = nullptr;
    for (const auto& gpu : inventory.gpus)
      if (gpu.uuid == item || std::to_string(gpu.index) == item) match = &gpu;
    if (match == nullptr) {
      error = "--gpus: expected 'all' or GPU indices or UUIDs, found '" + item + "'; the GPUs here are: " +
              describe(inventory);
      return {};
    }
    for (const auto& gpu : selected)
      if (gpu.uuid == match->uuid) {
        error = "--gpus: GPU '" + item + "' is named twice";
        return {};
      }
    selected.push_back(*match);
  }
  return selected;
}

std::string gpu_folder_name(const gpu_info& gpu) { return gpu.uuid; }

}  // namespace cubench
