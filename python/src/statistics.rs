//! Statistical and utility functions beyond the plain reductions: `std`, `var`, `cumulative_sum`,
//! `cumulative_prod`, `count_nonzero`, `diff`, `isin`.

use crate::array::PyArray;
use crate::convert::{
    array_arg, axes_arg, axis_or, bool_arg, int_or, operand_pair, opt_axis_arg, type_name, Param,
};
use crate::dtype::dtype_arg;
use crate::guard::{engine, type_error, value_error};
use lazulite_frontend::{self as fe, DType, LazyArray};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyModule};

type VarianceFn = fn(&LazyArray, Option<&[isize]>, f64, bool) -> fe::Result<LazyArray>;

/// `correction`: a Python int or float (not a bool).
/// `correction`: a Python int or float, at least 0 (the standard's rule: the divisor is `N - correction`,
/// a degrees-of-freedom adjustment). Negative and NaN corrections, and ints beyond the float range,
/// are a `ValueError`; a correction of `N` or more gives NaN (or infinity), as in NumPy.
fn correction_arg(func: &str, obj: &Bound<'_, PyAny>) -> PyResult<f64> {
    let accepted = "an int or a float >= 0";
    let number = obj.is_instance_of::<PyInt>()
        || obj.is_instance_of::<PyFloat>()
        || obj.hasattr(pyo3::intern!(obj.py(), "__index__"))?;
    if obj.is_instance_of::<PyBool>() || !number {
        return Err(type_error(format!(
            "{func}: correction must be {accepted}, got {}",
            type_name(obj)
        )));
    }
    let text = || obj.str().map(|s| s.to_string()).unwrap_or_default();
    let c = obj.extract::<f64>().map_err(|_| {
        value_error(format!(
            "{func}: correction = {} is beyond the float range; it must be {accepted} (use 0 for the \
             population variance, 1 for the sample variance)",
            text()
        ))
    })?;
    if c.is_nan() || c < 0.0 {
        return Err(value_error(format!(
            "{func}: correction = {} is not allowed; it must be {accepted} (use 0 for the population \
             variance, 1 for the sample variance)",
            text()
        )));
    }
    Ok(c)
}

fn variance_impl(
    py: Python<'_>,
    func: &'static str,
    f: VarianceFn,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    correction: Option<&Bound<'_, PyAny>>,
    keepdims: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg(func, "x", x)?;
    let axes = axes_arg(func, axis)?;
    let keepdims = bool_arg(func, "keepdims", keepdims, false)?;
    let c = match correction {
        Some(c) => correction_arg(func, c)?,
        None => 0.0,
    };
    Ok(PyArray::new(engine(py, func, move || {
        f(&x, axes.as_deref(), c, keepdims)
    })?))
}

/// Standard deviation of the elements of `x` over `axis` (all axes by default).
///
/// `x`: a real floating-point array. `correction`: subtracted from the number of elements in the
/// divisor (0 for the population, 1 for the sample standard deviation). `keepdims`: keep the
/// reduced axes with length 1. Lazy: fuses into a few kernels with the work that feeds it.
///
/// >>> float(lz.std(lz.asarray([1.0, 3.0, 5.0, 7.0])))
/// 2.23606797749979
#[pyfunction]
#[pyo3(
    name = "std",
    signature = (x, /, *, axis = None, correction = None, keepdims = None),
    text_signature = "(x, /, *, axis=None, correction=0.0, keepdims=False)"
)]
fn std_(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    correction: Option<&Bound<'_, PyAny>>,
    keepdims: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    variance_impl(py, "std", fe::std, x, axis, correction, keepdims)
}

/// Variance of the elements of `x` over `axis` (all axes by default).
///
/// `x`: a real floating-point array. `correction`: subtracted from the number of elements in the
/// divisor (0 for the population, 1 for the sample variance). `keepdims`: keep the reduced axes
/// with length 1. Lazy.
///
/// >>> float(lz.var(lz.asarray([1.0, 3.0, 5.0, 7.0]), correction=1))
/// 6.666666666666667
#[pyfunction]
#[pyo3(
    name = "var",
    signature = (x, /, *, axis = None, correction = None, keepdims = None),
    text_signature = "(x, /, *, axis=None, correction=0.0, keepdims=False)"
)]
fn var_(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    correction: Option<&Bound<'_, PyAny>>,
    keepdims: Option<&Bound<'_, PyAny>>,
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
    include_initial: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg(func, "x", x)?;
    let a = opt_axis_arg(func, axis)?;
    let d = dtype_arg(func, dtype)?;
    let include_initial = bool_arg(func, "include_initial", include_initial, false)?;
    Ok(PyArray::new(engine(py, func, move || {
        f(&x, a, d, include_initial)
    })?))
}

/// Running sums of the elements of `x` along `axis`.
///
/// `x`: a numeric array. `axis`: required when `x` has more than one dimension. `dtype`: as for
/// `sum`. `include_initial`: start with the empty sum 0 (the result is one longer along `axis`).
/// Lazy: a scan step when computed.
///
/// >>> np.asarray(lz.cumulative_sum(lz.asarray([1, 2, 3, 4]))).tolist()
/// [1, 3, 6, 10]
#[pyfunction]
#[pyo3(
    signature = (x, /, *, axis = None, dtype = None, include_initial = None),
    text_signature = "(x, /, *, axis=None, dtype=None, include_initial=False)"
)]
fn cumulative_sum(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    include_initial: Option<&Bound<'_, PyAny>>,
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

/// Running products of the elements of `x` along `axis`.
///
/// `x`: a numeric array. `axis`: required when `x` has more than one dimension. `dtype`: as for
/// `prod`. `include_initial`: start with the empty product 1 (the result is one longer along
/// `axis`). Lazy.
///
/// >>> np.asarray(lz.cumulative_prod(lz.asarray([1, 2, 3, 4]), include_initial=True)).tolist()
/// [1, 1, 2, 6, 24]
#[pyfunction]
#[pyo3(
    signature = (x, /, *, axis = None, dtype = None, include_initial = None),
    text_signature = "(x, /, *, axis=None, dtype=None, include_initial=False)"
)]
fn cumulative_prod(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    include_initial: Option<&Bound<'_, PyAny>>,
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

/// Number of non-zero elements of `x` over `axis` (all axes by default), as int64.
///
/// `x`: an array of any dtype (NaN counts as non-zero). `keepdims`: keep the reduced axes with
/// length 1. Lazy: a fused reduction.
///
/// >>> int(lz.count_nonzero(lz.asarray([0, 3, 0, -1])))
/// 2
#[pyfunction]
#[pyo3(
    signature = (x, /, *, axis = None, keepdims = None),
    text_signature = "(x, /, *, axis=None, keepdims=False)"
)]
fn count_nonzero(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let keepdims = bool_arg("count_nonzero", "keepdims", keepdims, false)?;
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

/// The `n`-th discrete difference of `x` along `axis`: `x[i+1] - x[i]`, applied `n` times.
///
/// `x`: a numeric or bool array (bool differences are `!=`). `prepend`, `append`: arrays joined to
/// `x` along `axis` first. The result is `n` shorter along `axis`. Lazy.
///
/// >>> np.asarray(lz.diff(lz.asarray([1, 4, 9, 16]))).tolist()
/// [3, 5, 7]
#[pyfunction]
#[pyo3(
    signature = (x, /, *, axis = Param::Absent, n = None, prepend = None, append = None),
    text_signature = "(x, /, *, axis=-1, n=1, prepend=None, append=None)"
)]
fn diff(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Param<'_>,
    n: Option<&Bound<'_, PyAny>>,
    prepend: Option<&Bound<'_, PyAny>>,
    append: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg("diff", "x", x)?;
    let axis = axis_or("diff", axis, -1)?;
    let n = int_or("diff", "n", n, 1)?;
    let p = opt_array("diff", "prepend", prepend)?;
    let a = opt_array("diff", "append", append)?;
    Ok(PyArray::new(engine(py, "diff", move || {
        fe::diff(&x, axis, n, p.as_ref(), a.as_ref())
    })?))
}

/// Whether each element of `x1` occurs in `x2` (or, with `invert=True`, does not).
///
/// `x1`, `x2`: arrays (or one of them a Python int). The result is a bool array of `x1`'s shape.
/// Lazy: a sort and a search when computed.
///
/// >>> np.asarray(lz.isin(lz.asarray([1, 2, 3, 4]), lz.asarray([2, 4])))
/// array([False,  True, False,  True])
#[pyfunction]
#[pyo3(signature = (x1, x2, /, *, invert = None), text_signature = "(x1, x2, /, *, invert=False)")]
fn isin(
    py: Python<'_>,
    x1: &Bound<'_, PyAny>,
    x2: &Bound<'_, PyAny>,
    invert: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let (a, b) = operand_pair("isin", ("x1", x1), ("x2", x2))?;
    let invert = bool_arg("isin", "invert", invert, false)?;
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
