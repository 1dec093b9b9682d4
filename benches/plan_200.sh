#!/usr/bin/env bash
# Whole-process figures for `plan` with 200 service clusters: wall time and max RSS of the
# release binary, for the two scenarios of benches/plan_200.rs (whose generator writes the
# inputs). Usage: benches/plan_200.sh [runs]   (default 10 runs per scenario)
set -euo pipefail

cd "$(dirname "$0")/.."
runs="${1:-10}"
target_dir="${CARGO_TARGET_DIR:-target}"
bin="$target_dir/release/interlock-split"

cargo build --release --quiet --bin interlock-split

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
PLAN_200_WRITE_DIR="$dir" cargo bench --quiet --bench plan_200 >/dev/null

gnu_time=""
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
    gnu_time=/usr/bin/time
else
    echo "note: GNU time not found (apt-get install time); max RSS is not measured" >&2
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "inputs: $(wc -c <"$dir/spec.toml") B spec, $(wc -c <"$dir/current-split.toml") B split config, $(wc -c <"$dir/current-default.toml") B default config"

for scenario in "already split:current-split.toml" "from the UCP default:current-default.toml"; do
    label="${scenario%%:*}"
    current="$dir/${scenario#*:}"
    cmd=("$bin" plan --current "$current" --spec "$dir/spec.toml" --output json)
    "${cmd[@]}" >"$dir/out.json" # exits 0 (no changes flag) or fails the script
    walls=() # microseconds; GNU time's own %e has only 10 ms resolution
    max_rss=0
    for _ in $(seq "$runs"); do
        start=$(date +%s%N)
        if [ -n "$gnu_time" ]; then
            "$gnu_time" -f '%M' -o "$dir/time" "${cmd[@]}" >/dev/null
            rss=$(tail -1 "$dir/time")
            [ "$rss" -gt "$max_rss" ] && max_rss="$rss"
        else
            "${cmd[@]}" >/dev/null
        fi
        walls+=($(( ($(date +%s%N) - start) / 1000 )))
    done
    sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
    median=$(echo "$sorted" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}')
    min=$(echo "$sorted" | head -1 | awk '{printf "%.1f", $1 / 1000}')
    max=$(echo "$sorted" | tail -1 | awk '{printf "%.1f", $1 / 1000}')
    rss=""
    [ -n "$gnu_time" ] && rss=", max RSS $(awk -v k="$max_rss" 'BEGIN {printf "%.1f", k / 1024}') MB"
    echo "interlock-split plan --output json, 200 clusters $label: wall median $median ms (min $min, max $max, $runs runs)$rss; JSON $(wc -c <"$dir/out.json") B"
done
