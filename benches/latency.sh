#!/usr/bin/env bash
# plan, status and apply vs the documented docker CLI steps at 0, 50 and 100 ms RTT, through a client bundle behind a delaying relay on the local swarm, also through a front offering h2 at 0 and 50 ms, with apply's decision and exit after swarm's CompletedAt (LATENCY_RUNS=N read rounds, default 5; LATENCY_APPLY_RUNS=N apply rounds, default 2).
cd "$(dirname "$0")/.." && exec cargo bench --bench latency
