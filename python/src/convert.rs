//! Conversions at the Python edge: Python scalars, array arguments, axes and shapes.

use crate::array::PyArray;
use crate::guard::{type_error, value_error};
use lazulite_frontend::{LazyArray, Operand, Scalar};
use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyFloat, PyInt, PyList, PyTuple};

/// The Python type name of `obj`, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_string())
}

/// A Python `bool`, `int`, `float` or `complex` (or a subclass such as `numpy.float64`) as a weak
/// scalar; `None` for anything else. Integers outside both `int64` and `uint64` raise `OverflowError`.
pub fn py_scalar(obj: &Bound<'_, PyAny>) -> PyResult<Option<Scalar>> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Some(Scalar::Bool(b.is_true())));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Some(Scalar::Int(i)));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Some(Scalar::UInt(u)));
        }
        return Err(PyOverflowError::new_err(format!(
            "the Python int {} is outside the range of every integer dtype (int64 and uint64)",
            obj.str().map(|s| s.to_string()).unwrap_or_default()
        )));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Some(Scalar::Float(f.value())));
    }
    if let Ok(c) = obj.cast::<PyComplex>() {
        return Ok(Some(Scalar::Complex(c.real(), c.imag())));
    }
    Ok(None)
}

/// One argument of a binary function or operator, owned so that it can cross into the engine.
pub enum Arg {
    Array(LazyArray),
    Scalar(Scalar),
}

impl Arg {
    pub fn operand(&self) -> Operand<'_> {
        match self {
            Arg::Array(a) => Operand::Array(a),
            Arg::Scalar(s) => Operand::Scalar(*s),
        }
    }

    pub fn is_scalar(&self) -> bool {
        matches!(self, Arg::Scalar(_))
    }
}

/// An array or a Python scalar; `None` for other objects (operators then return `NotImplemented`).
pub fn arg_of(obj: &Bound<'_, PyAny>) -> PyResult<Option<Arg>> {
    if let Ok(a) = obj.cast::<PyArray>() {
        return Ok(Some(Arg::Array(a.get().inner().clone())));
    }
    Ok(py_scalar(obj)?.map(Arg::Scalar))
}

/// An operand of the function `func` (parameter `param`): a lazulite array or a Python scalar.
pub fn operand_arg(func: &str, param: &str, obj: &Bound<'_, PyAny>) -> PyResult<Arg> {
    arg_of(obj)?.ok_or_else(|| {
        type_error(format!(
            "{func}: {param} must be a lazulite array or a Python scalar (bool, int, float, complex), \
             got {}; convert it with lazulite.asarray() first",
            type_name(obj)
        ))
    })
}

/// A lazulite array argument of `func` (parameter `param`).
pub fn array_arg(func: &str, param: &str, obj: &Bound<'_, PyAny>) -> PyResult<LazyArray> {
    match obj.cast::<PyArray>() {
        Ok(a) => Ok(a.get().inner().clone()),
        Err(_) => Err(type_error(format!(
            "{func}: {param} must be a lazulite array, got {}; convert it with lazulite.asarray() first",
            type_name(obj)
        ))),
    }
}

/// A Python int (or an object with `__index__`, but not a bool) as i64.
pub fn int_arg(func: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    if obj.is_instance_of::<PyBool>() {
        return Err(type_error(format!(
            "{func}: {what} must be an integer, got a bool"
        )));
    }
    obj.extract::<i64>().map_err(|e| {
        if e.is_instance_of::<PyOverflowError>(obj.py()) {
            e
        } else {
            type_error(format!(
                "{func}: {what} must be an integer, got {}",
                type_name(obj)
            ))
        }
    })
}

/// A sequence of ints given as a tuple or list.
fn int_sequence(func: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<i64>>> {
    let items: Vec<Bound<'_, PyAny>> = if let Ok(t) = obj.cast::<PyTuple>() {
        t.iter().collect()
    } else if let Ok(l) = obj.cast::<PyList>() {
        l.iter().collect()
    } else {
        return Ok(None);
    };
    items
        .iter()
        .map(|o| int_arg(func, what, o))
        .collect::<PyResult<Vec<_>>>()
        .map(Some)
}

/// An int or a tuple/list of ints (`roll`'s `shift`, `tile`'s `repetitions`), as a list.
pub fn int_list_arg(func: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    if let Some(list) = int_sequence(func, what, obj)? {
        return Ok(list);
    }
    Ok(vec![int_arg(func, what, obj)?])
}

/// An optional single axis (`axis: Optional[int]`): `None` or an int.
pub fn opt_axis_arg(func: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<isize>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(int_arg(func, "axis", o)? as isize)),
        _ => Ok(None),
    }
}

/// A tuple of lazulite arrays (the results of `meshgrid`, `broadcast_arrays`, `unstack`).
pub fn array_tuple(py: Python<'_>, arrays: Vec<LazyArray>) -> PyResult<Bound<'_, PyTuple>> {
    PyTuple::new(py, arrays.into_iter().map(PyArray::new))
}

/// `axis=`: `None` (all axes), an int, or a tuple of ints.
pub fn axes_arg(func: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<isize>>> {
    let Some(o) = obj else { return Ok(None) };
    if o.is_none() {
        return Ok(None);
    }
    if let Some(list) = int_sequence(func, "axis", o)? {
        return Ok(Some(list.into_iter().map(|a| a as isize).collect()));
    }
    Ok(Some(vec![int_arg(func, "axis", o)? as isize]))
}

/// A required list of axes (`permute_dims`' `axes`, `squeeze`'s `axis`): an int or a tuple of ints.
pub fn axis_list_arg(func: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<isize>> {
    if let Some(list) = int_sequence(func, what, obj)? {
        return Ok(list.into_iter().map(|a| a as isize).collect());
    }
    Ok(vec![int_arg(func, what, obj)? as isize])
}

/// A shape: an int or a tuple of non-negative ints.
pub fn shape_arg(func: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    let list = match int_sequence(func, "shape", obj)? {
        Some(l) => l,
        None => vec![int_arg(func, "shape", obj)?],
    };
    list.into_iter()
        .map(|n| {
            usize::try_from(n).map_err(|_| {
                value_error(format!(
                    "{func}: negative dimension {n} in shape; every size must be >= 0"
                ))
            })
        })
        .collect()
}

/// A shape that may hold one `-1` (`reshape`).
pub fn signed_shape_arg(func: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<isize>> {
    let list = match int_sequence(func, "shape", obj)? {
        Some(l) => l,
        None => vec![int_arg(func, "shape", obj)?],
    };
    Ok(list.into_iter().map(|n| n as isize).collect())
}

/// A Python scalar value as a Python object.
pub fn scalar_to_py(py: Python<'_>, s: Scalar) -> PyResult<Py<PyAny>> {
    Ok(match s {
        Scalar::Bool(b) => PyBool::new(py, b).to_owned().into_any().unbind(),
        Scalar::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Scalar::UInt(u) => u.into_pyobject(py)?.into_any().unbind(),
        Scalar::Float(f) => PyFloat::new(py, f).into_any().unbind(),
        Scalar::Complex(r, i) => PyComplex::from_doubles(py, r, i).into_any().unbind(),
    })
}

/// The strided elements at `ptr` as C-order bytes.
///
/// # Safety
/// Every element `ptr + Σ i_d * byte_strides[d]` (for indices within `shape`) must be readable for
/// `itemsize` bytes.
pub(crate) unsafe fn gather_strided(
    ptr: *const u8,
    shape: &[usize],
    byte_strides: &[isize],
    itemsize: usize,
) -> Vec<u8> {
    let n: usize = shape.iter().product();
    let mut out = Vec::with_capacity(n * itemsize);
    let rank = shape.len();
    let mut idx = vec![0usize; rank];
    let mut off = 0isize;
    for _ in 0..n {
        // SAFETY: `off` addresses an element of the tensor (the caller's contract).
        out.extend_from_slice(unsafe { std::slice::from_raw_parts(ptr.offset(off), itemsize) });
        let mut d = rank;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            off += byte_strides[d];
            if idx[d] < shape[d] {
                break;
            }
            off -= byte_strides[d] * shape[d] as isize;
            idx[d] = 0;
        }
    }
    out
}
