//! The convergence watch on hand-built sequences of update states and tasks, in the manner of
//! the docker CLI's `progress_test.go`: each test feeds polls and checks the verdict of each.

use std::time::Duration;

use super::*;

const OLD_START: &str = "2024-05-01T10:00:00Z";
const NEW_START: &str = "2024-05-01T10:05:00Z";

fn node(id: &str, state: &str) -> Node {
    crate::apply::testing::fixture::worker(id, state)
}

fn task(node: &str, desired: &str, state: &str) -> Task {
    Task {
        service_id: "svc".into(),
        node_id: Some(node.into()),
        state: state.into(),
        desired_state: desired.into(),
        error: None,
        configs: Vec::new(),
    }
}

fn status(state: UpdateState, started: &str, message: Option<&str>) -> UpdateStatus {
    UpdateStatus {
        state: Some(state),
        started_at: Some(started.into()),
        completed_at: None,
        message: message.map(String::from),
    }
}

/// Feeds one poll; `tasks` read on this poll, on nodes `a` (ready) and `b` (down).
struct Tester {
    watch: Watch,
    nodes: Vec<Node>,
    replicas: Option<u64>,
}

impl Tester {
    fn new(baseline: Option<&str>) -> Self {
        Self {
            watch: Watch::new("svc", baseline.map(String::from), Duration::from_secs(60)),
            nodes: vec![node("a", "ready"), node("b", "down")],
            replicas: Some(1),
        }
    }

    fn poll(&mut self, update: Option<&UpdateStatus>, tasks: &[Task], secs: u64) -> Verdict {
        self.watch.observe(&Observation {
            update,
            replicas: self.replicas,
            placement: Some(Placement {
                tasks,
                nodes: &self.nodes,
            }),
            points_at: None,
            elapsed: Duration::from_secs(secs),
        })
    }
}

fn waits(v: &Verdict) -> bool {
    matches!(v, Verdict::Wait(_))
}

#[test]
fn tasks_on_down_nodes_and_tasks_not_meant_to_run_are_not_counted() {
    let nodes = [node("a", "ready"), node("b", "down")];
    let tasks = [
        task("a", "running", "running"),
        task("b", "running", "running"),
        task("a", "shutdown", "running"),
        task("a", "running", "starting"),
    ];
    assert_eq!(
        running(Placement {
            tasks: &tasks,
            nodes: &nodes
        }),
        1
    );
}

#[test]
fn converges_only_once_swarm_says_completed_after_the_monitor_window() {
    let mut t = Tester::new(Some(OLD_START));
    t.replicas = Some(2);
    let up = [
        task("a", "running", "running"),
        task("a", "running", "running"),
    ];
    let updating = status(UpdateState::Updating, NEW_START, None);
    // All tasks run, but swarm still monitors them: not yet.
    assert!(waits(&t.poll(Some(&updating), &up, 1)));
    assert!(waits(&t.poll(Some(&updating), &up, 5)));
    let done = status(UpdateState::Completed, NEW_START, None);
    // Completed, but one task is on a down node: the count falls short.
    let one_down = [
        task("a", "running", "running"),
        task("b", "running", "running"),
    ];
    assert!(waits(&t.poll(Some(&done), &one_down, 6)));
    assert_eq!(t.poll(Some(&done), &up, 7), Verdict::Converged);
}

#[test]
fn a_rollback_is_a_failure_with_the_reason_given_when_it_started() {
    let mut t = Tester::new(Some(OLD_START));
    let up = [task("a", "running", "running")];
    let failing = [task("a", "running", "failed")];
    let seq = [
        status(UpdateState::Updating, NEW_START, None),
        status(
            UpdateState::RollbackStarted,
            NEW_START,
            Some("update paused due to failure or early termination of task x"),
        ),
        // Swarm clears the reason while the rollback runs on.
        status(UpdateState::RollbackStarted, NEW_START, Some("")),
    ];
    for (i, s) in seq.iter().enumerate() {
        assert!(waits(&t.poll(Some(s), &failing, i as u64)));
    }
    let done = status(
        UpdateState::RollbackCompleted,
        NEW_START,
        Some("rollback completed"),
    );
    assert_eq!(
        t.poll(Some(&done), &up, 4),
        Verdict::RolledBack {
            reason: "update paused due to failure or early termination of task x".into(),
            restarting: false,
        }
    );
}

#[test]
fn a_rollback_seen_only_when_completed_still_fails() {
    let mut t = Tester::new(None);
    let done = status(UpdateState::RollbackCompleted, NEW_START, None);
    assert_eq!(
        t.poll(Some(&done), &[task("a", "running", "running")], 2),
        Verdict::RolledBack {
            reason: "its new task failed".into(),
            restarting: false,
        }
    );
}

#[test]
fn a_pause_is_a_failure_with_swarms_message() {
    let mut t = Tester::new(Some(OLD_START));
    let failing = [task("a", "running", "failed")];
    let paused = status(
        UpdateState::Paused,
        NEW_START,
        Some("update paused due to failure"),
    );
    assert_eq!(
        t.poll(Some(&paused), &failing, 3),
        Verdict::Paused {
            message: "update paused due to failure".into(),
            restarting: false,
        }
    );
    let mut t = Tester::new(Some(OLD_START));
    let rb_paused = status(UpdateState::RollbackPaused, NEW_START, None);
    assert_eq!(
        t.poll(Some(&rb_paused), &failing, 3),
        Verdict::Paused {
            message: "paused".into(),
            restarting: false,
        }
    );
}

#[test]
fn the_status_of_the_previous_update_is_not_taken_for_ours() {
    let mut t = Tester::new(Some(OLD_START));
    let up = [task("a", "running", "running")];
    // The previous update's rollback is still on the service: neither a failure nor done.
    let old_rollback = status(UpdateState::RollbackCompleted, OLD_START, None);
    assert!(waits(&t.poll(Some(&old_rollback), &up, 1)));
    let old_done = status(UpdateState::Completed, OLD_START, None);
    assert!(waits(&t.poll(Some(&old_done), &up, 2)));
    // Ours starts and completes.
    let ours = status(UpdateState::Completed, NEW_START, None);
    assert_eq!(t.poll(Some(&ours), &up, 3), Verdict::Converged);
}

#[test]
fn no_update_recorded_converges_after_the_grace_when_tasks_run() {
    let mut t = Tester::new(None);
    let up = [task("a", "running", "running")];
    assert!(waits(&t.poll(None, &up, 2)));
    assert!(waits(&t.poll(None, &[], 11)));
    assert_eq!(t.poll(None, &up, 11), Verdict::Converged);
}

#[test]
fn times_out_with_the_count_of_running_tasks() {
    let mut t = Tester::new(Some(OLD_START));
    t.replicas = Some(2);
    let updating = status(UpdateState::Updating, NEW_START, None);
    let v = t.poll(Some(&updating), &[task("a", "running", "running")], 61);
    assert_eq!(
        v,
        Verdict::TimedOut {
            message: "svc had not converged after 60s (1/2 tasks running)".into()
        }
    );
}

#[test]
fn counts_tasks_when_deciding_and_about_once_a_second_otherwise() {
    let mut w = Watch::new("svc", Some(OLD_START.into()), Duration::from_secs(60));
    let updating = status(UpdateState::Updating, NEW_START, None);
    let reads: Vec<bool> = (0..11).map(|_| w.wants_tasks(Some(&updating))).collect();
    assert_eq!(reads.iter().filter(|r| **r).count(), 2);
    let done = status(UpdateState::Completed, NEW_START, None);
    assert!(w.wants_tasks(Some(&done)));
    assert!(w.wants_tasks(None));
}

#[test]
fn a_status_just_read_that_decides_needs_the_tasks_without_counting_a_poll() {
    // The poll chose from the last status (updating): when the one it read says completed,
    // the tasks are read at once rather than a poll later.
    let w = Watch::new("svc", Some(OLD_START.into()), Duration::from_secs(60));
    let updating = status(UpdateState::Updating, NEW_START, None);
    let done = status(UpdateState::Completed, NEW_START, None);
    let previous = status(UpdateState::Completed, OLD_START, None);
    assert!(!w.deciding(Some(&updating)));
    assert!(w.deciding(Some(&done)));
    // The previous update's status is not ours: undecided, so the tasks are counted.
    assert!(w.deciding(Some(&previous)));
    assert!(w.deciding(None));
}

#[test]
fn the_newest_failed_task_is_reported() {
    let detail = |id: &str, state: &str, at: &str| TaskDetail {
        id: id.into(),
        task: task("a", "shutdown", state),
        updated_at: Some(at.into()),
        container_id: None,
    };
    let tasks = [
        detail("t1", "failed", "2024-05-01T10:01:00Z"),
        detail("t2", "failed", "2024-05-01T10:03:00Z"),
        detail("t3", "running", "2024-05-01T10:04:00Z"),
    ];
    assert_eq!(latest_failure(&tasks).map(|t| t.id.as_str()), Some("t2"));
}

// The core's watch tracks its config: ours is "new", the one it ran before "old".

fn on(config: &str, state: &str) -> Task {
    Task {
        configs: vec![config.into()],
        ..task("a", "running", state)
    }
}

fn core_watch() -> Watch {
    let tracked = Tracked {
        ours: "new".into(),
        old: "old".into(),
    };
    Watch::new("core", Some(OLD_START.into()), Duration::from_secs(60)).tracking(tracked)
}

fn observe(w: &mut Watch, u: &UpdateStatus, points_at: &str, tasks: &[Task], secs: u64) -> Verdict {
    let nodes = [node("a", "ready")];
    w.observe(&Observation {
        update: Some(u),
        replicas: Some(1),
        placement: Some(Placement {
            tasks,
            nodes: &nodes,
        }),
        points_at: Some(points_at),
        elapsed: Duration::from_secs(secs),
    })
}

#[test]
fn completed_is_success_only_once_a_task_runs_our_config() {
    let mut w = core_watch();
    let done = status(UpdateState::Completed, NEW_START, None);
    let old_task = [on("old", "running"), on("new", "shutdown")];
    assert!(waits(&observe(&mut w, &done, "new", &old_task, 1)));
    let new_task = [on("old", "shutdown"), on("new", "running")];
    assert_eq!(
        observe(&mut w, &done, "new", &new_task, 2),
        Verdict::Converged
    );
}

#[test]
fn the_service_pointing_at_another_config_is_superseded() {
    let mut w = core_watch();
    let updating = status(UpdateState::Updating, NEW_START, None);
    assert!(waits(&observe(&mut w, &updating, "new", &[], 1)));
    // Another operator's update: the same update status for now, another config.
    let v = observe(&mut w, &updating, "theirs", &[on("theirs", "running")], 2);
    assert_eq!(
        v,
        Verdict::Superseded {
            config: Some("theirs".into())
        }
    );
}

#[test]
fn a_later_update_start_is_superseded_even_on_our_config() {
    let mut w = core_watch();
    let ours = status(UpdateState::Updating, NEW_START, None);
    assert!(waits(&observe(&mut w, &ours, "new", &[], 1)));
    let later = status(UpdateState::Completed, "2024-05-01T10:06:00Z", None);
    let up = [on("new", "running")];
    assert_eq!(
        observe(&mut w, &later, "new", &up, 2),
        Verdict::Superseded { config: None }
    );
}

#[test]
fn a_rollback_is_reported_once_a_task_runs_the_old_config_again() {
    let mut w = core_watch();
    let started = status(UpdateState::RollbackStarted, NEW_START, Some("task failed"));
    // Rolling back points the service at the old config: that is ours doing, not another's.
    assert!(waits(&observe(&mut w, &started, "old", &[], 1)));
    let done = status(UpdateState::RollbackCompleted, NEW_START, None);
    let restarting = [on("old", "starting"), on("new", "failed")];
    assert!(waits(&observe(&mut w, &done, "old", &restarting, 2)));
    let back = [on("old", "running")];
    assert_eq!(
        observe(&mut w, &done, "old", &back, 3),
        Verdict::RolledBack {
            reason: "task failed".into(),
            restarting: false
        }
    );
}

#[test]
fn a_rollback_still_restarting_at_the_timeout_says_so() {
    let mut w = core_watch();
    let done = status(UpdateState::RollbackCompleted, NEW_START, None);
    let none = [on("old", "starting")];
    assert!(waits(&observe(&mut w, &done, "old", &none, 30)));
    assert_eq!(
        observe(&mut w, &done, "old", &none, 61),
        Verdict::RolledBack {
            reason: "its new task failed".into(),
            restarting: true
        }
    );
    let mut w = core_watch();
    let paused = status(UpdateState::Paused, NEW_START, Some("paused: task failed"));
    assert_eq!(
        observe(&mut w, &paused, "new", &[on("new", "failed")], 61),
        Verdict::Paused {
            message: "paused: task failed".into(),
            restarting: true
        }
    );
}

/// After a leader change the task's node is `unknown` until it reports: the task is not counted
/// as running (that would be success unverified) nor as lost; the watch waits and says why.
#[test]
fn a_task_on_a_node_of_unknown_state_is_waited_for() {
    let mut t = Tester::new(Some(OLD_START));
    t.nodes.push(node("c", "unknown"));
    let done = status(UpdateState::Completed, NEW_START, None);
    let on_c = [task("c", "running", "running")];
    match t.poll(Some(&done), &on_c, 6) {
        Verdict::Wait(text) => assert!(
            text.contains("0/1 tasks running, 1 more on node whose state swarm does not know yet"),
            "{text}"
        ),
        other => panic!("{other:?}"),
    }
    t.nodes[2].state = "ready".into();
    assert_eq!(t.poll(Some(&done), &on_c, 7), Verdict::Converged);
}

#[test]
fn once_the_tasks_have_caught_up_every_poll_reads_them_beside_the_status() {
    // Swarm says `completed` at the end of its monitor window, on any poll: the tasks that
    // decide are read in that same round, not one round after it.
    let mut w = core_watch();
    let updating = status(UpdateState::Updating, NEW_START, None);
    let starting = [on("old", "shutdown"), on("new", "starting")];
    w.wants_tasks(None);
    assert!(waits(&observe(&mut w, &updating, "new", &starting, 1)));
    let reads: Vec<bool> = (0..9).map(|_| w.wants_tasks(Some(&updating))).collect();
    assert_eq!(reads, [false; 9], "not caught up: about once a second");
    w.wants_tasks(Some(&updating));
    let running = [on("old", "shutdown"), on("new", "running")];
    assert!(waits(&observe(&mut w, &updating, "new", &running, 2)));
    let reads: Vec<bool> = (0..20).map(|_| w.wants_tasks(Some(&updating))).collect();
    assert_eq!(reads, [true; 20]);
}

#[test]
fn a_tick_is_counted_from_the_start_of_its_poll() {
    assert_eq!(rest(Duration::from_millis(30)), Duration::from_millis(70));
    assert_eq!(rest(Duration::from_millis(150)), Duration::ZERO);
}
