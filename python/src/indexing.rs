//! Indexing with arrays at the Python edge: key parsing for `__getitem__` / `__setitem__` (ints,
//! slices, `...`, `None`, integer arrays, boolean masks), and the data-dependent functions `nonzero`
//! and `unique_*`. Boolean masks, `nonzero` and `unique_*` compute values while the graph is built,
//! so they first check the switch `set_data_dependent_shapes` (`materialize::data_dependent_shapes`).

use crate::array::PyArray;
use crate::convert::{arg_for, int_arg, type_name};
use crate::guard::{engine, value_error};
use crate::materialize::data_dependent_shapes;
use lazulite_frontend::{self as fe, DType, IndexItem, IndexKey, LazyArray};
use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyEllipsis, PyInt, PySlice, PyTuple};

/// The error of a data-dependent operation while the switch is off.
fn switched_off(what: &str) -> PyErr {
    PyRuntimeError::new_err(format!(
        "{what}: the output shape depends on the values, and data-dependent shapes are switched off \
         (lazulite.set_data_dependent_shapes(False)); call lazulite.set_data_dependent_shapes(True) \
         to allow it"
    ))
}

/// Fails unless data-dependent shapes are available.
pub fn require_data_dependent(what: &str) -> PyResult<()> {
    if data_dependent_shapes() {
        Ok(())
    } else {
        Err(switched_off(what))
    }
}

/// Parses one item of an indexing key.
fn key_item(op: &str, key: &Bound<'_, PyAny>) -> PyResult<IndexKey> {
    if key.is_none() {
        return Ok(IndexKey::Item(IndexItem::NewAxis));
    }
    if key.is_instance_of::<PyEllipsis>() {
        return Ok(IndexKey::Item(IndexItem::Ellipsis));
    }
    if let Ok(s) = key.cast::<PySlice>() {
        let part = |name: &str| -> PyResult<Option<i64>> {
            let v = s.getattr(name)?;
            if v.is_none() {
                Ok(None)
            } else {
                Ok(Some(int_arg(op, "a slice bound", &v)?))
            }
        };
        let step = part("step")?;
        if step == Some(0) {
            return Err(value_error(format!("{op}: slice step cannot be zero")));
        }
        return Ok(IndexKey::Item(IndexItem::Slice {
            start: part("start")?,
            stop: part("stop")?,
            step,
        }));
    }
    if key.is_instance_of::<PyBool>() {
        // A Python bool is a 0-d boolean mask (NumPy's meaning).
        let b: bool = key.extract()?;
        let m = fe::from_vec(vec![b], &[]).map_err(crate::guard::to_pyerr)?;
        return Ok(IndexKey::Array(m));
    }
    if key.is_instance_of::<PyInt>() {
        return Ok(IndexKey::Item(IndexItem::Int(int_arg(
            op, "an index", key,
        )?)));
    }
    if let Ok(a) = key.cast::<PyArray>() {
        let inner = a.get().inner();
        if inner.ndim() == 0 && inner.dtype().is_integer() {
            return Ok(IndexKey::Item(IndexItem::Int(int_arg(
                op, "an index", key,
            )?)));
        }
        if inner.dtype().is_integer() || inner.dtype() == DType::Bool {
            return Ok(IndexKey::Array(inner));
        }
        return Err(PyIndexError::new_err(format!(
            "{op}: key holds an index array of dtype {}; only integer and boolean arrays are valid \
             indices (cast with astype(i, int64))",
            inner.dtype()
        )));
    }
    // NumPy integer scalars and anything else that says it is an integer (`operator.index`)
    if key.hasattr(pyo3::intern!(key.py(), "__index__"))? {
        return Ok(IndexKey::Item(IndexItem::Int(int_arg(
            op, "an index", key,
        )?)));
    }
    Err(PyIndexError::new_err(format!(
        "{op}: key must be an integer, a slice (`:`), an ellipsis (`...`), None, an integer or \
         boolean array, or a tuple of those; got {}",
        type_name(key)
    )))
}

/// Parses a whole key (a tuple or one item); a boolean array needs data-dependent shapes.
pub fn parse_key(op: &str, key: &Bound<'_, PyAny>) -> PyResult<Vec<IndexKey>> {
    let items: Vec<IndexKey> = match key.cast::<PyTuple>() {
        Ok(t) => t
            .iter()
            .map(|k| key_item(op, &k))
            .collect::<PyResult<_>>()?,
        Err(_) => vec![key_item(op, key)?],
    };
    let masked = items
        .iter()
        .any(|k| matches!(k, IndexKey::Array(a) if a.dtype() == DType::Bool && a.ndim() > 0));
    if masked {
        require_data_dependent(&format!("{op} with a boolean array"))?;
    }
    Ok(items)
}

/// `x[key]`: a view of `x`'s base for a basic key (ints, slices, `...`, `None`), except a key of
/// integers only that selects a single element (a 0-d copy, NumPy's scalar); a new array for keys
/// with integer or boolean arrays.
pub fn getitem(py: Python<'_>, x: &PyArray, key: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    let items = parse_key("__getitem__", key)?;
    let inner = x.inner();
    let basic = items.iter().all(|k| matches!(k, IndexKey::Item(_)));
    let one_element = items.len() == inner.ndim()
        && items
            .iter()
            .all(|k| matches!(k, IndexKey::Item(IndexItem::Int(_))));
    if basic && !one_element {
        let h = x
            .handle()
            .derive(py, "__getitem__", |v| fe::getitem_arrays(v, &items))?;
        return Ok(PyArray::from_handle(h));
    }
    Ok(PyArray::new(engine(py, "__getitem__", move || {
        fe::getitem_arrays(&inner, &items)
    })?))
}

/// `x[key] = value`: writes through to `x`'s base, so that the base and every view of it see it.
pub fn setitem(
    py: Python<'_>,
    x: &PyArray,
    key: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let items = parse_key("__setitem__", key)?;
    let Some(v) = arg_for("__setitem__", "value", value, Some(x.inner().dtype()))? else {
        return Err(PyTypeError::new_err(format!(
            "__setitem__: the value must be a lazulite array or a Python scalar (bool, int, float, \
             complex), got {}; convert it with lazulite.asarray() first",
            type_name(value)
        )));
    };
    if let Ok(src) = value.cast::<PyArray>() {
        if x.handle()
            .is_self_assignment(py, &items, src.get().handle())
        {
            // `x[k] op= y`: the in-place operator already wrote through; only check writability
            return x.handle().check_writable("__setitem__");
        }
    }
    x.handle().write(py, "__setitem__", &items, &v)
}

fn array_of(x: &Bound<'_, PyAny>, func: &str) -> PyResult<LazyArray> {
    x.cast::<PyArray>().map(|a| a.get().inner()).map_err(|_| {
        PyTypeError::new_err(format!(
            "{func}: x must be a lazulite array, got {}; convert it with lazulite.asarray() first",
            type_name(x)
        ))
    })
}

/// The coordinates of the non-zero elements of `x`: one int64 array per axis, row-major.
///
/// `x`: an array with at least one dimension. The output length depends on the values, so `x` is
/// computed when `nonzero` is called (see `set_data_dependent_shapes`); the results are then lazy
/// again.
///
/// >>> rows, cols = lz.nonzero(lz.asarray([[0, 1], [2, 0]]))
/// >>> np.asarray(rows).tolist(), np.asarray(cols).tolist()
/// ([0, 1], [1, 0])
#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn nonzero<'py>(py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
    require_data_dependent("nonzero")?;
    let x = array_of(x, "nonzero")?;
    let parts = engine(py, "nonzero", move || fe::nonzero(&x))?;
    let objs: Vec<Bound<'py, PyArray>> = parts
        .into_iter()
        .map(|a| Bound::new(py, PyArray::new(a)))
        .collect::<PyResult<_>>()?;
    PyTuple::new(py, objs)
}

static UNIQUE_TYPES: PyOnceLock<[Py<PyAny>; 3]> = PyOnceLock::new();

/// The spec's named tuples: `UniqueAllResult`, `UniqueCountsResult`, `UniqueInverseResult`.
fn unique_types(py: Python<'_>) -> PyResult<&[Py<PyAny>; 3]> {
    UNIQUE_TYPES.get_or_try_init(py, || {
        let nt = py.import("collections")?.getattr("namedtuple")?;
        let make = |name: &str, fields: &[&str]| -> PyResult<Py<PyAny>> {
            let t = nt.call1((name, fields.to_vec()))?;
            t.setattr("__module__", "lazulite")?;
            Ok(t.unbind())
        };
        Ok([
            make(
                "UniqueAllResult",
                &["values", "indices", "inverse_indices", "counts"],
            )?,
            make("UniqueCountsResult", &["values", "counts"])?,
            make("UniqueInverseResult", &["values", "inverse_indices"])?,
        ])
    })
}

fn unique(py: Python<'_>, x: &Bound<'_, PyAny>, func: &str) -> PyResult<fe::Unique> {
    require_data_dependent(func)?;
    let x = array_of(x, func)?;
    engine(py, func, move || fe::unique_all(&x))
}

fn wrap(py: Python<'_>, a: LazyArray) -> PyResult<Bound<'_, PyArray>> {
    Bound::new(py, PyArray::new(a))
}

/// The distinct values of `x` (ascending, each NaN distinct), with where they occur.
///
/// Returns `UniqueAllResult(values, indices, inverse_indices, counts)`: the first index of each
/// value in the flattened `x`, the position of each element of `x` in `values` (with `x`'s shape),
/// and how often each value occurs. `x` is computed when the function is called (a data-dependent
/// shape).
///
/// >>> r = lz.unique_all(lz.asarray([3, 1, 3, 2]))
/// >>> np.asarray(r.values).tolist(), np.asarray(r.counts).tolist()
/// ([1, 2, 3], [1, 1, 2])
#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn unique_all<'py>(py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let u = unique(py, x, "unique_all")?;
    unique_types(py)?[0].bind(py).call1((
        wrap(py, u.values)?,
        wrap(py, u.indices)?,
        wrap(py, u.inverse_indices)?,
        wrap(py, u.counts)?,
    ))
}

/// The distinct values of `x` (ascending) and how often each occurs.
///
/// Returns `UniqueCountsResult(values, counts)`. `x` is computed when the function is called (a
/// data-dependent shape); the results are lazy again.
///
/// >>> values, counts = lz.unique_counts(lz.asarray([5, 5, 7]))
/// >>> np.asarray(counts).tolist()
/// [2, 1]
#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn unique_counts<'py>(py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let u = unique(py, x, "unique_counts")?;
    unique_types(py)?[1]
        .bind(py)
        .call1((wrap(py, u.values)?, wrap(py, u.counts)?))
}

/// The distinct values of `x` (ascending) and each element's position among them.
///
/// Returns `UniqueInverseResult(values, inverse_indices)`; `inverse_indices` has `x`'s shape, so
/// `take(values, inverse_indices)` rebuilds the flattened `x`. `x` is computed when the function is
/// called.
///
/// >>> values, inverse = lz.unique_inverse(lz.asarray([20, 10, 20]))
/// >>> np.asarray(inverse).tolist()
/// [1, 0, 1]
#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn unique_inverse<'py>(py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let u = unique(py, x, "unique_inverse")?;
    unique_types(py)?[2]
        .bind(py)
        .call1((wrap(py, u.values)?, wrap(py, u.inverse_indices)?))
}

/// The distinct values of `x`, ascending (each NaN is distinct).
///
/// `x`: any array; the result is 1-D with `x`'s dtype. `x` is computed when the function is called
/// (a data-dependent shape).
///
/// >>> np.asarray(lz.unique_values(lz.asarray([[2, 1], [2, 3]]))).tolist()
/// [1, 2, 3]
#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn unique_values(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    let u = unique(py, x, "unique_values")?;
    Ok(PyArray::new(u.values))
}

/// Registers this module's functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(nonzero, m)?)?;
    m.add_function(wrap_pyfunction!(unique_all, m)?)?;
    m.add_function(wrap_pyfunction!(unique_counts, m)?)?;
    m.add_function(wrap_pyfunction!(unique_inverse, m)?)?;
    m.add_function(wrap_pyfunction!(unique_values, m)?)?;
    // The named tuple classes, so that the package can name them (`lazulite.UniqueAllResult`, ...)
    // and pickle can find them.
    m.add(
        "_unique_result_types",
        PyTuple::new(m.py(), unique_types(m.py())?)?,
    )?;
    Ok(())
}
