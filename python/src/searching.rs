//! Searching, sorting and indexing functions: `argmax`, `argmin`, `searchsorted`, `sort`,
//! `argsort`, `take`, `take_along_axis`.

use crate::array::PyArray;
use crate::convert::{
    array_arg, axis_or, bool_arg, check_scalar_operand, choice_arg, operand_for, opt_axis_arg,
    Param,
};
use crate::guard::engine;
use lazulite_frontend::{self as fe, LazyArray, Side};
use pyo3::prelude::*;
use pyo3::types::PyModule;

type ArgExtremumFn = fn(&LazyArray, Option<isize>, bool) -> fe::Result<LazyArray>;

fn arg_extremum(
    py: Python<'_>,
    func: &'static str,
    f: ArgExtremumFn,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg(func, "x", x)?;
    let a = opt_axis_arg(func, axis)?;
    let keepdims = bool_arg(func, "keepdims", keepdims, false)?;
    Ok(PyArray::new(engine(py, func, move || f(&x, a, keepdims))?))
}

/// Index of the largest element of `x` (of the flattened `x`, or along `axis`), as int64.
///
/// `x`: a real numeric array. The first occurrence wins; NaN counts as the largest. `keepdims`:
/// keep the reduced axis with length 1. Lazy.
///
/// >>> np.asarray(lz.argmax(lz.asarray([[1, 9], [7, 3]]), axis=1)).tolist()
/// [1, 0]
#[pyfunction]
#[pyo3(
    signature = (x, /, *, axis = None, keepdims = None),
    text_signature = "(x, /, *, axis=None, keepdims=False)"
)]
fn argmax(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    arg_extremum(py, "argmax", fe::argmax, x, axis, keepdims)
}

/// Index of the smallest element of `x` (of the flattened `x`, or along `axis`), as int64.
///
/// `x`: a real numeric array. The first occurrence wins; NaN counts as the smallest. `keepdims`:
/// keep the reduced axis with length 1. Lazy.
///
/// >>> int(lz.argmin(lz.asarray([4, 2, 8, 2])))
/// 1
#[pyfunction]
#[pyo3(
    signature = (x, /, *, axis = None, keepdims = None),
    text_signature = "(x, /, *, axis=None, keepdims=False)"
)]
fn argmin(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    arg_extremum(py, "argmin", fe::argmin, x, axis, keepdims)
}

/// Indices at which to insert `x2`'s elements into the sorted 1-D `x1` to keep it sorted.
///
/// `x1`: a real 1-D array sorted ascending, or any 1-D array with `sorter`, the indices that sort
/// it. `x2`: an array or a Python scalar. `side`: `'left'` (the first suitable index) or `'right'`
/// (the last). The result is int64 with `x2`'s shape. Lazy.
///
/// >>> np.asarray(lz.searchsorted(lz.asarray([1, 3, 5]), lz.asarray([0, 3, 6]))).tolist()
/// [0, 1, 3]
#[pyfunction]
#[pyo3(
    signature = (x1, x2, /, *, side = None, sorter = None),
    text_signature = "(x1, x2, /, *, side='left', sorter=None)"
)]
fn searchsorted(
    py: Python<'_>,
    x1: &Bound<'_, PyAny>,
    x2: &Bound<'_, PyAny>,
    side: Option<&Bound<'_, PyAny>>,
    sorter: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let a = array_arg("searchsorted", "x1", x1)?;
    let v = operand_for("searchsorted", "x2", x2, Some(a.dtype()))?;
    check_scalar_operand("searchsorted", "x2", &v, Some(a.dtype()))?;
    let side = match choice_arg("searchsorted", "side", side, &["left", "right"])? {
        "left" => Side::Left,
        _ => Side::Right,
    };
    let s = match sorter {
        Some(s) if !s.is_none() => Some(array_arg("searchsorted", "sorter", s)?),
        _ => None,
    };
    Ok(PyArray::new(engine(py, "searchsorted", move || {
        fe::searchsorted(&a, v.operand(), side, s.as_ref())
    })?))
}

type SortFn = fn(&LazyArray, isize, bool, bool) -> fe::Result<LazyArray>;

fn sort_impl(
    py: Python<'_>,
    func: &'static str,
    f: SortFn,
    x: &Bound<'_, PyAny>,
    axis: Param<'_>,
    descending: Option<&Bound<'_, PyAny>>,
    stable: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg(func, "x", x)?;
    let axis = axis_or(func, axis, -1)?;
    let descending = bool_arg(func, "descending", descending, false)?;
    let stable = bool_arg(func, "stable", stable, true)?;
    Ok(PyArray::new(engine(py, func, move || {
        f(&x, axis, descending, stable)
    })?))
}

/// A sorted copy of `x` along `axis` (the last by default).
///
/// `x`: a real numeric array; NaNs sort last. `descending`: sort from largest to smallest.
/// `stable`: equal elements keep their order (always true here). Lazy: a parallel sort step when
/// computed.
///
/// >>> np.asarray(lz.sort(lz.asarray([3, 1, 2]), descending=True)).tolist()
/// [3, 2, 1]
#[pyfunction]
#[pyo3(
    signature = (x, /, *, axis = Param::Absent, descending = None, stable = None),
    text_signature = "(x, /, *, axis=-1, descending=False, stable=True)"
)]
fn sort(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Param<'_>,
    descending: Option<&Bound<'_, PyAny>>,
    stable: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    sort_impl(py, "sort", fe::sort, x, axis, descending, stable)
}

/// The indices that sort `x` along `axis` (the last by default), as int64.
///
/// `x`: a real numeric array; NaNs sort last. `descending`: largest first (equal elements still
/// keep their order when `stable`). Lazy.
///
/// >>> np.asarray(lz.argsort(lz.asarray([30, 10, 20]))).tolist()
/// [1, 2, 0]
#[pyfunction]
#[pyo3(
    signature = (x, /, *, axis = Param::Absent, descending = None, stable = None),
    text_signature = "(x, /, *, axis=-1, descending=False, stable=True)"
)]
fn argsort(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Param<'_>,
    descending: Option<&Bound<'_, PyAny>>,
    stable: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    sort_impl(py, "argsort", fe::argsort, x, axis, descending, stable)
}

/// Elements of `x` at the integer `indices` along `axis`.
///
/// `x`: any array (1-D when `axis` is None). `indices`: a 1-D integer array; negative indices count
/// from the end, out-of-range ones raise `IndexError` when the result is computed. Lazy: a gather
/// step.
///
/// >>> np.asarray(lz.take(lz.asarray([10, 20, 30]), lz.asarray([2, 0, 2]))).tolist()
/// [30, 10, 30]
#[pyfunction]
#[pyo3(signature = (x, indices, /, *, axis = None))]
fn take(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    indices: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg("take", "x", x)?;
    let i = array_arg("take", "indices", indices)?;
    let a = opt_axis_arg("take", axis)?;
    Ok(PyArray::new(engine(py, "take", move || {
        fe::take(&x, &i, a)
    })?))
}

/// Elements of `x` picked along `axis` by `indices`, which matches `x` on every other axis.
///
/// `x`: any array. `indices`: an integer array of `x`'s rank (broadcast on the other axes), for
/// example from `argsort`. Lazy.
///
/// >>> x = lz.asarray([[3, 1, 2], [9, 8, 7]])
/// >>> np.asarray(lz.take_along_axis(x, lz.argsort(x, axis=1), axis=1)).tolist()
/// [[1, 2, 3], [7, 8, 9]]
#[pyfunction]
#[pyo3(
    signature = (x, indices, /, *, axis = Param::Absent),
    text_signature = "(x, indices, /, *, axis=-1)"
)]
fn take_along_axis(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    indices: &Bound<'_, PyAny>,
    axis: Param<'_>,
) -> PyResult<PyArray> {
    let x = array_arg("take_along_axis", "x", x)?;
    let axis = axis_or("take_along_axis", axis, -1)?;
    let i = array_arg("take_along_axis", "indices", indices)?;
    Ok(PyArray::new(engine(py, "take_along_axis", move || {
        fe::take_along_axis(&x, &i, axis)
    })?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    for f in [
        wrap_pyfunction!(argmax, m)?,
        wrap_pyfunction!(argmin, m)?,
        wrap_pyfunction!(searchsorted, m)?,
        wrap_pyfunction!(sort, m)?,
        wrap_pyfunction!(argsort, m)?,
        wrap_pyfunction!(take, m)?,
        wrap_pyfunction!(take_along_axis, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
