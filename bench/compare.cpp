#include "compare.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "driver_requirements.hpp"
#include "result_columns.hpp"
#include "statistics.hpp"
#include "version_parsing.hpp"

namespace cubench {
namespace {

constexpr std::array<std::pair<finding, std::string_view>, 14> finding_names{{
    {finding::incorrect, "incorrect"},
    {finding::failed, "failed"},
    {finding::slower, "slower"},
    {finding::mismatch, "mismatch"},
    {finding::incompatible, "incompatible"},
    {finding::missing, "missing"},
    {finding::drift, "drift"},
    {finding::ambiguous, "ambiguous"},
    {finding::throttled, "throttled"},
    {finding::ptx_jit, "ptx_jit"},
    {finding::minor_compat, "minor_compat"},
    {finding::added, "added"},
    {finding::faster, "faster"},
    {finding::bitwise_changed, "bitwise_changed"},
}};

// The pairing key as one string; the unit separator between parts cannot occur in what runners write.
std::string key_string(const result_record& r, std::optional<std::size_t> gpu_slot) {
  std::string key;
  for (const std::string* part : {&r.family, &r.impl, &r.variant, &r.dtype, &r.params, &r.gpu_name}) {
    key += *part;
    key += '\x1f';
  }
  if (gpu_slot) key += std::to_string(*gpu_slot);
  return key;
}

bool is_failure(case_status s) {
  return s == case_status::failed || s == case_status::crashed || s == case_status::timed_out ||
         s == case_status::out_of_memory;
}

// Passed and incorrect cases ran to the end: they have timings and an output to check.
bool ran_to_completion(case_status s) { return s == case_status::passed || s == case_status::incorrect; }

// A row's place: which input and which row of it.
struct row_ref {
  std::size_t input = 0;
  std::size_t row = 0;
};

// A paired comparison whose timing is still to be decided.
struct timing_job {
  std::size_t comparison = 0;
  row_ref baseline;
  row_ref candidate;
};

// The rows of one side, in file order, and where each case key is.
struct side_rows {
  std::vector<row_ref> order;
  std::unordered_map<std::string, row_ref> by_key;
};

class comparer {
 public:
  explicit comparer(compare_report& report) : report_(report), options_(report.options) {}

  void run() {
    assign_sides();
    choose_baseline();
    const side_rows& base = rows_[report_.baseline];
    for (std::size_t c = 0; c < report_.sides.size(); ++c) {
      if (c == report_.baseline) continue;
      const side_rows& cand = rows_[c];
      for (const row_ref& b : base.order) {
        const auto found = cand.by_key.find(keys_[b.input][b.row]);
        if (found == cand.by_key.end())
          add_unpaired(c, b, finding::missing);
        else
          add_paired(c, b, found->second);
      }
      for (const row_ref& r : cand.order) {
        if (base.by_key.count(keys_[r.input][r.row]) == 0) add_unpaired(c, r, finding::added);
      }
    }
    finish_timings();
    note_samples_coverage();
    sort_comparisons();
    summarise_geomeans();
  }

 private:
  const result_record& record(row_ref r) const { return report_.inputs[r.input].results.records[r.row]; }
  unsigned line_of(row_ref r) const { return report_.inputs[r.input].results.lines[r.row]; }
  const std::string& path_of(row_ref r) const { return report_.inputs[r.input].results.path; }
  const std::string& label(std::size_t side) const { return report_.sides[side].label; }

  // The row's GPU slot where the pairing key carries it: never across GPUs (each GPU is a side then), and only for a
  // model that some side ran on several GPUs, so that single-GPU inputs pair and print as they always did.
  std::optional<std::size_t> key_slot(row_ref r) const {
    if (options_.across_gpus || several_gpus_.count(record(r).gpu_name) == 0) return std::nullopt;
    return slots_[r.input][r.row];
  }

  case_key key_of(row_ref ref) const {
    const result_record& r = record(ref);
    return {r.family, r.impl, r.variant, r.dtype, r.params, r.gpu_name, key_slot(ref)};
  }

  // GPU k of a model in one side pairs with GPU k of that model in another: within each toolkit and run, the distinct
  // GPUs of each model are numbered by gpu_index, then uuid, since a run on several GPUs holds each case once per GPU.
  void assign_gpu_slots() {
    using run_model = std::tuple<std::string, std::string, std::string>;
    std::map<run_model, std::map<std::string, int>> lowest_index;
    for (const auto& input : report_.inputs)
      for (const auto& r : input.results.records) {
        int& index = lowest_index[{r.toolkit, r.run_id, r.gpu_name}]
                         .emplace(r.gpu_uuid, std::numeric_limits<int>::max())
                         .first->second;
        if (r.gpu_index) index = std::min(index, *r.gpu_index);
      }
    std::map<run_model, std::map<std::string, std::size_t>> slot_of;
    for (const auto& [group, gpus] : lowest_index) {
      std::vector<std::pair<int, std::string>> order;
      for (const auto& [uuid, index] : gpus) order.emplace_back(index, uuid);
      std::sort(order.begin(), order.end());
      auto& slots = slot_of[group];
      for (std::size_t k = 0; k < order.size(); ++k) slots[order[k].second] = k;
      if (order.size() > 1) several_gpus_.insert(std::get<2>(group));
    }
    for (const auto& input : report_.inputs) {
      slots_.emplace_back();
      for (const auto& r : input.results.records)
        slots_.back().push_back(slot_of[{r.toolkit, r.run_id, r.gpu_name}][r.gpu_uuid]);
    }
  }

  // Across GPUs the sides go by run (in order of appearance), then model, then slot, so that the first GPU of the
  // first toolkit is the baseline whatever order the rows came in.
  void order_gpu_sides(std::vector<std::vector<std::size_t>>& row_side) {
    auto& sides = report_.sides;
    auto first_index = [&](auto same) {
      std::vector<std::size_t> first(sides.size());
      for (std::size_t s = 0; s < sides.size(); ++s)
        first[s] = static_cast<std::size_t>(
            std::find_if(sides.begin(), sides.end(), [&](const compare_side& o) { return same(o, sides[s]); }) -
            sides.begin());
      return first;
    };
    const auto run = first_index(
        [](const compare_side& a, const compare_side& b) { return a.toolkit == b.toolkit && a.run_id == b.run_id; });
    const auto model = first_index([](const compare_side& a, const compare_side& b) { return a.gpu_name == b.gpu_name; });
    std::vector<std::size_t> order(sides.size());
    for (std::size_t s = 0; s < order.size(); ++s) order[s] = s;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(run[a], model[a], sides[a].gpu_slot) < std::tie(run[b], model[b], sides[b].gpu_slot);
    });
    std::vector<compare_side> sorted;
    std::vector<std::size_t> new_index(sides.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
      new_index[order[k]] = k;
      sorted.push_back(std::move(sides[order[k]]));
    }
    sides = std::move(sorted);
    for (auto& input : row_side)
      for (auto& side : input) side = new_index[side];
  }

  void label_sides() {
    std::map<std::string, std::set<std::string>> runs_of_toolkit;
    std::set<std::string> models;
    for (const auto& s : report_.sides) {
      runs_of_toolkit[s.toolkit].insert(s.run_id);
      models.insert(s.gpu_name);
    }
    for (auto& s : report_.sides) {
      s.label = runs_of_toolkit[s.toolkit].size() > 1 ? s.toolkit + "@" + s.run_id : s.toolkit;
      if (!options_.across_gpus) continue;
      s.label += " gpu" + std::to_string(s.gpu_slot.value_or(0));
      if (models.size() > 1) s.label += " [" + s.gpu_name + "]";
    }
  }

  void assign_sides() {
    assign_gpu_slots();
    // toolkit, run_id, and across GPUs the GPU's model and uuid
    using side_id = std::tuple<std::string, std::string, std::string, std::string>;
    std::map<side_id, std::size_t> side_of;
    std::vector<std::vector<std::size_t>> row_side(report_.inputs.size());
    for (std::size_t i = 0; i < report_.inputs.size(); ++i) {
      const auto& records = report_.inputs[i].results.records;
      for (std::size_t j = 0; j < records.size(); ++j) {
        const result_record& r = records[j];
        side_id id{r.toolkit, r.run_id, "", ""};
        if (options_.across_gpus) id = {r.toolkit, r.run_id, r.gpu_name, r.gpu_uuid};
        const auto [it, inserted] = side_of.emplace(std::move(id), report_.sides.size());
        if (inserted) {
          compare_side side{r.toolkit, r.toolkit, r.run_id, "", "", std::nullopt};
          if (options_.across_gpus) {
            side.gpu_uuid = r.gpu_uuid;
            side.gpu_name = r.gpu_name;
            side.gpu_slot = slots_[i][j];
          }
          report_.sides.push_back(std::move(side));
        }
        row_side[i].push_back(it->second);
      }
    }
    if (options_.across_gpus) order_gpu_sides(row_side);
    label_sides();

    rows_.resize(report_.sides.size());
    for (std::size_t i = 0; i < report_.inputs.size(); ++i) {
      const auto& records = report_.inputs[i].results.records;
      keys_.emplace_back();
      for (std::size_t j = 0; j < records.size(); ++j) {
        const row_ref ref{i, j};
        keys_.back().push_back(key_string(records[j], key_slot(ref)));
        side_rows& side = rows_[row_side[i][j]];
        auto [existing, fresh] = side.by_key.emplace(keys_.back().back(), ref);
        if (fresh) {
          side.order.push_back(ref);
        } else {
          report_.input_notes.push_back(path_of(ref) + ":" + std::to_string(line_of(ref)) + ": case " +
                                        records[j].case_id + " on " + gpu_title(key_of(ref)) +
                                        " repeats the one on " + path_of(existing->second) + ":" +
                                        std::to_string(line_of(existing->second)) +
                                        " for the same toolkit and run; only the first is compared");
        }
      }
    }
  }

  void choose_baseline() {
    if (report_.sides.size() < 2) {
      throw input_error(std::string(options_.across_gpus ? "expected at least two GPUs, toolkits or runs"
                                                         : "expected at least two toolkits or runs") +
                        " to compare, found " +
                        (report_.sides.empty() ? std::string("no result rows") : "only " + label(0)));
    }
    if (options_.baseline.empty()) return;
    for (auto matches : {&compare_side::label, &compare_side::toolkit}) {
      for (std::size_t i = 0; i < report_.sides.size(); ++i) {
        if (report_.sides[i].*matches == options_.baseline) {
          report_.baseline = i;
          return;
        }
      }
    }
    std::string known;
    for (const auto& s : report_.sides) known += (known.empty() ? "" : ", ") + s.label;
    throw input_error("--baseline: expected one of " + known + ", found '" + options_.baseline + "'");
  }

  void add_unpaired(std::size_t candidate, row_ref ref, finding f) {
    const result_record& row = record(ref);
    case_comparison c;
    c.key = key_of(ref);
    c.case_id = row.case_id;
    c.candidate = candidate;
    if (f == finding::missing) {
      c.baseline_row = &row;
      c.notes.push_back("only in the baseline " + label(report_.baseline) + " (" + path_of(ref) + ":" +
                        std::to_string(line_of(ref)) + "), not in " + label(candidate));
    } else {
      c.candidate_row = &row;
      c.notes.push_back("only in " + label(candidate) + " (" + path_of(ref) + ":" + std::to_string(line_of(ref)) +
                        "), not in the baseline " + label(report_.baseline));
    }
    if (c.key.gpu_slot) c.notes.push_back("gpu" + std::to_string(*c.key.gpu_slot) + " is " + row.gpu_uuid);
    c.findings.push_back(f);
    report_.comparisons.push_back(std::move(c));
  }

  // The samples of a row, or null when its input has no samples for it.
  const sample_series* samples_of(row_ref ref) const {
    const auto& samples = report_.inputs[ref.input].samples;
    const auto found = samples.find(sample_series_key(record(ref)));
    return found == samples.end() ? nullptr : &found->second;
  }

  // A side's median and interval for the fallback: the row's own, else the samples' order statistics.
  static bool fallback_interval(const result_record& row, const sample_series* samples, double& median_ms,
                                double& low, double& high) {
    const bool have_samples = samples != nullptr && !samples->time_ms.empty();
    if (row.median_ms && *row.median_ms > 0.0)
      median_ms = *row.median_ms;
    else if (have_samples)
      median_ms = median(samples->time_ms);
    else
      return false;
    if (row.ci_low_ms && row.ci_high_ms && *row.ci_low_ms > 0.0 && *row.ci_high_ms >= *row.ci_low_ms) {
      low = *row.ci_low_ms;
      high = *row.ci_high_ms;
    } else if (have_samples) {
      const auto interval = median_confidence_interval(samples->time_ms);
      low = interval.low;
      high = interval.high;
    } else {
      return false;
    }
    return true;
  }

  void compare_time(case_comparison& c, row_ref b, row_ref r) {
    const result_record& base = record(b);
    const result_record& cand = record(r);
    if (!ran_to_completion(base.status) || !ran_to_completion(cand.status)) return;
    const sample_series* base_samples = samples_of(b);
    const sample_series* cand_samples = samples_of(r);
    note_sample_count(c, "baseline", b, base_samples);
    note_sample_count(c, "candidate", r, cand_samples);
    const std::size_t nb = base_samples ? base_samples->time_ms.size() : 0;
    const std::size_t nc = cand_samples ? cand_samples->time_ms.size() : 0;
    if (nb >= options_.min_samples && nc >= options_.min_samples) {
      const auto base_groups = base_samples->by_placement();
      const auto cand_groups = cand_samples->by_placement();
      const std::size_t fewest = std::max<std::size_t>(options_.min_placements, 2);
      if (base_groups.size() >= fewest && cand_groups.size() >= fewest) {
        c.time = compare_placements(base_groups, cand_groups, options_);
        return;
      }
      if (base_groups.size() > 1 || cand_groups.size() > 1)
        c.notes.push_back("decided on the samples: " + std::to_string(base_groups.size()) + " and " +
                          std::to_string(cand_groups.size()) + " placements, the test on their medians needs " +
                          std::to_string(fewest) + " a side");
      c.time = compare_samples(base_samples->time_ms, cand_samples->time_ms, options_, seed_from_text(c.case_id));
      return;
    }
    double bm = 0, bl = 0, bh = 0, cm = 0, cl = 0, ch = 0;
    const bool base_ok = fallback_interval(base, base_samples, bm, bl, bh);
    const bool cand_ok = fallback_interval(cand, cand_samples, cm, cl, ch);
    if (!base_ok || !cand_ok) {
      c.notes.push_back(std::string("no timing to compare on the ") + (base_ok ? "candidate" : "baseline") +
                        " side (no samples and no median with an interval)");
      return;
    }
    c.time = compare_intervals(bm, bl, bh, cm, cl, ch, options_);
    c.time.baseline_samples = nb;
    c.time.candidate_samples = nc;
    auto count = [&](std::size_t n, row_ref ref) {
      return report_.inputs[ref.input].samples_path.empty() ? std::string("no samples file")
                                                            : std::to_string(n) + " samples";
    };
    c.notes.push_back("decided by interval overlap: the baseline has " + count(nb, b) + ", the candidate " +
                      count(nc, r) + " (the U test needs " + std::to_string(options_.min_samples) + " a side)");
  }

  void note_sample_count(case_comparison& c, const char* side, row_ref ref, const sample_series* samples) {
    const result_record& row = record(ref);
    const std::size_t found = samples ? samples->time_ms.size() : 0;
    if (report_.inputs[ref.input].samples_path.empty() || !row.samples ||
        static_cast<std::size_t>(*row.samples) == found)
      return;
    c.notes.push_back(std::string(side) + " row says " + std::to_string(*row.samples) + " samples, " +
                      report_.inputs[ref.input].samples_path + " has " + std::to_string(found));
  }

  void compare_numerics(case_comparison& c, const result_record& base, const result_record& cand) {
    if (cand.status == case_status::incorrect) {
      c.findings.push_back(finding::incorrect);
      c.notes.push_back("candidate status incorrect" + (cand.reason.empty() ? "" : ": " + cand.reason));
    }
    const std::array<std::pair<const char*, const std::optional<std::int64_t>*>, 3> counts{
        {{"nan_count", &cand.nan_count}, {"inf_count", &cand.inf_count}, {"unwritten_count", &cand.unwritten_count}}};
    for (const auto& [name, value] : counts) {
      if (*value && **value > 0) {
        c.findings.push_back(finding::incorrect);
        c.notes.push_back(std::string("candidate ") + name + " " + std::to_string(**value));
      }
    }
    const auto& err = cand.norm_rel_err;
    if (err && cand.tolerance && (!std::isfinite(*err) || *err > *cand.tolerance) &&
        cand.status != case_status::incorrect) {
      c.findings.push_back(finding::incorrect);
      c.notes.push_back("candidate norm_rel_err " + format_double(*err) + " exceeds tolerance " +
                        format_double(*cand.tolerance));
    }
    if (base.status == case_status::incorrect)
      c.notes.push_back("baseline status incorrect" + (base.reason.empty() ? "" : ": " + base.reason));

    const auto& base_err = base.norm_rel_err;
    if (err && base_err && std::isfinite(*err) && std::isfinite(*base_err)) {
      if (*base_err > 0.0) c.error_growth = *err / *base_err;
      const bool within = !cand.tolerance || *err <= *cand.tolerance;
      const bool grew = *base_err > 0.0 ? *err > options_.drift_factor * *base_err : *err > 0.0;
      if (grew && within) {
        c.findings.push_back(finding::drift);
        c.notes.push_back("norm_rel_err grew from " + format_double(*base_err) + " to " + format_double(*err) +
                          ", more than " + format_double(options_.drift_factor) + "x, still within tolerance");
      }
    }
    if (!base.output_hash.empty() && !cand.output_hash.empty() && base.output_hash != cand.output_hash) {
      c.findings.push_back(finding::bitwise_changed);
      c.notes.push_back("output hash " + base.output_hash + " -> " + cand.output_hash);
    }
  }

  void compare_provenance(case_comparison& c, const char* side, const result_record& row) {
    if (!row.library_built_version.empty() && !row.library_loaded_version.empty() &&
        !library_versions_match(row.library_built_version, row.library_loaded_version)) {
      c.findings.push_back(finding::mismatch);
      c.notes.push_back(std::string(side) + " " + (row.library.empty() ? "library" : row.library) + " built against " +
                        row.library_built_version + ", loaded " + row.library_loaded_version +
                        (row.library_path.empty() ? "" : " from " + row.library_path));
    }
    if (row.binary_kind == "ptx_jit") {
      c.findings.push_back(finding::ptx_jit);
      c.notes.push_back(std::string(side) + " ran PTX JIT-compiled for compute capability " + row.compute_capability +
                        " (no SASS for this GPU)");
    }
    if (row.clock_flag.value_or(false)) {
      c.findings.push_back(finding::throttled);
      std::string note = std::string(side) + " ran throttled";
      if (!row.throttle_reasons.empty()) note += " (" + row.throttle_reasons + ")";
      if (row.sm_clock_mhz && row.sm_clock_max_mhz)
        note += ", SM clock " + std::to_string(*row.sm_clock_mhz) + " of " + std::to_string(*row.sm_clock_max_mhz) +
                " MHz";
      c.notes.push_back(note);
    }
    const driver_check check = check_driver(row.toolkit, row.driver_version);
    if (check.support == driver_support::unsupported) {
      c.findings.push_back(finding::incompatible);
      c.notes.push_back(std::string(side) + " driver " + row.driver_version + " is older than " + check.required +
                        ", the minimum for any CUDA " + row.toolkit.substr(0, row.toolkit.find('.')) + ".x");
    } else if (check.support == driver_support::minor_compatibility) {
      c.findings.push_back(finding::minor_compat);
      c.notes.push_back(std::string(side) + " driver " + row.driver_version + " is older than " + check.required +
                        ", the minimum for CUDA " + row.toolkit +
                        ": runs by minor-version compatibility, with reduced features");
    }
  }

  void add_paired(std::size_t candidate, row_ref b, row_ref r) {
    const result_record& base = record(b);
    const result_record& cand = record(r);
    case_comparison c;
    c.key = key_of(r);
    c.case_id = cand.case_id;
    c.candidate = candidate;
    c.baseline_row = &base;
    c.candidate_row = &cand;
    if (c.key.gpu_slot)
      c.notes.push_back("gpu" + std::to_string(*c.key.gpu_slot) + " is " + base.gpu_uuid +
                        (base.gpu_uuid == cand.gpu_uuid ? " on both sides"
                                                        : " in the baseline, " + cand.gpu_uuid + " in the candidate"));

    if (is_failure(cand.status)) {
      c.findings.push_back(finding::failed);
      c.notes.push_back("candidate " + std::string(to_string(cand.status)) +
                        (cand.reason.empty() ? "" : ": " + cand.reason));
    } else if (cand.status != case_status::passed && cand.status != case_status::incorrect) {
      c.notes.push_back("candidate " + std::string(to_string(cand.status)) +
                        (cand.reason.empty() ? "" : ": " + cand.reason));
    }
    if (base.status != case_status::passed && base.status != case_status::incorrect)
      c.notes.push_back("baseline " + std::string(to_string(base.status)) +
                        (base.reason.empty() ? "" : ": " + base.reason));

    // How each side was measured, and the kernel its library chose: a change in time may come from either.
    for (auto [field, name] : {std::pair{&result_record::timing_mode, "timing_mode"},
                               std::pair{&result_record::cache_mode, "cache_mode"},
                               std::pair{&result_record::algorithm, "algorithm"}}) {
      if (base.*field != cand.*field)
        c.notes.push_back(std::string(name) + " differs: " + base.*field + " vs " + cand.*field);
    }

    if (ran_to_completion(cand.status)) compare_numerics(c, base, cand);
    compare_provenance(c, "baseline", base);
    compare_provenance(c, "candidate", cand);
    timing_jobs_.push_back({report_.comparisons.size(), b, r});
    report_.comparisons.push_back(std::move(c));
  }

  // On a throttled card the SM clock follows power and temperature: a change in time no larger than the change in
  // the lowest SM clock the two sides saw is as well explained by the card's state as by the code, so it is
  // ambiguous, said with both clocks, rather than slower or faster.
  void explain_by_clocks(case_comparison& c, const result_record& base, const result_record& cand) {
    const bool moved = c.time.verdict == time_verdict::slower || c.time.verdict == time_verdict::faster;
    if (!moved || !c.time.ratio || !base.sm_clock_mhz || !cand.sm_clock_mhz || *base.sm_clock_mhz <= 0 ||
        *cand.sm_clock_mhz <= 0 || !(base.clock_flag.value_or(false) || cand.clock_flag.value_or(false)))
      return;
    const double clock_ratio = static_cast<double>(*base.sm_clock_mhz) / *cand.sm_clock_mhz;
    const double ratio = *c.time.ratio;
    const bool explained = ratio > 1.0 ? clock_ratio >= ratio : clock_ratio <= ratio;
    if (!explained) return;
    char change[32];
    std::snprintf(change, sizeof change, "%.1f%%", std::fabs(ratio - 1.0) * 100.0);
    c.notes.push_back(std::string(ratio > 1.0 ? "slower" : "faster") + " by " + change +
                      ", within the SM clock's change (" + std::to_string(*base.sm_clock_mhz) + " -> " +
                      std::to_string(*cand.sm_clock_mhz) + " MHz, lowest seen) on a throttled card: ambiguous");
    c.time.verdict = time_verdict::ambiguous;
  }

  // An events sample holds the launch's own overhead, which a graph batch spreads over its launches: where the two
  // sides were timed in different modes (a case whose warm-up estimate fell on either side of the graph threshold),
  // a change per launch no larger than that overhead is ambiguous, said with both modes.
  void explain_by_timing_mode(case_comparison& c, const result_record& base, const result_record& cand) {
    const bool moved = c.time.verdict == time_verdict::slower || c.time.verdict == time_verdict::faster;
    if (!moved || base.timing_mode.empty() || cand.timing_mode.empty() || base.timing_mode == cand.timing_mode ||
        !c.time.ratio || !c.time.baseline_median_ms || !c.time.candidate_median_ms)
      return;
    const double change_ms = *c.time.candidate_median_ms - *c.time.baseline_median_ms;
    if (std::fabs(change_ms) > options_.mode_change_allowance_ms) return;
    char change[64];
    std::snprintf(change, sizeof change, "%.1f%% (%.1f us a launch)", std::fabs(*c.time.ratio - 1.0) * 100.0,
                  std::fabs(change_ms) * 1000.0);
    c.notes.push_back(std::string(change_ms > 0 ? "slower" : "faster") + " by " + change + ", timed with " +
                      base.timing_mode + " against " + cand.timing_mode +
                      ": within the launch overhead one mode holds and the other spreads (" +
                      format_double(options_.mode_change_allowance_ms * 1000.0) + " us allowed): ambiguous");
    c.time.verdict = time_verdict::ambiguous;
  }

  void finish_timing(const timing_job& job) {
    case_comparison& c = report_.comparisons[job.comparison];
    compare_time(c, job.baseline, job.candidate);
    explain_by_clocks(c, record(job.baseline), record(job.candidate));
    explain_by_timing_mode(c, record(job.baseline), record(job.candidate));
    if (c.time.verdict == time_verdict::slower) c.findings.push_back(finding::slower);
    if (c.time.verdict == time_verdict::faster) c.findings.push_back(finding::faster);
    if (c.time.verdict == time_verdict::ambiguous) c.findings.push_back(finding::ambiguous);
    std::sort(c.findings.begin(), c.findings.end());
    c.findings.erase(std::unique(c.findings.begin(), c.findings.end()), c.findings.end());
  }

  // The statistics dominate the run time and each comparison's are its own (the bootstrap is seeded by the case),
  // so they are spread over the cores; the results do not depend on how.
  void finish_timings() {
    const std::size_t workers =
        std::max<std::size_t>(1, std::min<std::size_t>(std::thread::hardware_concurrency(), timing_jobs_.size() / 64));
    std::atomic<std::size_t> next{0};
    std::vector<std::exception_ptr> errors(workers);
    auto work = [&](std::size_t worker) {
      try {
        for (std::size_t i = next++; i < timing_jobs_.size(); i = next++) finish_timing(timing_jobs_[i]);
      } catch (...) {
        errors[worker] = std::current_exception();
        next = timing_jobs_.size();
      }
    };
    std::vector<std::thread> threads;
    for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
    work(0);
    for (auto& t : threads) t.join();
    for (const auto& error : errors)
      if (error) std::rethrow_exception(error);
  }

  // Samples without a results row, and inputs without samples, are said, not passed over.
  void note_samples_coverage() {
    for (const auto& input : report_.inputs) {
      if (input.samples_path.empty()) {
        report_.input_notes.push_back(input.source + ": no samples file next to " + input.results.path +
                                      "; time verdicts use the rows' intervals");
        continue;
      }
      std::unordered_set<std::string> row_keys;
      for (const auto& r : input.results.records) row_keys.insert(sample_series_key(r));
      const auto orphans = std::count_if(input.samples.begin(), input.samples.end(),
                                         [&](const auto& series) { return row_keys.count(series.first) == 0; });
      if (orphans > 0)
        report_.input_notes.push_back(input.samples_path + ": " + std::to_string(orphans) +
                                      " sample series have no row in " + input.results.path);
    }
  }

  void sort_comparisons() {
    const std::size_t none = all_findings().size();
    auto severity = [none](const case_comparison& c) {
      return c.findings.empty() ? none : static_cast<std::size_t>(c.findings.front());
    };
    auto magnitude = [](const case_comparison& c) { return c.time.ratio ? std::fabs(std::log(*c.time.ratio)) : 0.0; };
    std::sort(report_.comparisons.begin(), report_.comparisons.end(),
              [&](const case_comparison& a, const case_comparison& b) {
                const auto sa = severity(a);
                const auto sb = severity(b);
                if (sa != sb) return sa < sb;
                const double ma = magnitude(a);
                const double mb = magnitude(b);
                if (ma != mb) return ma > mb;
                return std::tie(a.key.family, a.key.impl, a.key.variant, a.key.dtype, a.key.params, a.key.gpu_name,
                                a.key.gpu_slot, a.candidate) < std::tie(b.key.family, b.key.impl, b.key.variant,
                                                                        b.key.dtype, b.key.params, b.key.gpu_name,
                                                                        b.key.gpu_slot, b.candidate);
              });
  }

  void summarise_geomeans() {
    std::map<std::tuple<std::size_t, std::string, std::string>, std::vector<double>> groups;
    for (const auto& c : report_.comparisons)
      if (c.time.ratio && c.time.verdict != time_verdict::not_compared)
        groups[{c.candidate, c.key.gpu_name, c.key.family}].push_back(*c.time.ratio);
    for (const auto& [group, ratios] : groups) {
      const auto& [candidate, gpu, family] = group;
      report_.geomeans.push_back({family, candidate, gpu, ratios.size(), geometric_mean(ratios)});
    }
  }

  compare_report& report_;
  const compare_options& options_;
  std::vector<side_rows> rows_;
  std::vector<std::vector<std::size_t>> slots_;     // per input and row: the row's GPU slot
  std::vector<std::vector<std::string>> keys_;      // per input and row: the pairing key
  std::set<std::string> several_gpus_;              // models that some side ran on more than one GPU
  std::vector<timing_job> timing_jobs_;
};

}  // namespace

std::string gpu_title(const case_key& key) {
  if (!key.gpu_slot) return key.gpu_name;
  return key.gpu_name + (key.gpu_name.empty() ? "" : " ") + "gpu" + std::to_string(*key.gpu_slot);
}

const std::vector<finding>& all_findings() {
  static const std::vector<finding> findings = [] {
    std::vector<finding> all;
    for (const auto& [f, name] : finding_names) all.push_back(f);
    return all;
  }();
  return findings;
}

std::string_view to_string(finding f) {
  for (const auto& [value, name] : finding_names)
    if (value == f) return name;
  return "unknown";
}

std::optional<finding> parse_finding(std::string_view text) {
  for (const auto& [value, name] : finding_names)
    if (name == text) return value;
  return std::nullopt;
}

std::string_view to_string(time_verdict v) {
  switch (v) {
    case time_verdict::same: return "same";
    case time_verdict::faster: return "faster";
    case time_verdict::slower: return "slower";
    case time_verdict::ambiguous: return "ambiguous";
    case time_verdict::not_compared: return "not_compared";
  }
  return "not_compared";
}

std::string_view to_string(time_method m) {
  switch (m) {
    case time_method::welch_placements: return "welch_placements";
    case time_method::u_test_exact: return "u_test_exact";
    case time_method::u_test_normal: return "u_test_normal";
    case time_method::interval_overlap: return "interval_overlap";
    case time_method::none: return "none";
  }
  return "none";
}

std::size_t compare_report::count(finding f) const {
  return static_cast<std::size_t>(std::count_if(comparisons.begin(), comparisons.end(), [f](const auto& c) {
    return std::find(c.findings.begin(), c.findings.end(), f) != c.findings.end();
  }));
}

namespace {

// The verdict table of docs/compare.md: a significant change beyond the minimum effect whose interval excludes 1
// is slower or faster; a non-significant one is same only when its interval stays inside the band.
time_verdict decide_time(double p_value, const ratio_interval& interval, const compare_options& options) {
  const double upper = 1.0 + options.min_effect;
  const double lower = 1.0 / upper;
  if (p_value < options.alpha) {
    if (interval.ratio > upper) return interval.low > 1.0 ? time_verdict::slower : time_verdict::ambiguous;
    if (interval.ratio < lower) return interval.high < 1.0 ? time_verdict::faster : time_verdict::ambiguous;
    return time_verdict::same;
  }
  return interval.low >= lower && interval.high <= upper ? time_verdict::same : time_verdict::ambiguous;
}

// A test's outcome on both sides' samples: their counts and medians, the ratio with its interval, p and the verdict.
time_comparison tested(time_method method, const std::vector<double>& baseline, const std::vector<double>& candidate,
                       const ratio_interval& interval, double p_value, const compare_options& options) {
  time_comparison t;
  t.method = method;
  t.baseline_samples = baseline.size();
  t.candidate_samples = candidate.size();
  t.baseline_median_ms = median(baseline);
  t.candidate_median_ms = median(candidate);
  t.ratio = interval.ratio;
  t.ratio_low = interval.low;
  t.ratio_high = interval.high;
  t.p_value = p_value;
  t.verdict = decide_time(p_value, interval, options);
  return t;
}

}  // namespace

time_comparison compare_samples(const std::vector<double>& baseline, const std::vector<double>& candidate,
                                const compare_options& options, std::uint64_t seed) {
  const auto test = mann_whitney_u(candidate, baseline);
  const auto interval = median_ratio_bootstrap(baseline, candidate, seed, options.bootstrap_resamples);
  time_comparison t = tested(test.exact ? time_method::u_test_exact : time_method::u_test_normal, baseline, candidate,
                             interval, test.p_value, options);
  t.u = test.u;
  return t;
}

time_comparison compare_placements(const std::vector<std::vector<double>>& baseline,
                                   const std::vector<std::vector<double>>& candidate, const compare_options& options) {
  const auto log_medians = [](const std::vector<std::vector<double>>& groups) {
    std::vector<double> logs;
    for (const auto& g : groups) logs.push_back(std::log(median(g)));
    return logs;
  };
  const welch_result test = welch_t_test(log_medians(candidate), log_medians(baseline));
  const ratio_interval interval{std::exp(test.difference), std::exp(test.difference - test.half_width),
                                std::exp(test.difference + test.half_width)};
  time_comparison t =
      tested(time_method::welch_placements, pooled(baseline), pooled(candidate), interval, test.p_value, options);
  t.baseline_placements = baseline.size();
  t.candidate_placements = candidate.size();
  return t;
}

time_comparison compare_intervals(double baseline_median, double baseline_low, double baseline_high,
                                  double candidate_median, double candidate_low, double candidate_high,
                                  const compare_options& options) {
  time_comparison t;
  t.method = time_method::interval_overlap;
  t.baseline_median_ms = baseline_median;
  t.candidate_median_ms = candidate_median;
  const double ratio = candidate_median / baseline_median;
  t.ratio = ratio;
  t.ratio_low = candidate_low / baseline_high;
  t.ratio_high = candidate_high / baseline_low;
  const double upper = 1.0 + options.min_effect;
  const double lower = 1.0 / upper;
  const bool beyond = ratio > upper || ratio < lower;
  if (candidate_low > baseline_high)
    t.verdict = ratio > upper ? time_verdict::slower : time_verdict::same;
  else if (candidate_high < baseline_low)
    t.verdict = ratio < lower ? time_verdict::faster : time_verdict::same;
  else
    t.verdict = beyond ? time_verdict::ambiguous : time_verdict::same;
  return t;
}

compare_report compare_runs(std::vector<run_input> inputs, const compare_options& options) {
  compare_report report;
  report.options = options;
  report.inputs = std::move(inputs);
  comparer(report).run();
  return report;
}

std::set<finding> parse_fail_on(std::string_view list) {
  std::set<finding> result;
  for (const std::string& item : split_list(list)) {
    if (item.empty()) continue;
    const auto f = parse_finding(item);
    if (!f) {
      std::string known;
      for (const auto& [value, name] : finding_names) known += (known.empty() ? "" : ", ") + std::string(name);
      throw std::invalid_argument("--fail-on: expected one of " + known + ", found '" + item + "'");
    }
    result.insert(*f);
  }
  return result;
}

bool crosses_gate(const compare_report& report, const std::set<finding>& fail_on) {
  return std::any_of(report.comparisons.begin(), report.comparisons.end(), [&](const case_comparison& c) {
    return std::any_of(c.findings.begin(), c.findings.end(), [&](finding f) { return fail_on.count(f) > 0; });
  });
}

bool library_versions_match(std::string_view built, std::string_view loaded) {
  auto major_minor_patch = [](std::string_view v) {
    std::size_t end = 0;
    for (int dots = 0; end < v.size(); ++end) {
      if (v[end] == '.' && ++dots == 3) break;
    }
    return v.substr(0, end);
  };
  const auto a = major_minor_patch(built);
  const auto b = major_minor_patch(loaded);
  const auto order = compare_versions(a, b);
  return order ? *order == 0 : a == b;
}

}  // namespace cubench
