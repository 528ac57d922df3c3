//! The background compiler: one thread (`lazulite-jit`, started at import by [`crate::warm_up`] or by
//! the first job) that compiles the optimized code of kernels whose quick code already runs, and the
//! wide code of kernels whose narrow code already runs (see `cache::runner_for`), and swaps it into
//! their cache entries.
//!
//! Bounded: at most [`QUEUE`] jobs wait; when the queue is full the kernel keeps its quick code and a
//! later call offers the job again. The thread runs at a lower priority than the calling and worker
//! threads (nice + 10), so that on a busy machine it takes the time the process leaves idle rather
//! than the first calls' own. A failure or a panic of the optimized compile counts in
//! `compile_failures` and leaves the quick code in place for good. Nothing waits for the thread:
//! a process that exits with a compile in flight just ends it (the thread owns its job, and the
//! code it would have installed is never run). A process forked after the thread started has no
//! such thread; the first job there starts its own.

use crate::cache::KernelEntry;
use crate::config::{bump, counters};
use lazulite_codegen_cpu::CodeQuality;
use lazulite_ir::Kernel;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Jobs that may wait for the background compiler.
pub(crate) const QUEUE: usize = 32;

/// One compile: the kernel, the quality of its code (`Optimized` after quick code, `Wide` after
/// narrow code), and the cache entry that gets it.
pub(crate) struct Job {
    pub entry: Arc<KernelEntry>,
    pub kernel: Arc<Kernel>,
    pub quality: CodeQuality,
}

/// Jobs queued or being compiled, by the thread of process [`OWNER`].
static PENDING: AtomicUsize = AtomicUsize::new(0);
/// The process id that started the compiler thread (0: none yet).
static OWNER: AtomicU32 = AtomicU32::new(0);

/// The queue into this process's compiler thread (started on first use; again after a fork).
fn sender() -> Option<SyncSender<Job>> {
    /// The process that started the thread, and the thread's queue.
    type Owned = Option<(u32, SyncSender<Job>)>;
    static TX: Mutex<Owned> = Mutex::new(None);
    let mut g = TX.lock().unwrap_or_else(|e| e.into_inner());
    let pid = std::process::id();
    if let Some((owner, tx)) = &*g {
        if *owner == pid {
            return Some(tx.clone());
        }
    }
    if let Some(inherited) = g.take() {
        // Forked: the parent's thread does not exist here, and neither do its jobs. Its queue is
        // left alone, never dropped (dropping the last sender would wake a receiver that the fork
        // may have caught holding the queue's lock).
        std::mem::forget(inherited);
        PENDING.store(0, Ordering::Relaxed);
    }
    let (tx, rx) = sync_channel::<Job>(QUEUE);
    let spawned = std::thread::Builder::new()
        .name("lazulite-jit".into())
        .spawn(move || {
            lower_priority();
            while let Ok(job) = rx.recv() {
                run(job);
                PENDING.fetch_sub(1, Ordering::Release);
            }
        });
    match spawned {
        Ok(_) => {
            OWNER.store(pid, Ordering::Release);
            *g = Some((pid, tx.clone()));
            Some(tx)
        }
        // No thread (the system refused one): kernels keep their quick code.
        Err(_) => None,
    }
}

/// Starts the compiler thread now, so that the first large kernel does not pay for it.
pub(crate) fn start() {
    let _ = sender();
}

/// Offers `job` to the compiler thread; `false` when the queue is full or there is no thread (the
/// caller keeps the quick code and may offer the job again later).
pub(crate) fn submit(job: Job) -> bool {
    let Some(tx) = sender() else {
        return false;
    };
    PENDING.fetch_add(1, Ordering::AcqRel);
    match tx.try_send(job) {
        Ok(()) => true,
        Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
            PENDING.fetch_sub(1, Ordering::AcqRel);
            false
        }
    }
}

/// Compiles one job's optimized code and installs it (or, on failure, keeps the quick code for good).
fn run(job: Job) {
    // An entry only the queue still holds was evicted from the kernel cache: nobody would run it.
    if Arc::strong_count(&job.entry) == 1 {
        job.entry.keep_quick();
        return;
    }
    let t0 = Instant::now();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        lazulite_codegen_cpu::compile_with(&job.kernel, job.quality)
    }));
    let c = counters();
    match result {
        Ok(Ok(code)) => {
            bump(&c.kernels_compiled, 1);
            bump(&c.background_compiles, 1);
            bump(
                &c.background_compile_time_ns,
                t0.elapsed().as_nanos() as u64,
            );
            job.entry.install_optimized(Arc::new(code));
        }
        Ok(Err(_)) | Err(_) => {
            bump(&c.compile_failures, 1);
            job.entry.keep_quick();
        }
    }
}

/// Lowers the calling thread's priority by 10 nice levels, at most to 19 (Linux, best effort). Not
/// `SCHED_IDLE`: that thread could starve for long while holding a lock others need (an allocator's
/// arena lock when it frees a kernel another thread allocated); a nice level still gets its share.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain system calls on the calling thread (`gettid`; `PRIO_PROCESS` with a thread
        // id addresses that one thread on Linux); they read and write no memory of ours.
        unsafe {
            let tid = libc::gettid() as libc::id_t;
            *libc::__errno_location() = 0;
            let now = libc::getpriority(libc::PRIO_PROCESS, tid);
            if now != -1 || *libc::__errno_location() == 0 {
                let _ = libc::setpriority(libc::PRIO_PROCESS, tid, (now + 10).min(19));
            }
        }
    }
}

/// Optimized compiles queued or in flight in this process.
pub fn background_compiles_pending() -> usize {
    if OWNER.load(Ordering::Acquire) != std::process::id() {
        return 0; // no thread here (never started, or the parent's before a fork)
    }
    PENDING.load(Ordering::Acquire)
}

/// Waits until no optimized compile is queued or in flight, at most `timeout`; returns whether none is
/// (for tests and benchmarks that want the steady state).
pub fn wait_for_background_compiles(timeout: Duration) -> bool {
    let t0 = Instant::now();
    loop {
        if background_compiles_pending() == 0 {
            return true;
        }
        if t0.elapsed() >= timeout {
            return false;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
}
