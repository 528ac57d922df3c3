//! The `linalg` extension's extern-backed functions, in the submodule `_lazulite._linalg`. The public
//! `lazulite.linalg` module (`python/lazulite/linalg.py`) wraps them with the spec's signatures and
//! named tuples, and composes the rest of the extension from namespace functions.

use crate::array::PyArray;
use crate::convert::array_arg;
use crate::guard::engine;
use lazulite_frontend::{self as fe, LazyArray};
use pyo3::prelude::*;
use pyo3::types::{PyModule, PyTuple};

fn wrap(arrays: Vec<LazyArray>) -> Vec<PyArray> {
    arrays.into_iter().map(PyArray::new).collect()
}

macro_rules! single {
    ($name:ident, $text:literal) => {
        #[pyfunction]
        #[pyo3(signature = (x, /))]
        fn $name(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<PyArray> {
            let x = array_arg($text, "x", x)?;
            Ok(PyArray::new(engine(py, $text, move || fe::$name(&x))?))
        }
    };
}

macro_rules! several {
    ($name:ident, $text:literal) => {
        #[pyfunction]
        #[pyo3(signature = (x, /))]
        fn $name<'py>(py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
            let x = array_arg($text, "x", x)?;
            PyTuple::new(py, wrap(engine(py, $text, move || fe::$name(&x))?))
        }
    };
}

single!(inv, "inv");
single!(det, "det");
single!(svdvals, "svdvals");
single!(eigvalsh, "eigvalsh");
single!(eigvals, "eigvals");
several!(slogdet, "slogdet");
several!(eigh, "eigh");
several!(eig, "eig");

#[pyfunction]
#[pyo3(signature = (x, /, upper))]
fn cholesky(py: Python<'_>, x: &Bound<'_, PyAny>, upper: bool) -> PyResult<PyArray> {
    let x = array_arg("cholesky", "x", x)?;
    Ok(PyArray::new(engine(py, "cholesky", move || {
        fe::cholesky(&x, upper)
    })?))
}

#[pyfunction]
#[pyo3(signature = (x, /, mode))]
fn qr<'py>(py: Python<'py>, x: &Bound<'py, PyAny>, mode: String) -> PyResult<Bound<'py, PyTuple>> {
    let x = array_arg("qr", "x", x)?;
    PyTuple::new(py, wrap(engine(py, "qr", move || fe::qr(&x, &mode))?))
}

#[pyfunction]
#[pyo3(signature = (x, /, full_matrices))]
fn svd<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    full_matrices: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let x = array_arg("svd", "x", x)?;
    PyTuple::new(
        py,
        wrap(engine(py, "svd", move || fe::svd(&x, full_matrices))?),
    )
}

#[pyfunction]
#[pyo3(signature = (x1, x2, /))]
fn solve(py: Python<'_>, x1: &Bound<'_, PyAny>, x2: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    let a = array_arg("solve", "x1", x1)?;
    let b = array_arg("solve", "x2", x2)?;
    Ok(PyArray::new(engine(py, "solve", move || {
        fe::solve(&a, &b)
    })?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let sub = PyModule::new(m.py(), "_linalg")?;
    for f in [
        wrap_pyfunction!(cholesky, &sub)?,
        wrap_pyfunction!(inv, &sub)?,
        wrap_pyfunction!(det, &sub)?,
        wrap_pyfunction!(slogdet, &sub)?,
        wrap_pyfunction!(qr, &sub)?,
        wrap_pyfunction!(svd, &sub)?,
        wrap_pyfunction!(svdvals, &sub)?,
        wrap_pyfunction!(eigh, &sub)?,
        wrap_pyfunction!(eigvalsh, &sub)?,
        wrap_pyfunction!(eig, &sub)?,
        wrap_pyfunction!(eigvals, &sub)?,
        wrap_pyfunction!(solve, &sub)?,
    ] {
        sub.add_function(f)?;
    }
    m.add_submodule(&sub)
}
