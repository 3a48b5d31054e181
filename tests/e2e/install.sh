#!/usr/bin/env bash
# install.sh ARBITER SRC — `cmake --install` into a temporary prefix, then the
# prefix moved elsewhere (the install is relocatable): the installed command
# finds its own standard library; the files are all there (shared library
# with its SONAME, static library, header, pkg-config, CMake package, man
# pages, bash completion); examples/embed/embed.c builds against the moved
# install once with pkg-config and once with a CMake project using
# find_package(Arbiter), and both run a pack made by the installed
# `arbiter compile` giving the build tree's findings; the shared library
# finds the stdlib beside itself; neither it nor the programs load libLLVM.
# The Python package, from the moved PREFIX/lib/python3/dist-packages by
# PYTHONPATH alone (no pip), loads the moved libarbiter.so, finds the moved
# stdlib and gives the command's findings.  The JIT is a plugin the moved
# command finds, loads only for the JIT and native code, and names when it
# is missing (below).
# ARB_BUILD_DIR is the build directory; skipped (77) in a sanitizer build
# (ARB_SANITIZE=ON), whose libarbiter.so needs the sanitizer runtime loaded
# before it.
set -uo pipefail
arbiter=$1 src=$2
build=${ARB_BUILD_DIR:-$(dirname "$arbiter")}
if [ "${ARB_SANITIZE:-OFF}" = ON ]; then
  echo "install: skipped in a sanitizer build"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
need() { [ -e "$1" ] && ok || bad "not installed: ${1#"$tmp"/}"; }
nollvm() { # file: ldd lists no libLLVM
  local libs
  libs=$(ldd "$1")
  if grep -qi llvm <<<"$libs"; then bad "$1 loads LLVM: $(grep -i llvm <<<"$libs")"; else ok; fi
}
loads() { # program, library path: ldd shows the program loading it
  local libs
  libs=$(ldd "$1")
  grep -qF "$2" <<<"$libs" && ok || bad "$1 does not load $2: $(grep arbiter <<<"$libs")"
}

cmake --install "$build" --prefix "$tmp/inst" >"$tmp/install.log" 2>&1 || {
  cat "$tmp/install.log"
  bad "cmake --install failed"
}
mv "$tmp/inst" "$tmp/moved"
p=$tmp/moved

# the files
need "$p/bin/arbiter"
need "$p/include/arbiter.h"
need "$p/lib/libarbiter.a"
need "$p/lib/libarbiter.so"
need "$p/lib/pkgconfig/arbiter.pc"
need "$p/lib/cmake/Arbiter/ArbiterConfig.cmake"
need "$p/lib/cmake/Arbiter/ArbiterConfigVersion.cmake"
need "$p/share/arbiter/stdlib-rules/schema.rules"
need "$p/share/bash-completion/completions/arbiter"
if [ -e "$build/man/arbiter.1" ]; then # made when pandoc is there
  need "$p/share/man/man1/arbiter.1"
  need "$p/share/man/man7/arbiter-rules.7"
  grep -q '^\.SS arbiter serve' "$p/share/man/man1/arbiter.1" && ok || bad "arbiter.1 lacks serve"
  grep -q '^\.SH NAME' "$p/share/man/man7/arbiter-rules.7" && ok || bad "arbiter-rules.7 has no NAME"
fi
bash -n "$p/share/bash-completion/completions/arbiter" && ok || bad "completion: syntax error"
soname=$(readelf -d "$p/lib/libarbiter.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
case $soname in
  libarbiter.so.[0-9]*) [ -e "$p/lib/$soname" ] && ok || bad "no file named after the SONAME $soname" ;;
  *) bad "libarbiter.so has no versioned SONAME: '$soname'" ;;
esac
nm -D --defined-only "$p/lib/libarbiter.so" | awk '{print $3}' | grep -v '^arb_' >"$tmp/extra_syms"
[ -s "$tmp/extra_syms" ] && bad "libarbiter.so exports more than arb_*: $(head -3 "$tmp/extra_syms")" || ok
nollvm "$p/lib/libarbiter.so"

# the moved command finds the moved stdlib (a mark put in the installed
# schema shows that it is the one read), and compiles a pack
[[ $("$p/bin/arbiter" --version) =~ ^arbiter\ [0-9.]+$ ]] && ok || bad "arbiter --version"
"$p/bin/arbiter" lint "$p/share/arbiter/stdlib-rules" >/dev/null 2>&1 && ok || bad "installed lint of the installed stdlib"
cp "$p/share/arbiter/stdlib-rules/schema.rules" "$tmp/schema.keep"
echo '@@@ not rules @@@' >>"$p/share/arbiter/stdlib-rules/schema.rules"
out=$("$p/bin/arbiter" lint "$src/examples/rules/age.rules" 2>&1)
grep -qF "$p/share/arbiter/stdlib-rules/schema.rules" <<<"$out" && ok ||
  bad "the installed arbiter did not read the installed schema: $out"
cp "$tmp/schema.keep" "$p/share/arbiter/stdlib-rules/schema.rules"

# the moved command finds the moved Chinese catalog (a changed word in the
# installed one shows that it is the one read)
mo=$p/share/locale/zh_CN/LC_MESSAGES/arbiter.mo
need "$mo"
msgunfmt "$mo" | sed 's/^msgstr "错误"$/msgstr "安装的错误"/' | msgfmt -o "$mo" -
out=$("$p/bin/arbiter" --lang zh_CN lint "$src/tests/data/ten_errors.rules" 2>&1)
grep -qF "安装的错误: 语法错误：此处不应出现 '='" <<<"$out" && ok ||
  bad "the installed arbiter did not read the installed catalog: $out"
cd "$tmp"
"$p/bin/arbiter" gen claims --n 300 --seed 11 -o claims.jsonl 2>/dev/null
"$p/bin/arbiter" compile "$p/share/arbiter/stdlib-rules" -o lib.arbpack >/dev/null 2>&1 &&
  ok || bad "installed arbiter compile"
"$build/arbiter_embed" lib.arbpack <claims.jsonl >expected.txt 2>expected.err
[ -s expected.txt ] && ok || bad "the build tree's embed found nothing to compare"

# a program asking the library where its stdlib is
cat >where.c <<'EOF'
/* where.c — prints the standard library arbiter uses by default. */
#include <stdio.h>

#include "arbiter.h"

int main(void) {
    char buf[4096];
    arb_default_stdlib_dir(buf, sizeof buf);
    puts(buf);
    return 0;
}
EOF

# pkg-config (the .pc file finds its prefix from its own place)
export PKG_CONFIG_PATH=$p/lib/pkgconfig
[ "$(pkg-config --modversion arbiter)" = "$("$p/bin/arbiter" --version | cut -d' ' -f2)" ] && ok ||
  bad "pkg-config --modversion arbiter"
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -o embed_pc "$src/examples/embed/embed.c" \
  $(pkg-config --cflags --libs arbiter) -Wl,-rpath,"$p/lib" && ok || bad "embed.c with pkg-config"
./embed_pc lib.arbpack <claims.jsonl >pc.txt 2>pc.err && cmp -s pc.txt expected.txt && ok ||
  bad "embed (pkg-config) differs: $(cat pc.err)"
nollvm embed_pc
loads embed_pc "$p/lib/libarbiter.so"
# shellcheck disable=SC2046
cc -std=c11 -o where_pc where.c $(pkg-config --cflags --libs arbiter) -Wl,-rpath,"$p/lib" &&
  [ "$(./where_pc)" = "$p/share/arbiter/stdlib-rules" ] && ok ||
  bad "libarbiter.so does not find the stdlib beside it: $(./where_pc 2>&1)"

# CMake: find_package(Arbiter), the shared and the static library
mkdir proj
cp "$src/examples/embed/embed.c" where.c proj/
cat >proj/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.20)
project(embed_test LANGUAGES C)
find_package(Arbiter 0.1 REQUIRED)
add_executable(embed embed.c)
target_compile_definitions(embed PRIVATE _POSIX_C_SOURCE=200809L)
target_link_libraries(embed PRIVATE Arbiter::arbiter)
add_executable(embed_static embed.c)
target_compile_definitions(embed_static PRIVATE _POSIX_C_SOURCE=200809L)
target_link_libraries(embed_static PRIVATE Arbiter::arbiter_static)
add_executable(where where.c)
target_link_libraries(where PRIVATE Arbiter::arbiter)
EOF
if cmake -S proj -B proj/build -DCMAKE_PREFIX_PATH="$p" >proj.log 2>&1 &&
  cmake --build proj/build >>proj.log 2>&1; then
  ok
  for prog in embed embed_static; do
    proj/build/$prog lib.arbpack <claims.jsonl >$prog.txt 2>$prog.err && cmp -s $prog.txt expected.txt && ok ||
      bad "$prog (find_package) differs: $(cat $prog.err)"
    nollvm proj/build/$prog
  done
  loads proj/build/embed "$p/lib/libarbiter.so"
  [ "$(proj/build/where)" = "$p/share/arbiter/stdlib-rules" ] && ok || bad "where (CMake): $(proj/build/where)"
else
  cat proj.log
  bad "the find_package(Arbiter) project did not build"
fi

# the Python package, used from the moved install without pip (Debian's
# python3 with python3-cffi)
py=${ARB_PYTHON:-/usr/bin/python3}
need "$p/lib/python3/dist-packages/arbiter/__init__.py"
need "$p/lib/python3/dist-packages/arbiter/_libdir.py"
"$p/bin/arbiter" check --pack lib.arbpack --claims claims.jsonl -o cli.jsonl --quiet
[ -s cli.jsonl ] && ok || bad "the installed arbiter check found nothing to compare"
pyout=$(env -u ARBITER_LIB -u ARBITER_STDLIB PYTHONPATH="$p/lib/python3/dist-packages" "$py" - "$p" 2>&1 <<'EOF'
import os, sys
import arbiter
p = sys.argv[1]
print("lib", arbiter.lib_path)
print("module", os.path.dirname(arbiter.__file__))
print("stdlib", arbiter.default_stdlib_dir())
with arbiter.Engine.from_pack("lib.arbpack") as eng:
    st = eng.check_file("claims.jsonl", "py.jsonl")
    print("audited", st["audited"])
with arbiter.Engine.from_rules(os.path.join(p, "share/arbiter/stdlib-rules")) as eng:
    eng.check_file("claims.jsonl", "py_rules.jsonl")
EOF
)
grep -qxF "lib $p/lib/$soname" <<<"$pyout" && ok || bad "python: not the moved library: $pyout"
grep -qxF "module $p/lib/python3/dist-packages/arbiter" <<<"$pyout" && ok || bad "python: not the installed package: $pyout"
grep -qxF "stdlib $p/share/arbiter/stdlib-rules" <<<"$pyout" && ok || bad "python: not the moved stdlib: $pyout"
grep -qx "audited 300" <<<"$pyout" && ok || bad "python: check_file: $pyout"
cmp -s py.jsonl cli.jsonl && ok || bad "python findings (pack) differ from arbiter check's"
cmp -s py_rules.jsonl cli.jsonl && ok || bad "python findings (rules) differ from arbiter check's"

# the JIT and native code generation: a plugin (lib/arbiter/arbiter-jit.so,
# with libLLVM) that the command loads only for them, so that the command
# itself does not link libLLVM.  The moved command finds the moved plugin
# (the dynamic loader shows which file it opened) and uses it (the summary
# names the backend; findings are the interpreter's); native code made by the
# moved command runs.  Without the plugin, --backend jit and compile --native
# fail (exit 2) naming the path tried and why, compile writing nothing, in
# Chinese too, while the interpreter still runs; ARBITER_JIT_PLUGIN names
# another place.
jitso=$p/lib/arbiter/arbiter-jit.so
need "$jitso"
nollvm "$p/bin/arbiter"
stdlib=$p/share/arbiter/stdlib-rules
jitchk() { # name, extra options: check of the stdlib over claims.jsonl into NAME.jsonl, NAME.sum
  local name=$1
  shift
  env -u ARBITER_JIT_PLUGIN "$p/bin/arbiter" check "$stdlib" --claims claims.jsonl -o "$name.jsonl" \
    --summary "$name.sum" --quiet "$@"
}
jitchk interp --backend interp && ok || bad "installed check --backend interp"
LD_DEBUG=files jitchk jit --backend jit 2>jit.lddebug && ok || bad "installed check --backend jit"
grep -q '"backend":"jit"' jit.sum && cmp -s jit.jsonl interp.jsonl && ok ||
  bad "installed check --backend jit: not the JIT or other findings: $(cat jit.sum)"
grep -q "file=$p/bin/\.\./lib/arbiter/arbiter-jit\.so .*dynamically loaded" jit.lddebug && ok ||
  bad "the moved command did not load the moved plugin: $(grep -i 'arbiter-jit\|file=.*LLVM' jit.lddebug)"
LD_DEBUG=files env -u ARBITER_JIT_PLUGIN "$p/bin/arbiter" --version >/dev/null 2>ver.lddebug
grep -qi 'llvm\|arbiter-jit' ver.lddebug && bad "arbiter --version loads LLVM or the plugin" || ok
env -u ARBITER_JIT_PLUGIN "$p/bin/arbiter" compile "$src/examples/rules/age.rules" -o nat.arbpack \
  --native >/dev/null 2>&1 && ok || bad "installed compile --native"
"$p/bin/arbiter" check --pack nat.arbpack --claims claims.jsonl --backend native -o nat.jsonl \
  --summary nat.sum --quiet && grep -q '"backend":"native"' nat.sum && ok ||
  bad "native code made by the installed command does not run"
mv "$jitso" "$tmp/away.so"
jitchk nojit --backend jit 2>nojit.err
rc=$?
[ $rc -eq 2 ] && grep -qF "arbiter check: cannot load the JIT plugin $p/bin/../lib/arbiter/arbiter-jit.so: " nojit.err &&
  grep -q 'No such file' nojit.err && ok || bad "check --backend jit without the plugin (exit $rc): $(cat nojit.err)"
[ ! -e nojit.sum ] && ok || bad "check --backend jit without the plugin wrote a summary"
env -u ARBITER_JIT_PLUGIN "$p/bin/arbiter" --lang zh_CN check "$stdlib" --claims claims.jsonl \
  -o nojit.jsonl --quiet --backend jit 2>nojit_zh.err
grep -qF "arbiter check：无法加载 JIT 插件 $p/bin/../lib/arbiter/arbiter-jit.so：" nojit_zh.err && ok ||
  bad "the missing plugin's message in Chinese: $(cat nojit_zh.err)"
env -u ARBITER_JIT_PLUGIN "$p/bin/arbiter" compile "$src/examples/rules/age.rules" -o nojit.arbpack \
  --native 2>nojit_c.err
rc=$?
[ $rc -eq 2 ] && grep -qF "arbiter compile: cannot load the JIT plugin $p/bin/../lib/arbiter/arbiter-jit.so: " nojit_c.err &&
  ok || bad "compile --native without the plugin (exit $rc): $(cat nojit_c.err)"
[ ! -e nojit.arbpack ] && [ ! -e nojit.arbpack.so ] && ok || bad "compile --native without the plugin wrote a pack"
jitchk interp2 --backend interp && cmp -s interp2.jsonl interp.jsonl && ok ||
  bad "check --backend interp without the plugin"
ARBITER_JIT_PLUGIN=$tmp/away.so "$p/bin/arbiter" check "$stdlib" --claims claims.jsonl -o env.jsonl \
  --summary env.sum --quiet --backend jit && grep -q '"backend":"jit"' env.sum &&
  cmp -s env.jsonl interp.jsonl && ok || bad "ARBITER_JIT_PLUGIN does not name the plugin"
mv "$tmp/away.so" "$jitso"
# a plugin built for another version of arbiter (arb_jit_version) is refused
# by name, not run: its view of the engine may differ
cat >"$tmp/other.c" <<'C'
const char *arb_jit_version(void) { return "0.0.0-other"; }
void arb_jit_options_init(void *o) { (void)o; }
int arb_use_jit(void *e, const void *o) { (void)e; (void)o; return 0; }
int arb_write_native(void *e, const char *p, const void *o) { (void)e; (void)p; (void)o; return 0; }
C
if cc -shared -fPIC -o "$tmp/other.so" "$tmp/other.c" 2>/dev/null; then
  ARBITER_JIT_PLUGIN=$tmp/other.so "$p/bin/arbiter" check "$stdlib" --claims claims.jsonl -o other.jsonl \
    --quiet --backend jit 2>other.err
  rc=$?
  [ $rc -eq 2 ] && grep -qF "cannot load the JIT plugin $tmp/other.so: it was built for arbiter 0.0.0-other, not " other.err &&
    ok || bad "a plugin of another version (exit $rc): $(cat other.err)"
else
  bad "cc cannot build a shared object"
fi

echo "install: $pass passed, $fail failed"
[ $fail -eq 0 ]
