#!/usr/bin/env bash
# CPU test of scripts/gpu-validate's `gpus` step: bench on GPU 0, then on every GPU, with the fake runner laid out
# as bench build does (its toolkit from its folder) and two fake GPUs. Usage: test_gpu_validate.sh BENCH FAKE_RUNNER
set -uo pipefail

source "$(dirname "$0")/test_lib.sh"
script=$(cd "$(dirname "$0")/../.." && pwd)/scripts/gpu-validate
bench=$1
fake_runner=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for toolkit in 13.0 12.4; do
  mkdir -p "$tmp/runners/cuda-$toolkit"
  ln -s "$fake_runner" "$tmp/runners/cuda-$toolkit/bench-runner"
done
mkdir -p "$tmp/suites"
printf 'case_id\ngemm/fake/ok/fp32/m=1\ngemm/fake/ok/fp32/m=2\ngemm/fake/ok/fp32/m=3\n' > "$tmp/suites/gemm_quick.csv"
export CUBENCH_SUITE_DIR=$tmp/suites CUBENCH_FAKE_GPUS=2

expect "gpus: GPU 0 alone, then both, each GPU's rows under its own uuid, and the ratio of wall times" 0 \
  "bench --toolkits 13.0,12.4 --suite quick --gpus 0: exit 0" \
  "bench --toolkits 13.0,12.4 --suite quick --gpus all: exit 0" \
  "13.0 GPU-fake-0 passed: 3 rows" "13.0 GPU-fake-1 passed: 3 rows" \
  "12.4 GPU-fake-0 passed: 3 rows" "12.4 GPU-fake-1 passed: 3 rows" \
  "wall time on 2 GPUs / on GPU 0 alone:" -- \
  "$script" gpus --bench "$bench" --runner "13.0=$tmp/runners/cuda-13.0/bench-runner" \
  --runner "12.4=$tmp/runners/cuda-12.4/bench-runner" --out "$tmp/out"
expect "gpus: the GPU-0 run holds no second GPU" 1 -- grep -q GPU-fake-1 "$tmp/out/gpus-0/results.csv"
expect "gpus: the run on both GPUs compared them" 0 -- test -f "$tmp/out/gpus-all/compare-gpus/summary.md"
mkdir "$tmp/cwd"
expect "an unknown step is a usage error" 2 "unknown step 'gpu'" -- \
  bash -c 'cd "$1" && exec "$2" gpu --bench "$3" --runner 13.0=x' _ "$tmp/cwd" "$script" "$bench"
expect "an unknown step writes no output folder" 0 -- test -z "$(ls -A "$tmp/cwd")"
expect "usage prints the header comment to its end" 2 "Usage: scripts/gpu-validate STEP" "newest toolkit." -- "$script"
expect "usage prints no code after the header" 1 -- bash -c '"$1" 2>&1 | grep -q "set -euo"' _ "$script"
finish
