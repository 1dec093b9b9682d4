#!/usr/bin/env bash
# Benchmark (not a timed test): on the multi-node bed, HTTP at 20 requests/s on every
# environment's ports while apply splits the walk-through's dev/test/prod in host mode, then while
# a second apply moves only dev's ports; per port: requests sent, failed, the longest time without
# an answer. `handover`: the default proxy's ports handed to prod (2 proxies on 2 nodes, host
# mode), once by removing the default proxy, once with prod adopting it (`adopt_proxy`).
# `relabel`: the walk-through's demo app relabelled from dev to prod with the stand-in core;
# per application host: requests sent, failed, the longest time without an answer.
# `apps`: the walk-through's split of a cluster whose applications carry no service-cluster
# label, kept by prod (`catch_all`) or relabelled for dev (`apps`), with the stand-in core; per
# application host: sent, failed, the longest gap, and the gap the saved plan announced.
# Needs root and a Docker engine (see README, "Tests").
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-split}" in
split) exec cargo test --test it -- --ignored --exact multinode::traffic_during_apply --nocapture ;;
handover)
    exec cargo test --test it -- --ignored --exact --test-threads 1 --nocapture \
        multinode::handover::traffic_during_handover_by_removal \
        multinode::handover::traffic_during_handover_by_adoption
    ;;
relabel) exec cargo test --test it -- --ignored --exact multinode::routes::traffic_during_relabel --nocapture ;;
apps)
    exec cargo test --test it -- --ignored --exact --test-threads 1 --nocapture \
        multinode::split_traffic::traffic_during_split_with_catch_all \
        multinode::split_traffic::traffic_during_split_with_apps
    ;;
*) echo "usage: $0 [split|handover|relabel|apps]" >&2; exit 2 ;;
esac
