#!/usr/bin/env bash
# Runs one built bench-runner and checks what it prints (tests/runner_cli_test.cmake defines one CTest
# test per check and runner). The runner's sub-build writes runner-info.txt beside it: its toolkit, link
# mode and the folders of the shared libraries it needs.
#
# Usage: runner_cli_test.sh CHECK RUNNER [OTHER_RUNNER...]
#   version          --version names the toolkit and the nvcc that built it
#   list             --list names every case family; conv's library is present exactly when cuDNN was found
#   env-without-gpu  --env exits 4 with a message when there is no GPU (skipped where there is one)
#   env-with-gpu     --env exits 0 and lists GPU 0 (skipped where there is no GPU)
#   cases-file       --cases-file selects cases in its order, takes `ID launches_per_sample=N`, names a bad line
#   needed           a shared runner needs its own toolkit's SONAMEs; a static one needs none of them
#   mismatch         a library of another runner's toolkit with the same SONAME is reported as MISMATCH
# Exit status: 0 passed, 1 failed, 77 skipped (the reason is printed).
set -euo pipefail

readonly skip=77
check=$1
runner=$2
shift 2
info_file="$(dirname "$runner")/runner-info.txt"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

info() {  # info KEY [INFO_FILE]: a value from runner-info.txt
  sed -n "s/^$1=//p" "${2:-$info_file}"
}

[ -x "$runner" ] || fail "$runner: expected an executable bench-runner, found none"
[ -f "$info_file" ] || fail "$info_file: expected the runner's runner-info.txt beside it, found none"

toolkit_version=$(info toolkit_version)
link_mode=$(info link_mode)
export LD_LIBRARY_PATH="$(info library_path)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

has_gpu() {
  command -v nvidia-smi > /dev/null && nvidia-smi -L 2> /dev/null | grep -q '^GPU '
}

soname() {  # soname FILE: the DT_SONAME of a shared object
  readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'
}

needed() {  # needed FILE: its DT_NEEDED entries, one per line
  readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}

# The libraries whose link mode CUBENCH_STATIC_CUDA chooses; cuDNN is always shared.
readonly vendor_libraries=(cudart cublas cublasLt cusparse)

run_version() {
  local out nvcc_full
  out=$("$runner" --version) || fail "--version exited with $?"
  echo "$out"
  grep -qx "toolkit: CUDA $toolkit_version at $(info toolkit_root)" <<< "$out" ||
    fail "--version: expected 'toolkit: CUDA $toolkit_version at $(info toolkit_root)'"
  nvcc_full=$("$(info nvcc)" --version | sed -n 's/.*release [0-9.]*, V\([0-9.]*\).*/\1/p')
  [ -n "$nvcc_full" ] || fail "$(info nvcc) --version: expected a line with 'release X.Y, VX.Y.Z'"
  grep -qx "nvcc: $nvcc_full" <<< "$out" || fail "--version: expected 'nvcc: $nvcc_full' (from $(info nvcc))"
  grep -qx "link mode: $link_mode" <<< "$out" || fail "--version: expected 'link mode: $link_mode'"
  local dir_name
  dir_name=$(basename "$(dirname "$runner")")
  # `bench build` names the folder cuda-X.Y[-static]; a runner built elsewhere may be named otherwise.
  if [[ $dir_name =~ ^cuda-([0-9]+\.[0-9]+)(-static)?$ ]]; then
    local dir_version=${BASH_REMATCH[1]} dir_mode=shared
    [ -z "${BASH_REMATCH[2]}" ] || dir_mode=static
    [ "$dir_version" = "$toolkit_version" ] ||
      fail "$dir_name: expected a runner for CUDA $dir_version, found one for $toolkit_version"
    [ "$dir_mode" = "$link_mode" ] || fail "$dir_name: expected a $dir_mode runner, found a $link_mode one"
  fi
}

run_list() {
  local out
  out=$("$runner" --list) || fail "--list exited with $?"
  echo "$out"
  local family
  for family in "gemm +cublas " "gemm +cublaslt " "spmm +cusparse " "conv +cudnn "; do
    grep -Eq "^$family" <<< "$out" || fail "--list: expected a line for '$family'"
  done
  if [ "$(info have_cudnn)" = 1 ]; then
    grep -Eq '^conv +cudnn +cuDNN [0-9.]+ +present$' <<< "$out" ||
      fail "--list: expected conv cudnn's library to be present"
  else
    grep -Eq '^conv +cudnn .*not_supported: cuDNN' <<< "$out" || fail "--list: expected conv cudnn to be not_supported"
  fi
}

run_cases_file() {
  local suite cases out status=0 first second
  suite="$(dirname "$0")/../bench/suites/gemm_quick.csv"
  first=$("$runner" --suite "$suite" --list | sed -n 1p)
  second=$("$runner" --suite "$suite" --list | sed -n 2p)
  [ -n "$first" ] && [ -n "$second" ] || fail "--suite $suite --list: expected two case ids"
  cases=$(mktemp)
  printf '%s launches_per_sample=64\n%s\n' "$second" "$first" > "$cases"
  out=$("$runner" --suite "$suite" --cases-file "$cases" --list) || fail "--cases-file with a pin: exit status $?"
  [ "$out" = "$second"$'\n'"$first" ] || fail "--cases-file: expected '$second' then '$first', found: $out"
  printf '%s\n%s launches_per_sample=0\n' "$first" "$second" > "$cases"
  out=$("$runner" --suite "$suite" --cases-file "$cases" --list 2>&1) || status=$?
  echo "$out"
  [ "$status" -eq 2 ] || fail "--cases-file with launches_per_sample=0: expected exit status 2, found $status"
  grep -qF "$cases:2:$((${#second} + 2)): expected launches_per_sample=N" <<< "$out" ||
    fail "--cases-file with launches_per_sample=0: expected a message naming $cases, line 2 and its column"
  rm -f "$cases"
}

run_env_without_gpu() {
  if has_gpu; then
    echo "skipped: nvidia-smi -L lists a GPU; env-with-gpu covers this machine"
    exit $skip
  fi
  local out err status=0
  err=$(mktemp)
  out=$("$runner" --env 2> "$err") || status=$?
  echo "$out"
  cat "$err"
  [ "$status" -eq 4 ] || fail "--env without a GPU: expected exit status 4, found $status"
  grep -Eq '^bench-runner: --env: no (CUDA driver|CUDA device|usable CUDA device)' "$err" ||
    fail "--env without a GPU: expected 'bench-runner: --env: no CUDA driver/device' on stderr"
  grep -Eq '^cuBLAS +[0-9.]+ +[0-9.]+ ' <<< "$out" ||
    fail "--env without a GPU: expected cuBLAS's built and loaded versions"
  rm -f "$err"
}

run_env_with_gpu() {
  if ! has_gpu; then
    echo "skipped: no GPU (nvidia-smi -L lists none)"
    exit $skip
  fi
  local out status=0
  out=$("$runner" --env) || status=$?
  echo "$out"
  [ "$status" -eq 0 ] || fail "--env on a GPU: expected exit status 0, found $status"
  grep -q '^GPU 0: ' <<< "$out" || fail "--env on a GPU: expected a 'GPU 0:' line"
}

run_needed() {
  local entries library
  entries=$(needed "$runner")
  echo "$entries"
  for library in "${vendor_libraries[@]}"; do
    local own_file="$(info toolkit_library_dir)/lib$library.so"
    if [ "$link_mode" = shared ]; then
      [ -e "$own_file" ] || fail "$own_file: expected the toolkit's shared $library, found none"
      local expected
      expected=$(soname "$own_file")
      grep -qx "$expected" <<< "$entries" || fail "expected DT_NEEDED $expected (the SONAME of $own_file)"
      local other
      other=$(grep -E "^lib$library\.so" <<< "$entries" | grep -vx "$expected" || true)
      [ -z "$other" ] || fail "expected only $expected for $library, also found $other"
    else
      ! grep -Eq "^lib$library\.so" <<< "$entries" || fail "static runner: expected no DT_NEEDED lib$library.so*"
    fi
  done
}

# Shadows one of this runner's libraries with the same SONAME from another runner's toolkit.
run_mismatch() {
  [ "$link_mode" = shared ] || { echo "skipped: a static runner carries its libraries"; exit $skip; }
  local other_info own_dir other_dir library
  own_dir=$(info toolkit_library_dir)
  for other_runner in "$@"; do
    other_info="$(dirname "$other_runner")/runner-info.txt"
    other_dir=$(info toolkit_library_dir "$other_info")
    [ "$other_dir" != "$own_dir" ] || continue
    for library in cusparse cublas cublasLt; do
      local name
      name=$(soname "$own_dir/lib$library.so")
      [ -e "$other_dir/$name" ] || continue
      [ "$(readlink -f "$other_dir/$name")" != "$(readlink -f "$own_dir/$name")" ] || continue
      local shadow out status=0
      shadow=$(mktemp -d)
      ln -s "$other_dir/$name" "$shadow/$name"
      # The other toolkit's folder comes last: it supplies only what the shadowing library itself needs.
      out=$(LD_LIBRARY_PATH="$shadow:$LD_LIBRARY_PATH:$other_dir" "$runner" --env 2>&1) || status=$?
      rm -rf "$shadow"
      echo "$out"
      [ "$status" -eq 3 ] || fail "$name from $other_dir: expected exit status 3 (version mismatch), found $status"
      grep -Eq "^MISMATCH [A-Za-z]+: built against [0-9.]+, loaded [0-9.]+ from $shadow/$name$" <<< "$out" ||
        fail "$name from $other_dir: expected a MISMATCH line naming $shadow/$name"
      return 0
    done
  done
  echo "skipped: no other runner's toolkit has a library with one of this runner's SONAMEs"
  exit $skip
}

case $check in
  version) run_version ;;
  list) run_list ;;
  cases-file) run_cases_file ;;
  env-without-gpu) run_env_without_gpu ;;
  env-with-gpu) run_env_with_gpu ;;
  needed) run_needed ;;
  mismatch) run_mismatch "$@" ;;
  *) fail "unknown check '$check': expected version, list, cases-file, env-without-gpu, env-with-gpu, needed or mismatch" ;;
esac
