//! The runtime's progress hook, forwarded to a Python callable (`lazulite._progress` draws the
//! terminal bar or calls the user's callback).

use lazulite_frontend::{set_progress_hook, Progress};
use pyo3::prelude::*;
use std::sync::Arc;
use std::time::Duration;

/// Installs `callback` (or, with `None`, removes the hook): after a compute has run `delay` seconds,
/// the executor calls `callback(kernels_done, kernels_total, externs_done, externs_total,
/// bytes_done, bytes_total, elapsed_seconds, finished)` at most every 100 ms (also from within a
/// long kernel, from a worker thread, one call at a time) and once at the end.
/// An exception in the callback is reported as unraisable and the compute goes on.
#[pyfunction]
#[pyo3(name = "_set_progress_hook", signature = (callback, delay))]
pub fn set_progress(callback: Option<Py<PyAny>>, delay: f64) -> PyResult<()> {
    let delay = Duration::try_from_secs_f64(delay).map_err(|_| {
        pyo3::exceptions::PyValueError::new_err(format!(
            "set_progress: delay must be a finite number of seconds >= 0, got {delay}"
        ))
    })?;
    let hook = callback.map(|cb| {
        let cb = Arc::new(cb);
        Arc::new(move |p: &Progress| {
            Python::attach(|py| {
                let args = (
                    p.kernels_done,
                    p.kernels_total,
                    p.externs_done,
                    p.externs_total,
                    p.bytes_done,
                    p.bytes_total,
                    p.elapsed.as_secs_f64(),
                    p.finished,
                );
                if let Err(e) = cb.call1(py, args) {
                    e.write_unraisable(py, Some(cb.bind(py)));
                }
            })
        }) as lazulite_frontend::ProgressHook
    });
    set_progress_hook(hook, delay);
    Ok(())
}
