#!/usr/bin/env bash
# The live plan with 1,000 application services vs with none, through a client bundle on the local swarm (LIVE_PLAN_APPS_RUNS=N for N runs per phase, default 10; LIVE_PLAN_APPS_COUNT=N services, default 1000). Exits 1 when the target (1.5x) is missed.
cd "$(dirname "$0")/.." && exec cargo bench --bench live_plan_apps
