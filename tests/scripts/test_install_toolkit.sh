#!/usr/bin/env bash
# CPU test of scripts/install-toolkit: argument errors, the marker check and an unreachable mirror.
# Needs no network (the mirror it fails on is a closed port on loopback) and runs in seconds.
set -uo pipefail

source "$(dirname "$0")/test_lib.sh"
script=$(cd "$(dirname "$0")/../.." && pwd)/scripts/install-toolkit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CUBENCH_CACHE_DIR=$tmp/cache

expect "--help" 0 --versions --prefix --no-static -- "$script" --help
expect "unknown version names the supported ones" nonzero 10.2 11.8 12.4 -- "$script" --versions 10.2
expect "one bad version in a list" nonzero "'9.0'" -- "$script" --versions 11.8,9.0
expect "unknown argument" nonzero --frobnicate -- "$script" --frobnicate
expect "--prefix needs a value" nonzero "--prefix needs" -- "$script" --prefix
expect "--check on an empty prefix fails" nonzero "$tmp/empty/cuda-11.8" "$tmp/empty/cuda-12.4" -- \
  "$script" --check --prefix "$tmp/empty"

# A prefix whose nvcc says 11.8 but whose marker names other packages must not pass.
fake=$tmp/fake/cuda-11.8
mkdir -p "$fake/bin"
printf '#!/bin/sh\necho "Cuda compilation tools, release 11.8, V11.8.89"\n' >"$fake/bin/nvcc"
chmod +x "$fake/bin/nvcc"
printf 'cuda 11.8\nsuite bookworm\npackages nvidia-cuda-toolkit=0.0\nstatic yes\n' >"$fake/.cubench-toolkit"
expect "--check rejects a marker with other packages" nonzero "not an installed" -- \
  "$script" --check --versions 11.8 --prefix "$tmp/fake"

if ! command -v apt-get >/dev/null || ! command -v g++-11 >/dev/null; then
  skip "unreachable mirror: needs apt-get and g++-11 (scripts/install-deps)"
else
  expect "unreachable mirror names the package it could not fetch" nonzero \
    "nvidia-cuda-toolkit" "11.8.89~11.8.0-5~deb12u1" -- \
    env CUBENCH_DEBIAN_MIRROR=http://127.0.0.1:9/debian "$script" --versions 11.8 --prefix "$tmp/offline"
  if [ -e "$tmp/offline/cuda-11.8" ]; then fail "a failed install left $tmp/offline/cuda-11.8"; fi
fi

# The real prefixes, where this machine has them: the marker check passes, and fails once nvcc lies.
root=${CUBENCH_TOOLKIT_PREFIX:-/opt/cubench/toolkits}
for v in 11.8 12.4; do
  if [ ! -f "$root/cuda-$v/.cubench-toolkit" ]; then
    skip "installed $v: $root/cuda-$v is not installed (scripts/install-toolkit installs it)"
    continue
  fi
  expect "installed $v passes --check" 0 "verified" -- "$script" --check --versions "$v" --prefix "$root"
  copy=$tmp/copy/cuda-$v
  mkdir -p "$copy/bin"
  cp "$root/cuda-$v/.cubench-toolkit" "$copy/"
  printf '#!/bin/sh\necho "Cuda compilation tools, release 10.0, V10.0.130"\n' >"$copy/bin/nvcc"
  chmod +x "$copy/bin/nvcc"
  expect "installed $v's marker with a wrong nvcc fails --check" nonzero "not an installed" -- \
    "$script" --check --versions "$v" --prefix "$tmp/copy"
done

finish
