//! The array class: a lazy array with the array API's attributes, operators and conversions.

use crate::convert::{
    arg_for, check_int_pow, choice_arg, opt_bool_arg, scalar_to_py, type_name, Arg,
};
use crate::dtype::{PyDType, PyDevice};
use crate::guard::{engine, type_error, value_error};
use crate::materialize::{implicit_refused, materialize, scalar_of, Reason};
use crate::printing::{lazy_repr, repr_of, str_of};
use crate::views::Handle;
use lazulite_frontend::{self as fe, BinaryOp, LazyArray, Scalar, UnaryOp};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::{PyMemoryView, PyTuple};
use std::ffi::c_int;

/// A lazy n-dimensional array of one dtype on one device.
///
/// Arrays are made by the namespace's functions (`lz.asarray`, `lz.zeros`, ...), never by calling
/// `Array` itself. Every operation on an array (the functions, the arithmetic, comparison and
/// bitwise operators, `@`, indexing) returns at once with a new array whose `dtype` and `shape` are
/// known; the values are computed when they are needed: by `compute()`, `lz.compute_many`, or
/// implicitly by `bool()`, `int()`, `float()`, `complex()`, `repr()`, `np.asarray()`, the buffer
/// protocol, DLPack and pickling (see `lz.set_implicit_compute`). A computed array keeps its value.
///
/// `x[key] = value` and the in-place operators (`x += 1`) write through to `x`'s base and to every
/// view of it, as in NumPy; arrays built from the old values keep them.
///
/// >>> x = lz.asarray([[1.0, 2.0], [3.0, 4.0]])
/// >>> y = (x @ x.T + 1) / 2            # lazy
/// >>> y.shape, y.dtype, y.is_computed
/// ((2, 2), lazulite.float64, False)
/// >>> np.asarray(y)                    # computes
/// array([[ 3.,  6.],
///        [ 6., 13.]])
#[pyclass(frozen, name = "Array", module = "lazulite", weakref)]
pub struct PyArray {
    /// The array's family (its base's current value, shared with every view of it) and how the array
    /// is made from that base: `x[key] = value` and `x += y` write through to the base and every view
    /// of it; arrays built from the old values keep them (see `views.rs`).
    slot: Handle,
}

impl PyArray {
    /// A new base holding `inner` (not a view of anything).
    pub fn new(inner: LazyArray) -> PyArray {
        PyArray {
            slot: Handle::base(inner, false),
        }
    }

    pub(crate) fn from_handle(slot: Handle) -> PyArray {
        PyArray { slot }
    }

    pub(crate) fn handle(&self) -> &Handle {
        &self.slot
    }

    /// The array's current value (a cheap handle clone).
    pub fn inner(&self) -> LazyArray {
        self.slot.value()
    }
}

/// `x op y` (or `y op x` when `reflected`); `NotImplemented` when `other` is neither an array nor a
/// Python scalar.
fn binop(
    py: Python<'_>,
    x: &LazyArray,
    op: BinaryOp,
    other: &Bound<'_, PyAny>,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    let Some(other) = arg_for(op.name(), "other", other, Some(x.dtype()))? else {
        return Ok(py.NotImplemented());
    };
    let x = Arg::Array(x.clone());
    let (a, b) = if reflected { (other, x) } else { (x, other) };
    if op == BinaryOp::Pow {
        check_int_pow(op.name(), &a, &b)?;
    }
    let r = engine(py, op.name(), move || {
        fe::binary(op, a.operand(), b.operand())
    })?;
    Ok(Bound::new(py, PyArray::new(r))?.into_any().unbind())
}

/// `x op= y`: `x op y`, which must keep `x`'s dtype and shape (the spec's rule for in-place
/// operators), written into `x` (and so through to its base and every view of it, as in NumPy). The
/// result is `x` itself.
fn inplace(
    slf: &Bound<'_, PyArray>,
    op: BinaryOp,
    symbol: &str,
    other_obj: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let x = slf.get().inner();
    // Not `NotImplemented` for other objects: Python would then try `x op y` and `y.__rop__(x)`, and
    // a NumPy array there would turn `x` into a NumPy array.
    let Some(other) = arg_for(op.name(), "other", other_obj, Some(x.dtype()))? else {
        return Err(type_error(format!(
            "{}: x {symbol}= y needs y to be a lazulite array or a Python scalar (bool, int, float, \
             complex), got {}; convert it with lazulite.asarray() first",
            op.name(),
            type_name(other_obj)
        )));
    };
    let xa = Arg::Array(x.clone());
    if op == BinaryOp::Pow {
        check_int_pow(op.name(), &xa, &other)?;
    }
    let r = engine(py, op.name(), move || {
        fe::binary(op, xa.operand(), other.operand())
    })?;
    if r.dtype() != x.dtype() {
        return Err(type_error(format!(
            "{}: x {symbol}= y would change the dtype of x from {} to {}; write x = x {symbol} y, \
             or cast y with astype(y, x.dtype) first",
            op.name(),
            x.dtype(),
            r.dtype()
        )));
    }
    if r.shape() != x.shape() {
        return Err(value_error(format!(
            "{}: x {symbol}= y would change the shape of x from {:?} to {:?}; in-place operators \
             keep the left operand's shape (broadcast y to x.shape, or write x = x {symbol} y)",
            op.name(),
            x.shape(),
            r.shape()
        )));
    }
    slf.get().handle().assign(py, op.name(), r)?;
    Ok(slf.clone().into_any().unbind())
}

/// `x @ y` (or `y @ x` when `reflected`); `NotImplemented` when `other` is not a lazulite array
/// (the standard defines `@` for arrays only).
fn matmul_op(
    py: Python<'_>,
    x: &LazyArray,
    other: &Bound<'_, PyAny>,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    let Ok(other) = other.cast::<PyArray>() else {
        return Ok(py.NotImplemented());
    };
    let (a, b) = if reflected {
        (other.get().inner().clone(), x.clone())
    } else {
        (x.clone(), other.get().inner().clone())
    };
    let r = engine(py, "matmul", move || fe::matmul(&a, &b))?;
    Ok(Bound::new(py, PyArray::new(r))?.into_any().unbind())
}

fn unop(py: Python<'_>, x: &LazyArray, op: UnaryOp) -> PyResult<PyArray> {
    let x = x.clone();
    let r = engine(py, op.name(), move || fe::unary(op, &x))?;
    Ok(PyArray::new(r))
}

/// The value of a 0-D array for `bool()`, `int()`, `float()`, `complex()`, `operator.index()`.
fn zero_d_scalar(py: Python<'_>, x: &LazyArray, what: &'static str) -> PyResult<Scalar> {
    if x.ndim() != 0 {
        return Err(type_error(format!(
            "{what}: only 0-dimensional arrays can be converted to a Python scalar, got shape {:?}; \
             index a single element first (e.g. x[0, 1])",
            x.shape()
        )));
    }
    let data = materialize(py, x, Reason::Implicit(what))?;
    scalar_of(&data)
}

#[pymethods]
impl PyArray {
    // ---- attributes -------------------------------------------------------------------------------

    /// The data type of the elements (a `lz.dtype`, such as `lz.float64`).
    ///
    /// >>> lz.asarray([1, 2]).dtype
    /// lazulite.int64
    #[getter]
    fn dtype(&self) -> PyDType {
        PyDType {
            dtype: self.inner().dtype(),
        }
    }

    /// The length of each dimension, a tuple of ints (known without computing).
    ///
    /// >>> lz.zeros((2, 3)).shape
    /// (2, 3)
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner().shape())
    }

    /// The number of dimensions, `len(x.shape)`.
    ///
    /// >>> lz.zeros((2, 3)).ndim
    /// 2
    #[getter]
    fn ndim(&self) -> usize {
        self.inner().ndim()
    }

    /// The number of elements, the product of `x.shape`.
    ///
    /// >>> lz.zeros((2, 3)).size
    /// 6
    #[getter]
    fn size(&self) -> usize {
        self.inner().size()
    }

    /// The device the array lives on (or will, once computed): `lz.cpu` or a GPU,
    /// `lz.Device("cuda:0")`. Operations run where their operands live.
    ///
    /// >>> lz.ones(2).device == lz.cpu
    /// True
    #[getter]
    fn device(&self) -> PyDevice {
        PyDevice {
            device: self.inner().device(),
        }
    }

    /// The transpose of a 2-D array, as a view; other ranks raise `ValueError` (use `mT` or
    /// `permute_dims` there).
    ///
    /// >>> lz.zeros((2, 3)).T.shape
    /// (3, 2)
    #[getter(T)]
    fn transpose(slf: &Bound<'_, Self>) -> PyResult<PyArray> {
        let ndim = slf.get().inner().ndim();
        if ndim != 2 {
            return Err(value_error(format!(
                "T: x.T is defined for 2-D arrays only, got {ndim} dimensions; use permute_dims() or x.mT"
            )));
        }
        crate::views::movement(slf.py(), "T", slf.as_any(), |x| {
            fe::permute_dims(x, &[1, 0])
        })
    }

    /// The transpose of each matrix, as a view with the last two axes swapped (for arrays with at
    /// least two dimensions).
    ///
    /// >>> lz.zeros((4, 2, 3)).mT.shape
    /// (4, 3, 2)
    #[getter(mT)]
    fn matrix_t(slf: &Bound<'_, Self>) -> PyResult<PyArray> {
        crate::views::movement(slf.py(), "mT", slf.as_any(), fe::matrix_transpose)
    }

    /// The array API namespace of the array: the module `lazulite`.
    ///
    /// `api_version`: None or a version of the standard lazulite serves (`'2025.12'` and earlier
    /// ones).
    ///
    /// >>> lz.ones(2).__array_namespace__() is lz
    /// True
    #[pyo3(signature = (*, api_version = None))]
    fn __array_namespace__<'py>(
        &self,
        py: Python<'py>,
        api_version: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyModule>> {
        if let Some(v) = api_version.filter(|v| !v.is_none()) {
            choice_arg(
                "__array_namespace__",
                "api_version",
                Some(v),
                &["2025.12", "2024.12", "2023.12", "2022.12", "2021.12"],
            )?;
        }
        py.import("lazulite")
    }

    /// The array on `device`: the array itself when it is there already, else a lazy copy (the
    /// source is computed on its device, then copied once, bit-exact).
    ///
    /// `device`: a device object (`lz.cpu`, `lz.Device("cuda:0")`, `x.device`) or its string
    /// (`"cpu"`, `"cuda"`, `"cuda:N"`). `stream`: must be None (lazulite orders its work on one
    /// stream per device).
    ///
    /// >>> x = lz.ones(2)
    /// >>> x.to_device(lz.cpu) is x, x.to_device("cpu") is x
    /// (True, True)
    #[pyo3(signature = (device, /, *, stream = None))]
    fn to_device<'py>(
        slf: Bound<'py, Self>,
        device: &Bound<'py, PyAny>,
        stream: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if stream.is_some_and(|s| !s.is_none()) {
            return Err(value_error(
                "to_device: lazulite orders its work on one stream per device; pass stream=None",
            ));
        }
        let d = crate::dtype::to_device_arg(device)?;
        let x = slf.get().inner();
        if x.device() == d {
            return Ok(slf.into_any());
        }
        let moved = crate::dtype::on_device(x, Some(d))?;
        Ok(Bound::new(slf.py(), PyArray::new(moved))?.into_any())
    }

    /// Exports the array as a DLPack capsule (computing it first): zero-copy and read-only.
    ///
    /// Consumers call it for you (`np.from_dlpack(x)`, `torch.from_dlpack(x)`,
    /// `cupy.from_dlpack(x)`, `lz.from_dlpack(x)`); the capsule is versioned when they pass
    /// `max_version >= (1, 0)`. An array on `cuda:n` is exported where it lives, as (kDLCUDA, n):
    /// its device memory, kept alive by the capsule. `stream`: None on the CPU (it has no streams);
    /// for CUDA, None or 1 (the legacy default stream), 2 (the per-thread default stream), a stream
    /// handle, or -1 (no synchronisation); 0 is refused. lazulite runs a device's work on one stream,
    /// the driver's default stream, and synchronises it before the export (unless `stream=-1`), so the
    /// data is ready on whatever stream the consumer named. `dl_device=(1, 0)` exports a host copy of
    /// a device array; `copy=True` exports a copy (on the array's device).
    ///
    /// >>> np.from_dlpack(lz.asarray([1, 2]))
    /// array([1, 2])
    #[pyo3(signature = (*, stream = None, max_version = None, dl_device = None, copy = None))]
    fn __dlpack__(
        &self,
        py: Python<'_>,
        stream: Option<&Bound<'_, PyAny>>,
        max_version: Option<&Bound<'_, PyAny>>,
        dl_device: Option<&Bound<'_, PyAny>>,
        copy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let copy = opt_bool_arg("__dlpack__", "copy", copy)?;
        crate::dlpack::export(py, &self.inner(), stream, max_version, dl_device, copy)
    }

    /// The DLPack device of the array: `(1, 0)` (kDLCPU, device 0) on the host, `(2, n)` (kDLCUDA,
    /// device n) on `cuda:n`.
    ///
    /// >>> lz.ones(1).__dlpack_device__()
    /// (1, 0)
    fn __dlpack_device__(&self) -> (i64, i64) {
        crate::dlpack::device_tuple(self.inner().device())
    }

    // ---- materialisation --------------------------------------------------------------------------

    /// Computes the array now (always allowed, whatever `set_implicit_compute` says) and returns
    /// it.
    ///
    /// Computing several arrays that share work is cheaper with `lz.compute_many`.
    ///
    /// >>> y = lz.sum(lz.arange(4))
    /// >>> y.compute() is y, y.is_computed
    /// (True, True)
    fn compute(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        materialize(slf.py(), &slf.get().inner(), Reason::Explicit)?;
        Ok(slf)
    }

    /// Whether the array's value has been computed (and is stored).
    ///
    /// >>> y = lz.ones(3) * 2
    /// >>> y.is_computed
    /// False
    #[getter]
    fn is_computed(&self) -> bool {
        self.inner().realized().is_some()
    }

    fn __bool__(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(match zero_d_scalar(py, &self.inner(), "__bool__")? {
            Scalar::Bool(b) => b,
            Scalar::Int(i) => i != 0,
            Scalar::UInt(u) => u != 0,
            Scalar::Float(f) => f != 0.0,
            Scalar::Complex(r, i) => r != 0.0 || i != 0.0,
        })
    }

    fn __int__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match zero_d_scalar(py, &self.inner(), "__int__")? {
            Scalar::Bool(b) => scalar_to_py(py, Scalar::Int(b as i64)),
            s @ (Scalar::Int(_) | Scalar::UInt(_)) => scalar_to_py(py, s),
            // Python's int(float): truncation, OverflowError for infinities, ValueError for NaN
            Scalar::Float(f) => float_to_int(py, f),
            Scalar::Complex(..) => Err(type_error(
                "__int__: cannot convert a complex array to int; use real() or abs() first",
            )),
        }
    }

    fn __index__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if !self.inner().dtype().is_integer() {
            return Err(type_error(format!(
                "__index__: only integer arrays can be used as an index, got dtype {}",
                self.inner().dtype()
            )));
        }
        let s = zero_d_scalar(py, &self.inner(), "__index__")?;
        scalar_to_py(py, s)
    }

    fn __float__(&self, py: Python<'_>) -> PyResult<f64> {
        match zero_d_scalar(py, &self.inner(), "__float__")? {
            Scalar::Complex(..) => Err(type_error(
                "__float__: cannot convert a complex array to float; use real() or abs() first",
            )),
            s => Ok(s.as_f64()),
        }
    }

    fn __complex__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let (r, i) = zero_d_scalar(py, &self.inner(), "__complex__")?.as_complex();
        scalar_to_py(py, Scalar::Complex(r, i))
    }

    /// A NumPy array viewing the computed buffer (zero-copy unless `dtype`/`copy` ask otherwise).
    #[pyo3(signature = (dtype = None, copy = None))]
    fn __array__<'py>(
        slf: &Bound<'py, Self>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let copy = opt_bool_arg("__array__", "copy", copy)?;
        let py = slf.py();
        let x = slf.get().inner();
        let data = materialize(py, &x, Reason::Implicit("__array__"))?;
        // an array on a device: `data` is its host copy (one copy, made by materialize)
        let host = match x.device() {
            lazulite_ir::Device::Cpu => slf.clone(),
            _ => Bound::new(py, PyArray::new(LazyArray::from_data(data)))?,
        };
        let view = crate::buffer::memoryview_of(&host, crate::buffer::PyBUF_FULL_RO)?;
        let np = py.import("numpy")?;
        let kwargs = pyo3::types::PyDict::new(py);
        if let Some(d) = dtype {
            kwargs.set_item("dtype", d)?;
        }
        kwargs.set_item("copy", copy)?;
        np.call_method("asarray", (view,), Some(&kwargs))
    }

    /// The buffer protocol (PEP 688): a read-only `memoryview` of the computed buffer, with format,
    /// shape and strides (computing the array first). `memoryview(x)` calls it from Python 3.12 on;
    /// on 3.10 and 3.11 call it directly (`flags` as in `inspect.BufferFlags`: `0x11C`, `FULL_RO`,
    /// for a strided view; 0 only for a C-contiguous array).
    fn __buffer__<'py>(slf: &Bound<'py, Self>, flags: c_int) -> PyResult<Bound<'py, PyMemoryView>> {
        crate::buffer::memoryview_of(slf, flags)
    }

    /// Pickling: the computed value with its dtype, shape and device (see `pickle.rs`).
    fn __reduce_ex__<'py>(
        slf: &Bound<'py, Self>,
        protocol: i64,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        crate::pickle::reduce_ex(slf, protocol)
    }

    /// `copy.copy(x)`: an independent array with `x`'s value (see `pickle.rs`).
    fn __copy__(&self, py: Python<'_>) -> PyResult<PyArray> {
        crate::pickle::copy_of(py, &self.inner())
    }

    /// `copy.deepcopy(x)`: as `copy.copy` (an array owns no Python objects).
    fn __deepcopy__(&self, py: Python<'_>, _memo: &Bound<'_, PyAny>) -> PyResult<PyArray> {
        crate::pickle::copy_of(py, &self.inner())
    }

    /// NumPy's repr with `Array` for `array`; an uncomputed array under `set_implicit_compute("raise")`
    /// shows its shape, dtype and device and says it is lazy instead of raising.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let x = self.inner();
        if implicit_refused() && x.realized().is_none() {
            return Ok(lazy_repr(x.shape(), x.dtype()));
        }
        let data = materialize(py, &x, Reason::Implicit("__repr__"))?;
        repr_of(&data)
    }

    /// NumPy's `str`: the elements without the wrapper (a 0-d array as its scalar).
    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        let x = self.inner();
        if implicit_refused() && x.realized().is_none() {
            return Ok(lazy_repr(x.shape(), x.dtype()));
        }
        let data = materialize(py, &x, Reason::Implicit("__str__"))?;
        str_of(&data)
    }

    // ---- indexing ---------------------------------------------------------------------------------

    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<PyArray> {
        crate::indexing::getitem(py, self, key)
    }

    /// `x[key] = value`: writes through to `x`'s base and every view of it (a functional update
    /// underneath: arrays built from the old values keep them).
    fn __setitem__(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        crate::indexing::setitem(py, self, key, value)
    }

    // ---- unary operators --------------------------------------------------------------------------

    fn __neg__(&self, py: Python<'_>) -> PyResult<PyArray> {
        unop(py, &self.inner(), UnaryOp::Neg)
    }
    fn __pos__(&self, py: Python<'_>) -> PyResult<PyArray> {
        unop(py, &self.inner(), UnaryOp::Positive)
    }
    fn __abs__(&self, py: Python<'_>) -> PyResult<PyArray> {
        unop(py, &self.inner(), UnaryOp::Abs)
    }
    fn __invert__(&self, py: Python<'_>) -> PyResult<PyArray> {
        unop(py, &self.inner(), UnaryOp::BitwiseInvert)
    }

    // ---- binary operators -------------------------------------------------------------------------

    fn __add__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Add, o, false)
    }
    fn __radd__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Add, o, true)
    }
    fn __sub__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Sub, o, false)
    }
    fn __rsub__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Sub, o, true)
    }
    fn __mul__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Mul, o, false)
    }
    fn __rmul__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Mul, o, true)
    }
    fn __truediv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Div, o, false)
    }
    fn __rtruediv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Div, o, true)
    }
    fn __floordiv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::FloorDiv, o, false)
    }
    fn __rfloordiv__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::FloorDiv, o, true)
    }
    fn __mod__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Rem, o, false)
    }
    fn __rmod__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Rem, o, true)
    }
    fn __pow__(
        &self,
        py: Python<'_>,
        o: &Bound<'_, PyAny>,
        modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        if modulo.is_some_and(|m| !m.is_none()) {
            return Ok(py.NotImplemented());
        }
        binop(py, &self.inner(), BinaryOp::Pow, o, false)
    }
    fn __rpow__(
        &self,
        py: Python<'_>,
        o: &Bound<'_, PyAny>,
        modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        if modulo.is_some_and(|m| !m.is_none()) {
            return Ok(py.NotImplemented());
        }
        binop(py, &self.inner(), BinaryOp::Pow, o, true)
    }
    fn __and__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::BitAnd, o, false)
    }
    fn __rand__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::BitAnd, o, true)
    }
    fn __or__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::BitOr, o, false)
    }
    fn __ror__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::BitOr, o, true)
    }
    fn __xor__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::BitXor, o, false)
    }
    fn __rxor__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::BitXor, o, true)
    }
    fn __lshift__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Shl, o, false)
    }
    fn __rlshift__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Shl, o, true)
    }
    fn __rshift__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Shr, o, false)
    }
    fn __rrshift__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binop(py, &self.inner(), BinaryOp::Shr, o, true)
    }
    fn __matmul__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        matmul_op(py, &self.inner(), o, false)
    }
    fn __rmatmul__(&self, py: Python<'_>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        matmul_op(py, &self.inner(), o, true)
    }

    fn __richcmp__(
        &self,
        py: Python<'_>,
        o: &Bound<'_, PyAny>,
        op: CompareOp,
    ) -> PyResult<Py<PyAny>> {
        let bop = match op {
            CompareOp::Lt => BinaryOp::Lt,
            CompareOp::Le => BinaryOp::Le,
            CompareOp::Eq => BinaryOp::Eq,
            CompareOp::Ne => BinaryOp::Ne,
            CompareOp::Gt => BinaryOp::Gt,
            CompareOp::Ge => BinaryOp::Ge,
        };
        binop(py, &self.inner(), bop, o, false)
    }

    // ---- in-place operators (installed as __iadd__ ... by the module; they return a new array) ----

    #[pyo3(name = "_iadd")]
    fn iadd(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, BinaryOp::Add, "+", o)
    }
    #[pyo3(name = "_isub")]
    fn isub(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, BinaryOp::Sub, "-", o)
    }
    #[pyo3(name = "_imul")]
    fn imul(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, BinaryOp::Mul, "*", o)
    }
    #[pyo3(name = "_itruediv")]
    fn itruediv(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, BinaryOp::Div, "/", o)
    }
    #[pyo3(name = "_ifloordiv")]
    fn ifloordiv(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, BinaryOp::FloorDiv, "//", o)
    }
    #[pyo3(name = "_imod")]
    fn imod(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, BinaryOp::Rem, "%", o)
    }
    #[pyo3(name = "_ipow")]
    fn ipow(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, BinaryOp::Pow, "**", o)
    }
    #[pyo3(name = "_iand")]
    fn iand(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, BinaryOp::BitAnd, "&", o)
    }
    #[pyo3(name = "_ior")]
    fn ior(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, BinaryOp::BitOr, "|", o)
    }
    #[pyo3(name = "_ixor")]
    fn ixor(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, BinaryOp::BitXor, "^", o)
    }
    #[pyo3(name = "_ilshift")]
    fn ilshift(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, BinaryOp::Shl, "<<", o)
    }
    #[pyo3(name = "_imatmul")]
    fn imatmul(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let Ok(other) = o.cast::<PyArray>() else {
            return Err(type_error(format!(
                "matmul: x @= y needs y to be a lazulite array, got {}; convert it with \
                 lazulite.asarray() first",
                type_name(o)
            )));
        };
        let x = slf.get().inner();
        let (xc, y) = (x.clone(), other.get().inner());
        let r = engine(py, "matmul", move || fe::matmul(&xc, &y))?;
        if r.dtype() != x.dtype() || r.shape() != x.shape() {
            return Err(value_error(format!(
                "matmul: x @= y would change x from dtype {} and shape {:?} to dtype {} and shape \
                 {:?}; in-place operators keep the left operand's dtype and shape, write x = x @ y",
                x.dtype(),
                x.shape(),
                r.dtype(),
                r.shape()
            )));
        }
        slf.get().handle().assign(py, "matmul", r)?;
        Ok(slf.clone().into_any().unbind())
    }
    #[pyo3(name = "_irshift")]
    fn irshift(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, BinaryOp::Shr, ">>", o)
    }
}

/// The in-place operator names and the methods that implement them (see [`install_inplace`]).
pub const INPLACE: [(&str, &str); 13] = [
    ("__iadd__", "_iadd"),
    ("__isub__", "_isub"),
    ("__imul__", "_imul"),
    ("__itruediv__", "_itruediv"),
    ("__ifloordiv__", "_ifloordiv"),
    ("__imod__", "_imod"),
    ("__ipow__", "_ipow"),
    ("__iand__", "_iand"),
    ("__ior__", "_ior"),
    ("__ixor__", "_ixor"),
    ("__ilshift__", "_ilshift"),
    ("__irshift__", "_irshift"),
    ("__imatmul__", "_imatmul"),
];

/// Installs `__iadd__` ... as aliases of `_iadd` ...: pyo3's in-place slots cannot return
/// `NotImplemented` for operands they do not take; these methods write into `x` and return it.
pub fn install_inplace(ty: &Bound<'_, pyo3::types::PyType>) -> PyResult<()> {
    for (slot, method) in INPLACE {
        ty.setattr(slot, ty.getattr(method)?)?;
    }
    Ok(())
}

/// `int(f)` with Python's semantics (truncation; `ValueError` for NaN, `OverflowError` for infinities).
fn float_to_int(py: Python<'_>, f: f64) -> PyResult<Py<PyAny>> {
    if f.is_nan() {
        return Err(PyValueError::new_err(
            "__int__: cannot convert float NaN to integer",
        ));
    }
    if f.is_infinite() {
        return Err(pyo3::exceptions::PyOverflowError::new_err(
            "__int__: cannot convert float infinity to integer",
        ));
    }
    Ok(pyo3::types::PyFloat::new(py, f)
        .call_method0("__int__")?
        .unbind())
}
