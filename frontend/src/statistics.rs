//! `var` and `std`: one pass over the data. Shifted sums (`sum(d)` and `sum(d * d)` with `d` the data
//! minus the first element of its slice) are two reductions of one loop domain, which the passes fuse
//! into one kernel with two accumulators and an epilogue that combines them.

use crate::array::LazyArray;
use crate::elementwise::{binary, fill, sqrt, unary, where_, Operand};
use crate::movement::{reshape_unchecked, view};
use crate::reduce::reduce_node;
use lazulite_ir::shape::normalize_axes;
use lazulite_ir::{bail, BinaryOp, ReduceOp, Result, Scalar, Shape, UnaryOp, ViewMap};
use smallvec::smallvec;

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

/// The variance (`std`: its square root) over `axis`, then `keepdims` (a reshape after the last
/// elementwise op, so that the whole expression stays one kernel's epilogue).
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
    let out_shape = reduced_shape(x.shape(), &axes, keepdims);
    // The standard: NaN when N - correction <= 0 (NumPy divides by zero here), or is NaN; and the
    // mean of nothing is NaN, so is the variance of nothing.
    if divisor.is_nan() || divisor <= 0.0 || count == 0 {
        return Ok(fill(Scalar::Float(f64::NAN), x.dtype(), &out_shape));
    }
    // Shifted sums: with K the first element of each reduced slice and d = x - K,
    // sum((x - mean)^2) = sum(d^2) - sum(d)^2 / N. Both sums fold in one pass over x (the passes
    // fuse reductions of one loop domain into one kernel), and the shift keeps the cancellation as
    // small as the spread of the data around K (no loss from a large common offset, unlike the
    // plain sum of squares).
    let rank = x.ndim();
    let first = ViewMap {
        axes: (0..rank)
            .map(|k| Some((k as u32, if axes.contains(&k) { 0 } else { 1 })))
            .collect(),
        start: smallvec![0; rank],
    };
    let shift = view(x, first, Shape::from_slice(x.shape()));
    let d = binary(BinaryOp::Sub, Operand::Array(x), Operand::Array(&shift))?;
    let sq = binary(BinaryOp::Mul, Operand::Array(&d), Operand::Array(&d))?;
    let s1 = reduce_node(ReduceOp::Sum, &d, &axes, false);
    let s2 = reduce_node(ReduceOp::Sum, &sq, &axes, false);
    let mean_d = binary(
        BinaryOp::Div,
        Operand::Array(&s1),
        Operand::Scalar(Scalar::Float(count as f64)),
    )?;
    let corr = binary(BinaryOp::Mul, Operand::Array(&s1), Operand::Array(&mean_d))?;
    let ss = binary(BinaryOp::Sub, Operand::Array(&s2), Operand::Array(&corr))?;
    // Rounding can leave a tiny negative difference for (near-)constant data: clamp at 0 (NaN stays
    // NaN).
    let ss = binary(
        BinaryOp::Maximum,
        Operand::Array(&ss),
        Operand::Scalar(Scalar::Float(0.0)),
    )?;
    // Finite data whose squares overflow: inf, as the squared deviations give (not inf - inf).
    let overflow = binary(
        BinaryOp::LogicalAnd,
        Operand::Array(&unary(UnaryOp::IsFinite, &s1)?),
        Operand::Array(&unary(UnaryOp::IsInf, &s2)?),
    )?;
    let ss = where_(
        &overflow,
        Operand::Scalar(Scalar::Float(f64::INFINITY)),
        Operand::Array(&ss),
    )?;
    let v = binary(
        BinaryOp::Div,
        Operand::Array(&ss),
        Operand::Scalar(Scalar::Float(divisor)),
    )?;
    let v = if op == "std" { sqrt(&v)? } else { v };
    Ok(if keepdims && !axes.is_empty() {
        reshape_unchecked(&v, out_shape)
    } else {
        v
    })
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
    variance("std", x, axis, correction, keepdims)
}
