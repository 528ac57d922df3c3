//! DLPack: `x.__dlpack__()` / `x.__dlpack_device__()` (export) and `from_dlpack` (import).
//!
//! The DLPack C structs, the capsules and the consumer's negotiation with a producer come from the
//! `dlpark` crate. Export hands out the realized buffer without copying: the managed tensor's context
//! owns a clone of the `ArrayData` (an `Arc` of the buffer), so the memory lives until the consumer runs
//! the deleter. Import wraps the producer's memory without copying when its layout allows: the
//! producer's deleter becomes the owner of an external `Buffer` and runs when lazulite drops it.

use crate::array::PyArray;
use crate::asarray::element_bytes;
use crate::convert::opt_bool_arg;
use crate::dtype::check_device;
use crate::guard::{engine, value_error};
use crate::materialize::{materialize, Reason};
use crate::views::Handle;
use dlpark::ffi::{
    DLDataType, DLDataTypeCode, DLDevice, DLDeviceType, DLManagedTensor, DLManagedTensorVersioned,
};
use dlpark::metadata::Dynamic;
use dlpark::python::ImportedDlpack;
use dlpark::{DlpackFlags, Managed, ManagedTensorBase};
use lazulite_frontend::{self as fe, ArrayData, Buffer, DType, LazyArray};
use pyo3::exceptions::PyBufferError;
use pyo3::prelude::*;
use std::ffi::c_void;
use std::sync::Arc;

/// `kDLCPU`: the only device lazulite arrays live on.
pub const CPU: DLDevice = DLDevice {
    device_type: DLDeviceType::CPU,
    device_id: 0,
};

fn dl_dtype(d: DType) -> DLDataType {
    let (code, bits) = match d {
        DType::Bool => (DLDataTypeCode::BOOL, 8),
        DType::I8 | DType::I16 | DType::I32 | DType::I64 => (DLDataTypeCode::INT, d.bits()),
        DType::U8 | DType::U16 | DType::U32 | DType::U64 => (DLDataTypeCode::UINT, d.bits()),
        DType::F32 | DType::F64 => (DLDataTypeCode::FLOAT, d.bits()),
        DType::C64 | DType::C128 => (DLDataTypeCode::COMPLEX, d.bits()),
    };
    DLDataType::scalar(code, bits as u8)
}

fn dtype_of(t: DLDataType) -> Option<DType> {
    if t.lanes != 1 {
        return None;
    }
    let c = t.code;
    Some(match (c, t.bits) {
        (DLDataTypeCode::BOOL, 8) => DType::Bool,
        (DLDataTypeCode::INT, 8) => DType::I8,
        (DLDataTypeCode::INT, 16) => DType::I16,
        (DLDataTypeCode::INT, 32) => DType::I32,
        (DLDataTypeCode::INT, 64) => DType::I64,
        (DLDataTypeCode::UINT, 8) => DType::U8,
        (DLDataTypeCode::UINT, 16) => DType::U16,
        (DLDataTypeCode::UINT, 32) => DType::U32,
        (DLDataTypeCode::UINT, 64) => DType::U64,
        (DLDataTypeCode::FLOAT, 32) => DType::F32,
        (DLDataTypeCode::FLOAT, 64) => DType::F64,
        (DLDataTypeCode::COMPLEX, 64) => DType::C64,
        (DLDataTypeCode::COMPLEX, 128) => DType::C128,
        _ => return None,
    })
}

/// A managed tensor (legacy or versioned ABI) describing `data`, whose context owns a clone of it.
fn managed<M: ManagedTensorBase>(data: &ArrayData, flags: DlpackFlags) -> PyResult<Managed<M>> {
    let shape: Vec<i64> = data.shape.iter().map(|&n| n as i64).collect();
    let strides: Vec<i64> = data.strides.iter().map(|&s| s as i64).collect();
    let mut init = Dynamic::new(shape, strides)
        .initialize_as::<M>(Box::new(data.clone()))
        .map_err(|e| PyBufferError::new_err(format!("__dlpack__: {e}")))?;
    let ptr = data.data_ptr().map_err(crate::guard::to_pyerr)?;
    init.set_data(ptr.cast_mut().cast::<c_void>())
        .set_device(CPU)
        .set_dtype(dl_dtype(data.dtype))
        .set_byte_offset(0);
    // SAFETY: `flags` holds READ_ONLY and, for a fresh copy made by `__dlpack__(copy=True)`,
    // IS_COPIED, which is then true. Legacy tensors carry no flags (callers pass the empty set).
    unsafe { init.set_flags_unchecked(flags) };
    // SAFETY: every field is set: data points at element (0, ..., 0) of `data`'s buffer, which the
    // context (the boxed `ArrayData` clone) keeps alive until the deleter drops it; shape and strides
    // (in elements, as DLPack counts them) live in the allocation; device and dtype are set above.
    Ok(unsafe { init.finish() })
}

fn int_of(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    obj.call_method0("__index__")
        .and_then(|v| v.extract::<i64>())
        .map_err(|_| {
            value_error(format!(
                "__dlpack__: dl_device must be a tuple (device_type, device_id) of ints, got {what} {}",
                obj.repr().map(|r| r.to_string()).unwrap_or_default()
            ))
        })
}

/// `x.__dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None)`.
pub fn export(
    py: Python<'_>,
    x: &LazyArray,
    stream: Option<&Bound<'_, PyAny>>,
    max_version: Option<&Bound<'_, PyAny>>,
    dl_device: Option<&Bound<'_, PyAny>>,
    copy: Option<bool>,
) -> PyResult<Py<PyAny>> {
    if stream.is_some_and(|s| !s.is_none()) {
        return Err(value_error(
            "__dlpack__: lazulite arrays live on the CPU, which has no streams; pass stream=None",
        ));
    }
    if let Some(dev) = dl_device.filter(|d| !d.is_none()) {
        let (t, i): (Bound<'_, PyAny>, Bound<'_, PyAny>) = dev.extract().map_err(|_| {
            value_error(
                "__dlpack__: dl_device must be a tuple (device_type, device_id), e.g. (1, 0) for the CPU",
            )
        })?;
        let (t, i) = (int_of(&t, "device type")?, int_of(&i, "device id")?);
        if (t, i) != (i64::from(CPU.device_type.0), 0) {
            return Err(PyBufferError::new_err(format!(
                "__dlpack__: cannot export to DLPack device ({t}, {i}); lazulite arrays live on the \
                 CPU, device (1, 0) (kDLCPU)"
            )));
        }
    }
    if x.device() != lazulite_ir::Device::Cpu && dl_device.is_none_or(|d| d.is_none()) {
        return Err(PyBufferError::new_err(format!(
            "__dlpack__: the array lives on {}; exporting device memory through DLPack is not \
             implemented yet: pass dl_device=(1, 0) for a host copy, or call x.to_device(\"cpu\")",
            x.device()
        )));
    }
    let versioned = match max_version.filter(|v| !v.is_none()) {
        None => false,
        Some(v) => {
            let (major, _minor): (i64, i64) = v.extract().map_err(|_| {
                value_error(
                    "__dlpack__: max_version must be a tuple (major, minor) of ints, e.g. (1, 0)",
                )
            })?;
            major >= 1
        }
    };
    let mut data = materialize(py, x, Reason::Implicit("__dlpack__"))?;
    let mut flags = DlpackFlags::READ_ONLY;
    if copy == Some(true) {
        let src = data.clone();
        data = engine(py, "__dlpack__", move || {
            ArrayData::from_bytes(&src.to_contiguous_bytes(), src.dtype, &src.shape)
        })?;
        flags |= DlpackFlags::IS_COPIED;
    }
    if versioned {
        Ok(managed::<DLManagedTensorVersioned>(&data, flags)?
            .into_pyobject(py)?
            .unbind())
    } else {
        Ok(managed::<DLManagedTensor>(&data, DlpackFlags::empty())?
            .into_pyobject(py)?
            .unbind())
    }
}

/// The array of an imported managed tensor, and whether it is read-only. The values are captured at
/// import: zero-copy when nobody else can write the memory (the producer flagged it `IS_COPIED`, or
/// `READ_ONLY` and `trusted`) or when the caller asked for aliasing (`copy=False`); otherwise (a
/// writable tensor the producer may change later, `copy=True`, misaligned data) a copy.
fn wrap(
    py: Python<'_>,
    imported: ImportedDlpack,
    copy: Option<bool>,
    trusted: bool,
) -> PyResult<(LazyArray, bool)> {
    let flags = imported.flags();
    let read_only = flags.contains(DlpackFlags::READ_ONLY);
    let owned = flags.contains(DlpackFlags::IS_COPIED) || (read_only && trusted);
    let t = imported
        .validate()
        .map_err(|e| PyBufferError::new_err(format!("from_dlpack: invalid DLPack tensor: {e}")))?;
    if t.device() != CPU {
        return Err(PyBufferError::new_err(format!(
            "from_dlpack: the tensor lives on DLPack device ({}, {}); lazulite reads CPU memory only \
             (kDLCPU); move it to the CPU first",
            t.device().device_type.0,
            t.device().device_id
        )));
    }
    let dtype = dtype_of(t.dtype()).ok_or_else(|| {
        PyBufferError::new_err(format!(
            "from_dlpack: DLPack dtype (code {}, bits {}, lanes {}) is not one of the array API dtypes",
            t.dtype().code.0,
            t.dtype().bits,
            t.dtype().lanes
        ))
    })?;
    let itemsize = dtype.size();
    let shape: Vec<usize> = t.shape().iter().map(|&n| n.max(0) as usize).collect();
    let strides: Vec<isize> = t
        .strides_or_compact()
        .map_err(|e| PyBufferError::new_err(format!("from_dlpack: {e}")))?
        .iter()
        .map(|&s| s as isize)
        .collect();
    let n: usize = shape.iter().product();
    if n == 0 {
        drop(imported);
        let x = engine(py, "from_dlpack", move || {
            fe::from_bytes(&[], dtype, &shape)
        })?;
        return Ok((x, false));
    }
    // SAFETY: validation checked that data + byte_offset does not overflow.
    let ptr = unsafe { t.offset_bytes_ptr() }
        .map_err(|e| PyBufferError::new_err(format!("from_dlpack: {e}")))?;
    let isz = itemsize as isize;
    let byte_strides: Vec<isize> = strides.iter().map(|&s| s * isz).collect();
    let aligned = (ptr as usize).is_multiple_of(itemsize.min(8));
    if copy == Some(true) || !aligned || (copy.is_none() && !owned) {
        if copy == Some(false) {
            return Err(PyBufferError::new_err(
                "from_dlpack: copy=False, but the tensor's data is misaligned for its dtype and \
                 needs a copy; pass copy=None",
            ));
        }
        // SAFETY: a valid DLPack tensor addresses `shape` elements at these strides from `ptr`, and
        // `imported` keeps the producer's memory alive until it drops after the copy.
        let bytes = unsafe { element_bytes(ptr, &shape, &byte_strides, itemsize) };
        let x = engine(py, "from_dlpack", || fe::from_bytes(&bytes, dtype, &shape))?;
        drop(bytes);
        drop(imported); // the producer's memory outlives the bytes borrowed from it
        return Ok((x, false));
    }
    // the span from the lowest to the highest addressed element
    let (mut lo, mut hi) = (0isize, isz);
    for (&len, &s) in shape.iter().zip(&byte_strides) {
        let span = (len as isize - 1) * s;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    let owner = imported.into_deleter();
    // SAFETY: the producer guarantees that every element it describes lies in its memory, so
    // `[ptr + lo, ptr + hi)` is readable; the deleter (the owner) keeps that memory alive until the
    // Buffer drops it, and lazulite never writes to external buffers.
    let buffer =
        unsafe { Buffer::from_external(ptr.offset(lo), (hi - lo) as usize, Box::new(owner)) };
    let data = ArrayData {
        buffer: Arc::new(buffer),
        offset: -lo / isz,
        strides: strides.iter().copied().collect(),
        shape: shape.iter().copied().collect(),
        dtype,
    };
    data.check_layout().map_err(crate::guard::to_pyerr)?;
    Ok((LazyArray::from_data(data), read_only))
}

/// An array from any object that implements DLPack (`__dlpack__` and `__dlpack_device__`).
///
/// `x`: a CPU tensor of NumPy, PyTorch, JAX, ... or a lazulite array (then the result shares its
/// family: writes through either show in both). Another producer's memory is wrapped without a copy
/// when it is read-only or was copied for us, and copied otherwise; `copy=False` aliases it in any
/// case, `copy=True` always copies. `device`: None or `lz.cpu`.
///
/// >>> np.asarray(lz.from_dlpack(np.asarray([1.0, 2.0])))
/// array([1., 2.])
#[pyfunction]
#[pyo3(signature = (x, /, *, device = None, copy = None))]
pub fn from_dlpack(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    device: Option<&Bound<'_, PyAny>>,
    copy: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    if let Some(d) = check_device("from_dlpack", device)?.filter(|d| *d != lazulite_ir::Device::Cpu)
    {
        // imported on the host, then one explicit copy
        let x = from_dlpack(py, x, None, copy)?;
        return Ok(PyArray::new(crate::dtype::on_device(x.inner(), Some(d))?));
    }
    let copy = opt_bool_arg("from_dlpack", "copy", copy)?;
    if let Ok(a) = x.cast::<PyArray>() {
        // one of ours: no capsule needed (a lazy array stays lazy)
        let inner = a.get().inner().clone();
        if copy == Some(true) {
            let data = materialize(py, &inner, Reason::Implicit("from_dlpack"))?;
            return Ok(PyArray::new(engine(py, "from_dlpack", move || {
                fe::from_bytes(&data.to_contiguous_bytes(), data.dtype, &data.shape)
            })?));
        }
        return Ok(PyArray::from_handle(a.get().handle().alias()));
    }
    if !x.hasattr("__dlpack__")? && !is_capsule(x) {
        return Err(pyo3::exceptions::PyAttributeError::new_err(format!(
            "from_dlpack: x is a {}, which has no __dlpack__ method; use asarray() for buffer-protocol \
             objects and sequences",
            crate::convert::type_name(x)
        )));
    }
    // copy=True copies on our side (so the result never shares the producer's memory, whatever the
    // producer does); copy=False is passed on, so that the producer refuses to copy.
    let ask = if copy == Some(false) {
        Some(false)
    } else {
        None
    };
    let imported = if is_capsule(x) {
        dlpark::python::from_dlpack(x.as_borrowed(), None, None)?
    } else {
        dlpark::python::from_dlpack(x.as_borrowed(), None, ask)?
    };
    // READ_ONLY is trusted from a capsule (the exporter vouched for it) and from a producer whose
    // memory nothing views writable (see `asarray::frozen`)
    let trusted = is_capsule(x) || crate::asarray::frozen(x)?;
    let (a, read_only) = wrap(py, imported, copy, trusted)?;
    Ok(PyArray::from_handle(Handle::base(a, read_only)))
}

fn is_capsule(x: &Bound<'_, PyAny>) -> bool {
    x.is_instance_of::<pyo3::types::PyCapsule>()
}

/// `x.__dlpack_device__()`: `(1, 0)` (kDLCPU device 0), or `(2, n)` (kDLCUDA) for `cuda:n`.
pub fn device_tuple(device: lazulite_ir::Device) -> (i64, i64) {
    match device {
        lazulite_ir::Device::Cpu => (i64::from(CPU.device_type.0), i64::from(CPU.device_id)),
        // kDLCUDA
        lazulite_ir::Device::Cuda(n) => (2, i64::from(n)),
    }
}
