//! Indexing with arrays at the Python edge: key parsing for `__getitem__` / `__setitem__` (ints,
//! slices, `...`, `None`, integer arrays, boolean masks), and the data-dependent functions `nonzero`
//! and `unique_*`. Boolean masks, `nonzero` and `unique_*` compute values while the graph is built,
//! so they first check the switch `set_data_dependent_shapes` (`materialize::data_dependent_shapes`).

use crate::array::PyArray;
use crate::convert::{arg_of, int_arg, type_name};
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
            "{op}: an index array of dtype {}; only integer and boolean arrays are valid indices \
             (cast with astype(i, int64))",
            inner.dtype()
        )));
    }
    // Integer-like objects (`__index__`, e.g. NumPy's integer scalars, which scikit-learn passes).
    if key.hasattr("__index__")? {
        if let Ok(i) = key.call_method0("__index__") {
            return Ok(IndexKey::Item(IndexItem::Int(int_arg(op, "an index", &i)?)));
        }
    }
    Err(PyIndexError::new_err(format!(
        "{op}: only integers, slices (`:`), ellipsis (`...`), None, integer or boolean arrays and \
         tuples of those are valid indices, got {}",
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

/// `x[key]`.
pub fn getitem(py: Python<'_>, x: &LazyArray, key: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    let items = parse_key("__getitem__", key)?;
    let x = x.clone();
    Ok(PyArray::new(engine(py, "__getitem__", move || {
        fe::getitem_arrays(&x, &items)
    })?))
}

/// `x[key] = value`: rebinds `x` to the updated array.
pub fn setitem(
    py: Python<'_>,
    x: &PyArray,
    key: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let items = parse_key("__setitem__", key)?;
    let Some(v) = arg_of(value)? else {
        return Err(PyTypeError::new_err(format!(
            "__setitem__: the value must be a lazulite array or a Python scalar (bool, int, float, \
             complex), got {}; convert it with lazulite.asarray() first",
            type_name(value)
        )));
    };
    let old = x.inner();
    let new = engine(py, "__setitem__", move || {
        fe::setitem(&old, &items, v.operand())
    })?;
    x.rebind(new);
    Ok(())
}

fn array_of(x: &Bound<'_, PyAny>, func: &str) -> PyResult<LazyArray> {
    x.cast::<PyArray>().map(|a| a.get().inner()).map_err(|_| {
        PyTypeError::new_err(format!(
            "{func}: x must be a lazulite array, got {}; convert it with lazulite.asarray() first",
            type_name(x)
        ))
    })
}

/// `nonzero(x)`: a tuple of int64 arrays, one per axis, with the coordinates of the non-zero
/// elements in row-major order.
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

/// `unique_all(x)`: `(values, indices, inverse_indices, counts)`; values ascending, each NaN distinct.
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

/// `unique_counts(x)`: `(values, counts)`.
#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn unique_counts<'py>(py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let u = unique(py, x, "unique_counts")?;
    unique_types(py)?[1]
        .bind(py)
        .call1((wrap(py, u.values)?, wrap(py, u.counts)?))
}

/// `unique_inverse(x)`: `(values, inverse_indices)`; `inverse_indices` has `x`'s shape.
#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn unique_inverse<'py>(py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let u = unique(py, x, "unique_inverse")?;
    unique_types(py)?[2]
        .bind(py)
        .call1((wrap(py, u.values)?, wrap(py, u.inverse_indices)?))
}

/// `unique_values(x)`: the distinct values, ascending, each NaN distinct.
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
    Ok(())
}
