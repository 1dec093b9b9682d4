#!/usr/bin/env bash
# Benchmark (not a timed test): on the multi-node bed, HTTP at 20 requests/s on every
# environment's ports while apply splits the walk-through's dev/test/prod in host mode, then while
# a second apply moves only dev's ports; per port: requests sent, failed, the longest time without
# an answer. Needs root and a Docker engine (see README, "Tests").
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test --test it -- --ignored --exact multinode::traffic_during_apply --nocapture
