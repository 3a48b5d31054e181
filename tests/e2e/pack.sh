#!/usr/bin/env bash
# pack.sh ARBITER SRC — rule packs: `arbiter compile` then `check --pack`
# gives the golden findings (interpreter and JIT); damaged packs, packs of
# another format version, packs whose sources changed and files that are not
# packs are refused with a clear message, never run; the embedding example
# runs a pack while linking no LLVM.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
cp -r "$src/examples/rules" "$src/examples/tables" "$tmp/"
cd "$tmp"
"$arbiter" compile rules/*.rules -o lib.arbpack --stdlib "$src/stdlib-rules" 2>/dev/null && ok || bad "compile failed"
for be in interp jit; do
  "$arbiter" check --pack lib.arbpack --claims "$src/examples/claims/claims.csv" -o "f_$be.jsonl" --backend $be --quiet
  cmp -s "f_$be.jsonl" "$src/examples/expected_findings.jsonl" && ok || bad "pack with $be differs from the golden findings"
done
refused() { # file, expected message part
  out=$("$arbiter" check --pack "$1" --claims "$src/examples/claims/claims.csv" -o /dev/null 2>&1); rc=$?
  if [ $rc -eq 2 ] && grep -q -- "$2" <<< "$out"; then ok; else bad "$1: rc=$rc, message: $out"; fi
}
python3 - <<'PY'
data = bytearray(open("lib.arbpack", "rb").read())
d = bytearray(data); d[len(d) // 2] ^= 0x40; open("flipped.arbpack", "wb").write(d)
v = bytearray(data); v[8] = 99; open("version.arbpack", "wb").write(v)
open("short.arbpack", "wb").write(data[: len(data) - 100])
open("notapack.arbpack", "wb").write(b"hello, I am not a pack\n" * 10)
PY
refused flipped.arbpack "damaged (checksum differs)"
refused version.arbpack "format 99, this arbiter reads "
refused short.arbpack "truncated or damaged"
refused notapack.arbpack "not a rule pack"
sed -i 's/50.00/49.00/' tables/price_ceiling.csv 2>/dev/null || true
echo "# changed" >> rules/charges.rules
refused lib.arbpack "built from other sources: rules/charges.rules has changed"
# a listed source replaced by a FIFO (or the pack itself a FIFO) is refused at
# once: the loader never blocks opening it (a FIFO with no writer blocks its
# opener for good, so a loader that opened it would be killed by timeout:
# exit 124; no wall-clock limit, which a loaded machine's start-up can pass)
mkdir fifo && cp -r "$src/examples/rules" "$src/examples/tables" fifo/
(cd fifo && "$arbiter" compile rules/*.rules -o lib.arbpack --stdlib "$src/stdlib-rules" 2>/dev/null) || bad "compile in fifo/ failed"
rm fifo/rules/charges.rules && mkfifo fifo/rules/charges.rules && mkfifo fifo.arbpack
out=$(cd fifo && timeout 10 "$arbiter" check --pack lib.arbpack --claims "$src/examples/claims/claims.csv" -o /dev/null 2>&1); rc=$?
if [ $rc -eq 2 ] && grep -q "rules/charges.rules is not a regular file" <<< "$out"; then ok; else bad "FIFO source: rc=$rc (124: hung), message: $out"; fi
out=$(timeout 10 "$arbiter" check --pack fifo.arbpack --claims "$src/examples/claims/claims.csv" -o /dev/null 2>&1); rc=$?
if [ $rc -eq 2 ] && grep -q "not a rule pack (not a regular file)" <<< "$out"; then ok; else bad "FIFO pack: rc=$rc (124: hung), message: $out"; fi
# the embedding example links libarbiter only
embed=$(dirname "$arbiter")/arbiter_embed
if [ -x "$embed" ]; then
  if ldd "$embed" | grep -qi llvm; then bad "arbiter_embed links LLVM"; else ok; fi
  cp "$src/examples/rules/charges.rules" rules/ && cp "$src/examples/tables/price_ceiling.csv" tables/
  "$arbiter" compile rules/*.rules -o lib2.arbpack --stdlib "$src/stdlib-rules" 2>/dev/null
  "$arbiter" gen claims --n 300 --seed 2025 -o c.jsonl
  "$embed" lib2.arbpack < c.jsonl > embed.out 2>embed.err && ok || { bad "embed failed"; cat embed.err; }
  "$arbiter" check --pack lib2.arbpack --claims c.jsonl --phase settle -o chk.jsonl --quiet
  [ "$(wc -l < embed.out)" -eq "$(wc -l < chk.jsonl)" ] && [ -s embed.out ] && ok || bad "embed and check disagree: $(wc -l < embed.out) vs $(wc -l < chk.jsonl)"
  # ahead-of-time native matchers: same findings, loaded without LLVM
  "$arbiter" compile rules/*.rules -o lib3.arbpack --native --stdlib "$src/stdlib-rules" 2>/dev/null || bad "compile --native failed"
  "$arbiter" check --pack lib3.arbpack --backend native --claims "$src/examples/claims/claims.csv" -o f_native.jsonl --quiet
  cmp -s f_native.jsonl "$src/examples/expected_findings.jsonl" && ok || bad "native backend differs from the golden findings"
  "$embed" lib3.arbpack lib3.arbpack.so < c.jsonl > embed_native.out 2>embed.err && ok || { bad "embed with native code failed"; cat embed.err; }
  cmp -s embed.out embed_native.out && ok || bad "embed: native and interpreted findings differ"
  # native code made for another pack is refused
  "$arbiter" compile rules/item_sex.rules -o other.arbpack --stdlib "$src/stdlib-rules" 2>/dev/null
  out=$("$arbiter" check --pack other.arbpack --native lib3.arbpack.so --claims c.jsonl -o /dev/null 2>&1); rc=$?
  [ $rc -eq 2 ] && grep -q "was made for another pack" <<< "$out" && ok || bad "foreign native code: rc=$rc $out"
else
  bad "no arbiter_embed next to $arbiter"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
