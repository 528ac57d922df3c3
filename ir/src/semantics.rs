//! The living definition of every elementwise op on one element: the kernel-IR interpreter calls these,
//! and the JIT calls them through its symbol table wherever it does not emit instructions itself.
//!
//! Real floats are computed in f64; a float32 result is the f64 result rounded to f32 (exact for
//! `+ - * /` and `sqrt`, within an ULP for the transcendental functions), except `nextafter`, which steps
//! in the dtype's own precision. Integers are computed in i128 and wrapped to the dtype's width, so
//! every integer dtype shares one definition. Integer division by zero gives 0 (the spec leaves it
//! undefined; nothing may trap).
//!
//! Real floats follow every special case the standard lists (`ir/tests/special_cases.rs` holds them as a
//! table). Where it allows Python's results as an alternative, the standard's own wins:
//! `floor_divide(x, -inf)` of a positive finite `x` is `-0` (Python: `-1.0`), `floor_divide(+inf, 2)` is
//! `+inf` (Python: NaN). `remainder` follows Python (as the standard asks).

use crate::dtype::DType;
use crate::ops::{BinaryOp, UnaryOp};

pub use crate::semantics_complex::{
    complex_binary, complex_binary_in, complex_compare, complex_predicate, complex_to_real,
    complex_unary, complex_unary_in,
};

/// Wraps an integer to the range of the integer dtype `d` (two's complement).
#[inline]
pub fn wrap_int(v: i128, d: DType) -> i128 {
    let bits = d.bits();
    let m = v & ((1i128 << bits) - 1);
    if d.is_signed_int() && m >= (1i128 << (bits - 1)) {
        m - (1i128 << bits)
    } else {
        m
    }
}

/// Python-style float remainder: the result has the sign of the divisor.
pub fn float_rem(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return f64::NAN;
    }
    if b.is_infinite() && a.is_finite() {
        return if a == 0.0 {
            0.0f64.copysign(b)
        } else if (a > 0.0) == (b > 0.0) {
            a
        } else {
            b
        };
    }
    let mut r = a % b;
    if r != 0.0 {
        if (r < 0.0) != (b < 0.0) {
            r += b;
        }
    } else {
        r = 0.0f64.copysign(b);
    }
    r
}

/// Python-style float floor division (consistent with [`float_rem`]: `a == b * q + r`).
pub fn float_floor_div(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return if a == 0.0 || a.is_nan() {
            f64::NAN
        } else {
            a / b
        };
    }
    if a.is_infinite() || a.is_nan() || b.is_nan() {
        return (a / b).floor();
    }
    if b.is_infinite() {
        // the standard's `+-0` (Python gives -1.0 for operands of different signs)
        return if a == 0.0 || (a > 0.0) == (b > 0.0) {
            0.0f64.copysign(a) * b.signum()
        } else {
            -0.0
        };
    }
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0f64.copysign(a / b)
    }
}

/// `logaddexp` without overflow (NaN if either is NaN, even with `+inf`).
pub fn logaddexp(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if a == b {
        return a + std::f64::consts::LN_2;
    }
    let m = a.max(b);
    if m.is_infinite() {
        return m;
    }
    m + (-(a - b).abs()).exp().ln_1p()
}

/// `nextafter` in the precision of `d` (`float32` or `float64`).
pub fn nextafter(a: f64, b: f64, d: DType) -> f64 {
    if d == DType::F32 {
        libm::nextafterf(a as f32, b as f32) as f64
    } else {
        libm::nextafter(a, b)
    }
}

/// Ops on a real float that return a float.
pub fn float_unary(op: UnaryOp, x: f64) -> f64 {
    use UnaryOp::*;
    match op {
        Abs => x.abs(),
        Neg => -x,
        Positive | Real | Conj => x,
        Imag => 0.0,
        Sqrt => x.sqrt(),
        Square => x * x,
        Reciprocal => 1.0 / x,
        Exp => x.exp(),
        Expm1 => x.exp_m1(),
        Log => x.ln(),
        Log1p => x.ln_1p(),
        Log2 => x.log2(),
        Log10 => x.log10(),
        Sin => x.sin(),
        Cos => x.cos(),
        Tan => x.tan(),
        Asin => x.asin(),
        Acos => x.acos(),
        Atan => x.atan(),
        Sinh => x.sinh(),
        Cosh => x.cosh(),
        Tanh => x.tanh(),
        Asinh => libm::asinh(x),
        // libm::acosh cancels to a finite value for some large negative inputs
        Acosh => {
            if x < 1.0 {
                f64::NAN
            } else {
                libm::acosh(x)
            }
        }
        Atanh => libm::atanh(x),
        Floor => x.floor(),
        Ceil => x.ceil(),
        Trunc => x.trunc(),
        Round => x.round_ties_even(),
        Sign => {
            if x.is_nan() {
                f64::NAN
            } else if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            }
        }
        Signbit | IsNan | IsInf | IsFinite | LogicalNot | BitwiseInvert => {
            unreachable!("{} is not a float-valued op on floats", op.name())
        }
    }
}

/// Ops on a real float that return a bool.
pub fn float_predicate(op: UnaryOp, x: f64) -> bool {
    match op {
        UnaryOp::Signbit => x.is_sign_negative(),
        UnaryOp::IsNan => x.is_nan(),
        UnaryOp::IsInf => x.is_infinite(),
        UnaryOp::IsFinite => x.is_finite(),
        _ => unreachable!("{} is not a predicate", op.name()),
    }
}

/// Binary ops on real floats that return a float; `d` is the dtype (for `nextafter`).
pub fn float_binary(op: BinaryOp, a: f64, b: f64, d: DType) -> f64 {
    use BinaryOp::*;
    match op {
        Add => a + b,
        Sub => a - b,
        Mul => a * b,
        Div => a / b,
        FloorDiv => float_floor_div(a, b),
        Rem => float_rem(a, b),
        Pow => {
            if d == DType::F32 {
                (a as f32).powf(b as f32) as f64
            } else {
                a.powf(b)
            }
        }
        Atan2 => a.atan2(b),
        Hypot => a.hypot(b),
        Copysign => a.copysign(b),
        Nextafter => nextafter(a, b, d),
        Logaddexp => logaddexp(a, b),
        Maximum => {
            if a.is_nan() || b.is_nan() {
                f64::NAN
            } else if a == b {
                if a.is_sign_negative() {
                    b
                } else {
                    a
                }
            } else {
                a.max(b)
            }
        }
        Minimum => {
            if a.is_nan() || b.is_nan() {
                f64::NAN
            } else if a == b {
                if a.is_sign_negative() {
                    a
                } else {
                    b
                }
            } else {
                a.min(b)
            }
        }
        _ => unreachable!("{} is not a float-valued op on floats", op.name()),
    }
}

/// Comparisons on any real value representation.
pub fn compare<T: PartialOrd>(op: BinaryOp, a: T, b: T) -> bool {
    use BinaryOp::*;
    match op {
        Eq => a == b,
        Ne => a != b,
        Lt => a < b,
        Le => a <= b,
        Gt => a > b,
        Ge => a >= b,
        _ => unreachable!("{} is not a comparison", op.name()),
    }
}

/// Unary ops on integers of dtype `d` that return an integer (wrapped to `d`).
pub fn int_unary(op: UnaryOp, x: i128, d: DType) -> i128 {
    use UnaryOp::*;
    let v = match op {
        Abs => x.abs(),
        Neg => -x,
        Positive | Floor | Ceil | Trunc | Round | Real | Conj => x,
        Square => x.wrapping_mul(x),
        Sign => x.signum(),
        BitwiseInvert => !x,
        _ => unreachable!("{} is not an integer op", op.name()),
    };
    wrap_int(v, d)
}

/// Binary ops on integers of dtype `d` that return an integer (wrapped to `d`).
pub fn int_binary(op: BinaryOp, a: i128, b: i128, d: DType) -> i128 {
    use BinaryOp::*;
    let bits = d.bits() as i128;
    let v = match op {
        Add => a + b,
        Sub => a - b,
        Mul => wrap_int(a, d).wrapping_mul(b),
        FloorDiv => {
            if b == 0 {
                0
            } else {
                a.div_euclid(b) - if b < 0 && a.rem_euclid(b) != 0 { 1 } else { 0 }
            }
        }
        Rem => {
            if b == 0 {
                0
            } else {
                let r = a % b;
                if r != 0 && ((r < 0) != (b < 0)) {
                    r + b
                } else {
                    r
                }
            }
        }
        Pow => int_pow(a, b, d),
        Maximum => a.max(b),
        Minimum => a.min(b),
        BitAnd => a & b,
        BitOr => a | b,
        BitXor => a ^ b,
        Shl => {
            if b < 0 || b >= bits {
                0
            } else {
                a << b
            }
        }
        Shr => {
            if b < 0 {
                0
            } else {
                a >> b.min(127)
            }
        }
        _ => unreachable!("{} is not an integer-valued op on integers", op.name()),
    };
    wrap_int(v, d)
}

fn int_pow(base: i128, exp: i128, d: DType) -> i128 {
    if exp < 0 {
        return match base {
            1 => 1,
            -1 => {
                if exp % 2 == 0 {
                    1
                } else {
                    -1
                }
            }
            _ => 0,
        };
    }
    let (mut acc, mut b, mut e) = (1i128, wrap_int(base, d), exp);
    while e > 0 {
        if e & 1 == 1 {
            acc = wrap_int(acc.wrapping_mul(b), d);
        }
        b = wrap_int(b.wrapping_mul(b), d);
        e >>= 1;
    }
    acc
}

/// Ops on bools that return a bool.
pub fn bool_binary(op: BinaryOp, a: bool, b: bool) -> bool {
    use BinaryOp::*;
    match op {
        LogicalAnd | BitAnd => a && b,
        LogicalOr | BitOr => a || b,
        LogicalXor | BitXor | Ne => a != b,
        Eq => a == b,
        _ => unreachable!("{} is not a boolean op", op.name()),
    }
}

pub fn bool_unary(op: UnaryOp, x: bool) -> bool {
    match op {
        UnaryOp::LogicalNot | UnaryOp::BitwiseInvert => !x,
        _ => unreachable!("{} is not a boolean op", op.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_division_semantics() {
        assert_eq!(int_binary(BinaryOp::FloorDiv, -7, 2, DType::I32), -4);
        assert_eq!(int_binary(BinaryOp::Rem, -7, 2, DType::I32), 1);
        assert_eq!(int_binary(BinaryOp::Rem, 7, -2, DType::I32), -1);
        assert_eq!(int_binary(BinaryOp::FloorDiv, 7, 0, DType::I32), 0);
        assert_eq!(int_binary(BinaryOp::FloorDiv, -128, -1, DType::I8), -128);
        assert_eq!(float_rem(-7.0, 2.0), 1.0);
        assert_eq!(float_floor_div(-7.0, 2.0), -4.0);
        assert_eq!(float_floor_div(1.0, 0.1), 9.0);
    }

    #[test]
    fn integer_wrapping_and_shifts() {
        assert_eq!(int_binary(BinaryOp::Add, 127, 1, DType::I8), -128);
        assert_eq!(
            int_binary(BinaryOp::Mul, u64::MAX as i128, 2, DType::U64),
            (u64::MAX - 1) as i128
        );
        assert_eq!(int_binary(BinaryOp::Shl, 1, 8, DType::U8), 0);
        assert_eq!(int_binary(BinaryOp::Shr, -5, 70, DType::I64), -1);
        assert_eq!(int_unary(UnaryOp::Abs, -128, DType::I8), -128);
        assert_eq!(int_binary(BinaryOp::Pow, 3, 5, DType::I16), 243);
        assert_eq!(int_binary(BinaryOp::Pow, 2, 8, DType::U8), 0);
    }

    #[test]
    fn float_extrema_and_signed_zero() {
        assert!(float_binary(BinaryOp::Maximum, f64::NAN, 1.0, DType::F64).is_nan());
        assert!(float_binary(BinaryOp::Minimum, 0.0, -0.0, DType::F64).is_sign_negative());
        assert_eq!(float_unary(UnaryOp::Round, 2.5), 2.0);
        assert_eq!(nextafter(1.0, 2.0, DType::F32), 1.0 + f32::EPSILON as f64);
    }
}
