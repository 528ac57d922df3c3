//! Operators on lazy arrays: `&a + &b`, `&a * 2.0`, `2.0 * &a`, `-&a`, and the same on
//! `Result<LazyArray>` so that `(&a * &b + &c)?` reads like the math.
//!
//! Every operator builds a node (nothing is computed) and returns `Result<LazyArray>`, as candle's
//! tensors do: a dtype or shape error surfaces at the `?`. Rust numbers are the standard's Python
//! scalars (weak: `&f32_array * 2.0` stays `float32`; `&i32_array * 2.5` is a `Type` error, as in the
//! standard). A `Result` on either side passes its error through, so the first failing step is the one
//! reported.
//!
//! The number operands are `f64`, `i64`, `bool`, [`Complex128`] and [`Scalar`]: one float and one
//! integer type, so that a literal (`2.0`, `3`) has exactly one meaning and `(&a * 2.0)?.sin()` needs
//! no annotation. Other number types convert first (`f64::from(v)`, `i64::from(n)`); the methods that
//! take an operand ([`AsOperand`]) accept every Rust number type.
//!
//! | operator | function | | operator | function |
//! |---|---|---|---|---|
//! | `+` | [`add`](crate::add) | | `&` | [`bitwise_and`](crate::bitwise_and) |
//! | `-` | [`subtract`](crate::subtract) | | `\|` | [`bitwise_or`](crate::bitwise_or) |
//! | `*` | [`multiply`](crate::multiply) | | `^` | [`bitwise_xor`](crate::bitwise_xor) |
//! | `/` | [`divide`](crate::divide) | | `<<` | [`bitwise_left_shift`](crate::bitwise_left_shift) |
//! | `%` | [`remainder`](crate::remainder) | | `>>` | [`bitwise_right_shift`](crate::bitwise_right_shift) |
//! | unary `-` | [`negative`](crate::negative) | | `!` | [`bitwise_invert`](crate::bitwise_invert) |
//!
//! Comparisons are methods (`a.less(&b)?`, `a.equal(0.0)?`, see [`LazyArray::less`]): Rust's
//! `PartialOrd` must return `bool`, an array comparison returns an array.

use crate::array::LazyArray;
use crate::creation::Complex128;
use crate::elementwise::{binary, unary, Operand};
use lazulite_ir::{BinaryOp, Result, Scalar, UnaryOp};
use std::ops::{Add, BitAnd, BitOr, BitXor, Div, Mul, Neg, Not, Rem, Shl, Shr, Sub};

/// A Rust number usable as an operand: a Python scalar of the standard (weakly typed: it takes the
/// array's dtype where the promotion rules allow). `bool` is a Python `bool`, the integer types a
/// Python `int`, `f32`/`f64` a Python `float`, [`Complex128`] a Python `complex`.
pub trait IntoScalar: Copy {
    /// The scalar this number stands for.
    fn into_scalar(self) -> Scalar;
}

macro_rules! into_scalar {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {$(
        impl IntoScalar for $t {
            fn into_scalar(self) -> Scalar {
                let $v = self;
                $e
            }
        }
    )*};
}

into_scalar!(
    bool => |v| Scalar::Bool(v),
    i8 => |v| Scalar::Int(v.into()), i16 => |v| Scalar::Int(v.into()),
    i32 => |v| Scalar::Int(v.into()), i64 => |v| Scalar::Int(v),
    isize => |v| Scalar::Int(v as i64),
    u8 => |v| Scalar::Int(v.into()), u16 => |v| Scalar::Int(v.into()),
    u32 => |v| Scalar::Int(v.into()), u64 => |v| Scalar::UInt(v),
    usize => |v| Scalar::UInt(v as u64),
    f32 => |v| Scalar::Float(v.into()), f64 => |v| Scalar::Float(v),
    Complex128 => |v| Scalar::Complex(v.re, v.im),
    Scalar => |v| v,
);

/// Something usable as the other operand of a method such as [`LazyArray::less`]: an array (by
/// reference or value) or a Rust number ([`IntoScalar`]).
pub trait AsOperand {
    /// The operand, borrowing the array if it is one.
    fn as_operand(&self) -> Operand<'_>;
}

impl AsOperand for LazyArray {
    fn as_operand(&self) -> Operand<'_> {
        Operand::Array(self)
    }
}

impl AsOperand for &LazyArray {
    fn as_operand(&self) -> Operand<'_> {
        Operand::Array(self)
    }
}

impl<T: IntoScalar> AsOperand for T {
    fn as_operand(&self) -> Operand<'_> {
        Operand::Scalar(self.into_scalar())
    }
}

/// Array ⊕ array, array ⊕ number, number ⊕ array and `Result` ⊕ array for one operator.
macro_rules! binary_operator {
    ($trait:ident, $method:ident, $op:ident) => {
        impl $trait<&LazyArray> for &LazyArray {
            type Output = Result<LazyArray>;
            fn $method(self, rhs: &LazyArray) -> Result<LazyArray> {
                binary(BinaryOp::$op, Operand::Array(self), Operand::Array(rhs))
            }
        }
        impl $trait<LazyArray> for &LazyArray {
            type Output = Result<LazyArray>;
            fn $method(self, rhs: LazyArray) -> Result<LazyArray> {
                self.$method(&rhs)
            }
        }
        impl $trait<&LazyArray> for LazyArray {
            type Output = Result<LazyArray>;
            fn $method(self, rhs: &LazyArray) -> Result<LazyArray> {
                (&self).$method(rhs)
            }
        }
        impl $trait<LazyArray> for LazyArray {
            type Output = Result<LazyArray>;
            fn $method(self, rhs: LazyArray) -> Result<LazyArray> {
                (&self).$method(&rhs)
            }
        }
        impl $trait<Result<LazyArray>> for &LazyArray {
            type Output = Result<LazyArray>;
            fn $method(self, rhs: Result<LazyArray>) -> Result<LazyArray> {
                self.$method(&rhs?)
            }
        }
        impl $trait<Result<LazyArray>> for LazyArray {
            type Output = Result<LazyArray>;
            fn $method(self, rhs: Result<LazyArray>) -> Result<LazyArray> {
                (&self).$method(&rhs?)
            }
        }
        impl $trait<&LazyArray> for Result<LazyArray> {
            type Output = Result<LazyArray>;
            fn $method(self, rhs: &LazyArray) -> Result<LazyArray> {
                (&self?).$method(rhs)
            }
        }
        impl $trait<LazyArray> for Result<LazyArray> {
            type Output = Result<LazyArray>;
            fn $method(self, rhs: LazyArray) -> Result<LazyArray> {
                (&self?).$method(&rhs)
            }
        }
        binary_operator!(@scalars $trait, $method, $op, bool, i64, f64, Complex128, Scalar);
    };
    (@scalars $trait:ident, $method:ident, $op:ident, $($s:ty),*) => {$(
        impl $trait<$s> for &LazyArray {
            type Output = Result<LazyArray>;
            fn $method(self, rhs: $s) -> Result<LazyArray> {
                binary(BinaryOp::$op, Operand::Array(self), Operand::Scalar(rhs.into_scalar()))
            }
        }
        impl $trait<$s> for LazyArray {
            type Output = Result<LazyArray>;
            fn $method(self, rhs: $s) -> Result<LazyArray> {
                (&self).$method(rhs)
            }
        }
        impl $trait<&LazyArray> for $s {
            type Output = Result<LazyArray>;
            fn $method(self, rhs: &LazyArray) -> Result<LazyArray> {
                binary(BinaryOp::$op, Operand::Scalar(self.into_scalar()), Operand::Array(rhs))
            }
        }
        impl $trait<LazyArray> for $s {
            type Output = Result<LazyArray>;
            fn $method(self, rhs: LazyArray) -> Result<LazyArray> {
                self.$method(&rhs)
            }
        }
    )*};
}

binary_operator!(Add, add, Add);
binary_operator!(Sub, sub, Sub);
binary_operator!(Mul, mul, Mul);
binary_operator!(Div, div, Div);
binary_operator!(Rem, rem, Rem);
binary_operator!(BitAnd, bitand, BitAnd);
binary_operator!(BitOr, bitor, BitOr);
binary_operator!(BitXor, bitxor, BitXor);
binary_operator!(Shl, shl, Shl);
binary_operator!(Shr, shr, Shr);

/// A unary operator on `&LazyArray`, `LazyArray` and `Result<LazyArray>`.
macro_rules! unary_operator {
    ($trait:ident, $method:ident, $op:ident) => {
        impl $trait for &LazyArray {
            type Output = Result<LazyArray>;
            fn $method(self) -> Result<LazyArray> {
                unary(UnaryOp::$op, self)
            }
        }
        impl $trait for LazyArray {
            type Output = Result<LazyArray>;
            fn $method(self) -> Result<LazyArray> {
                unary(UnaryOp::$op, &self)
            }
        }
    };
}

unary_operator!(Neg, neg, Neg);
unary_operator!(Not, not, BitwiseInvert);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{from_vec, DType, ErrorKind};

    fn f64s(a: &LazyArray) -> Vec<f64> {
        let d = a.compute().unwrap();
        (0..a.size()).map(|i| d.get(&[i]).as_f64()).collect()
    }

    #[test]
    fn operators_match_plain_rust() {
        let xs = [1.5f64, -2.0, 0.25, 3.0];
        let ys = [0.5f64, 4.0, -1.0, 2.0];
        let a = from_vec(xs.to_vec(), &[4]).unwrap();
        let b = from_vec(ys.to_vec(), &[4]).unwrap();
        let cases: Vec<(LazyArray, Vec<f64>)> = vec![
            (
                (&a + &b).unwrap(),
                xs.iter().zip(&ys).map(|(x, y)| x + y).collect(),
            ),
            (
                (&a - &b).unwrap(),
                xs.iter().zip(&ys).map(|(x, y)| x - y).collect(),
            ),
            (
                (&a * &b).unwrap(),
                xs.iter().zip(&ys).map(|(x, y)| x * y).collect(),
            ),
            (
                (&a / &b).unwrap(),
                xs.iter().zip(&ys).map(|(x, y)| x / y).collect(),
            ),
            ((&a * 2.0).unwrap(), xs.iter().map(|x| x * 2.0).collect()),
            ((2.0 - &a).unwrap(), xs.iter().map(|x| 2.0 - x).collect()),
            ((-&a).unwrap(), xs.iter().map(|x| -x).collect()),
            (
                (&a * &b + &a).unwrap(),
                xs.iter().zip(&ys).map(|(x, y)| x * y + x).collect(),
            ),
            (
                (a.clone() * b.clone()).unwrap(),
                xs.iter().zip(&ys).map(|(x, y)| x * y).collect(),
            ),
            (
                (&a - (&b * 3).unwrap()).unwrap(),
                xs.iter().zip(&ys).map(|(x, y)| x - 3.0 * y).collect(),
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got.dtype(), DType::F64);
            assert_eq!(f64s(&got), want);
        }
    }

    #[test]
    fn scalars_are_weak_and_errors_pass_through() {
        let a = from_vec(vec![1.0f32, 2.0], &[2]).unwrap();
        assert_eq!(
            (&a * 2.0f64).unwrap().dtype(),
            DType::F32,
            "a Rust f64 is a weak scalar"
        );
        let i = from_vec(vec![1i32, 2], &[2]).unwrap();
        let e = (&i * 2.5).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type, "{}", e.message);
        // int % and bit operators on integers
        let r = (&i % 2).unwrap().compute().unwrap();
        assert_eq!((r.get(&[0]).as_f64(), r.get(&[1]).as_f64()), (1.0, 0.0));
        let s = (&i << 3).unwrap().compute().unwrap();
        assert_eq!(s.get(&[1]).as_f64(), 16.0);
        let n = (!&i).unwrap().compute().unwrap();
        assert_eq!(n.get(&[0]).as_f64(), f64::from(!1i32));
        // a shape error in the first step is the one a chain reports
        let c = from_vec(vec![1.0f32; 3], &[3]).unwrap();
        let e = ((&a + &c) * &a).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Value, "{}", e.message);
        assert!(e.message.contains("add"), "{}", e.message);
    }
}
