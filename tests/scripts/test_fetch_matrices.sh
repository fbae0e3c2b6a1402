#!/usr/bin/env bash
# CPU test of scripts/fetch-matrices against a local stand-in for the collection (CUBENCH_MATRIX_URL=file://...):
# a good download, a checksum that differs, a size line that differs, a missing archive, unknown names and
# usage errors. Needs curl (skipped with the reason otherwise) and no network.
set -uo pipefail

source "$(dirname "$0")/test_lib.sh"
script=$(cd "$(dirname "$0")/../.." && pwd)/scripts/fetch-matrices
if ! command -v curl > /dev/null; then
  echo "SKIP: no curl on PATH"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The stand-in collection: Grp/tiny.tar.gz holds tiny/tiny.mtx, as the collection's archives do.
mkdir -p "$tmp/site/Grp" "$tmp/pack/tiny"
printf '%%%%MatrixMarket matrix coordinate real general\n%% a comment\n3 3 2\n1 1 1.0\n3 2 2.0\n' > "$tmp/pack/tiny/tiny.mtx"
tar -czf "$tmp/site/Grp/tiny.tar.gz" -C "$tmp/pack" tiny/tiny.mtx
sha=$(sha256sum "$tmp/pack/tiny/tiny.mtx" | cut -d' ' -f1)
header="name,group,collection_name,rows,cols,nnz,nnz_expanded,field,symmetry,sha256,structure"
{
  echo "$header"
  echo "tiny,Grp,tiny,3,3,2,2,real,general,$sha,test"
  echo "tiny_unchecked,Grp,tiny,3,3,,2,real,general,,test without checksum"
  echo "tiny_other_sha,Grp,tiny,3,3,2,2,real,general,0000000000000000000000000000000000000000000000000000000000000000,test"
  echo "tiny_wrong_size,Grp,tiny,4,3,2,2,real,general,,test"
  echo "absent,Grp,absent,1,1,1,1,real,general,,test"
} > "$tmp/manifest.csv"
export CUBENCH_MATRIX_URL=file://$tmp/site
unset CUBENCH_MATRIX_DIR
run() { "$script" --manifest "$tmp/manifest.csv" "$@"; }

expect "needs a destination" 2 "expected --dest DIR or CUBENCH_MATRIX_DIR, found neither" -- run tiny
expect "unknown option" 2 "expected --dest, --manifest, --size-only or matrix names, found '--bogus'" -- run --bogus
expect "a usage error prints the usage to the header's end and no code" 1 -- \
  bash -c '"$1" --bogus 2>&1 | grep -q "set -euo"' _ "$script"
expect "fetches and checks" 0 "tiny: $tmp/out/tiny.mtx (3 3 2)" "1 fetched" -- run --dest "$tmp/out" tiny
if cmp -s "$tmp/out/tiny.mtx" "$tmp/pack/tiny/tiny.mtx"; then pass "the file is the archive's"; else fail "the file differs"; fi
expect "keeps a checked file" 0 "tiny: present, sha256 checked" "0 fetched" -- run --dest "$tmp/out" tiny
expect "no checksum in the manifest" 0 "no sha256 in the manifest; the size line matches; sha256 of the download: $sha" \
  -- run --dest "$tmp/out" tiny_unchecked
expect "checksum differs" 1 "tiny_other_sha: expected sha256 0000000000000000000000000000000000000000000000000000000000000000 as the manifest says, found $sha" \
  -- run --dest "$tmp/out" tiny_other_sha
if [ -e "$tmp/out/tiny_other_sha.mtx" ]; then fail "a file with another checksum was kept"; else pass "nothing kept on a checksum error"; fi
expect "--size-only accepts it" 0 "differs from the manifest's; the size line matches (--size-only)" \
  -- run --dest "$tmp/out" --size-only tiny_other_sha
expect "size line differs" 1 "tiny_wrong_size: expected the size line '4 3 2' (rows cols entries) as the manifest says, found '3 3 2'" \
  -- run --dest "$tmp/out" tiny_wrong_size
expect "missing archive" 1 "absent: expected file://$tmp/site/Grp/absent.tar.gz to download, found:" -- run --dest "$tmp/out" absent
expect "unknown name" 1 "nosuch: expected a name of $tmp/manifest.csv, found none" -- run --dest "$tmp/out" nosuch
printf 'name,rows\n' > "$tmp/bad.csv"
expect "bad manifest header" 2 "$tmp/bad.csv:1:1: expected the header '$header', found 'name,rows'" \
  -- "$script" --manifest "$tmp/bad.csv" --dest "$tmp/out"

finish
