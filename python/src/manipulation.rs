//! Manipulation functions beyond the movement ops: `broadcast_arrays`, `broadcast_shapes`, `concat`,
//! `moveaxis`, `repeat`, `roll`, `stack`, `tile`, `unstack`. `moveaxis` and `unstack` return views of
//! their input, `broadcast_arrays` read-only views (see `views.rs`).

use crate::array::PyArray;
use crate::convert::type_name;
use crate::convert::{
    array_arg, array_tuple, axis_list_arg, axis_or, int_arg, int_list_arg, named_shape_arg,
    opt_axis_arg, sequence_items, Param,
};
use crate::guard::{engine, to_pyerr, type_error, value_error};
use crate::materialize::{data_dependent_allowed, materialize, Reason};
use crate::views;
use lazulite_frontend::{self as fe, IndexItem, IndexKey, LazyArray};
use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::{PyModule, PyTuple};

/// `:` (a whole axis) in an indexing key.
const FULL: IndexItem = IndexItem::Slice {
    start: None,
    stop: None,
    step: None,
};

/// The arrays broadcast against each other to one shape.
///
/// `arrays`: lazulite arrays. Returns a tuple of read-only views (no copies). Lazy.
///
/// >>> a, b = lz.broadcast_arrays(lz.zeros((2, 1)), lz.zeros(3))
/// >>> a.shape, b.shape
/// ((2, 3), (2, 3))
#[pyfunction]
#[pyo3(signature = (*arrays))]
fn broadcast_arrays<'py>(
    py: Python<'py>,
    arrays: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyTuple>> {
    let xs: Vec<LazyArray> = arrays
        .iter()
        .enumerate()
        .map(|(i, a)| array_arg("broadcast_arrays", &format!("arrays[{i}]"), &a))
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

/// The shape that arrays of `shapes` broadcast to (NumPy's rules).
///
/// `shapes`: tuples of ints. Raises `ValueError` for shapes that do not broadcast. Pure shape
/// arithmetic: no array is involved.
///
/// >>> lz.broadcast_shapes((2, 1), (3,), (1, 1, 1))
/// (1, 2, 3)
#[pyfunction]
#[pyo3(signature = (*shapes))]
fn broadcast_shapes<'py>(
    py: Python<'py>,
    shapes: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyTuple>> {
    let shapes: Vec<Vec<usize>> = shapes
        .iter()
        .enumerate()
        .map(|(i, s)| named_shape_arg("broadcast_shapes", &format!("shapes[{i}]"), &s))
        .collect::<PyResult<_>>()?;
    let out = engine(py, "broadcast_shapes", move || {
        let refs: Vec<&[usize]> = shapes.iter().map(Vec::as_slice).collect();
        fe::broadcast_shapes(&refs)
    })?;
    PyTuple::new(py, out)
}

/// The `arrays` argument of `concat` and `stack`: a tuple or list of lazulite arrays.
fn array_sequence(func: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<LazyArray>> {
    let Some(items) = sequence_items(obj) else {
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

/// The arrays joined along an existing axis.
///
/// `arrays`: a tuple or list of arrays with equal shapes except along `axis`; the result has their
/// promoted dtype. `axis`: an int, or None to flatten them first. Lazy: one copy step when
/// computed.
///
/// >>> np.asarray(lz.concat([lz.asarray([1, 2]), lz.asarray([3])])).tolist()
/// [1, 2, 3]
#[pyfunction]
#[pyo3(signature = (arrays, /, *, axis = Param::Absent), text_signature = "(arrays, /, *, axis=0)")]
fn concat(py: Python<'_>, arrays: &Bound<'_, PyAny>, axis: Param<'_>) -> PyResult<PyArray> {
    let xs = array_sequence("concat", arrays)?;
    let axis = match axis {
        Param::Absent => Some(0),
        Param::Given(a) => opt_axis_arg("concat", Some(&a))?,
    };
    Ok(PyArray::new(engine(py, "concat", move || {
        let refs: Vec<&LazyArray> = xs.iter().collect();
        fe::concat(&refs, axis)
    })?))
}

/// The arrays joined along a new axis `axis`.
///
/// `arrays`: a tuple or list of arrays of one shape; the result has their promoted dtype and one
/// more dimension. Lazy.
///
/// >>> np.asarray(lz.stack([lz.asarray([1, 2]), lz.asarray([3, 4])], axis=1)).tolist()
/// [[1, 3], [2, 4]]
#[pyfunction]
#[pyo3(signature = (arrays, /, *, axis = Param::Absent), text_signature = "(arrays, /, *, axis=0)")]
fn stack(py: Python<'_>, arrays: &Bound<'_, PyAny>, axis: Param<'_>) -> PyResult<PyArray> {
    let xs = array_sequence("stack", arrays)?;
    let axis = axis_or("stack", axis, 0)?;
    Ok(PyArray::new(engine(py, "stack", move || {
        let refs: Vec<&LazyArray> = xs.iter().collect();
        fe::stack(&refs, axis)
    })?))
}

/// `x` with the axes `source` moved to the positions `destination`, the others in order.
///
/// `x`: any array. `source`, `destination`: ints or tuples of ints of equal length. The result is a
/// view. Lazy.
///
/// >>> lz.moveaxis(lz.zeros((2, 3, 4)), 0, -1).shape
/// (3, 4, 2)
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

/// Each element of `x` repeated along `axis` (the flattened `x` by default).
///
/// `x`: any array. `repeats`: an int (every element the same number of times) or a 1-D integer
/// array (one count per element along `axis`). With an array of repeats the output shape depends on
/// its values, so `repeats` is computed when `repeat` is called (see `set_data_dependent_shapes`);
/// the result stays lazy.
///
/// >>> np.asarray(lz.repeat(lz.asarray([1, 2]), 2)).tolist()
/// [1, 1, 2, 2]
/// >>> np.asarray(lz.repeat(lz.asarray([1, 2]), lz.asarray([1, 3]))).tolist()
/// [1, 2, 2, 2]
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

/// `roll`'s `shift`: an int or a tuple of ints. A shift beyond the int64 range is reduced modulo the
/// extent it rolls (Python's `%`, exact on ints of any size), which rolls the same way.
fn roll_shifts(
    x: &LazyArray,
    shift: &Bound<'_, PyAny>,
    axes: Option<&[isize]>,
) -> PyResult<Vec<i64>> {
    let items = sequence_items(shift).unwrap_or_else(|| vec![shift.clone()]);
    let extent = |axis: isize| -> usize {
        let n = x.ndim() as isize;
        if (-n..n).contains(&axis) {
            x.shape()[axis.rem_euclid(n) as usize]
        } else {
            1 // an axis out of range: the frontend reports it
        }
    };
    let reduce = |obj: &Bound<'_, PyAny>, m: usize| -> PyResult<i64> {
        if m == 0 {
            return Ok(0);
        }
        obj.rem(m)?.extract::<i64>()
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match int_arg("roll", "shift", item) {
            Ok(v) => out.push(v),
            Err(e) if e.is_instance_of::<PyOverflowError>(shift.py()) => match axes {
                None => out.push(reduce(item, x.size())?),
                // one shift for several axes: one reduced shift per axis
                Some(ax) if items.len() == 1 => {
                    return ax.iter().map(|&a| reduce(item, extent(a))).collect();
                }
                Some(ax) => out.push(reduce(item, ax.get(i).map_or(1, |&a| extent(a)))?),
            },
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// `x` with its elements shifted by `shift` along `axis`; elements leaving one end come back at the
/// other.
///
/// `x`: any array. `shift`: an int, or a tuple of ints (one per axis in `axis`). `axis`: None (the
/// flattened array), an int or a tuple of ints. Lazy: an index map fused into the consumer.
///
/// >>> np.asarray(lz.roll(lz.asarray([1, 2, 3, 4]), 1)).tolist()
/// [4, 1, 2, 3]
#[pyfunction]
#[pyo3(signature = (x, /, shift, *, axis = None))]
fn roll(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    shift: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg("roll", "x", x)?;
    let a = match axis {
        Some(a) if !a.is_none() => Some(axis_list_arg("roll", "axis", a)?),
        _ => None,
    };
    let s = roll_shifts(&x, shift, a.as_deref())?;
    Ok(PyArray::new(engine(py, "roll", move || {
        fe::roll(&x, &s, a.as_deref())
    })?))
}

/// `x` repeated `repetitions[i]` times along each axis `i`.
///
/// `x`: any array. `repetitions`: a tuple of non-negative ints; when it is longer than `x.ndim`,
/// `x` gains leading axes of length 1. Lazy.
///
/// >>> np.asarray(lz.tile(lz.asarray([1, 2]), (2, 2))).tolist()
/// [[1, 2, 1, 2], [1, 2, 1, 2]]
#[pyfunction]
#[pyo3(signature = (x, repetitions, /))]
fn tile(py: Python<'_>, x: &Bound<'_, PyAny>, repetitions: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    let x = array_arg("tile", "x", x)?;
    let r = int_list_arg("tile", "repetitions", repetitions)?;
    Ok(PyArray::new(engine(py, "tile", move || fe::tile(&x, &r))?))
}

/// The slices of `x` along `axis`, as a tuple of arrays (views).
///
/// `x`: an array with at least one dimension. `axis`: the axis to split along, 0 by default. Lazy.
///
/// >>> a, b = lz.unstack(lz.asarray([[1, 2], [3, 4]]), axis=1)
/// >>> np.asarray(b).tolist()
/// [2, 4]
#[pyfunction]
#[pyo3(signature = (x, /, *, axis = Param::Absent), text_signature = "(x, /, *, axis=0)")]
fn unstack<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    axis: Param<'py>,
) -> PyResult<Bound<'py, PyTuple>> {
    let inner = array_arg("unstack", "x", x)?;
    let axis = axis_or("unstack", axis, 0)?;
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
