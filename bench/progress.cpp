#include "progress.hpp"

#include <cstdio>

namespace cubench {

std::string format_duration(std::chrono::seconds duration) {
  const long long total = duration.count() < 0 ? 0 : static_cast<long long>(duration.count());
  char text[48];
  if (total < 60)
    std::snprintf(text, sizeof text, "%lld s", total);
  else if (total < 3600)
    std::snprintf(text, sizeof text, "%lld min %02lld s", total / 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%lld h %02lld min", total / 3600, (total % 3600) / 60);
  return text;
}

std::string progress_line(const progress_counts& counts, std::chrono::seconds elapsed, std::size_t bar_width) {
  std::string line;
  if (bar_width > 0) {
    const std::size_t filled = counts.total == 0 ? bar_width : counts.ended * bar_width / counts.total;
    line = "[" + std::string(filled, '#') + std::string(bar_width - filled, '.') + "] ";
  }
  line += std::to_string(counts.ended) + "/" + std::to_string(counts.total) + " case runs";
  for (const auto& [status, count] : counts.by_status) line += "  " + std::string(to_string(status)) + " " + std::to_string(count);
  line += "  elapsed " + format_duration(elapsed);
  const std::size_t done_here = counts.ended - counts.resumed;
  if (done_here > 0 && counts.ended < counts.total) {
    const auto left = elapsed * static_cast<long long>(counts.total - counts.ended) / static_cast<long long>(done_here);
    line += "  ETA " + format_duration(left);
  }
  return line;
}

progress_display::progress_display(std::ostream& out, bool terminal, std::chrono::seconds interval)
    : out_(out), terminal_(terminal), interval_(interval) {}

void progress_display::planned(std::size_t total_cases, std::size_t already_ended) {
  counts_.total = total_cases;
  counts_.ended = already_ended;
  counts_.resumed = already_ended;
  start_ = std::chrono::steady_clock::now();
  if (already_ended > 0) out_ << already_ended << " of " << total_cases << " case runs had ended before; resuming\n";
  draw(true);
}

void progress_display::case_ended(const std::string& toolkit, const gpu_info& gpu, const std::string& case_id,
                                  case_status status, const std::string& reason) {
  ++counts_.ended;
  ++counts_.by_status[status];
  const bool notable = status == case_status::crashed || status == case_status::timed_out ||
                       status == case_status::out_of_memory || status == case_status::failed;
  if (notable) {
    if (terminal_) out_ << "\r\033[K";
    out_ << to_string(status) << ": " << case_id << " (" << toolkit << " on " << gpu.uuid << ")"
         << (reason.empty() ? "" : ": " + reason) << "\n";
  }
  draw(notable);
}

void progress_display::finish() {
  const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_);
  if (terminal_) out_ << "\r\033[K";
  out_ << progress_line(counts_, elapsed, 0) << std::endl;
}

void progress_display::draw(bool force) {
  const auto now = std::chrono::steady_clock::now();
  const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - start_);
  if (terminal_) {
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    out_ << "\r\033[K" << progress_line(counts_, elapsed, 30) << std::flush;
  } else {
    if (!force && now - last_draw_ < interval_) return;
    out_ << progress_line(counts_, elapsed, 0) << std::endl;
  }
  last_draw_ = now;
}

}  // namespace cubench
