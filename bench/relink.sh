#!/usr/bin/env bash
# bench/relink.sh — sourced by the A/B benchmarks that time two builds with
# the same timing code (bench/reader_ab.sh, bench/settle_ab.sh):
#   relink_bench BUILD TARGET SOURCE OUT
# compiles SOURCE (this tree's copy of the one source of BUILD's benchmark
# TARGET) with the flags BUILD compiles TARGET with, then links it as BUILD
# links TARGET (against BUILD's own library), into the program OUT.  BUILD
# may be a Makefile tree (cmake's default generator) or a Ninja one
# (scripts/build.sh).
relink_bench() {
  local B=$1 target=$2 source=$3 out=$4
  local d=$B/CMakeFiles/$target.dir obj="CMakeFiles/$target.dir/bench/${3##*/}.o"
  if [ -f "$d/flags.make" ]; then
    (cd "$B" && eval "cc $(sed -n 's/^C_DEFINES = //p; s/^C_INCLUDES = //p; s/^C_FLAGS = //p' "$d/flags.make" | tr '\n' ' ') \
      -c '$source' -o '$out.o'" &&
      eval "$(sed "s#$obj#$out.o#; s#-o $target\b#-o $out#" "$d/link.txt")")
  elif [ -f "$B/build.ninja" ]; then
    local cmds compile link
    cmds=$(ninja -C "$B" -t commands "$target")
    compile=$(grep -F -- "-o $obj " <<<"$cmds" | tail -n 1)
    link=$(tail -n 1 <<<"$cmds")
    [ -n "$compile" ] || { echo "relink_bench: no compile command for $obj in $B" >&2; return 1; }
    compile=$(sed -E "s#-o $obj #-o $out.o #; s# -c [^ ]*/bench/${source##*/}( |\$)# -c $source\1#" <<<"$compile")
    link=$(sed -E "s#$obj#$out.o#; s#-o $target( |\$)#-o $out\1#" <<<"$link")
    (cd "$B" && eval "$compile" && eval "$link")
  else
    echo "relink_bench: $B is neither a Makefile nor a Ninja build tree" >&2
    return 1
  fi
}
