//! `var` and `std`: one pass over the data. Shifted sums (`sum(d)` and `sum(d * d)` with `d` the data
//! minus the first element of its slice, the sum scaled by a power of two) and a sum of squares scaled
//! out of overflow's reach are three reductions of one loop domain, which the passes fuse into one
//! kernel with three accumulators and an epilogue that combines them.

use crate::array::LazyArray;
use crate::elementwise::{binary, fill, multiply, sqrt, subtract, unary, where_, Operand};
use crate::movement::{reshape_unchecked, view};
use crate::reduce::reduce_node;
use lazulite_ir::shape::normalize_axes;
use lazulite_ir::{bail, BinaryOp, DType, ReduceOp, Result, Scalar, Shape, UnaryOp, ViewMap};
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

/// The scales of the one-pass variance (see [`variance`]), per dtype. `2^-s1` scales the deviations
/// of the linear sum (`|e1| <= 2^(emax + 1 - s1)`: no overflow for `2^(s1 - 1)` elements; underflow
/// only for data whose squares underflow anyway), `2^-s2` those of the scaled squares
/// (`|e2| <= 2^(emax + 1 - s2)`, so their sum stays finite for `2^(emax - 2 * (emax + 1 - s2))`
/// elements: 2^64 in float64, 2^42 in float32), and
/// `2^-c` is added to `e2` so that its square is normal (`2^-2c` is 2^22 / 2^14 times the smallest
/// normal, so `(e2 + 2^-c)^2` stays normal also for negative `e2` much smaller than `2^-c`): no
/// subnormal arithmetic (tens of times slower) for ordinary data.
struct Scales {
    s1: i32,
    s2: i32,
    c: i32,
}

const SCALES_F64: Scales = Scales {
    s1: 64,
    s2: 545,
    c: 500,
};
const SCALES_F32: Scales = Scales {
    s1: 48,
    s2: 86,
    c: 56,
};

/// `a * 2^e` (`2^e` must be a float64).
fn times_pow2(a: &LazyArray, e: i32) -> Result<LazyArray> {
    binary(
        BinaryOp::Mul,
        Operand::Array(a),
        Operand::Scalar(Scalar::Float(2f64.powi(e))),
    )
}

fn plus(a: &LazyArray, v: f64) -> Result<LazyArray> {
    binary(
        BinaryOp::Add,
        Operand::Array(a),
        Operand::Scalar(Scalar::Float(v)),
    )
}

/// `sum(d^2) - sum(d) * (sum(d) / N)` clamped at 0 (rounding can leave a tiny negative difference for
/// (near-)constant data; NaN stays NaN), and whether the difference is finite. Never `sum(d)^2`,
/// which may overflow where the result does not.
fn squares_about_mean(
    sum: &LazyArray,
    sum_sq: &LazyArray,
    count: usize,
) -> Result<(LazyArray, LazyArray)> {
    let mean = binary(
        BinaryOp::Div,
        Operand::Array(sum),
        Operand::Scalar(Scalar::Float(count as f64)),
    )?;
    let ss = subtract(sum_sq, &multiply(sum, &mean)?)?;
    let finite = unary(UnaryOp::IsFinite, &ss)?;
    let ss = binary(
        BinaryOp::Maximum,
        Operand::Array(&ss),
        Operand::Scalar(Scalar::Float(0.0)),
    )?;
    Ok((ss, finite))
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
    // sum((x - mean)^2) = sum(d^2) - sum(d)^2 / N. The sums fold in one pass over x (the passes
    // fuse up to four reductions of one loop domain into one kernel), and the shift keeps the
    // cancellation as small as the spread of the data around K (no loss from a large common
    // offset, unlike the plain sum of squares; at most a factor N + 1, K being one of the data).
    //
    // Range (docs/ARCHITECTURE.md, "var/std over the whole range"): d * d overflows once
    // |d| > sqrt(max) although the variance may be finite, and d itself overflows for data of both
    // signs near max. Three accumulators:
    // - A = sum(e1), e1 = x * 2^-s1 - K * 2^-s1: scaled before subtracting, so finite for all
    //   finite data, and its sum too: A is non-finite exactly when an input is NaN or infinite
    //   (the result is NaN then, NumPy's rule, never an overflow taken for an infinity). A * 2^s1
    //   is sum(d) (exact but for data whose squares underflow anyway).
    // - C = sum(d * d): the plain sum of squares; where C - A * 2^s1 * mean is finite (no input
    //   NaN/inf, no overflow) it gives the result: the plain shifted algorithm.
    // - D = sum(b * b), b = (e1 + 2^(s2 - s1 - c)) * 2^(s1 - s2) = e2 + 2^-c with e2 = d * 2^-s2:
    //   never overflows, and b^2 is never subnormal for ordinary data. Its bias
    //   2^-c * (2 * sum(e2) + N * 2^-c) is taken off in the epilogue. Where the plain result is
    //   not finite, the scaled one is: (D - bias) - sum(e2) * mean(e2), divided (and for std
    //   square-rooted) in scaled space, then scaled back by 2^s2: inf only where the true result
    //   overflows. There sum(d^2) > max, so the scaled squares sit far above the underflow
    //   threshold (and the squared deviations from the mean at least 1 / (N + 1) of them), so what
    //   the scaled data lose to underflow and to the 2^-c offset is negligible.
    let rank = x.ndim();
    let first = ViewMap {
        axes: (0..rank)
            .map(|k| Some((k as u32, if axes.contains(&k) { 0 } else { 1 })))
            .collect(),
        start: smallvec![0; rank],
    };
    let shift = view(x, first, Shape::from_slice(x.shape()));
    let sc = if x.dtype() == DType::F32 {
        SCALES_F32
    } else {
        SCALES_F64
    };
    let sum = |a: &LazyArray| reduce_node(ReduceOp::Sum, a, &axes, false);
    let d = subtract(x, &shift)?;
    let e1 = subtract(&times_pow2(x, -sc.s1)?, &times_pow2(&shift, -sc.s1)?)?;
    let b = times_pow2(&plus(&e1, 2f64.powi(sc.s2 - sc.s1 - sc.c))?, sc.s1 - sc.s2)?;
    let (sum_e1, sum_dd, sum_bb) = (sum(&e1), sum(&multiply(&d, &d)?), sum(&multiply(&b, &b)?));
    // the plain result
    let (ss_plain, plain_ok) = squares_about_mean(&times_pow2(&sum_e1, sc.s1)?, &sum_dd, count)?;
    // the scaled one: sum(e2) and sum(e2^2) from A and D
    let sum_e2 = times_pow2(&sum_e1, sc.s1 - sc.s2)?;
    let c = 2f64.powi(-sc.c);
    let bias = binary(
        BinaryOp::Mul,
        Operand::Array(&plus(&times_pow2(&sum_e2, 1)?, count as f64 * c)?),
        Operand::Scalar(Scalar::Float(c)),
    )?;
    let (ss_scaled, _) = squares_about_mean(&sum_e2, &subtract(&sum_bb, &bias)?, count)?;
    let per = |ss: &LazyArray| {
        binary(
            BinaryOp::Div,
            Operand::Array(ss),
            Operand::Scalar(Scalar::Float(divisor)),
        )
    };
    // var: (ss / divisor) * 2^(2 * s2), as two exact steps (2^(2 * s2) is past the dtype's
    // range); std: sqrt(ss / divisor) * 2^s2.
    let (v, v_scaled) = if op == "std" {
        (
            sqrt(&per(&ss_plain)?)?,
            times_pow2(&sqrt(&per(&ss_scaled)?)?, sc.s2)?,
        )
    } else {
        let once = times_pow2(&per(&ss_scaled)?, sc.s2)?;
        (per(&ss_plain)?, times_pow2(&once, sc.s2)?)
    };
    let v = where_(&plain_ok, Operand::Array(&v), Operand::Array(&v_scaled))?;
    let finite_data = unary(UnaryOp::IsFinite, &sum_e1)?;
    let v = where_(
        &finite_data,
        Operand::Array(&v),
        Operand::Scalar(Scalar::Float(f64::NAN)),
    )?;
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
