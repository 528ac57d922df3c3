//! DLPack: `x.__dlpack__()` / `x.__dlpack_device__()` (export) and `from_dlpack` (import).
//!
//! The DLPack C structs, the capsules and the consumer's negotiation with a producer come from the
//! `dlpark` crate. Export hands out the realized buffer without copying: the managed tensor's context
//! owns a clone of the `ArrayData` (an `Arc` of the buffer), so the memory lives until the consumer runs
//! the deleter. Import wraps the producer's memory without copying when its layout allows: the
//! producer's deleter becomes the owner of an external `Buffer` and runs when lazulite drops it.
//! Device memory travels the same way: an array on `cuda:n` is exported as (kDLCUDA, n) with its
//! device address (after synchronising the device's one stream), and a kDLCUDA tensor on a present
//! device is imported as an external device buffer (`runtime::wrap_device_memory`), which lazulite's
//! device pool never frees.

use crate::array::PyArray;
use crate::asarray::element_bytes;
use crate::convert::opt_bool_arg;
use crate::dtype::check_device;
use crate::guard::{engine, value_error};
use crate::materialize::{compute_value, materialize, Reason};
use crate::views::Handle;
use dlpark::ffi::{
    DLDataType, DLDataTypeCode, DLDevice, DLDeviceType, DLManagedTensor, DLManagedTensorVersioned,
};
use dlpark::metadata::Dynamic;
use dlpark::python::consumer::{DlpackStream, ImportRequest, StreamArg};
use dlpark::python::ImportedDlpack;
use dlpark::{DlpackFlags, Managed, ManagedTensorBase};
use lazulite_frontend::{self as fe, ArrayData, Buffer, DType, LazyArray};
use lazulite_ir::Device;
use pyo3::exceptions::{PyBufferError, PyTypeError};
use pyo3::prelude::*;
use std::ffi::c_void;
use std::sync::Arc;

/// `kDLCPU`, the host.
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

/// A managed tensor (legacy or versioned ABI) describing `data`, whose context owns a clone of it:
/// host memory as kDLCPU, device memory of `cuda:n` as (kDLCUDA, n) with its device address.
fn managed<M: ManagedTensorBase>(data: &ArrayData, flags: DlpackFlags) -> PyResult<Managed<M>> {
    let shape: Vec<i64> = data.shape.iter().map(|&n| n as i64).collect();
    let strides: Vec<i64> = data.strides.iter().map(|&s| s as i64).collect();
    let mut init = Dynamic::new(shape, strides)
        .initialize_as::<M>(Box::new(data.clone()))
        .map_err(|e| PyBufferError::new_err(format!("__dlpack__: {e}")))?;
    let (ptr, device) = match fe::device_address(data) {
        Some((addr, n)) => (
            addr as usize as *mut c_void,
            DLDevice {
                device_type: DLDeviceType::CUDA,
                device_id: i32::from(n),
            },
        ),
        None => (
            data.data_ptr()
                .map_err(crate::guard::to_pyerr)?
                .cast_mut()
                .cast::<c_void>(),
            CPU,
        ),
    };
    init.set_data(ptr)
        .set_device(device)
        .set_dtype(dl_dtype(data.dtype))
        .set_byte_offset(0);
    // SAFETY: `flags` holds READ_ONLY and, for a fresh copy made by `__dlpack__(copy=True)` or a
    // host copy of a device array, IS_COPIED, which is then true. Legacy tensors carry no flags
    // (callers pass the empty set).
    unsafe { init.set_flags_unchecked(flags) };
    // SAFETY: every field is set: data points at element (0, ..., 0) of `data`'s buffer (a host
    // address for host memory, the device address for device memory, as `device` says), which the
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

/// The device `__dlpack__` exports to: `dl_device` when given (the host, or the array's own
/// device), else the array's device.
fn export_target(here: Device, dl_device: Option<&Bound<'_, PyAny>>) -> PyResult<Device> {
    let Some(dev) = dl_device.filter(|d| !d.is_none()) else {
        return Ok(here);
    };
    let (t, i): (Bound<'_, PyAny>, Bound<'_, PyAny>) = dev.extract().map_err(|_| {
        value_error(
            "__dlpack__: dl_device must be a tuple (device_type, device_id), e.g. (1, 0) for the CPU",
        )
    })?;
    let (t, i) = (int_of(&t, "device type")?, int_of(&i, "device id")?);
    if (t, i) == device_tuple(Device::Cpu) {
        return Ok(Device::Cpu);
    }
    if (t, i) == device_tuple(here) {
        return Ok(here);
    }
    let (ht, hi) = device_tuple(here);
    Err(PyBufferError::new_err(format!(
        "__dlpack__: cannot export to DLPack device ({t}, {i}); the array lives on {here}, DLPack \
         device ({ht}, {hi}); pass dl_device=None to export it there, dl_device=(1, 0) for a host \
         copy, or move it first with x.to_device(...)"
    )))
}

/// Checks `stream` against the standard's rules for the device exported to, and says whether to
/// synchronise before handing the memory out. On the host only `None` is allowed. On CUDA: `None`
/// (the legacy default stream), `1` (legacy default), `2` (per-thread default) or a stream handle
/// `> 2` ask for a synchronisation; `-1` asks for none; `0` is ambiguous and rejected.
fn stream_sync(stream: Option<&Bound<'_, PyAny>>, target: Device) -> PyResult<bool> {
    let Some(s) = stream.filter(|s| !s.is_none()) else {
        return Ok(target != Device::Cpu);
    };
    if target == Device::Cpu {
        return Err(value_error(format!(
            "__dlpack__: stream={} for an export to the CPU, which has no streams; pass stream=None",
            s.repr().map(|r| r.to_string()).unwrap_or_default()
        )));
    }
    let v = s
        .call_method0("__index__")
        .and_then(|v| v.extract::<i128>())
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "__dlpack__: stream must be None or an int (a CUDA stream handle, 1 or 2 for the \
                 default streams, -1 for no synchronisation), got {}",
                crate::convert::type_name(s)
            ))
        })?;
    match v {
        -1 => Ok(false),
        1.. => Ok(true),
        _ => Err(value_error(format!(
            "__dlpack__: stream={v} is not a valid CUDA stream (the standard disallows 0, which is \
             ambiguous, and negative values but -1); pass None or 1 for the legacy default stream, 2 for the per-thread default \
             stream, a stream handle, or -1 for no synchronisation"
        ))),
    }
}

/// `x.__dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None)`.
///
/// A device array is exported where it lives (kDLCUDA, zero-copy); lazulite runs all work of a
/// device on one stream (the driver's default stream) and, unless `stream=-1`, synchronises it before
/// handing the memory out, which makes the data ready for any stream the consumer names.
pub fn export(
    py: Python<'_>,
    x: &LazyArray,
    stream: Option<&Bound<'_, PyAny>>,
    max_version: Option<&Bound<'_, PyAny>>,
    dl_device: Option<&Bound<'_, PyAny>>,
    copy: Option<bool>,
) -> PyResult<Py<PyAny>> {
    let here = x.device();
    let target = export_target(here, dl_device)?;
    let sync = stream_sync(stream, target)?;
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
    if target != here && copy == Some(false) {
        return Err(PyBufferError::new_err(format!(
            "__dlpack__: copy=False, but exporting an array on {here} to the CPU needs a copy; pass \
             copy=None or dl_device=None"
        )));
    }
    let mut flags = DlpackFlags::READ_ONLY;
    let mut data = if target == Device::Cpu {
        // a device array's host copy is made (and counted) here
        materialize(py, x, Reason::Implicit("__dlpack__"))?
    } else {
        compute_value(py, x, Reason::Implicit("__dlpack__"))?
    };
    if target != here {
        flags |= DlpackFlags::IS_COPIED;
    } else if copy == Some(true) {
        let src = data.clone();
        data = engine(py, "__dlpack__", move || fe::copy_on_device(&src))?;
        flags |= DlpackFlags::IS_COPIED;
    }
    if sync {
        let dev = data.device();
        engine(py, "__dlpack__", move || fe::synchronize(dev))?;
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
    let device = t.device();
    let on = if device == CPU {
        Device::Cpu
    } else if device.device_type == DLDeviceType::CUDA {
        cuda_device(device.device_id)?
    } else {
        return Err(PyBufferError::new_err(format!(
            "from_dlpack: the tensor lives on DLPack device ({}, {}); lazulite reads CPU memory \
             (kDLCPU, (1, 0)) and CUDA memory (kDLCUDA, (2, n)) only; move it to the CPU first",
            device.device_type.0, device.device_id
        )));
    };
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
        let x = if on == Device::Cpu {
            x
        } else {
            crate::dtype::on_device(x, Some(on))?
        };
        return Ok((x, false));
    }
    // SAFETY: validation checked that data + byte_offset does not overflow.
    let ptr = unsafe { t.offset_bytes_ptr() }
        .map_err(|e| PyBufferError::new_err(format!("from_dlpack: {e}")))?;
    let isz = itemsize as isize;
    if let Device::Cuda(n) = on {
        return wrap_device(py, imported, ptr, n, dtype, shape, strides, copy, read_only);
    }
    let aligned = (ptr as usize).is_multiple_of(itemsize.min(8));
    if copy == Some(true) || !aligned || (copy.is_none() && !owned) {
        if copy == Some(false) {
            return Err(PyBufferError::new_err(
                "from_dlpack: copy=False, but the tensor's data is misaligned for its dtype and \
                 needs a copy; pass copy=None",
            ));
        }
        let byte_strides: Vec<isize> = strides.iter().map(|&s| s * isz).collect();
        // SAFETY: a valid DLPack tensor addresses `shape` elements at these strides from `ptr`, and
        // `imported` keeps the producer's memory alive until it drops after the copy.
        let bytes = unsafe { element_bytes(ptr, &shape, &byte_strides, itemsize) };
        let x = engine(py, "from_dlpack", || fe::from_bytes(&bytes, dtype, &shape))?;
        drop(bytes);
        drop(imported); // the producer's memory outlives the bytes borrowed from it
        return Ok((x, false));
    }
    let (lo, hi) = byte_span(&shape, &strides, isz);
    let owner = imported.into_deleter();
    // SAFETY: the producer guarantees that every element it describes lies in its memory, so
    // `[ptr + lo, ptr + hi)` is readable; the deleter (the owner) keeps that memory alive until the
    // Buffer drops it, and lazulite never writes to external buffers.
    let buffer =
        unsafe { Buffer::from_external(ptr.offset(lo), (hi - lo) as usize, Box::new(owner)) };
    let data =
        imported_array(buffer, lo, &shape, &strides, dtype).map_err(crate::guard::to_pyerr)?;
    Ok((LazyArray::from_data(data), read_only))
}

/// The lazulite device of DLPack device (kDLCUDA, `id`): `cuda:id` when it is present, else a
/// `BufferError` naming it and the fix.
fn cuda_device(id: i32) -> PyResult<Device> {
    let present = fe::devices();
    match u16::try_from(id).map(Device::Cuda) {
        Ok(d) if present.contains(&d) => Ok(d),
        _ => Err(PyBufferError::new_err(format!(
            "from_dlpack: the tensor lives on CUDA device {id} (DLPack device (2, {id})), but cuda:{id} \
             is not present here (lz.devices() is [{}]); install the NVIDIA driver, or move the \
             tensor to the CPU on the producer's side first (e.g. x.cpu() in PyTorch, x.get() in CuPy)",
            present
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// An imported tensor's array: `buffer` starts at the tensor's lowest byte `lo` (relative to its data
/// pointer, from [`byte_span`]), so the first element sits `-lo` bytes in; the layout is checked
/// against the buffer.
fn imported_array(
    buffer: Buffer,
    lo: isize,
    shape: &[usize],
    strides: &[isize],
    dtype: DType,
) -> lazulite_ir::Result<ArrayData> {
    let data = ArrayData {
        buffer: Arc::new(buffer),
        offset: -lo / dtype.size() as isize,
        strides: strides.iter().copied().collect(),
        shape: shape.iter().copied().collect(),
        dtype,
    };
    data.check_layout()?;
    Ok(data)
}

/// The bytes a DLPack tensor's elements cover, relative to its first element: `lo..hi`, from the
/// lowest to the end of the highest addressed element (`strides` in elements of `itemsize` bytes).
fn byte_span(shape: &[usize], strides: &[isize], itemsize: isize) -> (isize, isize) {
    let (mut lo, mut hi) = (0isize, itemsize);
    for (&len, &s) in shape.iter().zip(strides) {
        let span = (len as isize - 1) * s * itemsize;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    (lo, hi)
}

/// The array over device memory of `cuda:n` at `ptr` described by `shape` and `strides` (in
/// elements): zero-copy, an external device buffer whose owner is the producer's deleter (never
/// freed by lazulite's pool), or with `copy=True` a device-to-device copy of it.
#[allow(clippy::too_many_arguments)]
fn wrap_device(
    py: Python<'_>,
    imported: ImportedDlpack,
    ptr: *const u8,
    n: u16,
    dtype: DType,
    shape: Vec<usize>,
    strides: Vec<isize>,
    copy: Option<bool>,
    read_only: bool,
) -> PyResult<(LazyArray, bool)> {
    let isz = dtype.size() as isize;
    let (lo, hi) = byte_span(&shape, &strides, isz);
    let base = (ptr as usize as u64).wrapping_add_signed(lo as i64);
    if !base.is_multiple_of(dtype.size().min(8) as u64) {
        return Err(PyBufferError::new_err(format!(
            "from_dlpack: the tensor's device memory on cuda:{n} is misaligned for {dtype} \
             (address {base:#x}); make it contiguous on the producer's side first"
        )));
    }
    let owner = imported.into_deleter();
    let len = (hi - lo) as usize;
    let data = engine(py, "from_dlpack", move || {
        // SAFETY: the producer guarantees that every element it describes lies in its memory on
        // (kDLCUDA, n), so `[base, base + len)` is device memory of cuda:n; the deleter (the owner)
        // keeps it alive until the Buffer drops it, and lazulite never writes to it.
        let buffer = unsafe { fe::wrap_device_memory(base, len, n, Box::new(owner))? };
        let data = imported_array(buffer, lo, &shape, &strides, dtype)?;
        if copy == Some(true) {
            // the producer's memory is released (its deleter runs) when `data` drops here
            return fe::copy_on_device(&data);
        }
        Ok(data)
    })?;
    let read_only = read_only && copy != Some(true);
    Ok((LazyArray::from_data(data), read_only))
}

/// An array from any object that implements DLPack (`__dlpack__` and `__dlpack_device__`).
///
/// `x`: a CPU tensor of NumPy, PyTorch, JAX, ..., a CUDA tensor of CuPy, PyTorch, ... (on a
/// device `lz.devices()` lists), or a lazulite array (then the result shares its family: writes
/// through either show in both). Another producer's CPU memory is wrapped without a copy when it is
/// read-only or was copied for us, and copied otherwise; `copy=False` aliases it in any case,
/// `copy=True` always copies. CUDA memory is wrapped without a copy (the result lives on `cuda:n`
/// and sees the producer's later writes; `copy=True` copies it on the device); lazulite asks a CUDA
/// producer for `stream=1`, the legacy default stream it runs on. `device`: None, or a device to
/// copy the result to.
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
    if let Some(d) = check_device("from_dlpack", device)? {
        // imported where the producer's memory lives, then one explicit copy when that is elsewhere
        let x = from_dlpack(py, x, None, copy)?;
        if x.inner().device() == d {
            return Ok(x);
        }
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
        let request = ImportRequest::new(x.as_borrowed())?;
        match request.device() {
            Ok(d) if d.device_type == DLDeviceType::CUDA => {
                // refuse before the producer exports anything
                cuda_device(d.device_id)?;
                request.import(Some(&DefaultStream), ask)?
            }
            _ => request.import(None, ask)?,
        }
    };
    // READ_ONLY is trusted from a capsule (the exporter vouched for it) and from a producer whose
    // memory nothing views writable (see `asarray::frozen`)
    let trusted = is_capsule(x) || crate::asarray::frozen(x)?;
    let (a, read_only) = wrap(py, imported, copy, trusted)?;
    Ok(PyArray::from_handle(Handle::base(a, read_only)))
}

/// The stream lazulite consumes device memory on: the driver's default stream of the device (the
/// one stream lazulite runs each device's work on), passed to a CUDA producer as `stream=1` (the
/// legacy default stream, per the standard); no stream for other devices.
struct DefaultStream;

// SAFETY: the value is the standard's sentinel `1` for CUDA's legacy default stream, which is always
// live and belongs to every CUDA device; other devices get no stream argument.
unsafe impl DlpackStream for DefaultStream {
    fn as_python_arg(&self, _py: Python<'_>, device: DLDevice) -> PyResult<StreamArg> {
        Ok(if device.device_type == DLDeviceType::CUDA {
            dlpark::python::consumer::stream::cuda(std::ptr::null_mut())
        } else {
            dlpark::python::consumer::stream::none()
        })
    }
}

fn is_capsule(x: &Bound<'_, PyAny>) -> bool {
    x.is_instance_of::<pyo3::types::PyCapsule>()
}

/// `x.__dlpack_device__()`: `(1, 0)` (kDLCPU device 0), or `(2, n)` (kDLCUDA) for `cuda:n`.
pub fn device_tuple(device: Device) -> (i64, i64) {
    match device {
        Device::Cpu => (i64::from(CPU.device_type.0), i64::from(CPU.device_id)),
        // kDLCUDA
        Device::Cuda(n) => (2, i64::from(n)),
    }
}
