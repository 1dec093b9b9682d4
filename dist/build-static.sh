#!/bin/sh
# Builds interlock-split as one static executable (glibc linked in, no shared libraries) and
# prints its path: target/x86_64-unknown-linux-gnu/release/interlock-split.
#
# `--target` is what makes `+crt-static` possible: with it, RUSTFLAGS apply only to the binary,
# not to build scripts and proc-macros, which must stay dynamic to be loaded by the compiler.
# Extra arguments go to `cargo build` (e.g. `--quiet`, `--locked`).
set -eu
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-gnu
# Run from `cargo test`, cargo's variables for the calling package would leak into build
# scripts that watch them (ring reruns on CARGO_MANIFEST_DIR, another on CARGO_PKG_NAME) and
# rebuild half the tree, every time the caller changes.
for var in $(env | sed -n 's/^\(CARGO_\(PKG\|MANIFEST\|CRATE\|BIN\|PRIMARY\)[A-Za-z0-9_]*\)=.*/\1/p'); do
    unset "$var"
done
unset CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_TARGET
RUSTFLAGS='-C target-feature=+crt-static' \
    ${CARGO:-cargo} build --release --target "$target" --bin interlock-split "$@" >&2
binary="${CARGO_TARGET_DIR:-target}/$target/release/interlock-split"
# A dynamic result would break in a FROM-scratch image; refuse it here rather than there.
if command -v file >/dev/null 2>&1; then
    case "$(file -L "$binary")" in
    *"dynamically linked"*)
        echo "error: $binary is dynamically linked" >&2
        exit 1
        ;;
    esac
fi
echo "$binary"
