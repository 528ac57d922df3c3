//! Progress of long computes: a process-wide hook the executor calls after steps (kernels and extern
//! ops), with the steps and bytes done of the total, throttled.
//!
//! With no hook installed a compute pays one relaxed atomic load. With one, a compute reports
//! nothing before it has run `delay` (so quick computes stay silent), then at most once per
//! [`INTERVAL`], and once more when it finishes (`finished`), if it reported anything before.

use crate::explain::step_bytes;
use lazulite_ir::{Schedule, Step};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Least time between two reports of one compute.
pub const INTERVAL: Duration = Duration::from_millis(100);

/// Where one compute stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub kernels_done: usize,
    pub kernels_total: usize,
    pub externs_done: usize,
    pub externs_total: usize,
    /// Bytes read and written by the steps done, and by all steps (as `explain` counts them).
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub elapsed: Duration,
    /// The last report of a compute (every step done).
    pub finished: bool,
}

/// What the executor calls. It runs on the thread that executes the schedule.
pub type ProgressHook = Arc<dyn Fn(&Progress) + Send + Sync>;

static ENABLED: AtomicBool = AtomicBool::new(false);
static HOOK: RwLock<Option<(ProgressHook, Duration)>> = RwLock::new(None);

/// Installs (`Some`) or removes (`None`) the process-wide progress hook; a compute reports only once
/// it has run `delay`.
pub fn set_progress_hook(hook: Option<ProgressHook>, delay: Duration) {
    let mut g = HOOK.write().unwrap_or_else(|e| e.into_inner());
    ENABLED.store(hook.is_some(), Ordering::Relaxed);
    *g = hook.map(|h| (h, delay));
}

/// The progress of one compute.
pub(crate) struct Tracker {
    hook: ProgressHook,
    delay: Duration,
    start: Instant,
    last: Option<Instant>,
    p: Progress,
}

impl Tracker {
    /// A tracker for `schedule` when a hook is installed.
    pub(crate) fn start(schedule: &Schedule) -> Option<Tracker> {
        if !ENABLED.load(Ordering::Relaxed) {
            return None;
        }
        let (hook, delay) = HOOK
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|(h, d)| (h.clone(), *d))?;
        let mut p = Progress {
            kernels_done: 0,
            kernels_total: 0,
            externs_done: 0,
            externs_total: 0,
            bytes_done: 0,
            bytes_total: 0,
            elapsed: Duration::ZERO,
            finished: false,
        };
        for s in &schedule.steps {
            match s {
                Step::Kernel(_) => p.kernels_total += 1,
                Step::Extern(_) => p.externs_total += 1,
            }
            p.bytes_total += step_bytes(s) as u64;
        }
        Some(Tracker {
            hook,
            delay,
            start: Instant::now(),
            last: None,
            p,
        })
    }

    /// Counts `step` done and reports when due.
    pub(crate) fn step_done(&mut self, step: &Step) {
        match step {
            Step::Kernel(_) => self.p.kernels_done += 1,
            Step::Extern(_) => self.p.externs_done += 1,
        }
        self.p.bytes_done += step_bytes(step) as u64;
        let now = Instant::now();
        self.p.elapsed = now - self.start;
        let done = self.p.kernels_done == self.p.kernels_total
            && self.p.externs_done == self.p.externs_total;
        let due = match self.last {
            None => self.p.elapsed >= self.delay,
            Some(t) => now - t >= INTERVAL,
        };
        if done {
            if self.last.is_some() || self.p.elapsed >= self.delay {
                self.p.finished = true;
                (self.hook)(&self.p);
            }
        } else if due {
            self.last = Some(now);
            (self.hook)(&self.p);
        }
    }
}
