// Clocks, temperature, power and throttle reasons of one GPU, read through NVML around and during a
// case. NVML is opened at run time from the driver's libnvidia-ml.so.1 (as nvml_probe.cpp does), so a
// runner without it still runs, with these columns empty. Clocks are only read, never set.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace cubench {

/// The extremes seen over one case.
struct clock_report {
  std::optional<int> min_sm_clock_mhz;
  std::optional<int> max_sm_clock_mhz;  // the GPU's maximum SM clock
  std::optional<int> max_temperature_c;
  std::optional<double> max_power_w;
  std::string throttle_reasons;  // '|'-separated names, idle and application-clock settings left out
  std::optional<bool> flagged;   // throttled, or under 90% of the maximum SM clock
  std::string error;             // why NVML could not be read; empty when it could
};

/// Reads one GPU's clocks through NVML for as long as it lives.
class clock_monitor {
 public:
  /// Loads NVML and finds the GPU by its "GPU-..." UUID; on failure every reading stays empty and
  /// report().error says why.
  explicit clock_monitor(const std::string& gpu_uuid);
  ~clock_monitor();
  clock_monitor(const clock_monitor&) = delete;
  clock_monitor& operator=(const clock_monitor&) = delete;

  /// Forgets the extremes of the previous case.
  void start_case();
  /// Takes one reading and folds it into the case's extremes.
  void sample();
  /// The case's extremes and its flag.
  clock_report report() const;

 private:
  struct nvml_api;
  std::unique_ptr<nvml_api> api_;
  clock_report case_;
  unsigned long long reasons_seen_ = 0;
};

/// Names of the NVML clock-event reason bits in `mask`, '|'-separated, leaving out idle and
/// application-clock settings (0x1, 0x2), which are not slowdowns.
std::string throttle_reason_names(unsigned long long mask);

/// True when a case ran throttled or with its lowest SM clock under 90% of the maximum.
bool clock_flag(unsigned long long reasons, int min_sm_clock_mhz, int max_sm_clock_mhz);

}  // namespace cubench
