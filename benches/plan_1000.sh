#!/usr/bin/env bash
# Whole-process figures at scale: `validate` and `plan` of a 1,000-extension config (the
# inputs of benches/plan_1000.rs), wall time and max RSS of the release binary.
# Usage: benches/plan_1000.sh [runs]   (default 5 runs each)
set -euo pipefail

cd "$(dirname "$0")/.."
runs="${1:-5}"
bin="${CARGO_TARGET_DIR:-target}/release/interlock-split"

cargo build --release --quiet --bin interlock-split

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
PLAN_1000_WRITE_DIR="$dir" cargo bench --quiet --bench plan_1000 >/dev/null

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "inputs: $(wc -c <"$dir/current.toml") B config, $(wc -c <"$dir/spec.toml") B spec"

measure() {
    local label="$1"
    shift
    local walls=() max_rss=0
    # `validate` exits 1 on its port-conflict errors: that (and only that) is the expected
    # status, checked once untimed and on every timed run, so a run that fails is never timed.
    local expected=0
    "$@" >/dev/null 2>&1 || expected=$?
    [ "$label" != "${label#validate}" ] && [ "$expected" -ne 1 ] && {
        echo "$label: validate exited $expected, expected 1 (the port-conflict errors)" >&2
        exit 1
    }
    [ "$label" = "${label#validate}" ] && [ "$expected" -ne 0 ] && {
        echo "$label: exited $expected, expected 0" >&2
        exit 1
    }
    for _ in $(seq "$runs"); do
        local start status=0
        start=$(date +%s%N)
        /usr/bin/time -f '%M' -o "$dir/time" "$@" >/dev/null 2>&1 || status=$?
        walls+=($(( ($(date +%s%N) - start) / 1000 )))
        if [ "$status" -ne "$expected" ]; then
            echo "$label: a timed run exited $status, expected $expected" >&2
            exit 1
        fi
        local rss
        rss=$(tail -1 "$dir/time")
        [ "$rss" -gt "$max_rss" ] && max_rss="$rss"
    done
    local median
    median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}')
    echo "$label: wall median $median ms ($runs runs), max RSS $(awk -v k="$max_rss" 'BEGIN {printf "%.1f", k / 1024}') MB"
}

measure "validate, 1,000 extensions on one port pair" "$bin" validate "$dir/current.toml"
measure "plan --output json, 1,000 clusters moved to their own ports" \
    "$bin" plan --current "$dir/current.toml" --spec "$dir/spec.toml" --output json
