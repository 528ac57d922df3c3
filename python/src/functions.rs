//! The namespace's functions, each with the spec's signature (positional-only / keyword-only).

use crate::array::PyArray;
use crate::convert::{
    array_arg, axes_arg, axis_list_arg, bool_arg, check_int_pow, check_scalar_operand, operand_for,
    operand_pair, opt_bool_arg, scalar_for, shape_arg, signed_shape_arg, type_name, Arg,
};
use crate::dtype::{check_device, dtype_arg, required_dtype};
use crate::guard::{engine, type_error, value_error};
use crate::materialize::materialize_many;
use crate::views;
use lazulite_frontend::{self as fe, BinaryOp, DType, LazyArray, Scalar, UnaryOp};
use pyo3::prelude::*;
use pyo3::types::{PyModule, PyTuple};

fn unary_impl(py: Python<'_>, op: UnaryOp, x: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    let x = array_arg(op.name(), "x", x)?;
    Ok(PyArray::new(engine(py, op.name(), move || {
        fe::unary(op, &x)
    })?))
}

fn binary_impl(
    py: Python<'_>,
    op: BinaryOp,
    x1: &Bound<'_, PyAny>,
    x2: &Bound<'_, PyAny>,
) -> PyResult<PyArray> {
    let (a, b) = operand_pair(op.name(), ("x1", x1), ("x2", x2))?;
    if op == BinaryOp::Pow {
        check_int_pow(op.name(), &a, &b)?;
    }
    if a.is_scalar() && b.is_scalar() {
        return Err(type_error(format!(
            "{}: at least one of x1 and x2 must be an array, got two Python scalars; wrap one with \
             asarray()",
            op.name()
        )));
    }
    Ok(PyArray::new(engine(py, op.name(), move || {
        fe::binary(op, a.operand(), b.operand())
    })?))
}

macro_rules! unary_functions {
    ($($name:ident => $op:ident),* $(,)?) => {
        $(
            #[pyfunction]
            #[pyo3(signature = (x, /))]
            fn $name(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<PyArray> {
                unary_impl(py, UnaryOp::$op, x)
            }
        )*
        fn add_unary(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $( m.add_function(wrap_pyfunction!($name, m)?)?; )*
            Ok(())
        }
    };
}

macro_rules! binary_functions {
    ($($name:ident => $op:ident),* $(,)?) => {
        $(
            #[pyfunction]
            #[pyo3(signature = (x1, x2, /))]
            fn $name(py: Python<'_>, x1: &Bound<'_, PyAny>, x2: &Bound<'_, PyAny>) -> PyResult<PyArray> {
                binary_impl(py, BinaryOp::$op, x1, x2)
            }
        )*
        fn add_binary(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $( m.add_function(wrap_pyfunction!($name, m)?)?; )*
            Ok(())
        }
    };
}

unary_functions! {
    abs => Abs, negative => Neg, positive => Positive, sqrt => Sqrt, square => Square,
    reciprocal => Reciprocal, exp => Exp, expm1 => Expm1, log => Log, log1p => Log1p, log2 => Log2,
    log10 => Log10, sin => Sin, cos => Cos, tan => Tan, asin => Asin, acos => Acos, atan => Atan,
    sinh => Sinh, cosh => Cosh, tanh => Tanh, asinh => Asinh, acosh => Acosh, atanh => Atanh,
    floor => Floor, ceil => Ceil, trunc => Trunc, round => Round, sign => Sign, signbit => Signbit,
    isnan => IsNan, isinf => IsInf, isfinite => IsFinite, logical_not => LogicalNot,
    bitwise_invert => BitwiseInvert, real => Real, imag => Imag, conj => Conj,
}

binary_functions! {
    add => Add, subtract => Sub, multiply => Mul, divide => Div, floor_divide => FloorDiv,
    remainder => Rem, pow => Pow, atan2 => Atan2, hypot => Hypot, copysign => Copysign,
    nextafter => Nextafter, logaddexp => Logaddexp, maximum => Maximum, minimum => Minimum,
    equal => Eq, not_equal => Ne, less => Lt, less_equal => Le, greater => Gt,
    greater_equal => Ge, logical_and => LogicalAnd, logical_or => LogicalOr,
    logical_xor => LogicalXor, bitwise_and => BitAnd, bitwise_or => BitOr, bitwise_xor => BitXor,
    bitwise_left_shift => Shl, bitwise_right_shift => Shr,
}

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
    check_device("astype", device)?;
    let d = required_dtype("astype", dtype)?;
    let xa = array_arg("astype", "x", x)?;
    if !copy && d == xa.dtype() {
        return Ok(x.clone().unbind());
    }
    let r = engine(py, "astype", move || fe::astype(&xa, d))?;
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

#[pyfunction]
#[pyo3(signature = (shape, fill_value, *, dtype = None, device = None))]
fn full(
    py: Python<'_>,
    shape: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    check_device("full", device)?;
    let shape = shape_arg("full", shape)?;
    let d = dtype_arg("full", dtype)?;
    let v = fill_scalar("full", fill_value, d)?;
    Ok(PyArray::new(engine(py, "full", move || {
        fe::full(&shape, v, d)
    })?))
}

fn filled(
    py: Python<'_>,
    func: &'static str,
    shape: Vec<usize>,
    one: bool,
    dtype: Option<DType>,
) -> PyResult<PyArray> {
    let d = dtype.unwrap_or(DType::DEFAULT_FLOAT);
    // checked here so that the error names `func`, not `full`, which builds the array
    lazulite_ir::shape::check_shape(func, &shape).map_err(crate::guard::to_pyerr)?;
    let v = if d.is_bool() {
        Scalar::Bool(one)
    } else {
        Scalar::Int(one as i64)
    };
    Ok(PyArray::new(engine(py, func, move || {
        fe::full(&shape, v, Some(d))
    })?))
}

#[pyfunction]
#[pyo3(signature = (shape, *, dtype = None, device = None))]
fn zeros(
    py: Python<'_>,
    shape: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    check_device("zeros", device)?;
    let s = shape_arg("zeros", shape)?;
    filled(py, "zeros", s, false, dtype_arg("zeros", dtype)?)
}

#[pyfunction]
#[pyo3(signature = (shape, *, dtype = None, device = None))]
fn ones(
    py: Python<'_>,
    shape: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    check_device("ones", device)?;
    let s = shape_arg("ones", shape)?;
    filled(py, "ones", s, true, dtype_arg("ones", dtype)?)
}

/// `empty` is `zeros`: lazulite never hands out uninitialised memory.
#[pyfunction]
#[pyo3(signature = (shape, *, dtype = None, device = None))]
fn empty(
    py: Python<'_>,
    shape: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    check_device("empty", device)?;
    let s = shape_arg("empty", shape)?;
    filled(py, "empty", s, false, dtype_arg("empty", dtype)?)
}

fn like(
    func: &str,
    x: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Vec<usize>, DType)> {
    check_device(func, device)?;
    let x = array_arg(func, "x", x)?;
    let d = dtype_arg(func, dtype)?.unwrap_or(x.dtype());
    Ok((x.shape().to_vec(), d))
}

#[pyfunction]
#[pyo3(signature = (x, /, *, dtype = None, device = None))]
fn zeros_like(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let (s, d) = like("zeros_like", x, dtype, device)?;
    filled(py, "zeros_like", s, false, Some(d))
}

#[pyfunction]
#[pyo3(signature = (x, /, *, dtype = None, device = None))]
fn empty_like(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let (s, d) = like("empty_like", x, dtype, device)?;
    filled(py, "empty_like", s, false, Some(d))
}

#[pyfunction]
#[pyo3(signature = (x, /, *, dtype = None, device = None))]
fn ones_like(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let (s, d) = like("ones_like", x, dtype, device)?;
    filled(py, "ones_like", s, true, Some(d))
}

#[pyfunction]
#[pyo3(signature = (x, /, fill_value, *, dtype = None, device = None))]
fn full_like(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyArray> {
    let (s, d) = like("full_like", x, dtype, device)?;
    let v = fill_scalar("full_like", fill_value, Some(d))?;
    Ok(PyArray::new(engine(py, "full_like", move || {
        fe::full(&s, v, Some(d))
    })?))
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
    check_device("arange", device)?;
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
    Ok(PyArray::new(engine(py, "arange", move || {
        fe::arange(start, stop, step, d)
    })?))
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
    ($($name:ident),*) => {
        $(
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

plain_reductions!(min, max, mean, any, all);

// ---- movement ---------------------------------------------------------------------------------------

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

#[pyfunction]
#[pyo3(signature = (x, /, axis))]
fn expand_dims(py: Python<'_>, x: &Bound<'_, PyAny>, axis: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    let a = axis_list_arg("expand_dims", "axis", axis)?;
    views::movement(py, "expand_dims", x, |v| fe::expand_dims(v, &a))
}

#[pyfunction]
#[pyo3(signature = (x, /, axis))]
fn squeeze(py: Python<'_>, x: &Bound<'_, PyAny>, axis: &Bound<'_, PyAny>) -> PyResult<PyArray> {
    let a = axis_list_arg("squeeze", "axis", axis)?;
    views::movement(py, "squeeze", x, |v| fe::squeeze(v, &a))
}

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

/// Computes several arrays together (shared subgraphs once); returns them, realized, as a tuple.
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
    add_unary(m)?;
    add_binary(m)?;
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
