//! Progress of long computes: a process-wide hook the executor calls after steps (kernels and extern
//! ops) and, within a long kernel on the CPU, as its row ranges finish, with the steps and bytes done
//! of the total, throttled.
//!
//! With no hook installed a compute pays one relaxed atomic load. With one, a compute reports
//! nothing before it has run `delay` (so quick computes stay silent), then at most once per
//! [`INTERVAL`], and once more when it finishes (`finished`), if it reported anything before.
//!
//! Within a kernel step the executor hands the CPU launch a [`KernelMeter`] (through a thread-local
//! of the thread that runs the schedule, see [`enter_kernel`]): the worker threads add the loop
//! points of each range they finish (one relaxed atomic add and a clock read per range of about a
//! millisecond), and whichever thread finds a report due makes it, the step's bytes counted in
//! proportion to its points done.

use crate::explain::step_bytes;
use lazulite_ir::{Schedule, Step};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
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

    /// A meter for kernel step `step` about to run `total_points` loop points: reports from within
    /// the step, when due, continue this tracker's (see [`Tracker::step_done`]).
    pub(crate) fn kernel_meter(&self, step: &Step, total_points: usize) -> Arc<KernelMeter> {
        let due = match self.last {
            None => self.delay,
            Some(t) => (t - self.start) + INTERVAL,
        };
        Arc::new(KernelMeter {
            hook: self.hook.clone(),
            start: self.start,
            base: self.p,
            step_bytes: step_bytes(step) as u64,
            total_points: total_points.max(1) as u64,
            points: AtomicU64::new(0),
            due_ns: AtomicU64::new(nanos(due)),
            last_ns: Mutex::new(None),
        })
    }

    /// Counts `step` done and reports when due; `meter` is the one `kernel_meter` made for it, if
    /// any (a report it made counts as this tracker's last).
    pub(crate) fn step_done(&mut self, step: &Step, meter: Option<&KernelMeter>) {
        if let Some(m) = meter {
            let last = *m.last_ns.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(ns) = last {
                self.last = Some(self.start + Duration::from_nanos(ns));
            }
        }
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

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Progress within one kernel step, shared by the threads that run its row ranges.
pub(crate) struct KernelMeter {
    hook: ProgressHook,
    /// The compute's start.
    start: Instant,
    /// Where the compute stood when the step began.
    base: Progress,
    step_bytes: u64,
    total_points: u64,
    points: AtomicU64,
    /// Nanoseconds after `start` from which the next report is due.
    due_ns: AtomicU64,
    /// When (nanoseconds after `start`) this meter last reported; held while reporting, so two
    /// threads never call the hook at once.
    last_ns: Mutex<Option<u64>>,
}

impl KernelMeter {
    /// Counts `points` more loop points of the step done; reports when due.
    pub(crate) fn add(&self, points: usize) {
        let done = self.points.fetch_add(points as u64, Ordering::Relaxed) + points as u64;
        let now = nanos(self.start.elapsed());
        if now < self.due_ns.load(Ordering::Relaxed) {
            return;
        }
        // Another thread reporting now: this one's points show in the next report.
        let Ok(mut last) = self.last_ns.try_lock() else {
            return;
        };
        if now < self.due_ns.load(Ordering::Relaxed) {
            return;
        }
        self.due_ns
            .store(now.saturating_add(nanos(INTERVAL)), Ordering::Relaxed);
        *last = Some(now);
        let mut p = self.base;
        let done = done.min(self.total_points);
        p.bytes_done +=
            (u128::from(self.step_bytes) * u128::from(done) / u128::from(self.total_points)) as u64;
        p.elapsed = Duration::from_nanos(now);
        p.finished = false;
        (self.hook)(&p);
    }
}

thread_local! {
    /// The meter of the kernel step the current thread is launching (set by the executor).
    static CURRENT: RefCell<Option<Arc<KernelMeter>>> = const { RefCell::new(None) };
}

/// Makes `meter` the current thread's kernel meter until the guard drops.
pub(crate) fn enter_kernel(meter: Option<Arc<KernelMeter>>) -> KernelGuard {
    let prev = CURRENT.with(|c| c.replace(meter));
    KernelGuard(prev)
}

/// The meter of the kernel step this thread is launching, if progress is on.
pub(crate) fn current_meter() -> Option<Arc<KernelMeter>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Restores the previous meter on drop.
pub(crate) struct KernelGuard(Option<Arc<KernelMeter>>);

impl Drop for KernelGuard {
    fn drop(&mut self) {
        let prev = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = prev);
    }
}
