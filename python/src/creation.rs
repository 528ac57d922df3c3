//! Creation functions composed in the frontend: `linspace`, `eye`, `meshgrid`, `tril`, `triu`.

use crate::array::PyArray;
use crate::convert::{
    array_arg, array_tuple, bool_arg, choice_arg, int_arg, saturating_int_arg, scalar_for,
    type_name,
};
use crate::dtype::{check_device, dtype_arg, on_device};
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

/// `num` evenly spaced values from `start` to `stop` (included unless `endpoint=False`).
///
/// `start`, `stop`: Python ints, floats or complex numbers. `num`: a non-negative int. `dtype`:
/// float64 by default (complex128 for complex bounds); an integer dtype is refused. `device`: None
/// or `lz.cpu`. Lazy: the values are generated inside the kernel that uses them.
///
/// >>> np.asarray(lz.linspace(0, 1, 5))
/// array([0.  , 0.25, 0.5 , 0.75, 1.  ])
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
    let dev = check_device("linspace", device)?;
    let endpoint = bool_arg("linspace", "endpoint", endpoint, true)?;
    let a = bound_arg("start", start)?;
    let b = bound_arg("stop", stop)?;
    let n = int_arg("linspace", "num", num)?;
    let d = dtype_arg("linspace", dtype)?;
    let r = engine(py, "linspace", move || fe::linspace(a, b, n, d, endpoint))?;
    Ok(PyArray::new(on_device(r, dev)?))
}

/// A 2-D array with ones on the `k`-th diagonal and zeros elsewhere.
///
/// `n_rows`, `n_cols`: the shape (`n_cols` defaults to `n_rows`). `k`: 0 is the main diagonal,
/// positive above it, negative below. `dtype`: float64 by default. `device`: None or `lz.cpu`.
/// Lazy.
///
/// >>> np.asarray(lz.eye(2, 3, k=1, dtype=lz.int64)).tolist()
/// [[0, 1, 0], [0, 0, 1]]
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
    let dev = check_device("eye", device)?;
    let n = int_arg("eye", "n_rows", n_rows)?;
    let m = match n_cols {
        Some(c) if !c.is_none() => Some(int_arg("eye", "n_cols", c)?),
        _ => None,
    };
    let k = diagonal_arg("eye", k)?;
    let d = dtype_arg("eye", dtype)?;
    let r = engine(py, "eye", move || fe::eye(n, m, k, d))?;
    Ok(PyArray::new(on_device(r, dev)?))
}

/// Coordinate matrices from 1-D coordinate vectors.
///
/// `arrays`: 1-D arrays of one dtype. `indexing`: `'xy'` (Cartesian: the first two output axes are
/// swapped) or `'ij'` (matrix). Returns a tuple of arrays of one common shape, each a broadcast
/// (read-only) view of its input. Lazy.
///
/// >>> xs, ys = lz.meshgrid(lz.asarray([1, 2, 3]), lz.asarray([10, 20]))
/// >>> np.asarray(ys).tolist()
/// [[10, 10, 10], [20, 20, 20]]
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

/// The lower triangle of each matrix in `x`: elements above the `k`-th diagonal set to zero.
///
/// `x`: an array with at least two dimensions, any dtype. `k`: 0 keeps the main diagonal, positive
/// values keep diagonals above it, negative ones remove diagonals below it. Lazy and fusable.
///
/// >>> np.asarray(lz.tril(lz.ones((3, 3), dtype=lz.int64))).tolist()
/// [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
#[pyfunction]
#[pyo3(signature = (x, /, *, k = None), text_signature = "(x, /, *, k=0)")]
fn tril(py: Python<'_>, x: &Bound<'_, PyAny>, k: Option<&Bound<'_, PyAny>>) -> PyResult<PyArray> {
    triangle(py, "tril", fe::tril, x, k)
}

/// The upper triangle of each matrix in `x`: elements below the `k`-th diagonal set to zero.
///
/// `x`: an array with at least two dimensions, any dtype. `k`: 0 keeps the main diagonal, positive
/// values remove diagonals above it, negative ones keep diagonals below it. Lazy and fusable.
///
/// >>> np.asarray(lz.triu(lz.ones((3, 3), dtype=lz.int64), k=1)).tolist()
/// [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
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
