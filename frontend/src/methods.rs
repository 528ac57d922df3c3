//! Method forms of the common functions: `a.sin()?`, `a.sum(All, false)?`, `a.reshape(&[2, -1])?`,
//! `a.astype(DType::F32)?`, `a.less(&b)?`. Each is the free function of the same name (see its
//! documentation for the rules); the methods only read better in chains.

use crate::array::LazyArray;
use crate::elementwise::{self as ew, binary, Operand};
use crate::ops::AsOperand;
use crate::{linalg, movement, reduce, searching, statistics};
use lazulite_ir::{BinaryOp, DType, Result};

/// The axes a reduction method works over: [`All`] (every axis), one axis (`1`, `-1`), or several
/// (`&[0, 2]`, `[0, 2]`, `vec![0, 2]`). Negative axes count from the end.
pub trait Axes {
    /// The axes as a list (`None`: every axis).
    fn axes(&self) -> Option<Vec<isize>>;
}

/// Every axis: `a.sum(All, false)?` is the sum of all elements.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct All;

impl Axes for All {
    fn axes(&self) -> Option<Vec<isize>> {
        None
    }
}

impl Axes for isize {
    fn axes(&self) -> Option<Vec<isize>> {
        Some(vec![*self])
    }
}

/// One axis from an integer literal (`a.sum(1, false)`: literals default to `i32`).
impl Axes for i32 {
    fn axes(&self) -> Option<Vec<isize>> {
        Some(vec![*self as isize])
    }
}

impl Axes for &[isize] {
    fn axes(&self) -> Option<Vec<isize>> {
        Some(self.to_vec())
    }
}

impl<const N: usize> Axes for [isize; N] {
    fn axes(&self) -> Option<Vec<isize>> {
        Some(self.to_vec())
    }
}

impl<const N: usize> Axes for &[isize; N] {
    fn axes(&self) -> Option<Vec<isize>> {
        Some(self.to_vec())
    }
}

impl Axes for Vec<isize> {
    fn axes(&self) -> Option<Vec<isize>> {
        Some(self.clone())
    }
}

macro_rules! unary_methods {
    ($($name:ident),* $(,)?) => {
        impl LazyArray {$(
            #[doc = concat!("`", stringify!($name), "(self)`: see [`", stringify!($name), "`](crate::", stringify!($name), ").")]
            pub fn $name(&self) -> Result<LazyArray> {
                ew::$name(self)
            }
        )*}
    };
}

unary_methods!(
    abs,
    negative,
    positive,
    sqrt,
    square,
    reciprocal,
    exp,
    expm1,
    log,
    log1p,
    log2,
    log10,
    sin,
    cos,
    tan,
    asin,
    acos,
    atan,
    sinh,
    cosh,
    tanh,
    asinh,
    acosh,
    atanh,
    floor,
    ceil,
    trunc,
    round,
    sign,
    signbit,
    isnan,
    isinf,
    isfinite,
    logical_not,
    bitwise_invert,
    real,
    imag,
    conj,
);

macro_rules! binary_methods {
    ($($name:ident => $op:ident),* $(,)?) => {
        impl LazyArray {$(
            #[doc = concat!("`", stringify!($name), "(self, other)`: see [`", stringify!($name),
                "`](crate::", stringify!($name), "); `other` is an array or a Rust number.")]
            pub fn $name(&self, other: impl AsOperand) -> Result<LazyArray> {
                binary(BinaryOp::$op, Operand::Array(self), other.as_operand())
            }
        )*}
    };
}

binary_methods!(
    equal => Eq, not_equal => Ne, less => Lt, less_equal => Le, greater => Gt,
    greater_equal => Ge, pow => Pow, maximum => Maximum, minimum => Minimum, atan2 => Atan2,
    hypot => Hypot, logaddexp => Logaddexp, logical_and => LogicalAnd, logical_or => LogicalOr,
    logical_xor => LogicalXor, floor_divide => FloorDiv,
);

impl LazyArray {
    /// The sum over `axes` ([`All`], one axis or several), in the standard's accumulator dtype.
    pub fn sum(&self, axes: impl Axes, keepdims: bool) -> Result<LazyArray> {
        reduce::sum(self, axes.axes().as_deref(), keepdims, None)
    }

    /// The product over `axes`, in the standard's accumulator dtype.
    pub fn prod(&self, axes: impl Axes, keepdims: bool) -> Result<LazyArray> {
        reduce::prod(self, axes.axes().as_deref(), keepdims, None)
    }

    /// The mean over `axes` (floating-point dtypes).
    pub fn mean(&self, axes: impl Axes, keepdims: bool) -> Result<LazyArray> {
        reduce::mean(self, axes.axes().as_deref(), keepdims)
    }

    /// The minimum over `axes`.
    pub fn min(&self, axes: impl Axes, keepdims: bool) -> Result<LazyArray> {
        reduce::min(self, axes.axes().as_deref(), keepdims)
    }

    /// The maximum over `axes`.
    pub fn max(&self, axes: impl Axes, keepdims: bool) -> Result<LazyArray> {
        reduce::max(self, axes.axes().as_deref(), keepdims)
    }

    /// The variance over `axes` with `correction` (0 for the population, 1 for the sample variance).
    pub fn var(&self, axes: impl Axes, correction: f64, keepdims: bool) -> Result<LazyArray> {
        statistics::var(self, axes.axes().as_deref(), correction, keepdims)
    }

    /// The standard deviation over `axes` with `correction`.
    pub fn std(&self, axes: impl Axes, correction: f64, keepdims: bool) -> Result<LazyArray> {
        statistics::std(self, axes.axes().as_deref(), correction, keepdims)
    }

    /// Whether any element over `axes` is nonzero.
    pub fn any(&self, axes: impl Axes, keepdims: bool) -> Result<LazyArray> {
        reduce::any(self, axes.axes().as_deref(), keepdims)
    }

    /// Whether every element over `axes` is nonzero.
    pub fn all(&self, axes: impl Axes, keepdims: bool) -> Result<LazyArray> {
        reduce::all(self, axes.axes().as_deref(), keepdims)
    }

    /// The index of the largest element along `axis` (`None`: of the flattened array).
    pub fn argmax(&self, axis: Option<isize>, keepdims: bool) -> Result<LazyArray> {
        searching::argmax(self, axis, keepdims)
    }

    /// The index of the smallest element along `axis` (`None`: of the flattened array).
    pub fn argmin(&self, axis: Option<isize>, keepdims: bool) -> Result<LazyArray> {
        searching::argmin(self, axis, keepdims)
    }

    /// The elements in row-major order in a new shape; one extent may be `-1`.
    pub fn reshape(&self, shape: &[isize]) -> Result<LazyArray> {
        movement::reshape(self, shape)
    }

    /// The array converted to `dtype` (complex to real is a `Type` error).
    pub fn astype(&self, dtype: DType) -> Result<LazyArray> {
        ew::astype(self, dtype)
    }

    /// The axes in the order `axes` gives.
    pub fn permute_dims(&self, axes: &[isize]) -> Result<LazyArray> {
        movement::permute_dims(self, axes)
    }

    /// The last two axes swapped (`.mT` in Python).
    pub fn mt(&self) -> Result<LazyArray> {
        movement::matrix_transpose(self)
    }

    /// A read-only view broadcast to `shape`.
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<LazyArray> {
        movement::broadcast_to(self, shape)
    }

    /// New axes of size 1 at `axes`.
    pub fn expand_dims(&self, axes: &[isize]) -> Result<LazyArray> {
        movement::expand_dims(self, axes)
    }

    /// The axes of size 1 at `axes` removed.
    pub fn squeeze(&self, axes: &[isize]) -> Result<LazyArray> {
        movement::squeeze(self, axes)
    }

    /// The matrix product with `other` (the standard's `matmul`, `@` in Python).
    pub fn matmul(&self, other: &LazyArray) -> Result<LazyArray> {
        linalg::matmul(self, other)
    }

    /// The elements limited to `[min, max]` (arrays or Rust numbers); the dtype never changes.
    pub fn clip(&self, min: impl AsOperand, max: impl AsOperand) -> Result<LazyArray> {
        ew::clip(self, Some(min.as_operand()), Some(max.as_operand()))
    }

    /// Where `self` (a bool array) is true, `a`, else `b`: the standard's `where(self, a, b)`.
    pub fn select(&self, a: impl AsOperand, b: impl AsOperand) -> Result<LazyArray> {
        ew::where_(self, a.as_operand(), b.as_operand())
    }
}

#[cfg(test)]
mod tests {
    use crate::{from_vec, All, DType, ErrorKind};

    #[test]
    fn methods_match_plain_rust() {
        let xs: Vec<f64> = (0..6).map(|i| i as f64 * 0.5 - 1.0).collect();
        let a = from_vec(xs.clone(), &[2, 3]).unwrap();
        let s = a.sin().unwrap().compute().unwrap();
        assert_eq!(s.get(&[1, 2]).as_f64(), xs[5].sin());
        let total = a.sum(All, false).unwrap().compute().unwrap();
        let want: f64 = xs.iter().sum();
        assert!((total.get(&[]).as_f64() - want).abs() < 1e-12);
        let rows = a.sum(1, true).unwrap();
        assert_eq!(rows.shape(), &[2, 1]);
        let r = rows.compute().unwrap();
        assert!((r.get(&[1, 0]).as_f64() - xs[3..].iter().sum::<f64>()).abs() < 1e-12);
        let cols = a.max([0], false).unwrap().compute().unwrap();
        assert_eq!(cols.get(&[2]).as_f64(), xs[5]);
        let t = a.reshape(&[3, -1]).unwrap();
        assert_eq!(t.shape(), &[3, 2]);
        assert_eq!(a.astype(DType::F32).unwrap().dtype(), DType::F32);
        let lt = a.less(0.0).unwrap().compute().unwrap();
        assert_eq!(lt.dtype, DType::Bool);
        for (i, x) in xs.iter().enumerate() {
            assert_eq!(lt.get(&[i / 3, i % 3]).as_f64() != 0.0, *x < 0.0);
        }
        let c = a.clip(-0.5, 0.5).unwrap().compute().unwrap();
        assert_eq!(c.get(&[0, 0]).as_f64(), -0.5);
        let w = a
            .less(0.0)
            .unwrap()
            .select(0.0, &a)
            .unwrap()
            .compute()
            .unwrap();
        assert_eq!(w.get(&[0, 0]).as_f64(), 0.0);
        assert_eq!(w.get(&[1, 2]).as_f64(), xs[5]);
    }

    #[test]
    fn method_errors_name_the_function() {
        let i = from_vec(vec![1i32, 2, 3], &[3]).unwrap();
        let e = i.mean(All, false).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type);
        assert!(e.message.starts_with("mean"), "{}", e.message);
        let e = i.sum(5, false).unwrap_err();
        assert!(e.message.contains("sum"), "{}", e.message);
    }
}
