//! Statistical and utility functions beyond the plain reductions: `std`, `var`, `cumulative_sum`,
//! `cumulative_prod`, `count_nonzero`, `diff`, `isin`.

use crate::array::PyArray;
use crate::convert::{array_arg, axes_arg, operand_arg, opt_axis_arg, type_name};
use crate::dtype::dtype_arg;
use crate::guard::{engine, type_error};
use lazulite_frontend::{self as fe, DType, LazyArray};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyModule};

type VarianceFn = fn(&LazyArray, Option<&[isize]>, f64, bool) -> fe::Result<LazyArray>;

/// `correction`: a Python int or float (not a bool).
fn correction_arg(func: &str, obj: &Bound<'_, PyAny>) -> PyResult<f64> {
    if obj.is_instance_of::<PyBool>() {
        return Err(type_error(format!(
            "{func}: correction must be an int or a float, got a bool"
        )));
    }
    obj.extract::<f64>().map_err(|_| {
        type_error(format!(
            "{func}: correction must be an int or a float, got {}",
            type_name(obj)
        ))
    })
}

fn variance_impl(
    py: Python<'_>,
    func: &'static str,
    f: VarianceFn,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    correction: Option<&Bound<'_, PyAny>>,
    keepdims: bool,
) -> PyResult<PyArray> {
    let x = array_arg(func, "x", x)?;
    let axes = axes_arg(func, axis)?;
    let c = match correction {
        Some(c) => correction_arg(func, c)?,
        None => 0.0,
    };
    Ok(PyArray::new(engine(py, func, move || {
        f(&x, axes.as_deref(), c, keepdims)
    })?))
}

#[pyfunction]
#[pyo3(
    name = "std",
    signature = (x, /, *, axis = None, correction = None, keepdims = false),
    text_signature = "(x, /, *, axis=None, correction=0.0, keepdims=False)"
)]
fn std_(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    correction: Option<&Bound<'_, PyAny>>,
    keepdims: bool,
) -> PyResult<PyArray> {
    variance_impl(py, "std", fe::std, x, axis, correction, keepdims)
}

#[pyfunction]
#[pyo3(
    name = "var",
    signature = (x, /, *, axis = None, correction = None, keepdims = false),
    text_signature = "(x, /, *, axis=None, correction=0.0, keepdims=False)"
)]
fn var_(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    correction: Option<&Bound<'_, PyAny>>,
    keepdims: bool,
) -> PyResult<PyArray> {
    variance_impl(py, "var", fe::var, x, axis, correction, keepdims)
}

type CumulativeFn = fn(&LazyArray, Option<isize>, Option<DType>, bool) -> fe::Result<LazyArray>;

fn cumulative_impl(
    py: Python<'_>,
    func: &'static str,
    f: CumulativeFn,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    include_initial: bool,
) -> PyResult<PyArray> {
    let x = array_arg(func, "x", x)?;
    let a = opt_axis_arg(func, axis)?;
    let d = dtype_arg(func, dtype)?;
    Ok(PyArray::new(engine(py, func, move || {
        f(&x, a, d, include_initial)
    })?))
}

#[pyfunction]
#[pyo3(signature = (x, /, *, axis = None, dtype = None, include_initial = false))]
fn cumulative_sum(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    include_initial: bool,
) -> PyResult<PyArray> {
    cumulative_impl(
        py,
        "cumulative_sum",
        fe::cumulative_sum,
        x,
        axis,
        dtype,
        include_initial,
    )
}

#[pyfunction]
#[pyo3(signature = (x, /, *, axis = None, dtype = None, include_initial = false))]
fn cumulative_prod(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    include_initial: bool,
) -> PyResult<PyArray> {
    cumulative_impl(
        py,
        "cumulative_prod",
        fe::cumulative_prod,
        x,
        axis,
        dtype,
        include_initial,
    )
}

#[pyfunction]
#[pyo3(signature = (x, /, *, axis = None, keepdims = false))]
fn count_nonzero(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: bool,
) -> PyResult<PyArray> {
    let x = array_arg("count_nonzero", "x", x)?;
    let axes = axes_arg("count_nonzero", axis)?;
    Ok(PyArray::new(engine(py, "count_nonzero", move || {
        fe::count_nonzero(&x, axes.as_deref(), keepdims)
    })?))
}

fn opt_array(
    func: &str,
    what: &str,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<LazyArray>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(array_arg(func, what, o)?)),
        _ => Ok(None),
    }
}

#[pyfunction]
#[pyo3(
    signature = (x, /, *, axis = -1, n = 1, prepend = None, append = None),
    text_signature = "(x, /, *, axis=-1, n=1, prepend=None, append=None)"
)]
fn diff(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: isize,
    n: i64,
    prepend: Option<&Bound<'_, PyAny>>,
    append: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg("diff", "x", x)?;
    let p = opt_array("diff", "prepend", prepend)?;
    let a = opt_array("diff", "append", append)?;
    Ok(PyArray::new(engine(py, "diff", move || {
        fe::diff(&x, axis, n, p.as_ref(), a.as_ref())
    })?))
}

#[pyfunction]
#[pyo3(signature = (x1, x2, /, *, invert = false))]
fn isin(
    py: Python<'_>,
    x1: &Bound<'_, PyAny>,
    x2: &Bound<'_, PyAny>,
    invert: bool,
) -> PyResult<PyArray> {
    let a = operand_arg("isin", "x1", x1)?;
    let b = operand_arg("isin", "x2", x2)?;
    Ok(PyArray::new(engine(py, "isin", move || {
        fe::isin(a.operand(), b.operand(), invert)
    })?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    for f in [
        wrap_pyfunction!(std_, m)?,
        wrap_pyfunction!(var_, m)?,
        wrap_pyfunction!(cumulative_sum, m)?,
        wrap_pyfunction!(cumulative_prod, m)?,
        wrap_pyfunction!(count_nonzero, m)?,
        wrap_pyfunction!(diff, m)?,
        wrap_pyfunction!(isin, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
