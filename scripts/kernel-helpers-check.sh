#!/usr/bin/env bash
# The real-kernel check (docs/INLINING.md, docs/BENCHMARKS.md): Linux's own Rust helpers
# (rust/helpers/*.c of Debian's linux-source-6.12), compiled to bitcode with the kernel's real C
# flags from a configured tree, a generated Rust caller for every helper compiled with the
# kernel's real Rust flags, and how many calls plain merging and each local-lto policy leave — on
# x86-64 (Debian's amd64 configuration) and arm64 (`make ARCH=arm64 defconfig`, clang only).
#
#   scripts/kernel-helpers-check.sh [work-dir] [x86_64] [arm64]
#       (default work dir: ${XDG_CACHE_HOME:-~/.cache}/local-lto/kernel-check; default: both)
#
# Exits 1 when, with default options, more than one call is left on an architecture or an
# explanation disagrees with LLVM's own remark on any call site.
#
# Not part of `npm test`: the first run unpacks one source tree and configures a build directory
# per architecture (`make O=…`, a few minutes); later runs reuse them. Needs the Debian packages
# linux-source-6.12, flex, bison, libelf-dev, bc (installed with apt-get when missing and allowed),
# clang-22/llvm-22, rustc 1.95 and `npm run build`. No cross GCC: the arm64 tree is configured
# with LLVM only. The arm64 Rust side is the kernel's built-in target aarch64-unknown-none-softfloat;
# rustup has no `core` for it here, so the generated caller crate is `#![no_core]` with the lang
# items it needs (test/fixtures/kernel-like/minicore.rs), built with RUSTC_BOOTSTRAP=1 like the
# kernel's own -Z flags.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/local-lto/kernel-check}"
shift || true
arches=("$@")
((${#arches[@]})) || arches=(x86_64 arm64)
llvm_bin="${LLVM_BIN:-/usr/lib/llvm-22/bin}"
tarball=/usr/src/linux-source-6.12.tar.xz
config=/usr/src/linux-config-6.12/config.amd64_none_amd64.xz
mkdir -p "$work"
work="$(cd "$work" && pwd)"
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

printf 'print-%%:\n\t@echo "$(%s)"\n' '$*' >"$work/print.mk"
status=0
for arch in "${arches[@]}"; do
  case "$arch" in
    x86_64) karch=x86 ;;
    arm64) karch=arm64 ;;
    *) log "unknown architecture $arch (x86_64 or arm64)"; exit 2 ;;
  esac
  out="$work/build-$arch"
  dir="$work/$arch"
  mkdir -p "$out" "$dir"
  make_k() { make -C "$tree" O="$out" ARCH="$karch" LLVM="$llvm_bin/" -s --no-print-directory "$@"; }
  # In the build directory itself, so kbuild does not re-invoke make without our extra makefile.
  make_o() { make -C "$out" ARCH="$karch" LLVM="$llvm_bin/" -s --no-print-directory -f Makefile "$@"; }
  if [ ! -f "$out/include/generated/asm-offsets.h" ]; then
    if [ "$arch" = x86_64 ]; then
      # Debian's own amd64 configuration (retpolines, return thunks, SLS hardening, IBT, call
      # padding, stack protector…), built with clang: the distribution kernel's options.
      log "configuring $arch with $config (LLVM=$llvm_bin)"
      xz -dc "$config" >"$out/.config"
      make_k olddefconfig >/dev/null
    else
      # arm64's defconfig (pointer authentication and BTI on: -mbranch-protection=pac-ret+bti).
      log "configuring $arch with defconfig (LLVM=$llvm_bin)"
      make_k defconfig >/dev/null
    fi
    log "make prepare ($arch)"
    make_k -j"$(nproc)" prepare >/dev/null
  fi

  # The helpers, as kbuild compiles them: its own %.ll rule applies the real c_flags.
  log "compiling rust/helpers/helpers.c with the kernel's $arch flags"
  make_k rust/helpers/helpers.ll 2>"$dir/helpers.warnings" || { cat "$dir/helpers.warnings" >&2; exit 8; }
  "$llvm_bin/llvm-link" "$out/rust/helpers/helpers.ll" -o "$dir/helpers.bc"
  sed -n 's/^savedcmd_[^=]*:= //p' "$out/rust/helpers/.helpers.ll.cmd" >"$dir/c-flags.txt"

  # The Rust flags the kernel passes to rustc for this configuration (KBUILD_RUSTFLAGS), read from
  # the configured tree; lints and dependency-info flags are dropped.
  make_o -f "$work/print.mk" print-KBUILD_RUSTFLAGS >"$dir/rust-flags.raw"
  tr ' ' '\n' <"$dir/rust-flags.raw" | grep -v -E '^$|^-[WAD]|^--edition|^-Zbinary_dep_depinfo' >"$dir/rust-flags.all"
  if [ "$arch" = x86_64 ]; then
    grep -v -E '^--target=' "$dir/rust-flags.all" >"$dir/rust-flags.txt"
    # scripts/generate_rust_target.rs, for the options of this .config (CONFIG_RUST is off here:
    # bindgen and rust-src are missing, so kbuild does not generate target.json itself).
    has() { grep -q "^CONFIG_$1=y" "$out/.config"; }
    features="-mmx,+soft-float"
    has MITIGATION_RETPOLINE && features+=",+retpoline-external-thunk,+retpoline-indirect-branches,+retpoline-indirect-calls"
    has MITIGATION_SLS && features+=",+harden-sls-ijmp,+harden-sls-ret"
    cat >"$dir/target.json" <<EOF
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
  else
    # arm64 uses rustc's built-in aarch64-unknown-none-softfloat (--target= stays in the flags).
    cp "$dir/rust-flags.all" "$dir/rust-flags.txt"
    rm -f "$dir/target.json"
  fi

  log "building $arch with local-lto (plain merge, default, each --null-pointer-policy)"
  RUSTC_BOOTSTRAP=1 node "$repo/scripts/kernel-helpers-check.mjs" "$dir" "$arch" || status=1
done
exit "$status"
