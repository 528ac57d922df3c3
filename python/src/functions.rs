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

/// Every unary function is declared in `unary_functions!` with its docstring (what it does, the
/// dtypes it takes) and its example; the macro adds the note they share. Python docstrings are
/// reST.
macro_rules! unary_functions {
    ($($(#[doc = $doc:tt])* $name:ident => $op:ident { $(#[doc = $ex:tt])* }),* $(,)?) => {
        $(
            $(#[doc = $doc])*
            #[doc = ""]
            #[doc = "Element-wise and lazy: the result has `x`'s shape and is computed when a value is needed,"]
            #[doc = "fused with neighbouring element-wise operations into one kernel."]
            #[doc = ""]
            $(#[doc = $ex])*
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

/// As `unary_functions!`, for the functions of two operands.
macro_rules! binary_functions {
    ($($(#[doc = $doc:tt])* $name:ident => $op:ident { $(#[doc = $ex:tt])* }),* $(,)?) => {
        $(
            $(#[doc = $doc])*
            #[doc = ""]
            #[doc = "`x1` and `x2` broadcast against each other and promote by the standard's table; either may be"]
            #[doc = "a Python scalar, which takes the other operand's dtype. Element-wise and lazy: computed when a"]
            #[doc = "value is needed, fused with neighbouring element-wise operations into one kernel."]
            #[doc = ""]
            $(#[doc = $ex])*
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
    /// Absolute value of each element (the modulus for complex numbers).
    ///
    /// `x`: a numeric array; a complex input gives a real result of the matching precision.
    abs => Abs {
        /// >>> np.asarray(lz.abs(lz.asarray([-2, 0, 3]))).tolist()
        /// [2, 0, 3]
    },
    /// The negation of each element, `-x`.
    ///
    /// `x`: a numeric array.
    negative => Neg {
        /// >>> np.asarray(lz.negative(lz.asarray([1, -2]))).tolist()
        /// [-1, 2]
    },
    /// Each element unchanged, `+x` (a new array with `x`'s values).
    ///
    /// `x`: a numeric array.
    positive => Positive {
        /// >>> np.asarray(lz.positive(lz.asarray([1, -2]))).tolist()
        /// [1, -2]
    },
    /// The principal square root of each element.
    ///
    /// `x`: a floating-point array (real or complex); negative reals give NaN.
    sqrt => Sqrt {
        /// >>> np.asarray(lz.sqrt(lz.asarray([1.0, 4.0, 9.0])))
        /// array([1., 2., 3.])
    },
    /// The square of each element, `x * x`.
    ///
    /// `x`: a numeric array.
    square => Square {
        /// >>> np.asarray(lz.square(lz.asarray([-3, 2]))).tolist()
        /// [9, 4]
    },
    /// The reciprocal of each element, `1 / x`.
    ///
    /// `x`: a floating-point array (real or complex).
    reciprocal => Reciprocal {
        /// >>> np.asarray(lz.reciprocal(lz.asarray([2.0, 4.0])))
        /// array([0.5 , 0.25])
    },
    /// The exponential of each element, `e ** x`.
    ///
    /// `x`: a floating-point array (real or complex).
    exp => Exp {
        /// >>> np.asarray(lz.exp(lz.asarray([0.0])))
        /// array([1.])
    },
    /// `exp(x) - 1` for each element, accurate for small `x`.
    ///
    /// `x`: a floating-point array (real or complex).
    expm1 => Expm1 {
        /// >>> float(lz.expm1(lz.asarray(1e-10)))
        /// 1.00000000005e-10
    },
    /// The natural logarithm of each element.
    ///
    /// `x`: a floating-point array (real or complex); 0 gives -inf, negative reals NaN.
    log => Log {
        /// >>> np.asarray(lz.log(lz.asarray([1.0, lz.e])))
        /// array([0., 1.])
    },
    /// `log(1 + x)` for each element, accurate for small `x`.
    ///
    /// `x`: a floating-point array (real or complex).
    log1p => Log1p {
        /// >>> float(lz.log1p(lz.asarray(1e-10)))
        /// 9.999999999500001e-11
    },
    /// The base-2 logarithm of each element.
    ///
    /// `x`: a floating-point array (real or complex).
    log2 => Log2 {
        /// >>> np.asarray(lz.log2(lz.asarray([1.0, 8.0])))
        /// array([0., 3.])
    },
    /// The base-10 logarithm of each element.
    ///
    /// `x`: a floating-point array (real or complex).
    log10 => Log10 {
        /// >>> np.asarray(lz.log10(lz.asarray([1.0, 1000.0])))
        /// array([0., 3.])
    },
    /// The sine of each element (in radians).
    ///
    /// `x`: a floating-point array (real or complex).
    sin => Sin {
        /// >>> np.asarray(lz.sin(lz.asarray([0.0, lz.pi / 2])))
        /// array([0., 1.])
    },
    /// The cosine of each element (in radians).
    ///
    /// `x`: a floating-point array (real or complex).
    cos => Cos {
        /// >>> np.asarray(lz.cos(lz.asarray([0.0, lz.pi])))
        /// array([ 1., -1.])
    },
    /// The tangent of each element (in radians).
    ///
    /// `x`: a floating-point array (real or complex).
    tan => Tan {
        /// >>> float(lz.tan(lz.asarray(lz.pi / 4)))
        /// 0.9999999999999999
    },
    /// The inverse sine of each element, in radians in [-pi/2, pi/2].
    ///
    /// `x`: a floating-point array (real or complex); real values outside [-1, 1] give NaN.
    asin => Asin {
        /// >>> float(lz.asin(lz.asarray(1.0))) == lz.pi / 2
        /// True
    },
    /// The inverse cosine of each element, in radians in [0, pi].
    ///
    /// `x`: a floating-point array (real or complex); real values outside [-1, 1] give NaN.
    acos => Acos {
        /// >>> np.asarray(lz.acos(lz.asarray([1.0])))
        /// array([0.])
    },
    /// The inverse tangent of each element, in radians in [-pi/2, pi/2].
    ///
    /// `x`: a floating-point array (real or complex).
    atan => Atan {
        /// >>> float(lz.atan(lz.asarray(1.0))) == lz.pi / 4
        /// True
    },
    /// The hyperbolic sine of each element.
    ///
    /// `x`: a floating-point array (real or complex).
    sinh => Sinh {
        /// >>> np.asarray(lz.sinh(lz.asarray([0.0])))
        /// array([0.])
    },
    /// The hyperbolic cosine of each element.
    ///
    /// `x`: a floating-point array (real or complex).
    cosh => Cosh {
        /// >>> np.asarray(lz.cosh(lz.asarray([0.0])))
        /// array([1.])
    },
    /// The hyperbolic tangent of each element.
    ///
    /// `x`: a floating-point array (real or complex).
    tanh => Tanh {
        /// >>> np.asarray(lz.tanh(lz.asarray([0.0, lz.inf])))
        /// array([0., 1.])
    },
    /// The inverse hyperbolic sine of each element.
    ///
    /// `x`: a floating-point array (real or complex).
    asinh => Asinh {
        /// >>> np.asarray(lz.asinh(lz.asarray([0.0])))
        /// array([0.])
    },
    /// The inverse hyperbolic cosine of each element.
    ///
    /// `x`: a floating-point array (real or complex); real values below 1 give NaN.
    acosh => Acosh {
        /// >>> np.asarray(lz.acosh(lz.asarray([1.0])))
        /// array([0.])
    },
    /// The inverse hyperbolic tangent of each element.
    ///
    /// `x`: a floating-point array (real or complex); 1 gives inf.
    atanh => Atanh {
        /// >>> np.asarray(lz.atanh(lz.asarray([0.0, 1.0])))
        /// array([ 0., inf])
    },
    /// Each element rounded down to the nearest integer value.
    ///
    /// `x`: a real numeric array (integers are returned unchanged).
    floor => Floor {
        /// >>> np.asarray(lz.floor(lz.asarray([-1.5, 1.5])))
        /// array([-2.,  1.])
    },
    /// Each element rounded up to the nearest integer value.
    ///
    /// `x`: a real numeric array (integers are returned unchanged).
    ceil => Ceil {
        /// >>> np.asarray(lz.ceil(lz.asarray([-1.5, 1.5])))
        /// array([-1.,  2.])
    },
    /// Each element rounded toward zero to an integer value.
    ///
    /// `x`: a real numeric array (integers are returned unchanged).
    trunc => Trunc {
        /// >>> np.asarray(lz.trunc(lz.asarray([-1.5, 1.5])))
        /// array([-1.,  1.])
    },
    /// Each element rounded to the nearest integer value, halves to even.
    ///
    /// `x`: a numeric array; complex numbers round both parts.
    round => Round {
        /// >>> np.asarray(lz.round(lz.asarray([0.5, 1.5, 2.5])))
        /// array([0., 2., 2.])
    },
    /// The sign of each element: -1, 0 or 1 (`x / abs(x)` for complex numbers).
    ///
    /// `x`: a numeric array; NaN stays NaN.
    sign => Sign {
        /// >>> np.asarray(lz.sign(lz.asarray([-4.0, 0.0, 2.5])))
        /// array([-1.,  0.,  1.])
    },
    /// Whether the sign bit of each element is set (true for -0.0 and negative NaN).
    ///
    /// `x`: a real floating-point array; the result is bool.
    signbit => Signbit {
        /// >>> np.asarray(lz.signbit(lz.asarray([-0.0, 0.0, -1.0])))
        /// array([ True, False,  True])
    },
    /// Whether each element is NaN (for complex numbers: either part).
    ///
    /// `x`: a numeric array; the result is bool.
    isnan => IsNan {
        /// >>> np.asarray(lz.isnan(lz.asarray([1.0, lz.nan])))
        /// array([False,  True])
    },
    /// Whether each element is positive or negative infinity (for complex numbers: either part).
    ///
    /// `x`: a numeric array; the result is bool.
    isinf => IsInf {
        /// >>> np.asarray(lz.isinf(lz.asarray([1.0, -lz.inf])))
        /// array([False,  True])
    },
    /// Whether each element is finite (neither infinite nor NaN).
    ///
    /// `x`: a numeric array; the result is bool.
    isfinite => IsFinite {
        /// >>> np.asarray(lz.isfinite(lz.asarray([1.0, lz.inf, lz.nan])))
        /// array([ True, False, False])
    },
    /// The logical negation of each element.
    ///
    /// `x`: a bool array.
    logical_not => LogicalNot {
        /// >>> np.asarray(lz.logical_not(lz.asarray([True, False])))
        /// array([False,  True])
    },
    /// The bitwise complement of each element, `~x`.
    ///
    /// `x`: an integer or bool array (bool inverts logically).
    bitwise_invert => BitwiseInvert {
        /// >>> np.asarray(lz.bitwise_invert(lz.asarray([0, 5], dtype=lz.uint8)))
        /// array([255, 250], dtype=uint8)
    },
    /// The real part of each element.
    ///
    /// `x`: a numeric array; complex64 gives float32, complex128 float64, real input is returned as
    /// a copy.
    real => Real {
        /// >>> np.asarray(lz.real(lz.asarray([1 + 2j, 3 - 4j])))
        /// array([1., 3.])
    },
    /// The imaginary part of each element.
    ///
    /// `x`: a numeric array; complex64 gives float32, complex128 float64, real input gives zeros.
    imag => Imag {
        /// >>> np.asarray(lz.imag(lz.asarray([1 + 2j, 3 - 4j])))
        /// array([ 2., -4.])
    },
    /// The complex conjugate of each element.
    ///
    /// `x`: a numeric array; real input is returned unchanged.
    conj => Conj {
        /// >>> np.asarray(lz.conj(lz.asarray([1 + 2j])))
        /// array([1.-2.j])
    },
}

binary_functions! {
    /// The sum of each pair of elements, `x1 + x2`.
    ///
    /// `x1`, `x2`: numeric arrays or Python scalars.
    add => Add {
        /// >>> np.asarray(lz.add(lz.asarray([1, 2]), 10)).tolist()
        /// [11, 12]
    },
    /// The difference of each pair of elements, `x1 - x2`.
    ///
    /// `x1`, `x2`: numeric arrays or Python scalars.
    subtract => Sub {
        /// >>> np.asarray(lz.subtract(lz.asarray([5.0, 1.0]), lz.asarray([1.0, 2.0])))
        /// array([ 4., -1.])
    },
    /// The product of each pair of elements, `x1 * x2`.
    ///
    /// `x1`, `x2`: numeric arrays or Python scalars.
    multiply => Mul {
        /// >>> np.asarray(lz.multiply(lz.asarray([1, 2, 3]), 2)).tolist()
        /// [2, 4, 6]
    },
    /// The true quotient of each pair of elements, `x1 / x2`.
    ///
    /// `x1`, `x2`: floating-point (real or complex) arrays or Python scalars.
    divide => Div {
        /// >>> np.asarray(lz.divide(lz.asarray([1.0, 3.0]), 2.0))
        /// array([0.5, 1.5])
    },
    /// The quotient of each pair of elements rounded down, `x1 // x2`.
    ///
    /// `x1`, `x2`: real numeric arrays or Python scalars.
    floor_divide => FloorDiv {
        /// >>> np.asarray(lz.floor_divide(lz.asarray([7, -7]), 2)).tolist()
        /// [3, -4]
    },
    /// The remainder of each floor division, `x1 % x2`, with the sign of `x2`.
    ///
    /// `x1`, `x2`: real numeric arrays or Python scalars.
    remainder => Rem {
        /// >>> np.asarray(lz.remainder(lz.asarray([7, -7]), 3)).tolist()
        /// [1, 2]
    },
    /// Each element of `x1` raised to the power of the matching element of `x2`, `x1 ** x2`.
    ///
    /// `x1`, `x2`: numeric arrays or Python scalars.
    pow => Pow {
        /// >>> np.asarray(lz.pow(lz.asarray([2.0, 3.0]), 2))
        /// array([4., 9.])
    },
    /// The angle of each point (`x2`, `x1`) from the positive x axis, in radians in [-pi, pi].
    ///
    /// `x1`, `x2`: real floating-point arrays or Python scalars.
    atan2 => Atan2 {
        /// >>> np.asarray(lz.atan2(lz.asarray([0.0, 1.0]), lz.asarray([1.0, 0.0])) * 2 / lz.pi)
        /// array([0., 1.])
    },
    /// The hypotenuse `sqrt(x1**2 + x2**2)` of each pair, without overflow or underflow in between.
    ///
    /// `x1`, `x2`: real floating-point arrays or Python scalars.
    hypot => Hypot {
        /// >>> np.asarray(lz.hypot(lz.asarray([3.0, 5.0]), lz.asarray([4.0, 12.0])))
        /// array([ 5., 13.])
    },
    /// The magnitude of each element of `x1` with the sign of the matching element of `x2`.
    ///
    /// `x1`, `x2`: real floating-point arrays or Python scalars.
    copysign => Copysign {
        /// >>> np.asarray(lz.copysign(lz.asarray([1.0, 2.0]), lz.asarray([-0.0, 1.0])))
        /// array([-1.,  2.])
    },
    /// The next representable value after each element of `x1` toward the matching element of `x2`.
    ///
    /// `x1`, `x2`: real floating-point (float32 or float64, both of one dtype) arrays or Python
    /// scalars.
    nextafter => Nextafter {
        /// >>> np.asarray(lz.nextafter(lz.asarray([1.0]), 2.0) - 1.0)
        /// array([2.22044605e-16])
    },
    /// `log(exp(x1) + exp(x2))` for each pair, computed without overflow.
    ///
    /// `x1`, `x2`: real floating-point arrays or Python scalars.
    logaddexp => Logaddexp {
        /// >>> np.asarray(lz.logaddexp(lz.asarray([1000.0]), 1000.0) - 1000.0)  # log(2)
        /// array([0.69314718])
    },
    /// The larger of each pair of elements (NaN propagates).
    ///
    /// `x1`, `x2`: real numeric arrays or Python scalars.
    maximum => Maximum {
        /// >>> np.asarray(lz.maximum(lz.asarray([1, 5]), lz.asarray([3, 2]))).tolist()
        /// [3, 5]
    },
    /// The smaller of each pair of elements (NaN propagates).
    ///
    /// `x1`, `x2`: real numeric arrays or Python scalars.
    minimum => Minimum {
        /// >>> np.asarray(lz.minimum(lz.asarray([1, 5]), lz.asarray([3, 2]))).tolist()
        /// [1, 2]
    },
    /// Whether each pair of elements is equal, `x1 == x2`.
    ///
    /// `x1`, `x2`: any arrays or Python scalars.
    equal => Eq {
        /// >>> np.asarray(lz.equal(lz.asarray([1, 2]), 2))
        /// array([False,  True])
    },
    /// Whether each pair of elements differs, `x1 != x2`.
    ///
    /// `x1`, `x2`: any arrays or Python scalars.
    not_equal => Ne {
        /// >>> np.asarray(lz.not_equal(lz.asarray([1, 2]), 2))
        /// array([ True, False])
    },
    /// Whether each element of `x1` is less than the matching element of `x2`, `x1 < x2`.
    ///
    /// `x1`, `x2`: real numeric arrays or Python scalars.
    less => Lt {
        /// >>> np.asarray(lz.less(lz.asarray([1, 2, 3]), 2))
        /// array([ True, False, False])
    },
    /// Whether each element of `x1` is at most the matching element of `x2`, `x1 <= x2`.
    ///
    /// `x1`, `x2`: real numeric arrays or Python scalars.
    less_equal => Le {
        /// >>> np.asarray(lz.less_equal(lz.asarray([1, 2, 3]), 2))
        /// array([ True,  True, False])
    },
    /// Whether each element of `x1` is greater than the matching element of `x2`, `x1 > x2`.
    ///
    /// `x1`, `x2`: real numeric arrays or Python scalars.
    greater => Gt {
        /// >>> np.asarray(lz.greater(lz.asarray([1, 2, 3]), 2))
        /// array([False, False,  True])
    },
    /// Whether each element of `x1` is at least the matching element of `x2`, `x1 >= x2`.
    ///
    /// `x1`, `x2`: real numeric arrays or Python scalars.
    greater_equal => Ge {
        /// >>> np.asarray(lz.greater_equal(lz.asarray([1, 2, 3]), 2))
        /// array([False,  True,  True])
    },
    /// The logical AND of each pair of elements.
    ///
    /// `x1`, `x2`: bool arrays or Python scalars.
    logical_and => LogicalAnd {
        /// >>> np.asarray(lz.logical_and(lz.asarray([True, True]), lz.asarray([True, False])))
        /// array([ True, False])
    },
    /// The logical OR of each pair of elements.
    ///
    /// `x1`, `x2`: bool arrays or Python scalars.
    logical_or => LogicalOr {
        /// >>> np.asarray(lz.logical_or(lz.asarray([False, True]), False))
        /// array([False,  True])
    },
    /// The logical exclusive OR of each pair of elements.
    ///
    /// `x1`, `x2`: bool arrays or Python scalars.
    logical_xor => LogicalXor {
        /// >>> np.asarray(lz.logical_xor(lz.asarray([True, True]), lz.asarray([True, False])))
        /// array([False,  True])
    },
    /// The bitwise AND of each pair of elements, `x1 & x2`.
    ///
    /// `x1`, `x2`: integer or bool arrays or Python scalars.
    bitwise_and => BitAnd {
        /// >>> np.asarray(lz.bitwise_and(lz.asarray([12, 10]), 6)).tolist()
        /// [4, 2]
    },
    /// The bitwise OR of each pair of elements, `x1 | x2`.
    ///
    /// `x1`, `x2`: integer or bool arrays or Python scalars.
    bitwise_or => BitOr {
        /// >>> np.asarray(lz.bitwise_or(lz.asarray([12, 10]), 1)).tolist()
        /// [13, 11]
    },
    /// The bitwise exclusive OR of each pair of elements, `x1 ^ x2`.
    ///
    /// `x1`, `x2`: integer or bool arrays or Python scalars.
    bitwise_xor => BitXor {
        /// >>> np.asarray(lz.bitwise_xor(lz.asarray([12, 10]), 6)).tolist()
        /// [10, 12]
    },
    /// Each element of `x1` shifted left by the matching element of `x2` bits, `x1 << x2`.
    ///
    /// `x1`, `x2`: integer (`x2` non-negative) arrays or Python scalars.
    bitwise_left_shift => Shl {
        /// >>> np.asarray(lz.bitwise_left_shift(lz.asarray([1, 3]), 2)).tolist()
        /// [4, 12]
    },
    /// Each element of `x1` shifted right by the matching element of `x2` bits, `x1 >> x2`
    /// (arithmetic for signed integers).
    ///
    /// `x1`, `x2`: integer (`x2` non-negative) arrays or Python scalars.
    bitwise_right_shift => Shr {
        /// >>> np.asarray(lz.bitwise_right_shift(lz.asarray([16, -16]), 2)).tolist()
        /// [4, -4]
    },
}

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
    check_device("zeros", device)?;
    let s = shape_arg("zeros", shape)?;
    filled(py, "zeros", s, false, dtype_arg("zeros", dtype)?)
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
    check_device("ones", device)?;
    let s = shape_arg("ones", shape)?;
    filled(py, "ones", s, true, dtype_arg("ones", dtype)?)
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
    let (s, d) = like("zeros_like", x, dtype, device)?;
    filled(py, "zeros_like", s, false, Some(d))
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
    let (s, d) = like("empty_like", x, dtype, device)?;
    filled(py, "empty_like", s, false, Some(d))
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
    let (s, d) = like("ones_like", x, dtype, device)?;
    filled(py, "ones_like", s, true, Some(d))
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

/// The fused plan of the arrays (what `compute_many` would run), as text.
#[pyfunction]
#[pyo3(name = "_explain", signature = (*arrays))]
fn explain(py: Python<'_>, arrays: &Bound<'_, PyTuple>) -> PyResult<String> {
    let xs = arrays_of("explain", arrays)?;
    engine(py, "explain", move || {
        let refs: Vec<&LazyArray> = xs.iter().collect();
        fe::explain(&refs)
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
