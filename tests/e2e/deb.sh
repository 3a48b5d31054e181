#!/usr/bin/env bash
# deb.sh ARBITER SRC — `cpack -G DEB` builds a Debian package of the build
# (ARB_BUILD_DIR): its contents and dependencies are checked, it is installed
# with dpkg -i, the installed arbiter (/usr/bin, its stdlib in
# /usr/share/arbiter) lints and compiles the standard library and runs it
# with the JIT (its plugin from /usr/lib/arbiter; the command itself does
# not link libLLVM), embed.c
# builds against the system's libarbiter with pkg-config and runs the pack,
# and the package is removed (dpkg -r, then purged) again.  Skipped (77) when not root,
# without dpkg or cpack, in a sanitizer build (ARB_SANITIZE=ON), or when a
# package named arbiter is already installed (it is not ours to replace).
set -uo pipefail
arbiter=$1 src=$2
build=${ARB_BUILD_DIR:-$(dirname "$arbiter")}
skip() { echo "deb: skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "not root"
command -v dpkg >/dev/null && command -v dpkg-deb >/dev/null || skip "no dpkg"
command -v cpack >/dev/null || skip "no cpack"
[ "${ARB_SANITIZE:-OFF}" = ON ] && skip "a sanitizer build"
# one package test on the machine at a time
exec 9>/tmp/arbiter-deb-test.lock
flock 9
[ "$(dpkg-query -W -f='${Status}' arbiter 2>/dev/null)" = "install ok installed" ] &&
  skip "a package named arbiter is installed already"

tmp=$(mktemp -d)
installed=0
cleanup() {
  [ $installed -eq 1 ] && dpkg -r arbiter >/dev/null 2>&1
  dpkg -P arbiter >/dev/null 2>&1 # no state left behind
  rm -rf "$tmp"
}
trap cleanup EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

if ! cpack -G DEB -B "$tmp/pkg" --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log"
  echo "FAIL: cpack -G DEB"
  exit 1
fi
deb=$(ls "$tmp"/pkg/arbiter_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "FAIL: no .deb in $tmp/pkg"; ls -R "$tmp/pkg"; exit 1; }
ok

dpkg-deb --contents "$deb" | awk '{print $6}' >"$tmp/contents"
for f in ./usr/bin/arbiter ./usr/include/arbiter.h ./usr/lib/libarbiter.a ./usr/lib/libarbiter.so \
  ./usr/lib/pkgconfig/arbiter.pc ./usr/lib/cmake/Arbiter/ArbiterConfig.cmake \
  ./usr/share/arbiter/stdlib-rules/schema.rules ./usr/share/bash-completion/completions/arbiter \
  ./usr/lib/python3/dist-packages/arbiter/__init__.py ./usr/lib/python3/dist-packages/arbiter/_libdir.py \
  ./usr/lib/arbiter/arbiter-jit.so; do
  grep -qx "$f" "$tmp/contents" && ok || bad "the package lacks $f"
done
if [ -e "$build/man/arbiter.1" ]; then
  grep -qx ./usr/share/man/man1/arbiter.1 "$tmp/contents" && ok || bad "the package lacks arbiter.1"
fi
grep -q '^./usr/lib/libarbiter.so.[0-9.]*$' "$tmp/contents" && ok || bad "no versioned libarbiter.so"
grep -q python3-cffi <<<"$(dpkg-deb -f "$deb" Recommends)" && ok || bad "Recommends lacks python3-cffi"
depends=$(dpkg-deb -f "$deb" Depends)
for d in libc6 liblua5.4 liblmdb0 libjson-c5; do
  grep -q "$d" <<<"$depends" && ok || bad "Depends lacks $d: $depends"
done

if dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then
  installed=1
  ok
else
  cat "$tmp/dpkg.log"
  bad "dpkg -i"
fi
if [ $installed -eq 1 ]; then
  [ "$(/usr/bin/arbiter --version)" = "$("$arbiter" --version)" ] && ok || bad "arbiter --version"
  /usr/bin/arbiter lint /usr/share/arbiter/stdlib-rules >/dev/null 2>&1 && ok ||
    bad "arbiter lint /usr/share/arbiter/stdlib-rules"
  cd "$tmp"
  /usr/bin/arbiter gen claims --n 200 --seed 5 -o claims.jsonl 2>/dev/null
  /usr/bin/arbiter compile /usr/share/arbiter/stdlib-rules -o lib.arbpack >/dev/null 2>&1 && ok ||
    bad "arbiter compile /usr/share/arbiter/stdlib-rules"
  "$build/arbiter_embed" lib.arbpack <claims.jsonl >expected.txt 2>/dev/null
  # the JIT: the command does not link libLLVM; its plugin, from
  # /usr/lib/arbiter, gives the interpreter's findings
  grep -qi llvm <<<"$(ldd /usr/bin/arbiter)" && bad "/usr/bin/arbiter links LLVM" || ok
  for b in interp jit; do
    env -u ARBITER_JIT_PLUGIN /usr/bin/arbiter check --pack lib.arbpack --claims claims.jsonl \
      --backend $b -o $b.jsonl --summary $b.sum --quiet 2>$b.err || bad "check --backend $b: $(cat $b.err)"
  done
  grep -q '"backend":"jit"' jit.sum && cmp -s jit.jsonl interp.jsonl && ok ||
    bad "the installed plugin: not the JIT or other findings: $(cat jit.sum jit.err)"
  # shellcheck disable=SC2046
  if cc -std=c11 -D_POSIX_C_SOURCE=200809L -o embed "$src/examples/embed/embed.c" \
    $(pkg-config --cflags --libs arbiter); then
    ./embed lib.arbpack <claims.jsonl >got.txt 2>/dev/null && cmp -s got.txt expected.txt && ok ||
      bad "embed against the system's libarbiter differs"
    libs=$(ldd embed)
    grep -Eq "libarbiter\.so[^ ]* => (/usr)?/lib/libarbiter" <<<"$libs" && ok ||
      bad "embed does not load /usr/lib/libarbiter.so: $libs"
  else
    bad "embed.c does not build with pkg-config arbiter"
  fi
  # the Python package, where Debian's python3 looks, with the system's library
  pyout=$(cd / && env -u ARBITER_LIB -u ARBITER_STDLIB -u PYTHONPATH /usr/bin/python3 -B -c \
    'import arbiter; print(arbiter.__file__, arbiter.lib_path, arbiter.default_stdlib_dir())' 2>&1)
  [ "$pyout" = "/usr/lib/python3/dist-packages/arbiter/__init__.py /usr/lib/libarbiter.so.$(readlink /usr/lib/libarbiter.so | sed 's/^libarbiter\.so\.\([0-9]*\.[0-9]*\).*/\1/') /usr/share/arbiter/stdlib-rules" ] &&
    ok || bad "python3 -c 'import arbiter' from the package: $pyout"
  cd /
  if dpkg -r arbiter >/dev/null 2>&1; then
    installed=0
    [ ! -e /usr/bin/arbiter ] && [ ! -e /usr/share/arbiter ] && ok || bad "dpkg -r left files"
  else
    bad "dpkg -r arbiter"
  fi
fi

echo "deb: $pass passed, $fail failed"
[ $fail -eq 0 ]
