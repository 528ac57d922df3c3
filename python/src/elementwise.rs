//! The element-wise functions of the namespace (`sin`, `add`, ...), one table entry each with its
//! docstring and example: `unary_functions!` and `binary_functions!` generate the bindings.

use crate::array::PyArray;
use crate::convert::{array_arg, check_int_pow, operand_pair};
use crate::guard::{engine, type_error};
use lazulite_frontend::{self as fe, BinaryOp, UnaryOp};
use pyo3::prelude::*;
use pyo3::types::PyModule;

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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    add_unary(m)?;
    add_binary(m)
}
