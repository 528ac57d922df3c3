//! The one door from Python into the engine: release the GIL, catch panics, map errors; and, for
//! calls that compute, stay responsive to Ctrl-C.
//!
//! Python runs signal handlers only on the main thread, and only while that thread holds the GIL, but
//! the engine runs with the GIL released. So [`engine_interruptible`], on the main thread, runs the
//! call on a persistent driver thread and waits for it in slices of [`POLL`], taking the GIL between
//! slices to let Python run its signal handlers (`PyErr_CheckSignals`). When a handler raises (Ctrl-C:
//! `KeyboardInterrupt`), it raises the call's cancel flag ([`lazulite_ir::cancel`]), which the
//! runtime looks at between bounded pieces of work; the call unwinds through its error path (its
//! temporaries go back to the pool, the arrays stay lazy) and the handler's exception is raised.

use lazulite_ir::{Error, ErrorKind};
use pyo3::exceptions::{
    PyBufferError, PyIndexError, PyKeyboardInterrupt, PyMemoryError, PyNotImplementedError,
    PyOverflowError, PyRuntimeError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the main thread waits for a computing call before it looks for signals again.
const POLL: Duration = Duration::from_millis(20);

/// The Python exception the array API standard names for an engine error.
pub fn to_pyerr(e: Error) -> PyErr {
    let msg = e.message;
    match e.kind {
        ErrorKind::Type => PyTypeError::new_err(msg),
        ErrorKind::Value => PyValueError::new_err(msg),
        ErrorKind::Index => PyIndexError::new_err(msg),
        ErrorKind::Overflow => PyOverflowError::new_err(msg),
        ErrorKind::Buffer => PyBufferError::new_err(msg),
        ErrorKind::Memory => PyMemoryError::new_err(msg),
        ErrorKind::NotImplemented => PyNotImplementedError::new_err(msg),
        ErrorKind::Internal => PyRuntimeError::new_err(msg),
        ErrorKind::Interrupted => PyKeyboardInterrupt::new_err(msg),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

type Outcome<T> = std::thread::Result<lazulite_ir::Result<T>>;

fn finish<T>(op: &str, outcome: Outcome<T>) -> PyResult<T> {
    match outcome {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_pyerr(e)),
        Err(payload) => Err(PyRuntimeError::new_err(format!(
            "{op}: internal error in lazulite (a panic: {}); this is a bug, please report it",
            panic_message(payload.as_ref())
        ))),
    }
}

/// Runs `f` (a call into the engine) with the GIL released, turning a panic into `RuntimeError` and an
/// engine [`Error`] into the spec's exception. Every binding that calls the frontend goes through here
/// (or through [`engine_interruptible`] when it may compute).
pub fn engine<T, F>(py: Python<'_>, op: &str, f: F) -> PyResult<T>
where
    F: FnOnce() -> lazulite_ir::Result<T> + Send,
    T: Send,
{
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(f)));
    finish(op, outcome)
}

/// [`engine`] for a call that computes quickly (the caller knows its plan and its kernels' size): what
/// the computation lets go of (operand chains, the walk's node list) is freed on the driver thread
/// after the result is handed over, as [`engine_interruptible`] does, not in the caller's time; light
/// garbage is pooled first, so that the driver is woken once for several calls ([`pool_garbage`]).
pub fn engine_release_later<T, F>(py: Python<'_>, op: &str, f: F) -> PyResult<T>
where
    F: FnOnce() -> lazulite_ir::Result<T> + Send,
    T: Send,
{
    let outcome = py.detach(|| {
        catch_unwind(AssertUnwindSafe(|| lazulite_frontend::deferring_release(f))).map(
            |(r, released)| {
                if let Some(batch) = pool_garbage(released) {
                    match driver() {
                        // A panic while freeing must not unwind out of the pool's thread.
                        Ok(d) => d.spawn(move || {
                            let _ = catch_unwind(AssertUnwindSafe(move || drop(batch)));
                        }),
                        Err(_) => drop(batch),
                    }
                }
                r
            },
        )
    });
    finish(op, outcome)
}

/// Garbage of quick calls ([`engine_release_later`]) waiting to be freed on the driver thread: the
/// pool, the nodes it holds, and when its first part came.
type Pool = (lazulite_frontend::Released, usize, Instant);
static PENDING: Mutex<Option<Pool>> = Mutex::new(None);

/// Nodes of light garbage pooled before the driver thread is woken to free them. Waking a sleeping
/// thread cost the waker 10 us a call (`futex_wake` and the interrupt to the other CPU, idle, of this
/// VM: 8% of the warm 1000-op chain's compute); pooled, that chain's calls wake it once in five.
const PENDING_NODES: usize = 1 << 13;

/// How long light garbage may wait for more: the pool is freed by the first call after that (or
/// by the next computation on the driver thread), so a program that stops computing keeps at most
/// one pool (under [`PENDING_NODES`] nodes and 64 KiB of inputs a call) until it computes again.
const PENDING_AGE: Duration = Duration::from_millis(50);

/// Pools `released` with the garbage of earlier quick calls; the whole pool, to be freed now, once it
/// holds [`PENDING_NODES`] nodes, is older than [`PENDING_AGE`], or when `released` holds data that
/// should not wait (see [`lazulite_frontend::Released::light_weight`]). `None`: nothing to free now.
fn pool_garbage(released: lazulite_frontend::Released) -> Option<lazulite_frontend::Released> {
    if released.is_empty() {
        return None;
    }
    let weight = released.light_weight();
    let mut g = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    let now = Instant::now();
    let (mut pool, nodes, since) = g.take().unwrap_or_else(|| (Default::default(), 0, now));
    pool.append(released);
    match weight.map(|w| nodes + w) {
        Some(n) if n < PENDING_NODES && now.duration_since(since) < PENDING_AGE => {
            *g = Some((pool, n, since));
            None
        }
        _ => Some(pool),
    }
}

/// The pooled garbage of quick calls, to be freed by the caller (the driver thread, on its way).
fn take_pooled_garbage() -> Option<lazulite_frontend::Released> {
    PENDING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .map(|(pool, ..)| pool)
}

/// The thread that runs interruptible calls of the main thread (one: the main thread runs one call at
/// a time; the work itself spreads over the runtime's pool). Started at import ([`warm_up`]); a
/// process forked after that has no such thread, so a pool started by another process id is left
/// alone (never dropped: it would wait for a thread that does not exist here) and a new one started.
fn driver() -> PyResult<Arc<rayon::ThreadPool>> {
    static DRIVER: Mutex<Option<(u32, Arc<rayon::ThreadPool>)>> = Mutex::new(None);
    let pid = std::process::id();
    let mut g = DRIVER.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((owner, pool)) = &*g {
        if *owner == pid {
            return Ok(pool.clone());
        }
    }
    if let Some(inherited) = g.take() {
        std::mem::forget(inherited);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "lazulite-driver".to_string())
        .build()
        .map_err(|e| {
            PyRuntimeError::new_err(format!(
                "compute: cannot start lazulite's driver thread ({e}); the system refused a new thread"
            ))
        })?;
    let pool = Arc::new(pool);
    *g = Some((pid, pool.clone()));
    Ok(pool)
}

/// Starts the driver thread, the runtime's worker pool and the JIT's set-up
/// ([`lazulite_frontend::warm_up`]) at import, so that the first computation does not wait for threads
/// to be created and scheduled. Done before import returns, so that a process forked right after
/// import inherits nothing half-initialised. Failures are left for the first computation to report.
pub fn warm_up() {
    let _ = driver();
    let _ = catch_unwind(lazulite_frontend::warm_up);
}

/// Whether this is Python's main thread (the only one that runs signal handlers); asked once per thread.
fn on_main_thread(py: Python<'_>) -> bool {
    thread_local! {
        static MAIN: Cell<Option<bool>> = const { Cell::new(None) };
    }
    if let Some(m) = MAIN.with(Cell::get) {
        return m;
    }
    let ask = || -> PyResult<bool> {
        let threading = py.import("threading")?;
        let main = threading.call_method0("main_thread")?.getattr("ident")?;
        let me = threading.call_method0("get_ident")?;
        main.eq(me)
    };
    let m = ask().unwrap_or(false);
    MAIN.with(|c| c.set(Some(m)));
    m
}

/// [`engine`] for calls that may compute for long: on the main thread, a Ctrl-C during the call
/// cancels it within about [`POLL`] plus one piece of work, and raises the `KeyboardInterrupt` (or
/// whatever the SIGINT handler raised). Elsewhere (other threads get no signals) it is [`engine`].
pub fn engine_interruptible<T, F>(py: Python<'_>, op: &str, f: F) -> PyResult<T>
where
    F: FnOnce() -> lazulite_ir::Result<T> + Send + 'static,
    T: Send + 'static,
{
    if !on_main_thread(py) {
        return engine(py, op, f);
    }
    let driver = driver()?;
    let flag = Arc::new(AtomicBool::new(false));
    let mut raised: Option<PyErr> = None;
    let outcome = py.detach(|| {
        let (tx, rx) = sync_channel::<Outcome<T>>(1);
        let job_flag = flag.clone();
        // A job of its own (not a scope): what the computation let go of (the operand chain, the
        // interned graph) is freed after the result is handed over, while the caller goes on. The
        // driver runs one job at a time, so that is done before the next call's work starts.
        driver.spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(|| {
                lazulite_ir::cancel::with_cancel(job_flag, || {
                    lazulite_frontend::deferring_release(f)
                })
            }));
            let (r, released) = match r {
                Ok((r, released)) => (Ok(r), Some(released)),
                Err(payload) => (Err(payload), None),
            };
            let _ = tx.send(r);
            // A panic while freeing must not unwind out of the pool's thread. The driver is
            // awake: it frees the quick calls' pooled garbage too.
            let _ = catch_unwind(AssertUnwindSafe(move || {
                drop(released);
                drop(take_pooled_garbage());
            }));
        });
        loop {
            match rx.recv_timeout(POLL) {
                Ok(r) => return r,
                Err(RecvTimeoutError::Timeout) => {
                    if raised.is_none() {
                        if let Err(e) = Python::attach(|py| py.check_signals()) {
                            // Cancel, then keep waiting while the call unwinds.
                            flag.store(true, Ordering::Relaxed);
                            raised = Some(e);
                        }
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Ok(Err(Error::new(
                        ErrorKind::Internal,
                        "the driver thread ended without a result",
                    )))
                }
            }
        }
    });
    if let Some(e) = raised {
        return Err(e);
    }
    finish(op, outcome)
}

/// Shorthand for a `TypeError` built from a message.
pub fn type_error(msg: impl Into<String>) -> PyErr {
    PyTypeError::new_err(msg.into())
}

/// Shorthand for a `ValueError` built from a message.
pub fn value_error(msg: impl Into<String>) -> PyErr {
    PyValueError::new_err(msg.into())
}
