//! `var` and `std`: two passes over the data (the mean, then the sum of squared deviations from it),
//! each a reduction, so that the passes plan them as two fused kernels.

use crate::array::LazyArray;
use crate::elementwise::{binary, fill, sqrt, Operand};
use crate::reduce::reduce_node;
use lazulite_ir::shape::normalize_axes;
use lazulite_ir::{bail, BinaryOp, ReduceOp, Result, Scalar, Shape};

/// The shape of a reduction of `shape` over the sorted `axes`.
fn reduced_shape(shape: &[usize], axes: &[usize], keepdims: bool) -> Shape {
    shape
        .iter()
        .enumerate()
        .filter_map(|(i, &n)| match (axes.contains(&i), keepdims) {
            (false, _) => Some(n),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect()
}

fn variance(
    op: &str,
    x: &LazyArray,
    axis: Option<&[isize]>,
    correction: f64,
    keepdims: bool,
) -> Result<LazyArray> {
    if !x.dtype().is_real_float() {
        bail!(
            Type,
            "{op}: got an array of dtype {}, but {op} requires a real floating-point dtype (float32 or \
             float64); cast with astype() first (e.g. astype(x, float64))",
            x.dtype()
        );
    }
    let axes = normalize_axes(op, axis, x.ndim())?;
    let count: usize = axes.iter().map(|&a| x.shape()[a]).product();
    let divisor = count as f64 - correction;
    // The standard: NaN when N - correction <= 0 (NumPy divides by zero here), or is NaN.
    if divisor.is_nan() || divisor <= 0.0 {
        let shape = reduced_shape(x.shape(), &axes, keepdims);
        return Ok(fill(Scalar::Float(f64::NAN), x.dtype(), &shape));
    }
    let total = reduce_node(ReduceOp::Sum, x, &axes, true);
    let mean = binary(
        BinaryOp::Div,
        Operand::Array(&total),
        Operand::Scalar(Scalar::Float(count as f64)),
    )?;
    let dev = binary(BinaryOp::Sub, Operand::Array(x), Operand::Array(&mean))?;
    let sq = binary(BinaryOp::Mul, Operand::Array(&dev), Operand::Array(&dev))?;
    let ss = reduce_node(ReduceOp::Sum, &sq, &axes, keepdims);
    binary(
        BinaryOp::Div,
        Operand::Array(&ss),
        Operand::Scalar(Scalar::Float(divisor)),
    )
}

/// `var(x, axis, correction, keepdims)`: the variance over `axis` (all axes when `None`; negatives
/// allowed), `sum((x - mean)^2) / (N - correction)`. Real floating-point dtypes only (`Type`
/// otherwise); the result has `x`'s dtype. NaN where `N - correction <= 0`.
pub fn var(
    x: &LazyArray,
    axis: Option<&[isize]>,
    correction: f64,
    keepdims: bool,
) -> Result<LazyArray> {
    variance("var", x, axis, correction, keepdims)
}

/// `std(x, axis, correction, keepdims)`: the square root of [`var`], with the same rules.
pub fn std(
    x: &LazyArray,
    axis: Option<&[isize]>,
    correction: f64,
    keepdims: bool,
) -> Result<LazyArray> {
    sqrt(&variance("std", x, axis, correction, keepdims)?)
}
