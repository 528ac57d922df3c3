//! `asarray`: Python scalars, nested sequences, buffer-protocol objects (zero-copy) and lazulite arrays.

use crate::array::PyArray;
use crate::buffer;
use crate::convert::{gather_strided, opt_bool_arg, py_scalar, type_name};
use crate::dtype::{check_device, dtype_arg};
use crate::guard::{engine, type_error, value_error};
use crate::materialize::{materialize, Reason};
use crate::views::Handle;
use lazulite_frontend::Buffer;
use lazulite_frontend::{self as fe, ArrayData, DType, LazyArray, Scalar};
use lazulite_ir::shape::contiguous_strides;
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyMemoryView, PySequence, PyTuple};
use std::borrow::Cow;
use std::sync::Arc;

const F: &str = "asarray";

/// Converts `obj` to a lazulite array, capturing its values at the time of the call.
///
/// `obj`: a lazulite array (returned as is, or a view, unless `copy=True`), a Python scalar, a
/// nested sequence of scalars, or any object with the buffer protocol or `__array__` (a NumPy
/// array). A writable buffer is copied, so that later writes by its owner do not show; read-only
/// memory that nothing writable stands behind is wrapped without a copy (and the result is
/// read-only). `copy=False` wraps the memory in any case (the result aliases it) and raises
/// `ValueError` when that is impossible; `copy=True` always copies. `dtype`: the result dtype (by
/// default, that of `obj` or the default dtype for the Python values' kind). `device`: None or
/// `lz.cpu`.
///
/// >>> x = lz.asarray([[1, 2], [3, 4]], dtype=lz.float32)
/// >>> x.shape, x.dtype
/// ((2, 2), lazulite.float32)
/// >>> np.asarray(lz.asarray(np.arange(3))).tolist()
/// [0, 1, 2]
#[pyfunction]
#[pyo3(signature = (obj, /, *, dtype = None, device = None, copy = None))]
pub fn asarray(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    copy: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyArray>> {
    if let Some(d) = check_device(F, device)? {
        // converted where obj lives (the host for Python and NumPy data), then one explicit copy
        let xo = asarray(py, obj, dtype, None, copy)?;
        let x = xo.bind(py).get().inner();
        if opt_bool_arg(F, "copy", copy)? == Some(false) && x.device() != d {
            return Err(value_error(format!(
                "asarray: copy=False, but obj lives on {} and the array must be on {d}; pass copy=None",
                x.device()
            )));
        }
        if x.device() == d {
            return Ok(xo);
        }
        return Py::new(py, PyArray::new(crate::dtype::on_device(x, Some(d))?));
    }
    let copy = opt_bool_arg(F, "copy", copy)?;
    let dtype = dtype_arg(F, dtype)?;
    if let Ok(a) = obj.cast::<PyArray>() {
        let x = a.get().inner();
        if copy != Some(true) && dtype.is_none_or(|d| d == x.dtype()) {
            // Nothing to convert: the same array object, so that a later `x[key] = v` (which rebinds
            // x) shows through, as a no-copy asarray must.
            return Ok(a.clone().unbind());
        }
        return Py::new(py, PyArray::new(from_lazulite(py, &x, dtype, copy)?));
    }
    Py::new(py, convert_new(py, obj, dtype, copy)?)
}

/// `asarray` of anything but a lazulite array: always a new array object.
fn convert_new(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    dtype: Option<DType>,
    copy: Option<bool>,
) -> PyResult<PyArray> {
    if let Some(s) = crate::convert::scalar_for(F, "obj", obj, dtype)? {
        if copy == Some(false) {
            return Err(value_error(
                "asarray: copy=False, but a Python scalar always needs a new array; pass copy=None",
            ));
        }
        let d = dtype.unwrap_or_else(|| default_dtype(&[s]));
        return from_scalars(py, &[s], d, &[]).map(PyArray::new);
    }
    // SAFETY: `obj` is a valid object pointer for the duration of the call.
    if unsafe { buffer::PyObject_CheckBuffer(obj.as_ptr()) } == 1 {
        let (x, read_only) = from_buffer(py, obj, dtype, copy)?;
        return Ok(PyArray::from_handle(Handle::base(x, read_only)));
    }
    if obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok() {
        if copy == Some(false) {
            return Err(value_error(
                "asarray: copy=False, but a nested sequence always needs a new array; pass copy=None",
            ));
        }
        let mut shape = Vec::new();
        infer_shape(obj, &mut shape)?;
        let mut values = fallible_vec(shape.iter().try_fold(1usize, |a, &n| a.checked_mul(n)))?;
        flatten(py, obj, &shape, 0, &mut values)?;
        let d = dtype.unwrap_or_else(|| default_dtype(&values));
        return from_scalars(py, &values, d, &shape).map(PyArray::new);
    }
    Err(type_error(format!(
        "asarray: obj of type {} cannot be converted to an array; pass a Python scalar, a nested \
         list/tuple, a buffer-protocol object (e.g. a NumPy array) or a lazulite array",
        type_name(obj)
    )))
}

/// The namespace's default dtype for a set of Python values: bool if all are bools, else complex128 if
/// any is complex, float64 if any is a float, int64 otherwise (and float64 when there are none).
fn default_dtype(values: &[Scalar]) -> DType {
    if values.is_empty() {
        return DType::DEFAULT_FLOAT;
    }
    let mut d = DType::Bool;
    for v in values {
        let k = match v {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) | Scalar::UInt(_) => DType::DEFAULT_INT,
            Scalar::Float(_) => DType::DEFAULT_FLOAT,
            Scalar::Complex(..) => DType::DEFAULT_COMPLEX,
        };
        d = rank(d).max(rank(k)).1;
    }
    d
}

fn rank(d: DType) -> (u8, DType) {
    match d {
        DType::Bool => (0, d),
        DType::C128 => (3, d),
        DType::F64 => (2, d),
        _ => (1, d),
    }
}

/// Checks and converts one Python value to `dtype` (the values came from Python, so they are exact).
fn convert_value(s: Scalar, dtype: DType) -> PyResult<Scalar> {
    if let (Some(v), Some((lo, hi))) = (s.as_i128(), dtype.int_range()) {
        if !matches!(s, Scalar::Bool(_)) && (v < lo || v > hi) {
            return Err(PyOverflowError::new_err(format!(
                "asarray: the Python int {v} is out of range for dtype {dtype} ({lo} to {hi}); \
                 pass a wider dtype (e.g. dtype=lazulite.int64)"
            )));
        }
    }
    if matches!(s, Scalar::Complex(..)) && !dtype.is_complex() {
        return Err(type_error(format!(
            "asarray: cannot store a Python complex in an array of dtype {dtype}; use a complex dtype"
        )));
    }
    Ok(s.cast(dtype))
}

fn from_scalars(
    py: Python<'_>,
    values: &[Scalar],
    dtype: DType,
    shape: &[usize],
) -> PyResult<LazyArray> {
    let mut bytes = fallible_vec(values.len().checked_mul(dtype.size()))?;
    for &v in values {
        bytes.extend_from_slice(&convert_value(v, dtype)?.to_bytes(dtype));
    }
    engine(py, F, move || fe::from_bytes(&bytes, dtype, shape))
}

/// Room for `n` elements (`None`: more than `usize` can count), or `MemoryError`.
fn fallible_vec<T>(n: Option<usize>) -> PyResult<Vec<T>> {
    lazulite_ir::alloc::try_vec(F, n.unwrap_or(usize::MAX)).map_err(crate::guard::to_pyerr)
}

fn is_nested(obj: &Bound<'_, PyAny>) -> bool {
    obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok()
}

/// The shape of a nested sequence, read along its first elements.
fn infer_shape(obj: &Bound<'_, PyAny>, shape: &mut Vec<usize>) -> PyResult<()> {
    if !is_nested(obj) {
        return Ok(());
    }
    let seq = obj.cast::<PySequence>()?;
    let n = seq.len()?;
    shape.push(n);
    if shape.len() > lazulite_ir::shape::MAX_DIMS {
        return Err(value_error(format!(
            "asarray: nested sequence is deeper than {} levels",
            lazulite_ir::shape::MAX_DIMS
        )));
    }
    if n > 0 {
        infer_shape(&seq.get_item(0)?, shape)?;
    }
    Ok(())
}

/// The values of a nested sequence in C order, checking that it is not ragged.
fn flatten(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    shape: &[usize],
    depth: usize,
    out: &mut Vec<Scalar>,
) -> PyResult<()> {
    if depth == shape.len() {
        if is_nested(obj) {
            return Err(value_error(format!(
                "asarray: ragged nested sequence: expected a scalar at depth {depth} (shape {shape:?}), \
                 got a sequence; every sub-list at one depth must have the same length"
            )));
        }
        if let Some(s) = py_scalar(obj)? {
            out.push(s);
            return Ok(());
        }
        if let Ok(a) = obj.cast::<PyArray>() {
            let inner = &a.get().inner();
            if inner.ndim() == 0 {
                let d = materialize(py, inner, Reason::Implicit(F))?;
                let s = d.try_get(&[]).map_err(crate::guard::to_pyerr)?;
                out.push(s);
                return Ok(());
            }
        }
        return Err(type_error(format!(
            "asarray: nested sequences may hold only bool, int, float, complex (or 0-D arrays), got {}",
            type_name(obj)
        )));
    }
    if !is_nested(obj) {
        return Err(value_error(format!(
            "asarray: ragged nested sequence: expected a sequence of length {} at depth {depth} \
             (shape {shape:?}), got {}",
            shape[depth],
            type_name(obj)
        )));
    }
    let seq = obj.cast::<PySequence>()?;
    let n = seq.len()?;
    if n != shape[depth] {
        return Err(value_error(format!(
            "asarray: ragged nested sequence: a sequence at depth {depth} has length {n}, expected {} \
             (shape {shape:?}); every sub-list at one depth must have the same length",
            shape[depth]
        )));
    }
    for i in 0..n {
        flatten(py, &seq.get_item(i)?, shape, depth + 1, out)?;
    }
    Ok(())
}

/// A lazulite array given to `asarray`: itself, a cast, or a real copy of imported memory.
fn from_lazulite(
    py: Python<'_>,
    x: &LazyArray,
    dtype: Option<DType>,
    copy: Option<bool>,
) -> PyResult<LazyArray> {
    let target = dtype.unwrap_or(x.dtype());
    if target != x.dtype() {
        if copy == Some(false) {
            return Err(value_error(format!(
                "asarray: copy=False, but converting dtype {} to {target} needs a copy; pass copy=None",
                x.dtype()
            )));
        }
        let x = x.clone();
        return engine(py, F, move || fe::astype(&x, target));
    }
    if copy == Some(true) {
        // device memory is always lazulite's own (never mutated), so only host data is copied
        if let Some(data) = x
            .realized()
            .filter(|d| d.device() == lazulite_ir::Device::Cpu)
        {
            // the data may be foreign memory (a NumPy array) that its owner can still mutate
            return engine(py, F, move || {
                fe::from_bytes(&data.try_to_contiguous_bytes(F)?, data.dtype, &data.shape)
            });
        }
    }
    Ok(x.clone())
}

/// A buffer exported by a Python object (`PyObject_GetBuffer` with `PyBUF_FULL_RO`), released on
/// drop. Unlike pyo3's `PyBuffer` it accepts 0-D exports (NULL shape) and C-contiguous exports without
/// strides.
struct Export {
    view: Box<buffer::Py_buffer>,
}

// SAFETY: the view only holds pointers into memory its exporter keeps alive until release, and a strong
// reference to the exporter; releasing happens with the GIL attached (see Drop).
unsafe impl Send for Export {}
// SAFETY: as above; lazulite only reads through it.
unsafe impl Sync for Export {}

impl Export {
    fn get(obj: &Bound<'_, PyAny>) -> PyResult<Export> {
        // SAFETY: Py_buffer is a plain C struct for which all-zero is a valid (empty) value.
        let mut view: Box<buffer::Py_buffer> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: `obj` is a valid object and `view` points to writable memory for one Py_buffer.
        let rc =
            unsafe { buffer::PyObject_GetBuffer(obj.as_ptr(), &mut *view, buffer::PyBUF_FULL_RO) };
        if rc != 0 {
            return Err(PyErr::fetch(obj.py()));
        }
        Ok(Export { view })
    }

    fn format(&self) -> String {
        if self.view.format.is_null() {
            return "B".into();
        }
        // SAFETY: a non-NULL format is a NUL-terminated string owned by the export.
        unsafe { std::ffi::CStr::from_ptr(self.view.format) }
            .to_str()
            .unwrap_or("?invalid")
            .to_string()
    }

    fn shape(&self) -> Vec<usize> {
        let nd = self.view.ndim.max(0) as usize;
        if self.view.shape.is_null() {
            // ndim 0, or a 1-D byte view without shape information
            return if nd == 0 {
                vec![]
            } else {
                vec![self.view.len as usize / self.view.itemsize.max(1) as usize]
            };
        }
        // SAFETY: a non-NULL shape holds `ndim` entries.
        unsafe { std::slice::from_raw_parts(self.view.shape, nd) }
            .iter()
            .map(|&n| n.max(0) as usize)
            .collect()
    }

    fn strides(&self, shape: &[usize]) -> Vec<isize> {
        if self.view.strides.is_null() {
            let mut s: Vec<isize> = contiguous_strides(shape).to_vec();
            for v in &mut s {
                *v *= self.view.itemsize;
            }
            return s;
        }
        // SAFETY: non-NULL strides hold `ndim` entries.
        unsafe { std::slice::from_raw_parts(self.view.strides, shape.len()) }.to_vec()
    }
}

impl Drop for Export {
    fn drop(&mut self) {
        // During interpreter shutdown there is no attaching; leaking the export is the safe choice.
        let _ = Python::try_attach(|_| {
            // SAFETY: the view was filled by a successful PyObject_GetBuffer and is released once.
            unsafe { buffer::PyBuffer_Release(&mut *self.view) }
        });
    }
}

/// The dtype of a buffer element from its struct-module format and item size, and whether its byte
/// order is foreign.
fn parse_format(format: &str, itemsize: usize) -> PyResult<(DType, bool)> {
    let (swap, code) = match format.as_bytes().first() {
        Some(b'<') => (cfg!(target_endian = "big"), &format[1..]),
        Some(b'>' | b'!') => (cfg!(target_endian = "little"), &format[1..]),
        Some(b'@' | b'=') => (false, &format[1..]),
        _ => (false, format),
    };
    let int = |signed: bool| -> Option<DType> {
        Some(match (signed, itemsize) {
            (true, 1) => DType::I8,
            (true, 2) => DType::I16,
            (true, 4) => DType::I32,
            (true, 8) => DType::I64,
            (false, 1) => DType::U8,
            (false, 2) => DType::U16,
            (false, 4) => DType::U32,
            (false, 8) => DType::U64,
            _ => return None,
        })
    };
    let d = match code {
        "?" if itemsize == 1 => Some(DType::Bool),
        "b" | "h" | "i" | "l" | "q" | "n" => int(true),
        "B" | "H" | "I" | "L" | "Q" | "N" => int(false),
        "f" if itemsize == 4 => Some(DType::F32),
        "d" if itemsize == 8 => Some(DType::F64),
        "Zf" if itemsize == 8 => Some(DType::C64),
        "Zd" if itemsize == 16 => Some(DType::C128),
        _ => None,
    };
    d.map(|d| (d, swap)).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "asarray: buffer element format {format:?} (item size {itemsize}) is not one of the array \
             API dtypes (bool, int8..int64, uint8..uint64, float32, float64, complex64, complex128); \
             convert it first (e.g. numpy's astype)"
        ))
    })
}

/// The elements at `ptr` in row-major order: the memory itself when the layout is C-contiguous (the
/// caller copies it once), else gathered element by element.
///
/// # Safety
/// As [`gather_strided`], and the memory must stay valid for `'a`.
pub(crate) unsafe fn element_bytes<'a>(
    ptr: *const u8,
    shape: &[usize],
    byte_strides: &[isize],
    itemsize: usize,
) -> Cow<'a, [u8]> {
    let n: usize = shape.iter().product();
    if n == 0 {
        return Cow::Borrowed(&[]);
    }
    let mut want = itemsize as isize;
    let mut contiguous = true;
    for (&len, &s) in shape.iter().zip(byte_strides).rev() {
        contiguous &= len == 1 || s == want;
        want *= len as isize;
    }
    if contiguous {
        // SAFETY: a C-contiguous layout addresses exactly the `n * itemsize` bytes from `ptr`, all
        // readable (the caller's contract) for `'a`.
        Cow::Borrowed(unsafe { std::slice::from_raw_parts(ptr, n * itemsize) })
    } else {
        // SAFETY: the caller's contract is gather_strided's.
        Cow::Owned(unsafe { gather_strided(ptr, shape, byte_strides, itemsize) })
    }
}

/// Whether the memory `obj` exports read-only can never change under lazulite: nothing it views
/// (NumPy's `base` chain, a memoryview's `obj`) exports it writable. Conservative: `false` when unsure.
pub(crate) fn frozen(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let mut cur = obj.clone();
    for _ in 0..64 {
        if cur.cast::<PyArray>().is_ok() {
            return Ok(true); // lazulite's buffers are never written once computed
        }
        // SAFETY: `cur` is a valid object; a zeroed Py_buffer is a valid target for one export,
        // released at once when the export succeeds.
        let writable = unsafe {
            let mut view: buffer::Py_buffer = std::mem::zeroed();
            if buffer::PyObject_CheckBuffer(cur.as_ptr()) == 1
                && buffer::PyObject_GetBuffer(cur.as_ptr(), &mut view, buffer::PyBUF_WRITABLE) == 0
            {
                buffer::PyBuffer_Release(&mut view);
                true
            } else {
                ffi::PyErr_Clear();
                false
            }
        };
        if writable {
            return Ok(false);
        }
        let next = if let Ok(m) = cur.cast::<PyMemoryView>() {
            m.getattr("obj")?
        } else if cur.hasattr("base")? {
            cur.getattr("base")?
        } else {
            return Ok(true);
        };
        if next.is_none() {
            return Ok(true);
        }
        cur = next;
    }
    Ok(false)
}

/// A buffer-protocol object (a NumPy array, bytes, array.array, memoryview ...), and whether the
/// result is read-only. The values are captured when `asarray` runs: a writable buffer is copied
/// (its owner may write it later), a read-only one that nothing can change is wrapped zero-copy (and
/// the array is read-only), and `copy=False` wraps any layout lazulite can read zero-copy (aliasing:
/// later writes by the owner show through, until and during the computation).
fn from_buffer(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    dtype: Option<DType>,
    copy: Option<bool>,
) -> PyResult<(LazyArray, bool)> {
    let buf = Export::get(obj)?;
    let format = buf.format();
    let itemsize = buf.view.itemsize.max(1) as usize;
    let (src_dtype, swap) = parse_format(&format, itemsize)?;
    if !buf.view.suboffsets.is_null() {
        return Err(type_error(
            "asarray: indirect (PIL-style) buffers with suboffsets are not supported; copy the data \
             into a contiguous buffer first",
        ));
    }
    let shape: Vec<usize> = buf.shape();
    let byte_strides: Vec<isize> = buf.strides(&shape);
    let n: usize = shape.iter().product();
    let ptr = buf.view.buf.cast::<u8>().cast_const();
    let isz = itemsize as isize;
    let aligned = (ptr as usize).is_multiple_of(itemsize.min(8));
    let strides_whole = byte_strides.iter().all(|s| s % isz == 0);
    let needs_cast = dtype.is_some_and(|d| d != src_dtype);
    let read_only = buf.view.readonly != 0;
    // (a 0-d buffer, e.g. a NumPy scalar, is copied: that costs nothing and keeps it writable, as
    // NumPy's asarray of a scalar is)
    let share = copy == Some(false)
        || (read_only && !shape.is_empty() && copy != Some(true) && frozen(obj)?);
    let zero_copy = n > 0 && !swap && aligned && strides_whole && share;

    let x = if zero_copy {
        // zero-copy: the memory from the lowest to the highest addressed element
        let (mut lo, mut hi) = (0isize, isz);
        for (&len, &s) in shape.iter().zip(&byte_strides) {
            let span = (len as isize - 1) * s;
            if span < 0 {
                lo += span;
            } else {
                hi += span;
            }
        }
        // SAFETY: the exporter guarantees that every element addressed by `buf + Σ i_d * strides_d`
        // lies in its memory, so `[buf + lo, buf + hi)` is readable; the PyBuffer (moved into the
        // owner) keeps the export, hence the memory, alive until the Buffer is dropped.
        let buffer = unsafe {
            let base = ptr.offset(lo);
            Buffer::from_external(base, (hi - lo) as usize, Box::new(buf))
        };
        let data = ArrayData {
            buffer: Arc::new(buffer),
            offset: -lo / isz,
            strides: byte_strides.iter().map(|s| s / isz).collect(),
            shape: shape.iter().copied().collect(),
            dtype: src_dtype,
        };
        LazyArray::from_data(data)
    } else {
        if copy == Some(false) && n > 0 {
            return Err(value_error(format!(
                "asarray: copy=False, but this buffer ({}) cannot be wrapped without a copy; pass copy=None",
                if swap {
                    "non-native byte order"
                } else if !aligned {
                    "misaligned data"
                } else {
                    "strides that are not a multiple of the item size"
                }
            )));
        }
        // SAFETY: every element the exporter addresses within `shape` is readable (see above), and
        // `buf` keeps the memory alive until after the copy below.
        let mut bytes = unsafe { element_bytes(ptr, &shape, &byte_strides, itemsize) };
        if swap {
            // non-native byte order: each part (both halves of a complex number) reversed
            let part = if src_dtype.is_complex() {
                itemsize / 2
            } else {
                itemsize
            };
            bytes.to_mut().chunks_mut(part).for_each(<[u8]>::reverse);
        }
        let x = engine(py, F, || fe::from_bytes(&bytes, src_dtype, &shape))?;
        drop(bytes);
        drop(buf); // the export outlives the bytes borrowed from it
        x
    };
    if needs_cast {
        if copy == Some(false) {
            return Err(value_error(format!(
                "asarray: copy=False, but converting dtype {src_dtype} to {} needs a copy; pass copy=None",
                dtype.unwrap_or(src_dtype)
            )));
        }
        let target = dtype.unwrap_or(src_dtype);
        return Ok((engine(py, F, move || fe::astype(&x, target))?, false));
    }
    Ok((x, read_only && zero_copy))
}
