#!/usr/bin/env bash
# CPU test of scripts/compare-sensitivity: two bench runs of the fake runner on a fake GPU (an A/A pair whose samples
# agree exactly), one slowed by 5% and compared. Usage: test_compare_sensitivity.sh BENCH FAKE_RUNNER
set -uo pipefail

source "$(dirname "$0")/test_lib.sh"
script=$(cd "$(dirname "$0")/../.." && pwd)/scripts/compare-sensitivity
bench=$1
fake_runner=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/runners/cuda-13.0"
ln -s "$fake_runner" "$tmp/runners/cuda-13.0/bench-runner"
printf 'case_id\ngemm/fake/ok/fp32/m=1\ngemm/fake/ok/fp32/m=2\ngemm/fake/ok/fp32/m=3\ngemm/fake/ok/fp32/m=4\n' > "$tmp/suite.csv"
export CUBENCH_FAKE_GPUS=1
for run in a b; do
  "$bench" --toolkits 13.0 --suite "$tmp/suite.csv" --runner "13.0=$tmp/runners/cuda-13.0/bench-runner" \
    --out "$tmp/$run" > /dev/null 2>&1 || fail "bench run $run: exit $?"
done

expect "a 5% slowdown of run b is flagged slower in every case" 0 \
  "$tmp/b slowed by 5.0%, compared with $tmp/a" "cases >= 0.05 ms: 4 (slower 4): 100.0% flagged slower" \
  "cases < 0.05 ms: 0 (): no cases" -- \
  "$script" "$tmp/a" "$tmp/b" --bench "$bench" --out "$tmp/sensitivity"
expect "the slowed copy holds every sample, each 5% longer" 0 -- python3 -c "
import csv, sys
a = [float(r['time_ms']) for r in csv.DictReader(open('$tmp/b/samples.csv'))]
b = [float(r['time_ms']) for r in csv.DictReader(open('$tmp/sensitivity/slowed/samples.csv'))]
sys.exit(0 if len(a) == len(b) > 0 and all(abs(y / x - 1.05) < 1e-12 for x, y in zip(a, b)) else 1)"
expect "the A/A pair itself flags nothing" 0 "same time" -- "$bench" compare "$tmp/a" "$tmp/b" --out "$tmp/aa"
expect "a folder that is not a run is named" 2 "$tmp/nowhere: expected a run folder holding results.csv" -- \
  "$script" "$tmp/a" "$tmp/nowhere" --bench "$bench" --out "$tmp/sensitivity"
expect "a slowdown that is not positive is refused" 2 "--slowdown: expected a positive fraction, found -0.05" -- \
  "$script" "$tmp/a" "$tmp/b" --bench "$bench" --slowdown -0.05 --out "$tmp/sensitivity"
finish
