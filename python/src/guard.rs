//! The one door from Python into the engine: release the GIL, catch panics, map errors.

use lazulite_ir::{Error, ErrorKind};
use pyo3::exceptions::{
    PyBufferError, PyIndexError, PyMemoryError, PyNotImplementedError, PyOverflowError,
    PyRuntimeError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};

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

/// Runs `f` (a call into the engine) with the GIL released, turning a panic into `RuntimeError` and an
/// engine [`Error`] into the spec's exception. Every binding that calls the frontend goes through here.
pub fn engine<T, F>(py: Python<'_>, op: &str, f: F) -> PyResult<T>
where
    F: FnOnce() -> lazulite_ir::Result<T> + Send,
    T: Send,
{
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(f)));
    match outcome {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_pyerr(e)),
        Err(payload) => Err(PyRuntimeError::new_err(format!(
            "{op}: internal error in lazulite (a panic: {}); this is a bug, please report it",
            panic_message(payload.as_ref())
        ))),
    }
}

/// Shorthand for a `TypeError` built from a message.
pub fn type_error(msg: impl Into<String>) -> PyErr {
    PyTypeError::new_err(msg.into())
}

/// Shorthand for a `ValueError` built from a message.
pub fn value_error(msg: impl Into<String>) -> PyErr {
    PyValueError::new_err(msg.into())
}
