//! The integration tests, as one binary (so `support`, the test bed, is compiled once):
//!
//! * `cli`: snapshot tests of the real binary, offline;
//! * `bad_inputs`: the corpus of bad inputs under fixtures/bad/, each refused cleanly;
//! * `completions`: the committed completions, man pages are what the CLI generates;
//! * `split_properties`: property tests of the split;
//! * `testbed`: the real-swarm test bed itself (stand-in core, mTLS front);
//! * `live`: the live plan and `status` through client bundles, every connection error;
//! * `apply`: the walk-through's split end to end, rollbacks, stale saved plans;
//! * `apply_concurrent_swarm`: two operators at once (a change at the prompt, racing applies);
//! * `apply_faults_swarm`: faults injected at the mTLS front during real applies;
//! * `h2`: every command over HTTP/2 through nghttpx, and the faults over HTTP/2;
//! * `multinode`: a multi-node swarm of engines in network namespaces, real traffic;
//! * `dist`: the static binary and the FROM-scratch image.
//!
//! Tests that need Docker print `SKIP …` without it, unless `INTERLOCK_SPLIT_E2E=required`.

// The test bed is a crate of its own (tests/support), shared with the benchmarks.
#[macro_use]
extern crate interlock_testbed;
use interlock_testbed as support;

mod apply;
mod apply_concurrent_swarm;
mod apply_faults_swarm;
mod bad_inputs;
mod cli;
mod completions;
mod dist;
mod h2;
mod live;
mod multinode;
mod route_findings;
mod split_properties;
mod testbed;
