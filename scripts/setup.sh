#!/usr/bin/env bash
# One-time set-up on a Debian machine; quick and silent when everything is already there.
# Installs the LLVM 22 toolchain matching rustc 1.95 (clang-22, lld-22, llvm-22, and llvm-22-dev
# for the rustc plugin), the older compilers the compatibility tests use (clang-19, llvm-14), and
# the npm packages, then builds local-lto and its rustc plugin (docs/PLUGIN.md).
set -euo pipefail
cd "$(dirname "$0")/.."

# The rustc mode's tests (test/rustc): Cargo offline with Debian's crate sources (librust-cc-dev),
# a -sys crate over Concurrency Kit (libck-dev, pkg-config), make, sccache. The real-library corpus
# (corpus/, test/corpus): ck, libbpf, urcu and xxhash's -dev packages.
packages=(clang-22 lld-22 llvm-22 llvm-22-dev clang-19 llvm-14 gcc binutils valgrind time librust-regex-syntax-dev librust-libm-dev librust-cc-dev libck-dev libbpf-dev liburcu-dev libxxhash-dev pkg-config make sccache)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v rustc >/dev/null; then
  echo "setup: rustc not found; install Rust 1.95 with rustup (https://rustup.rs)" >&2
  exit 5
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
node scripts/build-plugin.mjs
# Nightly loads the plugin without RUSTC_BOOTSTRAP: build it for nightly's LLVM too when installed.
if nightly="$(rustup which rustc --toolchain nightly 2>/dev/null)"; then RUSTC="$nightly" node scripts/build-plugin.mjs; fi
