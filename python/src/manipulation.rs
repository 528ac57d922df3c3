//! Manipulation functions beyond the movement ops: `broadcast_arrays`, `broadcast_shapes`, `concat`,
//! `moveaxis`, `repeat`, `roll`, `stack`, `tile`, `unstack`. `moveaxis` and `unstack` return views of
//! their input, `broadcast_arrays` read-only views (see `views.rs`).

use crate::array::PyArray;
use crate::convert::type_name;
use crate::convert::{
    array_arg, array_tuple, axis_list_arg, int_arg, int_list_arg, opt_axis_arg, shape_arg,
};
use crate::guard::{engine, to_pyerr, type_error, value_error};
use crate::materialize::{data_dependent_allowed, materialize, Reason};
use crate::views;
use lazulite_frontend::{self as fe, IndexItem, IndexKey, LazyArray};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyModule, PyTuple};

/// `:` (a whole axis) in an indexing key.
const FULL: IndexItem = IndexItem::Slice {
    start: None,
    stop: None,
    step: None,
};

#[pyfunction]
#[pyo3(signature = (*arrays))]
fn broadcast_arrays<'py>(
    py: Python<'py>,
    arrays: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyTuple>> {
    let xs: Vec<LazyArray> = arrays
        .iter()
        .enumerate()
        .map(|(i, a)| array_arg("broadcast_arrays", &format!("array {i}"), &a))
        .collect::<PyResult<_>>()?;
    let out = engine(py, "broadcast_arrays", move || {
        let refs: Vec<&LazyArray> = xs.iter().collect();
        fe::broadcast_arrays(&refs)
    })?;
    let shape: Vec<usize> = out.first().map(|a| a.shape().to_vec()).unwrap_or_default();
    // read-only views of the inputs (as broadcast_to's results)
    let out: Vec<PyArray> = arrays
        .iter()
        .map(|a| views::broadcast(py, "broadcast_arrays", a.cast::<PyArray>()?, &shape))
        .collect::<PyResult<_>>()?;
    PyTuple::new(py, out)
}

#[pyfunction]
#[pyo3(signature = (*shapes))]
fn broadcast_shapes<'py>(
    py: Python<'py>,
    shapes: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyTuple>> {
    let shapes: Vec<Vec<usize>> = shapes
        .iter()
        .map(|s| shape_arg("broadcast_shapes", &s))
        .collect::<PyResult<_>>()?;
    let out = engine(py, "broadcast_shapes", move || {
        let refs: Vec<&[usize]> = shapes.iter().map(Vec::as_slice).collect();
        fe::broadcast_shapes(&refs)
    })?;
    PyTuple::new(py, out)
}

/// The `arrays` argument of `concat` and `stack`: a tuple or list of lazulite arrays.
fn array_sequence(func: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<LazyArray>> {
    let items: Vec<Bound<'_, PyAny>> = if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect()
    } else {
        return Err(type_error(format!(
            "{func}: arrays must be a tuple or list of lazulite arrays, got {}",
            type_name(obj)
        )));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, a)| array_arg(func, &format!("arrays[{i}]"), a))
        .collect()
}

#[pyfunction]
#[pyo3(signature = (arrays, /, *, axis = Some(0)), text_signature = "(arrays, /, *, axis=0)")]
fn concat(py: Python<'_>, arrays: &Bound<'_, PyAny>, axis: Option<isize>) -> PyResult<PyArray> {
    let xs = array_sequence("concat", arrays)?;
    Ok(PyArray::new(engine(py, "concat", move || {
        let refs: Vec<&LazyArray> = xs.iter().collect();
        fe::concat(&refs, axis)
    })?))
}

#[pyfunction]
#[pyo3(signature = (arrays, /, *, axis = 0))]
fn stack(py: Python<'_>, arrays: &Bound<'_, PyAny>, axis: isize) -> PyResult<PyArray> {
    let xs = array_sequence("stack", arrays)?;
    Ok(PyArray::new(engine(py, "stack", move || {
        let refs: Vec<&LazyArray> = xs.iter().collect();
        fe::stack(&refs, axis)
    })?))
}

#[pyfunction]
#[pyo3(signature = (x, source, destination, /))]
fn moveaxis(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    source: &Bound<'_, PyAny>,
    destination: &Bound<'_, PyAny>,
) -> PyResult<PyArray> {
    let s = axis_list_arg("moveaxis", "source", source)?;
    let d = axis_list_arg("moveaxis", "destination", destination)?;
    views::movement(py, "moveaxis", x, |v| fe::moveaxis(v, &s, &d))
}

/// The values of an array `repeats` (integer dtype, 0-D or 1-D), computed now: the output shape of
/// `repeat` depends on them (a data-dependent shape, refused when switched off).
fn repeat_counts(py: Python<'_>, r: &LazyArray) -> PyResult<Vec<i64>> {
    if !r.dtype().is_integer() {
        return Err(type_error(format!(
            "repeat: repeats is an array of dtype {}, but it must have an integer dtype",
            r.dtype()
        )));
    }
    if r.ndim() > 1 {
        return Err(value_error(format!(
            "repeat: repeats has shape {:?}, but an array of repeats must be one-dimensional (shape \
             (1,) or (n,))",
            r.shape()
        )));
    }
    if !data_dependent_allowed() {
        return Err(value_error(
            "repeat: repeats given as an array makes the output shape depend on its values, and \
             data-dependent shapes are switched off; pass a Python int, or call \
             lazulite.set_data_dependent_shapes(True)",
        ));
    }
    let data = materialize(py, r, Reason::Implicit("repeat"))?;
    let n = data.shape.first().copied().unwrap_or(1);
    (0..n)
        .map(|i| {
            let ix: &[usize] = if data.shape.is_empty() { &[] } else { &[i] };
            // an integer dtype (checked above): as_i128 is always Some
            let v = data.try_get(ix).map_err(to_pyerr)?.as_i128().unwrap_or(0);
            i64::try_from(v).map_err(|_| {
                value_error(format!(
                    "repeat: the count {v} in repeats is too large for an array; pass smaller counts"
                ))
            })
        })
        .collect()
}

#[pyfunction]
#[pyo3(signature = (x, repeats, /, *, axis = None))]
fn repeat(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    repeats: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg("repeat", "x", x)?;
    let a = opt_axis_arg("repeat", axis)?;
    if let Ok(r) = repeats.cast::<PyArray>() {
        let counts = repeat_counts(py, &r.get().inner())?;
        return Ok(PyArray::new(engine(py, "repeat", move || {
            fe::repeat_each(&x, &counts, a)
        })?));
    }
    let r = int_arg("repeat", "repeats", repeats)?;
    Ok(PyArray::new(engine(py, "repeat", move || {
        fe::repeat(&x, r, a)
    })?))
}

#[pyfunction]
#[pyo3(signature = (x, /, shift, *, axis = None))]
fn roll(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    shift: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg("roll", "x", x)?;
    let s = int_list_arg("roll", "shift", shift)?;
    let a = match axis {
        Some(a) if !a.is_none() => Some(axis_list_arg("roll", "axis", a)?),
        _ => None,
    };
    Ok(PyArray::new(engine(py, "roll", move || {
        fe::roll(&x, &s, a.as_deref())
    })?))
}

#[pyfunction]
#[pyo3(signature = (x, repetitions, /))]
fn tile(py: Python<'_>, x: &Bound<'_, PyAny>, repetitions: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    let x = array_arg("tile", "x", x)?;
    let r = int_list_arg("tile", "repetitions", repetitions)?;
    Ok(PyArray::new(engine(py, "tile", move || fe::tile(&x, &r))?))
}

#[pyfunction]
#[pyo3(signature = (x, /, *, axis = 0))]
fn unstack<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    axis: isize,
) -> PyResult<Bound<'py, PyTuple>> {
    let inner = array_arg("unstack", "x", x)?;
    let parts = engine(py, "unstack", || fe::unstack(&inner, axis))?;
    if inner.ndim() == 1 {
        // 0-d parts are copies (NumPy's scalars), as x[i] is
        return array_tuple(py, parts);
    }
    // views: part i is x[:, ..., :, i] (axis normalized by unstack above)
    let a = if axis < 0 {
        axis + inner.ndim() as isize
    } else {
        axis
    } as usize;
    let xa = x.cast::<PyArray>()?;
    let out: Vec<PyArray> = (0..parts.len())
        .map(|i| {
            let mut key = vec![IndexKey::Item(FULL); a];
            key.push(IndexKey::Item(IndexItem::Int(i as i64)));
            xa.get()
                .handle()
                .derive(py, "unstack", |v| fe::getitem_arrays(v, &key))
                .map(PyArray::from_handle)
        })
        .collect::<PyResult<_>>()?;
    PyTuple::new(py, out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    for f in [
        wrap_pyfunction!(broadcast_arrays, m)?,
        wrap_pyfunction!(broadcast_shapes, m)?,
        wrap_pyfunction!(concat, m)?,
        wrap_pyfunction!(stack, m)?,
        wrap_pyfunction!(moveaxis, m)?,
        wrap_pyfunction!(repeat, m)?,
        wrap_pyfunction!(roll, m)?,
        wrap_pyfunction!(tile, m)?,
        wrap_pyfunction!(unstack, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
