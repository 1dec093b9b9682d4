//! The reports of apply and rollback, for people and as JSON, and apply's progress lines.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::human;
use super::json::ErrorDoc;
use super::printer::Printer;
use super::style::Styler;
use crate::apply::{
    ApplyReport, CoreState, Observer, Outcome, Request, StepOutcome, StepReport, StepStatus,
};
use crate::exit::ExitStatus;
use crate::plan::Action;
use serde::Serialize;

/// One line for an action, without colour.
pub fn describe(a: &Action) -> String {
    human::action(a, &Styler::new(false))
}

/// The report as JSON has it: the report, and each step with its words beside its outcome.
#[derive(Serialize)]
pub struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a ApplyReport,
    steps: Vec<JsonStep<'a>>,
}

#[derive(Serialize)]
struct JsonStep<'a> {
    action: &'a Action,
    status: StepStatus,
    outcome: &'a Option<StepOutcome>,
    /// What it did (or why it failed), in words.
    detail: String,
    millis: u128,
}

pub fn json(report: &ApplyReport) -> JsonReport<'_> {
    let steps = report
        .steps
        .iter()
        .map(|s| JsonStep {
            action: &s.action,
            status: s.status,
            outcome: &s.outcome,
            detail: super::step::detail(s),
            millis: s.millis,
        })
        .collect();
    JsonReport { report, steps }
}

/// The error part of the envelope for an apply or rollback that did not succeed: its outcome
/// is the code.
pub fn report_error(r: &ApplyReport) -> Option<ErrorDoc> {
    (ExitStatus::from(r.outcome) != ExitStatus::Success).then(|| ErrorDoc {
        code: r.outcome.as_str(),
        kind: r.error_kind,
        message: r.error.clone().unwrap_or_default(),
        hints: r.hint.iter().cloned().collect(),
        findings: Vec::new(),
    })
}

/// The JSON document of an apply or rollback (`command`) that ran.
pub fn envelope(command: &str, r: &ApplyReport) -> String {
    let status = ExitStatus::from(r.outcome);
    let error = report_error(r);
    super::json::envelope(command, status.code(), error.as_ref(), Some(&json(r)))
}

/// What went wrong beside the outcome, on stderr.
pub fn warnings(report: &ApplyReport, printer: &Printer) {
    for w in &report.warnings {
        let tag = printer.err_style.yellow_bold("warning:");
        printer.err(&format!("{tag} {w}\n"));
    }
}

/// Which config the core runs, said plainly.
fn core_text(core: &CoreState, s: &Styler) -> String {
    match &core.pending_update_to {
        None if core.restarting => format!(
            "{}, but no task runs it yet: swarm is still restarting it (`interlock-split status` tells when it runs)",
            s.bold(&core.config)
        ),
        None => s.bold(&core.config),
        Some(new) => format!(
            "{} or {}: the update to {new} was started and its outcome is not known{} (`interlock-split status` tells)",
            s.bold(&core.config),
            s.bold(new),
            if core.restarting {
                "; no task runs the old config again yet"
            } else {
                ""
            }
        ),
    }
}

fn applied(r: &ApplyReport, s: &Styler) -> String {
    let mut out = format!(
        "\n{} ucp-interlock runs {}.",
        s.green("Applied."),
        core_text(&r.core, s)
    );
    if let Some(b) = &r.backup {
        out.push_str(&format!(
            " The previous config ({}) is saved in {b}.",
            r.previous_config
        ));
    }
    out.push('\n');
    out
}

fn headline(outcome: Outcome, s: &Styler) -> String {
    match outcome {
        Outcome::RolledBack => {
            s.red_bold("The update of ucp-interlock failed and swarm rolled it back.")
        }
        Outcome::Paused => s.red_bold("The update of ucp-interlock failed and swarm paused it."),
        Outcome::Interrupted => s.yellow_bold("Interrupted."),
        Outcome::ClusterMoved => {
            s.yellow_bold("Stopped: another operator changed the cluster since the plan.")
        }
        Outcome::Superseded => {
            s.yellow_bold("Superseded: another update replaced this one before it converged.")
        }
        _ => s.red_bold("Apply failed."),
    }
}

/// The failure: swarm's reason, the failed task, its last log lines.
fn failure(r: &ApplyReport) -> String {
    let mut out = String::new();
    if let Some(e) = &r.error {
        out.push_str(&format!("  error: {e}\n"));
    }
    if let Some(req) = r.request {
        out.push_str(&format!("  {}\n", request_text(req)));
    }
    if let Some(t) = &r.failed_task {
        out.push_str(&format!(
            "  failed task {t}: {}\n",
            r.task_error.as_deref().unwrap_or("(no error recorded)")
        ));
    }
    if !r.logs.is_empty() {
        out.push_str("  last log lines:\n");
        for l in &r.logs {
            out.push_str(&format!("    {l}\n"));
        }
    }
    out
}

/// The steps by what became of them.
fn steps(r: &ApplyReport) -> String {
    let mut out = String::new();
    for (label, st) in [
        ("done", StepStatus::Done),
        ("skipped", StepStatus::Skipped),
        ("failed", StepStatus::Failed),
        ("not done", StepStatus::NotRun),
    ] {
        let items: Vec<String> = r
            .steps
            .iter()
            .filter(|x| x.status == st)
            .map(|x| describe(&x.action))
            .collect();
        if !items.is_empty() {
            out.push_str(&format!("  {label}:\n"));
            for i in items {
                out.push_str(&format!("    - {i}\n"));
            }
        }
    }
    out
}

/// Whether the interrupted step's write reached swarm.
fn request_text(r: Request) -> &'static str {
    match r {
        Request::NotSent => "the step's request was not sent: it changed nothing",
        Request::SentNoAnswer => {
            "the step's request was sent and its answer was lost: swarm may have carried it out"
        }
        Request::Accepted => {
            "the step's request was sent and swarm accepted it: the update it started may still be in progress"
        }
    }
}

fn next_step(r: &ApplyReport) -> String {
    match r.outcome {
        // Someone else's work is on the cluster: rolling back would undo it.
        Outcome::ClusterMoved => "nothing of theirs was replaced. `interlock-split status` shows what runs now".into(),
        Outcome::Superseded => "the other update stands; nothing of it was undone. `interlock-split status` shows what runs now".into(),
        Outcome::RolledBack => "nothing was removed. Fix the config (`interlock-split validate`, the log lines above) and apply again; the new config stays uploaded and is reused".into(),
        Outcome::Paused => "swarm left ucp-interlock half-updated: `interlock-split rollback` returns it to the previous config; `interlock-split status` shows where it stands".into(),
        _ => format!(
            "run `interlock-split apply` again to finish (steps already done are recognised and skipped), or `interlock-split rollback` to return ucp-interlock to {}",
            r.previous_config
        ),
    }
}

/// The report for people: a line when it worked; otherwise what failed, the state the cluster
/// is in, what was and was not done, and how to go on.
pub fn human_report(r: &ApplyReport, s: &Styler) -> String {
    if r.outcome == Outcome::Applied {
        return applied(r, s);
    }
    let mut out = format!("\n{}\n", headline(r.outcome, s));
    out.push_str(&failure(r));
    out.push_str(&format!(
        "\nThe cluster now: ucp-interlock runs {}.\n",
        core_text(&r.core, s)
    ));
    out.push_str(&steps(r));
    if let Some(h) = &r.hint {
        out.push_str(&format!("  = hint: {h}\n"));
    }
    out.push_str(&format!("  = hint: {}\n", next_step(r)));
    out
}

/// apply's progress: a redrawn line on a terminal; plain lines otherwise, so that a runbook's log
/// reads as well as a terminal: one line per step with its result and duration, and the step
/// named again before the first progress line of a step that takes a while.
pub struct Ui {
    printer: Printer,
    on_terminal: bool,
    bar: Option<ProgressBar>,
    last: String,
    /// `[n/total] action`, for plain lines.
    step: String,
    /// The step's own line is out (plain lines: once it reports progress).
    announced: bool,
}

impl Ui {
    pub fn new(printer: Printer) -> Self {
        Self {
            on_terminal: std::io::stderr().is_terminal() && !printer.quiet,
            printer,
            bar: None,
            last: String::new(),
            step: String::new(),
            announced: false,
        }
    }

    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
        self.last.clear();
    }

    /// Names the step in a log before its first progress line.
    fn announce(&mut self) {
        if !self.announced {
            self.announced = true;
            self.printer.status(&format!("{} …", self.step));
        }
    }
}

/// "done in 5.9 s: updated …", "failed after 0.3 s: …": a step's end on a plain line.
pub fn outcome_line(status: StepStatus, detail: &str, took: Duration) -> String {
    let secs = took.as_secs_f64();
    let first = detail.lines().next().unwrap_or_default();
    let word = match status {
        StepStatus::Failed => return format!("failed after {secs:.1} s: {first}"),
        StepStatus::Skipped => "skipped",
        StepStatus::Done | StepStatus::NotRun => "done",
    };
    if first.is_empty() {
        format!("{word} in {secs:.1} s")
    } else {
        format!("{word} in {secs:.1} s: {first}")
    }
}

/// A step's end under the redrawn line on a terminal.
fn terminal_outcome(status: StepStatus, detail: &str, took: Duration) -> String {
    let first = detail.lines().next().unwrap_or_default();
    match status {
        StepStatus::Failed => format!("failed: {first}"),
        _ => format!("{detail} ({:.1}s)", took.as_secs_f64()),
    }
}

impl Observer for Ui {
    fn step(&mut self, n: usize, total: usize, action: &Action) {
        self.finish();
        self.step = format!("[{n}/{total}] {}", describe(action));
        self.announced = false;
        if self.on_terminal {
            self.printer.status(&self.step);
        }
    }

    /// Printed only when it changes.
    fn progress(&mut self, text: &str) {
        if text == self.last {
            return;
        }
        self.last = text.to_string();
        if !self.on_terminal {
            self.announce();
            self.printer.status(&format!("      {text}"));
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("      {spinner} {msg}").expect("valid template"),
            );
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        // The bar writes to the terminal itself, past the printer.
        bar.set_message(super::terminal::safe(text, false).into_owned());
    }

    fn note(&mut self, text: &str) {
        self.finish();
        self.printer.status(text);
    }

    fn done(&mut self, step: &StepReport, took: Duration) {
        self.finish();
        let (status, detail) = (step.status, &super::step::detail(step));
        if self.on_terminal {
            let line = terminal_outcome(status, detail, took);
            self.printer.status(&format!("      {line}"));
        } else {
            let line = outcome_line(status, detail, took);
            self.printer.status(&format!("{} … {line}", self.step));
        }
    }
}

impl Drop for Ui {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_give_the_result_and_the_duration() {
        let took = Duration::from_millis(5_940);
        assert_eq!(outcome_line(StepStatus::Done, "", took), "done in 5.9 s");
        assert_eq!(
            outcome_line(StepStatus::Done, "updated ucp-interlock", took),
            "done in 5.9 s: updated ucp-interlock"
        );
        assert_eq!(
            outcome_line(StepStatus::Skipped, "kept x (--no-cleanup)", took),
            "skipped in 5.9 s: kept x (--no-cleanup)"
        );
        assert_eq!(
            outcome_line(StepStatus::Failed, "swarm rolled it back\nmore", took),
            "failed after 5.9 s: swarm rolled it back"
        );
    }
}
