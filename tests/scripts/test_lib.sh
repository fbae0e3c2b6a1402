# What the script tests share, sourced by each: PASS/FAIL/SKIP lines, their counts, and a check of one command's
# exit status and output. A test calls `finish` last; its status is the test's.

passed=0
failed=0
skipped=0

pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1"; failed=$((failed + 1)); }
skip() { echo "SKIP: $1"; skipped=$((skipped + 1)); }

# expect NAME WANT PATTERN... -- COMMAND...: the exit status must be WANT (a number, or "nonzero") and each PATTERN
# must occur in the output.
expect() {
  local name=$1 want=$2 patterns=() rc out p
  shift 2
  while [ "$1" != -- ]; do patterns+=("$1"); shift; done
  shift
  out=$("$@" 2>&1)
  rc=$?
  if { [ "$want" = nonzero ] && [ $rc -eq 0 ]; } || { [ "$want" != nonzero ] && [ $rc -ne "$want" ]; }; then
    fail "$name: exit $rc, wanted $want; output: $out"
    return
  fi
  for p in "${patterns[@]}"; do
    if [[ $out != *"$p"* ]]; then
      fail "$name: output lacks '$p'; output: $out"
      return
    fi
  done
  pass "$name"
}

# Prints the counts; fails when any check failed.
finish() {
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
}
