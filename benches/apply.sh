#!/usr/bin/env bash
# apply vs the documented manual write steps (docker config create + service update), through a client bundle on the local swarm (APPLY_RUNS=N for N runs each, default 6; APPLY_VERBOSE=1 for one more apply with -v).
cd "$(dirname "$0")/.." && exec cargo bench --bench apply
