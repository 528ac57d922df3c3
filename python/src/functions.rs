//! The namespace's functions, each with the spec's signature (positional-only / keyword-only).

use crate::array::PyArray;
use crate::convert::{
    array_arg, axes_arg, axis_list_arg, bool_arg, check_scalar_operand, operand_for, operand_pair,
    opt_bool_arg, scalar_for, shape_arg, signed_shape_arg, type_name, Arg,
};
use crate::dtype::{check_device, dtype_arg, on_device, required_dtype};
use crate::guard::{engine, type_error, value_error};
use crate::materialize::materialize_many;
use crate::views;
use lazulite_frontend::{self as fe, DType, Device, LazyArray, Scalar};
use pyo3::prelude::*;
use pyo3::types::{PyModule, PyTuple};

/// Elements of `x1` where `condition` is true, of `x2` elsewhere.
///
/// `condition`: a bool array. `x1`, `x2`: arrays or Python scalars; all three broadcast together,
/// and the result has the promoted dtype of `x1` and `x2`. Element-wise and lazy: it fuses with its
/// neighbours into one kernel.
///
/// >>> x = lz.asarray([-2.0, 3.0, -1.0])
/// >>> np.asarray(lz.where(x > 0, x, 0.0))
/// array([0., 3., 0.])
#[pyfunction]
#[pyo3(name = "where", signature = (condition, x1, x2, /))]
fn where_(
    py: Python<'_>,
    condition: &Bound<'_, PyAny>,
    x1: &Bound<'_, PyAny>,
    x2: &Bound<'_, PyAny>,
) -> PyResult<PyArray> {
    let c = array_arg("where", "condition", condition)?;
    let (a, b) = operand_pair("where", ("x1", x1), ("x2", x2))?;
    Ok(PyArray::new(engine(py, "where", move || {
        fe::where_(&c, a.operand(), b.operand())
    })?))
}

/// Limits the elements of `x` to the interval [`min`, `max`].
///
/// `x`: a real numeric array. `min`, `max`: None (no bound), Python scalars or arrays that
/// broadcast to `x`'s shape; the result has `x`'s dtype and shape. Element-wise and lazy.
///
/// >>> np.asarray(lz.clip(lz.asarray([-3, 0, 7]), -1, 5)).tolist()
/// [-1, 0, 5]
#[pyfunction]
#[pyo3(signature = (x, /, min = None, max = None))]
fn clip(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    min: Option<&Bound<'_, PyAny>>,
    max: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg("clip", "x", x)?;
    let bound = |o: Option<&Bound<'_, PyAny>>, name: &str| -> PyResult<Option<Arg>> {
        match o {
            Some(o) if !o.is_none() => {
                let arg = operand_for("clip", name, o, Some(x.dtype()))?;
                check_scalar_operand("clip", name, &arg, Some(x.dtype()))?;
                Ok(Some(arg))
            }
            _ => Ok(None),
        }
    };
    let lo = bound(min, "min")?;
    let hi = bound(max, "max")?;
    Ok(PyArray::new(engine(py, "clip", move || {
        fe::clip(
            &x,
            lo.as_ref().map(Arg::operand),
            hi.as_ref().map(Arg::operand),
        )
    })?))
}

/// Copies `x` to the data type `dtype` (NumPy's casting rules, not the promotion table).
///
/// `x`: an array of any dtype. `dtype`: a lazulite dtype. `copy=False` returns `x` itself when it
/// already has `dtype`. Floats cast to integers truncate toward zero; complex to real is refused
/// (`TypeError`: take `real(x)` first). `device`: None or `lz.cpu`. Lazy: the cast fuses with its
/// neighbours.
///
/// >>> np.asarray(lz.astype(lz.asarray([1.7, -2.5]), lz.int32))
/// array([ 1, -2], dtype=int32)
#[pyfunction]
#[pyo3(
    signature = (x, dtype, /, *, copy = None, device = None),
    text_signature = "(x, dtype, /, *, copy=True, device=None)"
)]
fn astype(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    dtype: &Bound<'_, PyAny>,
    copy: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let copy = bool_arg("astype", "copy", copy, true)?;
    let dev = check_device("astype", device)?;
    let d = required_dtype("astype", dtype)?;
    let xa = array_arg("astype", "x", x)?;
    if !copy && d == xa.dtype() && dev.is_none_or(|v| v == xa.device()) {
        return Ok(x.clone().unbind());
    }
    let r = on_device(engine(py, "astype", move || fe::astype(&xa, d))?, dev)?;
    Ok(Bound::new(py, PyArray::new(r))?.into_any().unbind())
}

// ---- creation ---------------------------------------------------------------------------------------

/// `fill_value` for an array of dtype `target` (`None`: the default dtype for the value's kind).
fn fill_scalar(func: &str, v: &Bound<'_, PyAny>, target: Option<DType>) -> PyResult<Scalar> {
    scalar_for(func, "fill_value", v, target)?.ok_or_else(|| {
        type_error(format!(
            "{func}: fill_value must be a Python bool, int, float or complex, got {}",
            type_name(v)
        ))
    })
}

/// A new array of `shape` filled with `fill_value`.
///
/// `shape`: an int or a tuple of ints. `fill_value`: a Python bool, int, float or complex. `dtype`:
/// by default the default dtype for the value's kind (bool, int64, float64 or complex128).
/// `device`: None or `lz.cpu`. Lazy: no memory is written until the array is computed (and a fill
/// used in an expression fuses into its kernel).
///
/// >>> np.asarray(lz.full((2, 2), 7)).tolist()
/// [[7, 7], [7, 7]]
#[pyfunction]
#[pyo3(signature = (shape, fill_value, *, dtype = None, device = None))]
fn full(
    py: Python<'_>,
    shape: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let dev = check_device("full", device)?;
    let shape = shape_arg("full", shape)?;
    let d = dtype_arg("full", dtype)?;
    let v = fill_scalar("full", fill_value, d)?;
    let r = engine(py, "full", move || fe::full(&shape, v, d))?;
    Ok(PyArray::new(on_device(r, dev)?))
}

fn filled(
    py: Python<'_>,
    func: &'static str,
    shape: Vec<usize>,
    one: bool,
    dtype: Option<DType>,
    device: Option<Device>,
) -> PyResult<PyArray> {
    let d = dtype.unwrap_or(DType::DEFAULT_FLOAT);
    // checked here so that the error names `func`, not `full`, which builds the array
    lazulite_ir::shape::check_shape(func, &shape).map_err(crate::guard::to_pyerr)?;
    let v = if d.is_bool() {
        Scalar::Bool(one)
    } else {
        Scalar::Int(one as i64)
    };
    let r = engine(py, func, move || fe::full(&shape, v, Some(d)))?;
    Ok(PyArray::new(on_device(r, device)?))
}

/// A new array of `shape` filled with zeros.
///
/// `shape`: an int or a tuple of ints. `dtype`: any dtype, float64 by default. `device`: None or
/// `lz.cpu`. Lazy: nothing is allocated until the array is computed.
///
/// >>> np.asarray(lz.zeros((2, 3), dtype=lz.int8))
/// array([[0, 0, 0],
///        [0, 0, 0]], dtype=int8)
#[pyfunction]
#[pyo3(signature = (shape, *, dtype = None, device = None))]
fn zeros(
    py: Python<'_>,
    shape: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let dev = check_device("zeros", device)?;
    let s = shape_arg("zeros", shape)?;
    filled(py, "zeros", s, false, dtype_arg("zeros", dtype)?, dev)
}

/// A new array of `shape` filled with ones.
///
/// `shape`: an int or a tuple of ints. `dtype`: any dtype, float64 by default. `device`: None or
/// `lz.cpu`. Lazy: nothing is allocated until the array is computed.
///
/// >>> np.asarray(lz.ones(3))
/// array([1., 1., 1.])
#[pyfunction]
#[pyo3(signature = (shape, *, dtype = None, device = None))]
fn ones(
    py: Python<'_>,
    shape: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let dev = check_device("ones", device)?;
    let s = shape_arg("ones", shape)?;
    filled(py, "ones", s, true, dtype_arg("ones", dtype)?, dev)
}

/// A new array of `shape`; lazulite never hands out uninitialised memory, so it holds zeros.
///
/// `shape`: an int or a tuple of ints. `dtype`: any dtype, float64 by default. `device`: None or
/// `lz.cpu`. Lazy, like `zeros`.
///
/// >>> a = lz.empty((2, 4), dtype=lz.float32)
/// >>> a.shape, a.dtype
/// ((2, 4), lazulite.float32)
#[pyfunction]
#[pyo3(signature = (shape, *, dtype = None, device = None))]
fn empty(
    py: Python<'_>,
    shape: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let dev = check_device("empty", device)?;
    let s = shape_arg("empty", shape)?;
    filled(py, "empty", s, false, dtype_arg("empty", dtype)?, dev)
}

fn like(
    func: &str,
    x: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Vec<usize>, DType, Option<Device>)> {
    let dev = check_device(func, device)?;
    let x = array_arg(func, "x", x)?;
    let d = dtype_arg(func, dtype)?.unwrap_or(x.dtype());
    // by default on x's device
    Ok((x.shape().to_vec(), d, Some(dev.unwrap_or(x.device()))))
}

/// A new array of zeros with the shape (and, by default, the dtype) of `x`.
///
/// `x`: an array (only its shape and dtype are used; it is not computed). `dtype`: overrides `x`'s.
/// `device`: None or `lz.cpu`. Lazy.
///
/// >>> np.asarray(lz.zeros_like(lz.asarray([[1, 2], [3, 4]]))).tolist()
/// [[0, 0], [0, 0]]
#[pyfunction]
#[pyo3(signature = (x, /, *, dtype = None, device = None))]
fn zeros_like(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let (s, d, dev) = like("zeros_like", x, dtype, device)?;
    filled(py, "zeros_like", s, false, Some(d), dev)
}

/// A new array with the shape (and, by default, the dtype) of `x`, holding zeros.
///
/// `x`: an array (only its shape and dtype are used). `dtype`: overrides `x`'s. `device`: None or
/// `lz.cpu`. Lazy.
///
/// >>> lz.empty_like(lz.asarray([1.0, 2.0])).shape
/// (2,)
#[pyfunction]
#[pyo3(signature = (x, /, *, dtype = None, device = None))]
fn empty_like(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let (s, d, dev) = like("empty_like", x, dtype, device)?;
    filled(py, "empty_like", s, false, Some(d), dev)
}

/// A new array of ones with the shape (and, by default, the dtype) of `x`.
///
/// `x`: an array (only its shape and dtype are used). `dtype`: overrides `x`'s. `device`: None or
/// `lz.cpu`. Lazy.
///
/// >>> np.asarray(lz.ones_like(lz.asarray([True, False])))
/// array([ True,  True])
#[pyfunction]
#[pyo3(signature = (x, /, *, dtype = None, device = None))]
fn ones_like(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let (s, d, dev) = like("ones_like", x, dtype, device)?;
    filled(py, "ones_like", s, true, Some(d), dev)
}

/// A new array with the shape (and, by default, the dtype) of `x`, filled with `fill_value`.
///
/// `x`: an array (only its shape and dtype are used). `fill_value`: a Python scalar that fits the
/// result dtype. `dtype`: overrides `x`'s. `device`: None or `lz.cpu`. Lazy.
///
/// >>> np.asarray(lz.full_like(lz.asarray([1.0, 2.0, 3.0]), 0.5))
/// array([0.5, 0.5, 0.5])
#[pyfunction]
#[pyo3(signature = (x, /, fill_value, *, dtype = None, device = None))]
fn full_like(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let (s, d, dev) = like("full_like", x, dtype, device)?;
    let v = fill_scalar("full_like", fill_value, Some(d))?;
    let r = engine(py, "full_like", move || fe::full(&s, v, Some(d)))?;
    Ok(PyArray::new(on_device(r, dev)?))
}

fn real_scalar(func: &str, what: &str, v: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    match scalar_for(func, what, v, None)? {
        Some(s @ (Scalar::Int(_) | Scalar::UInt(_) | Scalar::Float(_))) => Ok(s),
        _ => Err(type_error(format!(
            "{func}: {what} must be a Python int or float, got {}",
            type_name(v)
        ))),
    }
}

/// Evenly spaced values in the half-open interval [`start`, `stop`), `step` apart.
///
/// With one argument, `start` is the stop and the values start at 0. `start`, `stop`, `step`:
/// Python ints or floats. `dtype`: int64 when all are ints, float64 otherwise, unless given.
/// `device`: None or `lz.cpu`. Lazy: the values are generated inside the kernel that uses them.
///
/// >>> np.asarray(lz.arange(5)).tolist()
/// [0, 1, 2, 3, 4]
/// >>> np.asarray(lz.arange(1.0, 2.0, 0.25))
/// array([1.  , 1.25, 1.5 , 1.75])
#[pyfunction]
#[pyo3(
    signature = (start, /, stop = None, step = None, *, dtype = None, device = None),
    text_signature = "(start, /, stop=None, step=1, *, dtype=None, device=None)"
)]
fn arange(
    py: Python<'_>,
    start: &Bound<'_, PyAny>,
    stop: Option<&Bound<'_, PyAny>>,
    step: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let dev = check_device("arange", device)?;
    let start = real_scalar("arange", "start", start)?;
    let stop = match stop {
        Some(s) if !s.is_none() => Some(real_scalar("arange", "stop", s)?),
        _ => None,
    };
    let step = match step {
        Some(s) if !s.is_none() => real_scalar("arange", "step", s)?,
        _ => Scalar::Int(1),
    };
    let d = dtype_arg("arange", dtype)?;
    let r = engine(py, "arange", move || fe::arange(start, stop, step, d))?;
    Ok(PyArray::new(on_device(r, dev)?))
}

// ---- reductions -------------------------------------------------------------------------------------

type ReduceFn = fn(&LazyArray, Option<&[isize]>, bool) -> fe::Result<LazyArray>;
type ReduceDtypeFn = fn(&LazyArray, Option<&[isize]>, bool, Option<DType>) -> fe::Result<LazyArray>;

fn reduce_impl(
    py: Python<'_>,
    func: &'static str,
    f: ReduceFn,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg(func, "x", x)?;
    let axes = axes_arg(func, axis)?;
    let keepdims = bool_arg(func, "keepdims", keepdims, false)?;
    Ok(PyArray::new(engine(py, func, move || {
        f(&x, axes.as_deref(), keepdims)
    })?))
}

fn reduce_dtype_impl(
    py: Python<'_>,
    func: &'static str,
    f: ReduceDtypeFn,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    keepdims: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let x = array_arg(func, "x", x)?;
    let axes = axes_arg(func, axis)?;
    let d = dtype_arg(func, dtype)?;
    let keepdims = bool_arg(func, "keepdims", keepdims, false)?;
    Ok(PyArray::new(engine(py, func, move || {
        f(&x, axes.as_deref(), keepdims, d)
    })?))
}

/// Sum of the elements of `x` over `axis` (all axes by default).
///
/// `x`: a numeric array. `axis`: None, an int or a tuple of ints. `dtype`: the accumulation and
/// result dtype; by default signed integers (and bool) sum in int64, unsigned ones in uint64,
/// floating-point arrays in their own dtype. `keepdims`: keep the reduced axes with length 1. Lazy:
/// the reduction and the element-wise work that feeds it run as one kernel.
///
/// >>> x = lz.asarray([[1, 2], [3, 4]])
/// >>> int(lz.sum(x))
/// 10
/// >>> np.asarray(lz.sum(x, axis=0)).tolist()
/// [4, 6]
#[pyfunction]
#[pyo3(
    signature = (x, /, *, axis = None, dtype = None, keepdims = None),
    text_signature = "(x, /, *, axis=None, dtype=None, keepdims=False)"
)]
fn sum(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    keepdims: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    reduce_dtype_impl(py, "sum", fe::sum, x, axis, dtype, keepdims)
}

/// Product of the elements of `x` over `axis` (all axes by default).
///
/// `x`: a numeric array. `axis`: None, an int or a tuple of ints. `dtype`: as for `sum` (int64 for
/// signed integers, uint64 for unsigned ones, the array's own dtype for floating point).
/// `keepdims`: keep the reduced axes with length 1. Lazy: fuses with the element-wise work that
/// feeds it.
///
/// >>> np.asarray(lz.prod(lz.asarray([[1, 2], [3, 4]]), axis=1)).tolist()
/// [2, 12]
#[pyfunction]
#[pyo3(
    signature = (x, /, *, axis = None, dtype = None, keepdims = None),
    text_signature = "(x, /, *, axis=None, dtype=None, keepdims=False)"
)]
fn prod(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    keepdims: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    reduce_dtype_impl(py, "prod", fe::prod, x, axis, dtype, keepdims)
}

macro_rules! plain_reductions {
    ($($(#[doc = $doc:tt])* $name:ident),* $(,)?) => {
        $(
            $(#[doc = $doc])*
            #[pyfunction]
            #[pyo3(
                signature = (x, /, *, axis = None, keepdims = None),
                text_signature = "(x, /, *, axis=None, keepdims=False)"
            )]
            fn $name(
                py: Python<'_>,
                x: &Bound<'_, PyAny>,
                axis: Option<&Bound<'_, PyAny>>,
                keepdims: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<PyArray> {
                reduce_impl(py, stringify!($name), fe::$name, x, axis, keepdims)
            }
        )*
    };
}

plain_reductions! {
    /// Smallest element of `x` over `axis` (all axes by default).
    ///
    /// `x`: a real numeric array (not complex); NaN propagates. `axis`: None, an int or a tuple of
    /// ints. `keepdims`: keep the reduced axes with length 1. Reducing an empty axis raises
    /// `ValueError`. The result has `x`'s dtype. Lazy: fuses with the element-wise work that feeds
    /// it.
    ///
    /// >>> np.asarray(lz.min(lz.asarray([[3, 1], [2, 5]]), axis=0)).tolist()
    /// [2, 1]
    min,
    /// Largest element of `x` over `axis` (all axes by default).
    ///
    /// `x`: a real numeric array (not complex); NaN propagates. `axis`: None, an int or a tuple of
    /// ints. `keepdims`: keep the reduced axes with length 1. Reducing an empty axis raises
    /// `ValueError`. The result has `x`'s dtype. Lazy: fuses with the element-wise work that feeds
    /// it.
    ///
    /// >>> float(lz.max(lz.asarray([0.5, 2.5, -1.0])))
    /// 2.5
    max,
    /// Arithmetic mean of the elements of `x` over `axis` (all axes by default).
    ///
    /// `x`: a floating-point array (real or complex). `axis`: None, an int or a tuple of ints.
    /// `keepdims`: keep the reduced axes with length 1. The mean of an empty axis is NaN. Lazy: the
    /// sum and the division fuse into one kernel.
    ///
    /// >>> np.asarray(lz.mean(lz.asarray([[1.0, 2.0], [3.0, 5.0]]), axis=1))
    /// array([1.5, 4. ])
    mean,
    /// Whether any element of `x` over `axis` is true (non-zero).
    ///
    /// `x`: an array of any dtype. `axis`: None, an int or a tuple of ints. `keepdims`: keep the
    /// reduced axes with length 1. The result is a bool array. Lazy: fuses with the comparison that
    /// usually feeds it.
    ///
    /// >>> bool(lz.any(lz.asarray([1, 2, 3]) > 2))
    /// True
    any,
    /// Whether every element of `x` over `axis` is true (non-zero).
    ///
    /// `x`: an array of any dtype. `axis`: None, an int or a tuple of ints. `keepdims`: keep the
    /// reduced axes with length 1. The result is a bool array. Lazy: fuses with the comparison that
    /// usually feeds it.
    ///
    /// >>> np.asarray(lz.all(lz.asarray([[1, 0], [2, 3]]), axis=1))
    /// array([False,  True])
    all,
}

// ---- movement ---------------------------------------------------------------------------------------

/// `x` with a new `shape` and the same elements in row-major order.
///
/// `x`: any array. `shape`: a tuple of ints, one of which may be -1 (inferred). `copy`: None (a
/// view when the elements can be read with strides, a copy otherwise), True (always a copy) or
/// False (a view, or `ValueError`). A view shares its base: writes through either show in both.
/// Lazy.
///
/// >>> np.asarray(lz.reshape(lz.arange(6), (2, -1))).tolist()
/// [[0, 1, 2], [3, 4, 5]]
#[pyfunction]
#[pyo3(signature = (x, /, shape, *, copy = None))]
fn reshape(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    shape: &Bound<'_, PyAny>,
    copy: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let s = signed_shape_arg("reshape", shape)?;
    let copy = opt_bool_arg("reshape", "copy", copy)?;
    if copy == Some(true) {
        let x = array_arg("reshape", "x", x)?;
        return Ok(PyArray::new(engine(py, "reshape", move || {
            fe::reshape(&x, &s)
        })?));
    }
    // a view of x's base when the elements can be read with strides, else a copy (as NumPy)
    let r = views::movement(py, "reshape", x, |v| fe::reshape(v, &s))?;
    if copy == Some(false) && !r.handle().same_family(x.cast::<PyArray>()?.get().handle()) {
        return Err(value_error(format!(
            "reshape: copy=False, but the array's elements cannot be read as shape {s:?} without a \
             copy (it is a strided view); pass copy=None to allow the copy"
        )));
    }
    Ok(r)
}

/// `x` with its axes reordered: axis `i` of the result is axis `axes[i]` of `x`.
///
/// `x`: any array. `axes`: a permutation of `range(x.ndim)`. The result is a view (no copy). Lazy.
///
/// >>> lz.permute_dims(lz.zeros((2, 3, 4)), (2, 0, 1)).shape
/// (4, 2, 3)
#[pyfunction]
#[pyo3(signature = (x, /, axes))]
fn permute_dims(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axes: &Bound<'_, PyAny>,
) -> PyResult<PyArray> {
    let a = axis_list_arg("permute_dims", "axes", axes)?;
    views::movement(py, "permute_dims", x, |v| fe::permute_dims(v, &a))
}

/// `x` broadcast to `shape` (NumPy's broadcasting rules), without copying.
///
/// `x`: any array. `shape`: a tuple of ints compatible with `x.shape`. The result is a read-only
/// view: writing to it raises `ValueError`. Lazy.
///
/// >>> np.asarray(lz.broadcast_to(lz.asarray([1, 2, 3]), (2, 3))).tolist()
/// [[1, 2, 3], [1, 2, 3]]
#[pyfunction]
#[pyo3(signature = (x, /, shape))]
fn broadcast_to(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    shape: &Bound<'_, PyAny>,
) -> PyResult<PyArray> {
    array_arg("broadcast_to", "x", x)?;
    let s = shape_arg("broadcast_to", shape)?;
    views::broadcast(py, "broadcast_to", x.cast::<PyArray>()?, &s)
}

/// `x` with new axes of length 1 inserted at the positions `axis`.
///
/// `x`: any array. `axis`: an int or a tuple of ints, positions in the result (negative ones count
/// from its end). The result is a view. Lazy.
///
/// >>> lz.expand_dims(lz.zeros((2, 3)), axis=(0, -1)).shape
/// (1, 2, 3, 1)
#[pyfunction]
#[pyo3(signature = (x, /, axis))]
fn expand_dims(py: Python<'_>, x: &Bound<'_, PyAny>, axis: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    let a = axis_list_arg("expand_dims", "axis", axis)?;
    views::movement(py, "expand_dims", x, |v| fe::expand_dims(v, &a))
}

/// `x` without the axes `axis`, each of which must have length 1.
///
/// `x`: any array. `axis`: an int or a tuple of ints (`ValueError` if one of them is not of length
/// 1). The result is a view. Lazy.
///
/// >>> lz.squeeze(lz.zeros((1, 3, 1)), axis=0).shape
/// (3, 1)
#[pyfunction]
#[pyo3(signature = (x, /, axis))]
fn squeeze(py: Python<'_>, x: &Bound<'_, PyAny>, axis: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    let a = axis_list_arg("squeeze", "axis", axis)?;
    views::movement(py, "squeeze", x, |v| fe::squeeze(v, &a))
}

/// `x` with the order of elements reversed along `axis` (every axis by default).
///
/// `x`: any array. `axis`: None, an int or a tuple of ints. The result is a view (negative
/// strides). Lazy.
///
/// >>> np.asarray(lz.flip(lz.asarray([[1, 2], [3, 4]]), axis=1)).tolist()
/// [[2, 1], [4, 3]]
#[pyfunction]
#[pyo3(signature = (x, /, *, axis = None))]
fn flip(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let a = axes_arg("flip", axis)?;
    views::movement(py, "flip", x, |v| fe::flip(v, a.as_deref()))
}

/// The transpose of each matrix in `x` (its last two axes swapped), as `x.mT`.
///
/// `x`: an array with at least two dimensions. The result is a view. Lazy.
///
/// >>> np.asarray(lz.matrix_transpose(lz.asarray([[1, 2, 3], [4, 5, 6]]))).tolist()
/// [[1, 4], [2, 5], [3, 6]]
#[pyfunction]
#[pyo3(signature = (x, /))]
fn matrix_transpose(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    views::movement(py, "matrix_transpose", x, fe::matrix_transpose)
}

// ---- planning and computing -------------------------------------------------------------------------

fn arrays_of(func: &str, arrays: &Bound<'_, PyTuple>) -> PyResult<Vec<LazyArray>> {
    if arrays.is_empty() {
        return Err(value_error(format!("{func}: pass at least one array")));
    }
    arrays
        .iter()
        .enumerate()
        .map(|(i, a)| array_arg(func, &format!("arrays[{i}]"), &a))
        .collect()
}

/// The fused plan of the arrays (what `compute_many` would run), as text (`ir`: with each kernel's
/// IR) or as Graphviz DOT (`dot`).
#[pyfunction]
#[pyo3(name = "_explain", signature = (*arrays, ir=false, dot=false))]
fn explain(py: Python<'_>, arrays: &Bound<'_, PyTuple>, ir: bool, dot: bool) -> PyResult<String> {
    let xs = arrays_of("explain", arrays)?;
    engine(py, "explain", move || {
        let refs: Vec<&LazyArray> = xs.iter().collect();
        if dot {
            fe::explain_dot(&refs)
        } else if ir {
            fe::explain_ir(&refs)
        } else {
            fe::explain(&refs)
        }
    })
}

/// Computes several arrays in one run and returns them, computed, as a tuple.
///
/// Work the arrays share (a common sub-expression, the several outputs of one `svd`) runs once,
/// which calling `.compute()` on each would not guarantee. Every argument must be a lazulite array.
///
/// >>> x = lz.asarray([1.0, 2.0, 3.0])
/// >>> s, m = lz.compute_many(lz.sum(x * x), lz.max(x * x))
/// >>> float(s), float(m), s.is_computed
/// (14.0, 9.0, True)
#[pyfunction]
#[pyo3(signature = (*arrays))]
fn compute_many<'py>(
    py: Python<'py>,
    arrays: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyTuple>> {
    let xs = arrays_of("compute_many", arrays)?;
    let data = materialize_many(py, xs)?;
    let out: Vec<PyArray> = data
        .into_iter()
        .map(|d| PyArray::new(LazyArray::from_data(d)))
        .collect();
    PyTuple::new(py, out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    crate::elementwise::register(m)?;
    for f in [
        wrap_pyfunction!(where_, m)?,
        wrap_pyfunction!(clip, m)?,
        wrap_pyfunction!(astype, m)?,
        wrap_pyfunction!(full, m)?,
        wrap_pyfunction!(zeros, m)?,
        wrap_pyfunction!(ones, m)?,
        wrap_pyfunction!(empty, m)?,
        wrap_pyfunction!(zeros_like, m)?,
        wrap_pyfunction!(ones_like, m)?,
        wrap_pyfunction!(empty_like, m)?,
        wrap_pyfunction!(full_like, m)?,
        wrap_pyfunction!(arange, m)?,
        wrap_pyfunction!(sum, m)?,
        wrap_pyfunction!(prod, m)?,
        wrap_pyfunction!(min, m)?,
        wrap_pyfunction!(max, m)?,
        wrap_pyfunction!(mean, m)?,
        wrap_pyfunction!(any, m)?,
        wrap_pyfunction!(all, m)?,
        wrap_pyfunction!(reshape, m)?,
        wrap_pyfunction!(permute_dims, m)?,
        wrap_pyfunction!(broadcast_to, m)?,
        wrap_pyfunction!(expand_dims, m)?,
        wrap_pyfunction!(squeeze, m)?,
        wrap_pyfunction!(flip, m)?,
        wrap_pyfunction!(matrix_transpose, m)?,
        wrap_pyfunction!(explain, m)?,
        wrap_pyfunction!(compute_many, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
