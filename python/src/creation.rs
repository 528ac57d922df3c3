//! Creation functions composed in the frontend: `linspace`, `eye`, `meshgrid`, `tril`, `triu`.

use crate::array::PyArray;
use crate::convert::{
    array_arg, array_tuple, bool_arg, choice_arg, int_arg, saturating_int_arg, scalar_for,
    type_name,
};
use crate::dtype::{check_device, dtype_arg};
use crate::guard::{engine, type_error};
use lazulite_frontend::{self as fe, DType, LazyArray, Scalar};
use pyo3::prelude::*;
use pyo3::types::{PyModule, PyTuple};

/// A `linspace` bound: a Python int, float or complex (bools are not numbers here).
fn bound_arg(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    // the result is floating-point, so a Python int beyond int64 is taken as the nearest float
    match scalar_for("linspace", what, obj, Some(DType::DEFAULT_FLOAT))? {
        Some(s @ (Scalar::Int(_) | Scalar::UInt(_) | Scalar::Float(_) | Scalar::Complex(..))) => {
            Ok(s)
        }
        _ => Err(type_error(format!(
            "linspace: {what} must be a Python int, float or complex, got {}",
            type_name(obj)
        ))),
    }
}

#[pyfunction]
#[pyo3(
    signature = (start, stop, /, num, *, dtype = None, device = None, endpoint = None),
    text_signature = "(start, stop, /, num, *, dtype=None, device=None, endpoint=True)"
)]
#[allow(clippy::too_many_arguments)]
fn linspace(
    py: Python<'_>,
    start: &Bound<'_, PyAny>,
    stop: &Bound<'_, PyAny>,
    num: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    endpoint: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    check_device("linspace", device)?;
    let endpoint = bool_arg("linspace", "endpoint", endpoint, true)?;
    let a = bound_arg("start", start)?;
    let b = bound_arg("stop", stop)?;
    let n = int_arg("linspace", "num", num)?;
    let d = dtype_arg("linspace", dtype)?;
    Ok(PyArray::new(engine(py, "linspace", move || {
        fe::linspace(a, b, n, d, endpoint)
    })?))
}

#[pyfunction]
#[pyo3(
    signature = (n_rows, n_cols = None, /, *, k = None, dtype = None, device = None),
    text_signature = "(n_rows, n_cols=None, /, *, k=0, dtype=None, device=None)"
)]
fn eye(
    py: Python<'_>,
    n_rows: &Bound<'_, PyAny>,
    n_cols: Option<&Bound<'_, PyAny>>,
    k: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    check_device("eye", device)?;
    let n = int_arg("eye", "n_rows", n_rows)?;
    let m = match n_cols {
        Some(c) if !c.is_none() => Some(int_arg("eye", "n_cols", c)?),
        _ => None,
    };
    let k = diagonal_arg("eye", k)?;
    let d = dtype_arg("eye", dtype)?;
    Ok(PyArray::new(engine(py, "eye", move || {
        fe::eye(n, m, k, d)
    })?))
}

#[pyfunction]
#[pyo3(signature = (*arrays, indexing = None), text_signature = "(*arrays, indexing='xy')")]
fn meshgrid<'py>(
    py: Python<'py>,
    arrays: &Bound<'py, PyTuple>,
    indexing: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let indexing = choice_arg("meshgrid", "indexing", indexing, &["xy", "ij"])?;
    let xs: Vec<LazyArray> = arrays
        .iter()
        .enumerate()
        .map(|(i, a)| array_arg("meshgrid", &format!("arrays[{i}]"), &a))
        .collect::<PyResult<_>>()?;
    let out = engine(py, "meshgrid", move || {
        let refs: Vec<&LazyArray> = xs.iter().collect();
        fe::meshgrid(&refs, indexing)
    })?;
    array_tuple(py, out)
}

/// A diagonal offset `k` (default 0). Offsets beyond the int64 range select the same diagonals as
/// its ends (none of them inside any array), so they saturate rather than fail.
fn diagonal_arg(func: &str, k: Option<&Bound<'_, PyAny>>) -> PyResult<i64> {
    match k {
        Some(k) => saturating_int_arg(func, "k", k),
        None => Ok(0),
    }
}

type TriangleFn = fn(&LazyArray, i64) -> fe::Result<LazyArray>;

fn triangle(
    py: Python<'_>,
    func: &'static str,
    f: TriangleFn,
    x: &Bound<'_, PyAny>,
    k: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg(func, "x", x)?;
    let k = diagonal_arg(func, k)?;
    Ok(PyArray::new(engine(py, func, move || f(&x, k))?))
}

#[pyfunction]
#[pyo3(signature = (x, /, *, k = None), text_signature = "(x, /, *, k=0)")]
fn tril(py: Python<'_>, x: &Bound<'_, PyAny>, k: Option<&Bound<'_, PyAny>>) -> PyResult<PyArray> {
    triangle(py, "tril", fe::tril, x, k)
}

#[pyfunction]
#[pyo3(signature = (x, /, *, k = None), text_signature = "(x, /, *, k=0)")]
fn triu(py: Python<'_>, x: &Bound<'_, PyAny>, k: Option<&Bound<'_, PyAny>>) -> PyResult<PyArray> {
    triangle(py, "triu", fe::triu, x, k)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    for f in [
        wrap_pyfunction!(linspace, m)?,
        wrap_pyfunction!(eye, m)?,
        wrap_pyfunction!(meshgrid, m)?,
        wrap_pyfunction!(tril, m)?,
        wrap_pyfunction!(triu, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
