#include "result_record.hpp"

#include <array>
#include <utility>

namespace cubench {
namespace {

constexpr std::array<std::pair<case_status, std::string_view>, 8> status_names{{
    {case_status::passed, "passed"},
    {case_status::skipped, "skipped"},
    {case_status::not_supported, "not_supported"},
    {case_status::incorrect, "incorrect"},
    {case_status::failed, "failed"},
    {case_status::out_of_memory, "out_of_memory"},
    {case_status::timed_out, "timed_out"},
    {case_status::crashed, "crashed"},
}};

}  // namespace

std::string_view to_string(case_status s) {
  for (const auto& [status, name] : status_names) {
    if (status == s) return name;
  }
  return "failed";
}

std::optional<case_status> parse_case_status(std::string_view text) {
  for (const auto& [status, name] : status_names) {
    if (name == text) return status;
  }
  return std::nullopt;
}

}  // namespace cubench
