#!/bin/bash
# Instructions per iteration of a corpus program whose merged module (d-merged.bc: rustc bitcode +
# wrapper bitcode, llvm-link --internalize --only-needed) goes through another opt pipeline.
# Used for the pipeline experiments in FINDINGS.md. Keep the runner's builds first:
#   npm run corpus -- --keep        # prints "kept /tmp/local-lto-corpus-XXXX"
#   corpus/pipeline-experiment.sh /tmp/local-lto-corpus-XXXX/ck "-lck" gvn \
#     'forceattrs,cgscc(inline,function(instcombine<no-verify-fixpoint>,simplifycfg)),function(loop-vectorize,instcombine<no-verify-fixpoint>),function(gvn)'
# (the third argument only names the files; extra opt flags may follow the pipeline.)
set -euo pipefail
dir=$1 libs=$2 name=$3 passes=$4
shift 4
bin=/usr/lib/llvm-22/bin
here=$(cd "$(dirname "$0")" && pwd)
cd "$dir"
"$bin/opt" -passes="$passes" "$@" d-merged.bc -o "p-$name.bc"
"$bin/llc" -O3 -relocation-model=pic -function-sections -data-sections -filetype=obj "p-$name.bc" -o "p-$name.o"
# shellcheck disable=SC2086 # $libs is a list of -l flags
"$bin/clang" -O2 "$here/driver.c" "p-$name.o" $libs -o "p-$name"
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "./p-$name" "$1" 2>&1 | sed -n 's/.*Collected : //p'; }
first=$(count 20000)
second=$(count 40000)
echo "$name: $(( (second - first) / 200 ))e-2 instructions/iteration"
