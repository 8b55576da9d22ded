#!/usr/bin/env bash
# The real-kernel check of issue #3 (docs/INLINING.md, docs/BENCHMARKS.md): Linux's own Rust
# helpers (rust/helpers/*.c of Debian's linux-source-6.12), compiled to bitcode with the kernel's
# real x86-64 C flags from a configured tree, a generated Rust caller for every helper compiled
# with the kernel's real Rust flags, and how many calls plain merging inlines vs local-lto.
#
#   scripts/kernel-helpers-check.sh [work-dir]      (default: ${XDG_CACHE_HOME:-~/.cache}/local-lto/kernel-check)
#
# Not part of `npm test`: the first run unpacks and configures a kernel tree (a few minutes);
# later runs reuse it. Needs the Debian packages linux-source-6.12, flex, bison, libelf-dev, bc
# (installed with apt-get when missing and allowed), clang-22/llvm-22, rustc 1.95 and `npm run build`.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/local-lto/kernel-check}"
llvm_bin="${LLVM_BIN:-/usr/lib/llvm-22/bin}"
tarball=/usr/src/linux-source-6.12.tar.xz
config=/usr/src/linux-config-6.12/config.amd64_none_amd64.xz
mkdir -p "$work"
log() { echo "kernel-check: $*" >&2; }

missing=()
[ -f "$tarball" ] || missing+=(linux-source-6.12)
for tool in flex bison bc; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ -f /usr/include/libelf.h ] || missing+=(libelf-dev)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

tree="$work/linux-source-6.12"
if [ ! -f "$tree/Makefile" ]; then
  log "unpacking $tarball"
  tar -C "$work" -xf "$tarball"
fi
make_k() { make -C "$tree" LLVM="$llvm_bin/" -s --no-print-directory "$@"; }
if [ ! -f "$tree/include/generated/asm-offsets.h" ]; then
  # Debian's own amd64 configuration (retpolines, return thunks, SLS hardening, IBT, call
  # padding, stack protector…), built with clang: the distribution kernel's options.
  log "configuring with $config (LLVM=$llvm_bin)"
  xz -dc "$config" >"$tree/.config"
  make_k olddefconfig >/dev/null
  log "make prepare"
  make_k -j"$(nproc)" prepare >/dev/null
fi

# The helpers, as kbuild compiles them: its own %.ll rule applies the real c_flags.
log "compiling rust/helpers/helpers.c with the kernel's flags"
make_k rust/helpers/helpers.ll 2>"$work/helpers.warnings" || { cat "$work/helpers.warnings" >&2; exit 8; }
"$llvm_bin/llvm-link" "$tree/rust/helpers/helpers.ll" -o "$work/helpers.bc"
sed -n 's/^savedcmd_[^=]*:= //p' "$tree/rust/helpers/.helpers.ll.cmd" >"$work/c-flags.txt"

# The Rust flags the kernel passes to rustc for this configuration (KBUILD_RUSTFLAGS), read from
# the configured tree; lints and dependency-info flags are dropped, the target spec is ours.
printf 'print-%%:\n\t@echo "$(%s)"\n' '$*' >"$work/print.mk"
make_k -f Makefile -f "$work/print.mk" print-KBUILD_RUSTFLAGS >"$work/rust-flags.raw"
tr ' ' '\n' <"$work/rust-flags.raw" | grep -v -E '^$|^-[WAD]|^--edition|^-Zbinary_dep_depinfo|^--target=' >"$work/rust-flags.txt"

# scripts/generate_rust_target.rs, for the options of this .config (CONFIG_RUST is off here:
# bindgen and rust-src are missing, so kbuild does not generate target.json itself).
has() { grep -q "^CONFIG_$1=y" "$tree/.config"; }
features="-mmx,+soft-float"
has MITIGATION_RETPOLINE && features+=",+retpoline-external-thunk,+retpoline-indirect-branches,+retpoline-indirect-calls"
has MITIGATION_SLS && features+=",+harden-sls-ijmp,+harden-sls-ret"
cat >"$work/target.json" <<EOF
{
  "arch": "x86_64",
  "rustc-abi": "x86-softfloat",
  "data-layout": "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128",
  "features": "$features",
  "llvm-target": "x86_64-linux-gnu",
  "supported-sanitizers": ["kcfi", "kernel-address"],
  "target-pointer-width": 64,
  "emit-debug-gdb-scripts": false,
  "frame-pointer": "may-omit",
  "stack-probes": { "kind": "none" }
}
EOF

log "building with local-lto (plain merge, default, --null-pointer-policy=caller and =drop)"
RUSTC_BOOTSTRAP=1 node "$repo/scripts/kernel-helpers-check.mjs" "$work"
