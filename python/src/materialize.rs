//! The one materialisation choke point and what reads its result: scalars, the buffer export.
//!
//! `compute()`, `bool/int/float/complex/index`, `__array__`, the buffer protocol and `repr` all call
//! [`materialize`]. It computes (once: the array remembers its value), counts the computations it
//! triggered, and applies the policy for *implicit* materialisation (allow / warn / raise). Python
//! reads values on the host: for an array on a GPU, an implicit request returns a host copy (made
//! here, the only device-to-host copy of the Python layer, counted by
//! `_stats()["host_copies_of_device_arrays"]` and governed by the same policy); `compute()` leaves
//! the value on its device.

use crate::guard::{engine, engine_interruptible};
use lazulite_frontend::{ArrayData, LazyArray, Scalar};
use pyo3::exceptions::{PyRuntimeError, PyRuntimeWarning};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};

static COMPUTATIONS: AtomicU64 = AtomicU64::new(0);
static HOST_COPIES: AtomicU64 = AtomicU64::new(0);

/// How many device arrays Python copied to the host to read them (see the module doc).
pub fn host_copies_of_device_arrays() -> u64 {
    HOST_COPIES.load(Ordering::Relaxed)
}
static POLICY: AtomicU8 = AtomicU8::new(POLICY_ALLOW);

const POLICY_ALLOW: u8 = 0;
const POLICY_WARN: u8 = 1;
const POLICY_RAISE: u8 = 2;

/// Why a value is needed: an explicit request (`compute()`, `compute_many`) or an implicit one
/// (Python demands a value: `bool(x)`, `repr(x)`, `np.asarray(x)`, ...), which the policy governs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Explicit,
    Implicit(&'static str),
}

/// The one choke point: the realized value of `x`, computing it (GIL released) when needed. An
/// implicit request (Python reads the values) for an array on a GPU gets a host copy.
pub fn materialize(py: Python<'_>, x: &LazyArray, why: Reason) -> PyResult<ArrayData> {
    let data = compute_value(py, x, why)?;
    match why {
        Reason::Implicit(what) if data.device() != lazulite_ir::Device::Cpu => {
            let device = data.device();
            policy(
                py,
                || {
                    format!(
                        "{what}: implicit copying an array from {device} to the host is disabled \
                         (lazulite.set_implicit_compute(\"raise\")); call .to_device(\"cpu\") first"
                    )
                },
                || {
                    format!(
                        "{what}: implicit copying an array from {device} to the host; \
                         call .to_device(\"cpu\") to make this explicit"
                    )
                },
            )?;
            HOST_COPIES.fetch_add(1, Ordering::Relaxed);
            engine(py, what, move || {
                lazulite_frontend::to_device(&data, lazulite_ir::Device::Cpu)
            })
        }
        _ => Ok(data),
    }
}

/// Applies the implicit-materialisation policy: an error with the `refused` message, a
/// `RuntimeWarning` with the `warned` one, or nothing.
fn policy(
    py: Python<'_>,
    refused: impl FnOnce() -> String,
    warned: impl FnOnce() -> String,
) -> PyResult<()> {
    match POLICY.load(Ordering::Relaxed) {
        POLICY_RAISE => Err(PyRuntimeError::new_err(refused())),
        POLICY_WARN => PyErr::warn(
            py,
            &py.get_type::<PyRuntimeWarning>(),
            &std::ffi::CString::new(warned()).unwrap_or_default(),
            1,
        ),
        _ => Ok(()),
    }
}

/// The realized value of `x` (on its device), computing it when needed.
pub fn compute_value(py: Python<'_>, x: &LazyArray, why: Reason) -> PyResult<ArrayData> {
    if let Some(d) = x.realized() {
        return Ok(d);
    }
    if let Reason::Implicit(what) = why {
        policy(
            py,
            || {
                format!(
                    "{what}: implicit computation of a lazy array is disabled \
                     (lazulite.set_implicit_compute(\"raise\")); call .compute() first"
                )
            },
            || {
                format!(
                    "{what}: implicitly computing a lazy array; call .compute() to make this explicit"
                )
            },
        )?;
    }
    COMPUTATIONS.fetch_add(1, Ordering::Relaxed);
    let what = match why {
        Reason::Explicit => "compute",
        Reason::Implicit(w) => w,
    };
    let x = x.clone();
    if lazulite_frontend::is_small_work(&[&x]) {
        return engine(py, what, move || x.compute());
    }
    if let Some(p) = engine(py, what, || lazulite_frontend::prepare_remembered(&[&x]))? {
        let quick = p.is_small(QUICK_WORK);
        let one = |v: Vec<ArrayData>| v.into_iter().next();
        let run = move || {
            p.run().and_then(|v| {
                one(v).ok_or_else(|| {
                    lazulite_ir::Error::new(
                        lazulite_ir::ErrorKind::Internal,
                        "compute: no result for the array",
                    )
                })
            })
        };
        return run_prepared(py, what, run, quick);
    }
    engine_interruptible(py, what, move || x.compute())
}

/// Loop points times kernel instructions below which a computation whose plan is known is certainly
/// quick (well under a millisecond compiled, a few interpreted): it runs on the calling thread.
const QUICK_WORK: usize = 1 << 18;

/// Runs a computation the walk's memo planned already ([`lazulite_frontend::prepare_remembered`]): at
/// once when `quick` (no hand-off to the driver thread and back; its garbage is still freed there),
/// else through the interruptible path.
fn run_prepared<T: Send + 'static>(
    py: Python<'_>,
    what: &str,
    run: impl FnOnce() -> lazulite_ir::Result<T> + Send + 'static,
    quick: bool,
) -> PyResult<T> {
    if quick {
        return crate::guard::engine_release_later(py, what, run);
    }
    engine_interruptible(py, what, run)
}

/// Whether implicit computation is refused (`set_implicit_compute("raise")`): `repr` then shows what
/// it knows without computing.
pub fn implicit_refused() -> bool {
    POLICY.load(Ordering::Relaxed) == POLICY_RAISE
}

/// Several arrays at once (shared subgraphs computed once); explicit.
pub fn materialize_many(py: Python<'_>, xs: Vec<LazyArray>) -> PyResult<Vec<ArrayData>> {
    if xs.iter().any(|x| x.realized().is_none()) {
        COMPUTATIONS.fetch_add(1, Ordering::Relaxed);
    }
    let refs: Vec<&LazyArray> = xs.iter().collect();
    if lazulite_frontend::is_small_work(&refs) {
        return engine(py, "compute_many", move || {
            let refs: Vec<&LazyArray> = xs.iter().collect();
            lazulite_frontend::compute_many(&refs)
        });
    }
    if let Some(p) = engine(py, "compute_many", || {
        lazulite_frontend::prepare_remembered(&refs)
    })? {
        // every array, realized or not, in order: the pending ones get their values from the run
        let quick = p.is_small(QUICK_WORK);
        let run = move || {
            p.run()?;
            xs.iter()
                .map(|x| {
                    x.realized().ok_or_else(|| {
                        lazulite_ir::Error::new(
                            lazulite_ir::ErrorKind::Internal,
                            "compute_many: an array has no value after the run",
                        )
                    })
                })
                .collect()
        };
        return run_prepared(py, "compute_many", run, quick);
    }
    engine_interruptible(py, "compute_many", move || {
        let refs: Vec<&LazyArray> = xs.iter().collect();
        lazulite_frontend::compute_many(&refs)
    })
}

/// How many computations lazulite has run in this process (explicit and implicit).
///
/// For tests and diagnostics: compare it before and after a block of code to see whether (and how
/// often) the block forced values.
///
/// >>> before = lz.materialization_count()
/// >>> y = lz.asarray([1.0, 2.0]) * 3      # lazy: nothing runs
/// >>> lz.materialization_count() - before
/// 0
/// >>> _ = y.compute()
/// >>> lz.materialization_count() - before
/// 1
#[pyfunction]
pub fn materialization_count() -> u64 {
    COMPUTATIONS.load(Ordering::Relaxed)
}

/// Sets what happens when Python needs a value that has not been computed yet.
///
/// Implicit computations are `bool(x)`, `int(x)`, `float(x)`, `repr(x)`, `np.asarray(x)`, the
/// buffer protocol, DLPack and pickling. `policy`: `"allow"` (the default: compute silently),
/// `"warn"` (also emit a `RuntimeWarning`) or `"raise"` (a `RuntimeError` instead). `x.compute()`
/// and `compute_many` always run. Returns the previous policy, so that it can be restored.
///
/// >>> old = lz.set_implicit_compute("raise")
/// >>> float(lz.sum(lz.ones(3)).compute())       # explicit: allowed
/// 3.0
/// >>> lz.set_implicit_compute(old)
/// 'raise'
#[pyfunction]
#[pyo3(signature = (policy, /))]
pub fn set_implicit_compute(policy: &Bound<'_, PyAny>) -> PyResult<&'static str> {
    let new = match crate::convert::choice_arg(
        "set_implicit_compute",
        "policy",
        Some(policy),
        &["allow", "warn", "raise"],
    )? {
        "allow" => POLICY_ALLOW,
        "warn" => POLICY_WARN,
        _ => POLICY_RAISE,
    };
    let old = POLICY.swap(new, Ordering::Relaxed);
    Ok(match old {
        POLICY_WARN => "warn",
        POLICY_RAISE => "raise",
        _ => "allow",
    })
}

// ---------------------------------------------------------------------------------------------------
// data-dependent shapes

/// Whether the engine implements operations whose output shape depends on values (boolean indexing,
/// `nonzero`, `unique_*`, `repeat` with array repeats). Such an operation must compute its input in
/// the middle of building a graph, so it goes through this choke point.
pub const DATA_DEPENDENT_IMPLEMENTED: bool = true;

static DATA_DEPENDENT_ALLOWED: AtomicBool = AtomicBool::new(true);

/// Whether operations with data-dependent shapes may run (not switched off with
/// `set_data_dependent_shapes(False)`), for those that are implemented (`repeat` with array repeats).
pub fn data_dependent_allowed() -> bool {
    DATA_DEPENDENT_ALLOWED.load(Ordering::Relaxed)
}

/// Whether data-dependent shapes are available: implemented, and not switched off with
/// `set_data_dependent_shapes(False)`. What `capabilities()` reports for "boolean indexing" and
/// "data-dependent shapes", and what those operations check before they run.
pub fn data_dependent_shapes() -> bool {
    DATA_DEPENDENT_IMPLEMENTED && DATA_DEPENDENT_ALLOWED.load(Ordering::Relaxed)
}

/// Allows (`True`, the default) or forbids (`False`) operations whose output shape depends on
/// values.
///
/// These are `nonzero`, the `unique_*` functions, boolean-mask indexing and `repeat` with array
/// repeats: each computes its input while the graph is being built. When forbidden they raise, and
/// `__array_namespace_info__().capabilities()` reports them unavailable. Returns the previous
/// setting.
///
/// >>> lz.set_data_dependent_shapes(False)
/// True
/// >>> lz.__array_namespace_info__().capabilities()["data-dependent shapes"]
/// False
/// >>> lz.set_data_dependent_shapes(True)
/// False
#[pyfunction]
#[pyo3(signature = (enabled, /))]
pub fn set_data_dependent_shapes(enabled: &Bound<'_, PyAny>) -> PyResult<bool> {
    let enabled =
        crate::convert::bool_arg("set_data_dependent_shapes", "enabled", Some(enabled), true)?;
    Ok(DATA_DEPENDENT_ALLOWED.swap(enabled, Ordering::Relaxed))
}

/// The namespace's capabilities (`__array_namespace_info__().capabilities()`).
#[pyfunction]
pub fn _capabilities(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let d = pyo3::types::PyDict::new(py);
    d.set_item("boolean indexing", data_dependent_shapes())?;
    d.set_item("data-dependent shapes", data_dependent_shapes())?;
    d.set_item("max dimensions", lazulite_ir::shape::MAX_DIMS)?;
    Ok(d)
}

/// The single element of a 0-D realized array.
pub fn scalar_of(data: &ArrayData) -> PyResult<Scalar> {
    data.try_get(&[]).map_err(crate::guard::to_pyerr)
}

/// `(2, 3)`, `(4,)`, `()`.
pub fn shape_tuple_text(shape: &[usize]) -> String {
    match shape {
        [] => "()".into(),
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
