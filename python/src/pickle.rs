//! Pickling and copying arrays (`__reduce_ex__`, `__copy__`, `__deepcopy__`).
//!
//! A pickled array is its value, not its graph: `__reduce_ex__` computes the array through the
//! materialisation choke point (an *implicit* computation, so `set_implicit_compute("raise")` makes
//! pickling an uncomputed array a `RuntimeError`; a computed one always pickles) and stores the
//! elements as C-order little-endian bytes with the dtype name, the shape and the device name.
//! Unpickling ([`_array_from_pickle`]) copies the bytes into a new buffer, so the result never shares
//! memory with the pickle, in this process or another one.
//!
//! With protocol 5 a C-contiguous array is handed to the pickler as a `pickle.PickleBuffer` over its
//! own buffer export (read-only), so `buffer_callback` can send the bytes out of band without a copy;
//! in band the pickler copies them once, as for any bytes.

use crate::array::PyArray;
use crate::guard::{engine, type_error, value_error};
use crate::materialize::{materialize, Reason};
use lazulite_frontend::{self as fe, DType, LazyArray};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

/// `x.__reduce_ex__(protocol)`: `(lazulite._lazulite._array_from_pickle, (data, dtype name, shape,
/// device name))`, where `data` is `bytes`, or a `PickleBuffer` for protocol 5 and up.
pub fn reduce_ex<'py>(
    slf: &Bound<'py, PyArray>,
    protocol: i64,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
    let py = slf.py();
    let data = materialize(py, &slf.get().inner(), Reason::Implicit("pickle"))?;
    let payload: Bound<'py, PyAny> = if protocol >= 5 && data.is_c_contiguous() {
        py.import("pickle")?
            .getattr("PickleBuffer")?
            .call1((crate::buffer::memoryview_of(
                slf,
                crate::buffer::PyBUF_FULL_RO,
            )?,))?
    } else {
        let bytes = py.detach(|| data.to_contiguous_bytes());
        PyBytes::new(py, &bytes).into_any()
    };
    let rebuild = py
        .import("lazulite._lazulite")?
        .getattr("_array_from_pickle")?;
    let shape = PyTuple::new(py, data.shape.iter().copied())?;
    let args = PyTuple::new(
        py,
        [
            payload,
            data.dtype.name().into_pyobject(py)?.into_any(),
            shape.into_any(),
            "cpu".into_pyobject(py)?.into_any(),
        ],
    )?;
    Ok((rebuild, args))
}

/// Rebuilds a pickled array: a new realized array holding a copy of `data`'s bytes (any object with
/// the buffer protocol: `bytes`, `bytearray`, `memoryview`, `PickleBuffer`), read as C-order
/// little-endian elements of `dtype` (a dtype name) in `shape`, on `device` (a device name).
#[pyfunction]
#[pyo3(signature = (data, dtype, shape, device = "cpu"))]
pub fn _array_from_pickle(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dtype: &str,
    shape: Vec<usize>,
    device: &str,
) -> PyResult<PyArray> {
    let Some(d) = DType::from_name(dtype) else {
        return Err(value_error(format!(
            "unpickling a lazulite array: unknown dtype {dtype:?}; the pickle was made by another \
             version of lazulite, or is corrupt"
        )));
    };
    if device != "cpu" {
        return Err(value_error(format!(
            "unpickling a lazulite array: it was pickled on device {device:?}, which this process does \
             not have; unpickle it where that device exists, or move it with to_device(\"cpu\") \
             before pickling"
        )));
    }
    // `bytes` is read in place; any other buffer is read through a flat byte view of it.
    let bytes: Bound<'_, PyBytes> = match data.cast::<PyBytes>() {
        Ok(b) => b.clone(),
        Err(_) => {
            let view = py
                .import("builtins")?
                .getattr("memoryview")?
                .call1((data,))
                .map_err(|_| {
                    type_error(format!(
                        "unpickling a lazulite array: the data must support the buffer protocol, \
                         got {}",
                        data.get_type()
                            .name()
                            .map(|n| n.to_string())
                            .unwrap_or_default()
                    ))
                })?;
            view.call_method1("cast", ("B",))?
                .call_method0("tobytes")?
                .cast_into::<PyBytes>()?
        }
    };
    let raw = bytes.as_bytes();
    let want = shape
        .iter()
        .try_fold(d.size(), |acc, &n| acc.checked_mul(n));
    if want != Some(raw.len()) {
        return Err(value_error(format!(
            "unpickling a lazulite array: {} bytes of data for a {dtype} array of shape {shape:?} \
             (which needs {}); the pickle is truncated or corrupt",
            raw.len(),
            want.map_or_else(
                || "more bytes than memory can hold".into(),
                |w| format!("{w} bytes")
            )
        )));
    }
    let a = engine(py, "unpickle", || fe::from_bytes(raw, d, &shape))?;
    Ok(PyArray::new(a))
}

/// `copy.copy(x)` and `copy.deepcopy(x)`: a new array object with `x`'s value. The value is an
/// immutable node (writes rebind an array to a new node), so the copy shares it without copying
/// elements, computes nothing, and a write to either array never shows in the other. A computed array
/// that wraps foreign memory (a zero-copy `asarray` or `from_dlpack` import, which the producer may
/// still write) gets a private copy of its elements.
pub fn copy_of(py: Python<'_>, x: &LazyArray) -> PyResult<PyArray> {
    match x.realized() {
        Some(data) if data.buffer.is_external() => {
            let a = engine(py, "deepcopy", move || {
                fe::from_bytes(&data.to_contiguous_bytes(), data.dtype, &data.shape)
            })?;
            Ok(PyArray::new(a))
        }
        _ => Ok(PyArray::new(x.clone())),
    }
}
