//! The buffer protocol in the stable ABI from CPython 3.10 on (one `cp310-abi3` extension).
//!
//! pyo3 0.30 offers `Py_buffer` and `__getbuffer__` under the limited API only from 3.11 (the version
//! that added them to the limited API). The C ABI they stand for is older and unchanged: the
//! `Py_buffer` layout has been the same since CPython 3.3, `PyObject_GetBuffer`, `PyBuffer_Release` and
//! `PyObject_CheckBuffer` are exported functions since 3.9, and `PyType_FromSpec` honours the
//! `Py_bf_getbuffer`/`Py_bf_releasebuffer` slots since 3.9. This module declares that ABI itself and
//! exports an array's buffer through a small heap type of its own (`_BufferExport`, one object per
//! export, holding the array):
//! - `x.__buffer__(flags)` (PEP 688's method, on every version) returns a read-only `memoryview` of the
//!   computed buffer; `__array__` (NumPy) goes through it.
//! - `memoryview(x)` and every C consumer (`PyObject_GetBuffer(x)`) work from CPython 3.12 on: `install`
//!   re-assigns `Array.__buffer__`, and CPython then fills the type's `bf_getbuffer` slot from it (PEP 688).
//!   On 3.10 and 3.11 that slot stays empty (pyo3 builds the class; the limited API cannot add a slot to
//!   it later): `memoryview(x.__buffer__(0))`, `np.asarray(x)` or DLPack export the buffer there.
//! - Import (`lz.asarray(obj)` of any buffer exporter) uses `PyObject_GetBuffer` on every version.
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]

use crate::array::PyArray;
use crate::materialize::{materialize, Reason};
use lazulite_frontend::{ArrayData, DType};
use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyMemoryView, PyType};
use std::ffi::{c_int, c_void, CStr};

/// CPython's `Py_buffer` (`Include/pybuffer.h`; the same layout from 3.3 on).
#[repr(C)]
pub struct Py_buffer {
    pub buf: *mut c_void,
    /// a strong reference to the exporter, released by `PyBuffer_Release`
    pub obj: *mut ffi::PyObject,
    pub len: ffi::Py_ssize_t,
    pub itemsize: ffi::Py_ssize_t,
    pub readonly: c_int,
    pub ndim: c_int,
    pub format: *mut std::ffi::c_char,
    pub shape: *mut ffi::Py_ssize_t,
    pub strides: *mut ffi::Py_ssize_t,
    pub suboffsets: *mut ffi::Py_ssize_t,
    pub internal: *mut c_void,
}

pub const PyBUF_WRITABLE: c_int = 0x0001;
pub const PyBUF_FORMAT: c_int = 0x0004;
pub const PyBUF_ND: c_int = 0x0008;
pub const PyBUF_STRIDES: c_int = 0x0010 | PyBUF_ND;
pub const PyBUF_C_CONTIGUOUS: c_int = 0x0020 | PyBUF_STRIDES;
pub const PyBUF_F_CONTIGUOUS: c_int = 0x0040 | PyBUF_STRIDES;
pub const PyBUF_ANY_CONTIGUOUS: c_int = 0x0080 | PyBUF_STRIDES;
pub const PyBUF_INDIRECT: c_int = 0x0100 | PyBUF_STRIDES;
pub const PyBUF_FULL_RO: c_int = PyBUF_INDIRECT | PyBUF_FORMAT;

extern "C" {
    pub fn PyObject_CheckBuffer(obj: *mut ffi::PyObject) -> c_int;
    pub fn PyObject_GetBuffer(obj: *mut ffi::PyObject, view: *mut Py_buffer, flags: c_int)
        -> c_int;
    pub fn PyBuffer_Release(view: *mut Py_buffer);
}

/// The element format of the buffer protocol for a dtype (struct module syntax, native order).
fn buffer_format(d: DType) -> &'static CStr {
    match d {
        DType::Bool => c"?",
        DType::I8 => c"b",
        DType::I16 => c"h",
        DType::I32 => c"i",
        DType::I64 => c"q",
        DType::U8 => c"B",
        DType::U16 => c"H",
        DType::U32 => c"I",
        DType::U64 => c"Q",
        DType::F32 => c"f",
        DType::F64 => c"d",
        DType::C64 => c"Zf",
        DType::C128 => c"Zd",
    }
}

/// What one buffer export keeps alive: the array's data (its buffer) and the shape/strides arrays the
/// `Py_buffer` points into.
struct Export {
    _data: ArrayData,
    /// `ndim` extents followed by `ndim` strides in bytes.
    dims: Vec<isize>,
}

fn is_f_contiguous(data: &ArrayData) -> bool {
    if data.numel() == 0 {
        return true;
    }
    let mut want = 1isize;
    for (&n, &s) in data.shape.iter().zip(&data.strides) {
        if n != 1 && s != want {
            return false;
        }
        want *= n as isize;
    }
    true
}

/// `array`'s computed data (computing it first) when an export of it can meet the consumer's `flags`
/// (read-only; the contiguity asked for), else the `BufferError` that says why not.
fn checked_data(array: &Bound<'_, PyArray>, flags: c_int) -> PyResult<ArrayData> {
    if flags & PyBUF_WRITABLE == PyBUF_WRITABLE {
        return Err(PyBufferError::new_err(
            "__buffer__: lazulite arrays are read-only; request a read-only buffer \
             (or copy the data, e.g. numpy.array(x))",
        ));
    }
    let data = materialize(
        array.py(),
        &array.get().inner(),
        Reason::Implicit("__buffer__"),
    )?;
    let c_contig = data.is_c_contiguous();
    let f_contig = is_f_contiguous(&data);
    let needs = |f: c_int| flags & f == f;
    if needs(PyBUF_C_CONTIGUOUS) && !c_contig {
        return Err(PyBufferError::new_err(
            "__buffer__: the array is not C-contiguous; request a strided buffer",
        ));
    }
    if needs(PyBUF_F_CONTIGUOUS) && !f_contig {
        return Err(PyBufferError::new_err(
            "__buffer__: the array is not Fortran-contiguous; request a strided buffer",
        ));
    }
    if needs(PyBUF_ANY_CONTIGUOUS) && !c_contig && !f_contig {
        return Err(PyBufferError::new_err(
            "__buffer__: the array is not contiguous; request a strided buffer",
        ));
    }
    if !needs(PyBUF_STRIDES) && !c_contig {
        return Err(PyBufferError::new_err(
            "__buffer__: the array is not C-contiguous and the consumer did not ask for strides",
        ));
    }
    Ok(data)
}

/// Fills `view` with a read-only export of `array`'s computed buffer (computing it first), honouring
/// the consumer's `flags`; `view.obj` becomes a new strong reference to `owner`, whose type's
/// `bf_releasebuffer` is `release_buffer`.
///
/// # Safety
/// `view` is null or points to a `Py_buffer` the caller owns for the call; `owner` is a valid object.
unsafe fn fill_view(
    array: &Bound<'_, PyArray>,
    owner: *mut ffi::PyObject,
    view: *mut Py_buffer,
    flags: c_int,
) -> PyResult<()> {
    if view.is_null() {
        return Err(PyBufferError::new_err("__buffer__: view is NULL"));
    }
    let data = checked_data(array, flags)?;
    let itemsize = data.dtype.size();
    let ndim = data.shape.len();
    let needs = |f: c_int| flags & f == f;
    let mut dims: Vec<isize> = data.shape.iter().map(|&n| n as isize).collect();
    dims.extend(data.strides.iter().map(|&s| s * itemsize as isize));
    let export = Box::new(Export {
        _data: data.clone(),
        dims,
    });
    let len = data.numel() * itemsize;
    let ptr = data.data_ptr().map_err(crate::guard::to_pyerr)?;
    // SAFETY: `view` is non-null and points to a `Py_buffer` the caller owns for this call. The pointers
    // stored in it (data, format, shape, strides) stay valid until `release_buffer`: the data is kept
    // alive by the `ArrayData` in `export`, `dims` lives in the boxed `export`, and the format strings
    // are 'static. `owner` is a valid object (the caller's contract).
    unsafe {
        (*view).buf = ptr.cast_mut().cast::<c_void>();
        (*view).len = len as isize;
        (*view).readonly = 1;
        (*view).itemsize = itemsize as isize;
        (*view).format = if needs(PyBUF_FORMAT) {
            buffer_format(data.dtype).as_ptr().cast_mut()
        } else {
            std::ptr::null_mut()
        };
        (*view).ndim = ndim as c_int;
        (*view).shape = if needs(PyBUF_ND) {
            export.dims.as_ptr().cast_mut()
        } else {
            std::ptr::null_mut()
        };
        (*view).strides = if needs(PyBUF_STRIDES) {
            export.dims.as_ptr().add(ndim).cast_mut()
        } else {
            std::ptr::null_mut()
        };
        (*view).suboffsets = std::ptr::null_mut();
        (*view).internal = Box::into_raw(export).cast::<c_void>();
        ffi::Py_IncRef(owner);
        (*view).obj = owner;
    }
    Ok(())
}

/// The `_BufferExport` object's layout: an object header and the array it exports (a strong
/// reference).
#[repr(C)]
struct ExportObject {
    ob_base: ffi::PyObject,
    array: *mut ffi::PyObject,
}

/// `bf_getbuffer` of `_BufferExport`.
unsafe extern "C" fn get_buffer(
    slf: *mut ffi::PyObject,
    view: *mut Py_buffer,
    flags: c_int,
) -> c_int {
    Python::attach(|py| {
        // SAFETY: CPython calls this slot with a live `_BufferExport` (an `ExportObject`), whose
        // `array` is a strong reference to a lazulite array set by `memoryview_of`.
        let result = unsafe {
            let array = Bound::from_borrowed_ptr(py, (*slf.cast::<ExportObject>()).array);
            match array.cast::<PyArray>() {
                Ok(a) => fill_view(a, slf, view, flags),
                Err(e) => Err(e.into()),
            }
        };
        match result {
            Ok(()) => 0,
            Err(e) => {
                if !view.is_null() {
                    // SAFETY: the consumer's view: on failure its `obj` must be NULL.
                    unsafe { (*view).obj = std::ptr::null_mut() };
                }
                e.restore(py);
                -1
            }
        }
    })
}

/// `bf_releasebuffer` of `_BufferExport`: frees what `fill_view` kept for this view.
unsafe extern "C" fn release_buffer(_slf: *mut ffi::PyObject, view: *mut Py_buffer) {
    // SAFETY: `internal` is the `Box<Export>` leaked by `fill_view` for this very view, and CPython
    // calls this once per successful export.
    unsafe {
        let internal = (*view).internal.cast::<Export>();
        if !internal.is_null() {
            drop(Box::from_raw(internal));
            (*view).internal = std::ptr::null_mut();
        }
    }
}

/// `tp_dealloc` of `_BufferExport` (a heap type: the instance holds a reference to its type).
unsafe extern "C" fn dealloc(slf: *mut ffi::PyObject) {
    // SAFETY: `slf` is a `_BufferExport` at refcount 0; its array reference is released once, the memory
    // is freed with the type's own `tp_free`, then the type's reference is dropped (heap types).
    unsafe {
        let tp = ffi::Py_TYPE(slf);
        let array = (*slf.cast::<ExportObject>()).array;
        if !array.is_null() {
            ffi::Py_DecRef(array);
        }
        let free = ffi::PyType_GetSlot(tp, ffi::Py_tp_free);
        if !free.is_null() {
            let free: unsafe extern "C" fn(*mut c_void) = std::mem::transmute(free);
            free(slf.cast::<c_void>());
        }
        ffi::Py_DecRef(tp.cast::<ffi::PyObject>());
    }
}

static EXPORT_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The `_BufferExport` heap type, made once with `PyType_FromSpec` and the buffer slots.
fn export_type(py: Python<'_>) -> PyResult<&Py<PyType>> {
    EXPORT_TYPE.get_or_try_init(py, || {
        let mut slots = [
            ffi::PyType_Slot {
                slot: ffi::Py_bf_getbuffer,
                pfunc: get_buffer as *mut c_void,
            },
            ffi::PyType_Slot {
                slot: ffi::Py_bf_releasebuffer,
                pfunc: release_buffer as *mut c_void,
            },
            ffi::PyType_Slot {
                slot: ffi::Py_tp_dealloc,
                pfunc: dealloc as *mut c_void,
            },
            ffi::PyType_Slot {
                slot: ffi::Py_tp_doc,
                pfunc: c"The buffer export of a lazulite array (made by Array.__buffer__)."
                    .as_ptr()
                    .cast_mut()
                    .cast::<c_void>(),
            },
            ffi::PyType_Slot {
                slot: 0,
                pfunc: std::ptr::null_mut(),
            },
        ];
        let mut spec = ffi::PyType_Spec {
            name: c"lazulite._lazulite._BufferExport".as_ptr(),
            basicsize: std::mem::size_of::<ExportObject>() as c_int,
            itemsize: 0,
            flags: (ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_DISALLOW_INSTANTIATION) as _,
            slots: slots.as_mut_ptr(),
        };
        // SAFETY: the spec and its slots are valid for the call (CPython copies what it keeps; the doc
        // and name strings are 'static); the result is a new reference or NULL with an exception set.
        let tp = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyType_FromSpec(&mut spec))? };
        Ok(tp.cast_into::<PyType>()?.unbind())
    })
}

/// A read-only `memoryview` of `array`'s computed buffer (computing it first), strided, with format;
/// a `BufferError` when the consumer's `flags` (`PyBUF_*`) ask for what the export cannot give.
pub(crate) fn memoryview_of<'py>(
    array: &Bound<'py, PyArray>,
    flags: c_int,
) -> PyResult<Bound<'py, PyMemoryView>> {
    let py = array.py();
    checked_data(array, flags)?;
    let tp = export_type(py)?.bind(py);
    // SAFETY: `tp` is the `_BufferExport` type, whose instances are `ExportObject`s; GenericAlloc
    // zero-fills the new object, and `array` is set to a new strong reference before anything reads it.
    let exporter = unsafe {
        let obj = ffi::PyType_GenericAlloc(tp.as_type_ptr(), 0);
        let obj = Bound::from_owned_ptr_or_err(py, obj)?;
        (*obj.as_ptr().cast::<ExportObject>()).array = array.clone().into_any().into_ptr();
        obj
    };
    PyMemoryView::from(&exporter)
}

/// From CPython 3.12 on, gives the array class its C buffer slot from `Array.__buffer__` (PEP 688:
/// assigning `__buffer__` on a heap type fills `bf_getbuffer`), so `memoryview(x)` works.
pub(crate) fn install(array_type: &Bound<'_, PyType>) -> PyResult<()> {
    if array_type.py().version_info() >= (3, 12) {
        let method = array_type.getattr("__buffer__")?;
        array_type.setattr("__buffer__", method)?;
    }
    Ok(())
}
