//! Pinning the kernel pool's workers, one per CPU (Linux).
//!
//! Why: when the pool has one worker per CPU, Linux's wake-up placement can put both workers of a
//! two-core machine on the same CPU (the waker's, when the other CPU ran something else a moment
//! ago: a single-threaded NumPy loop in the same process, another process) and the load balancer
//! takes tens of milliseconds to spread them again. Meanwhile a split kernel runs at one core's speed
//! with both workers taking turns: `sum(abs(u[:, None] - v[None, :]))` on 4096^2 float64 took 3.2 ms
//! (CPU time = wall time) for every call after a NumPy loop, 1.6 ms with the workers pinned
//! (bench/README.md, "Memory-bound rows" of issue 11). Pinning is only done when the pool has
//! exactly one worker per CPU the process may use, so it never crowds a CPU the process was not
//! given, and it can be turned off (`LAZULITE_PIN_THREADS=0`, [`crate::Config::pin_threads`]).

/// The CPUs worker `i` of a pool of `threads` workers is pinned to (`cpus[i]`), or `None` when the
/// pool is not pinned: pinning off, one worker, or not one worker per allowed CPU.
pub(crate) fn pin_plan(
    threads: usize,
    allowed: Option<Vec<usize>>,
    enabled: bool,
) -> Option<Vec<usize>> {
    let allowed = allowed?;
    (enabled && threads >= 2 && allowed.len() == threads).then_some(allowed)
}

/// The pool's start handler for a pool of `threads` workers: pins worker `i` to the `i`-th CPU the
/// calling thread may run on when [`pin_plan`] says so, else does nothing.
pub(crate) fn worker_start(threads: usize) -> impl Fn(usize) + Send + Sync + 'static {
    let plan = pin_plan(threads, allowed_cpus(), crate::config::config().pin_threads);
    move |i| {
        if let Some(&c) = plan.as_ref().and_then(|cpus| cpus.get(i)) {
            pin_current_thread(c);
        }
    }
}

/// The CPUs the calling thread may run on, in increasing order; `None` where unknown.
#[cfg(target_os = "linux")]
pub(crate) fn allowed_cpus() -> Option<Vec<usize>> {
    // SAFETY: `cpu_set_t` is a plain bit array; all zeros is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: pid 0 is the calling thread; `set` is a valid, writable `cpu_set_t` of the size passed.
    let rc =
        unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    if rc != 0 {
        return None;
    }
    let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
        // SAFETY: `c` is below CPU_SETSIZE, the number of CPUs a `cpu_set_t` holds.
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect();
    (!cpus.is_empty()).then_some(cpus)
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn allowed_cpus() -> Option<Vec<usize>> {
    None
}

/// Restricts the calling thread to `cpu`. Returns whether the system accepted it (a failure leaves
/// the thread where it was: pinning is an optimisation, never an error).
#[cfg(target_os = "linux")]
pub(crate) fn pin_current_thread(cpu: usize) -> bool {
    if cpu >= libc::CPU_SETSIZE as usize {
        return false;
    }
    // SAFETY: `cpu_set_t` is a plain bit array; all zeros is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cpu` is below CPU_SETSIZE (checked above); `set` is a valid `cpu_set_t`.
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: pid 0 is the calling thread; `set` is a valid `cpu_set_t` of the size passed.
    unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0 }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn pin_current_thread(_cpu: usize) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_pins_only_one_worker_per_allowed_cpu() {
        assert_eq!(pin_plan(2, Some(vec![0, 1]), true), Some(vec![0, 1]));
        assert_eq!(pin_plan(3, Some(vec![2, 5, 7]), true), Some(vec![2, 5, 7]));
        assert_eq!(pin_plan(2, Some(vec![0, 1]), false), None, "turned off");
        assert_eq!(
            pin_plan(1, Some(vec![0]), true),
            None,
            "one worker: nothing to spread"
        );
        assert_eq!(
            pin_plan(2, Some(vec![0, 1, 2, 3]), true),
            None,
            "fewer workers than CPUs"
        );
        assert_eq!(
            pin_plan(4, Some(vec![0, 1]), true),
            None,
            "more workers than CPUs"
        );
        assert_eq!(pin_plan(2, None, true), None, "affinity unknown");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_pinned_thread_runs_only_on_its_cpu() {
        let allowed = allowed_cpus().expect("sched_getaffinity works on Linux");
        let last = *allowed.last().unwrap();
        // In a thread of its own, so that the test harness's thread keeps its affinity.
        let seen = std::thread::spawn(move || {
            assert!(pin_current_thread(last));
            let on = allowed_cpus();
            // SAFETY: sched_getcpu has no preconditions.
            let now = unsafe { libc::sched_getcpu() };
            (on, now)
        })
        .join()
        .unwrap();
        assert_eq!(seen.0, Some(vec![last]));
        assert_eq!(seen.1, last as i32);
        assert!(!pin_current_thread(libc::CPU_SETSIZE as usize));
    }
}
