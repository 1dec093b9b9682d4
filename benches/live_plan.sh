#!/usr/bin/env bash
# The live plan vs the two documented docker read steps, through a client bundle on the local swarm (LIVE_PLAN_RUNS=N for N runs each, default 15).
cd "$(dirname "$0")/.." && exec cargo bench --bench live_plan
