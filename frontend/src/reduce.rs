//! Reductions: `sum`, `prod`, `min`, `max`, `mean`, `any`, `all` over some axes (all when `None`,
//! negatives allowed), with `keepdims`.

use crate::array::LazyArray;
use crate::elementwise::{cast, fill, nonzero_mask};
use crate::movement::view;
use lazulite_ir::shape::normalize_axes;
use lazulite_ir::{
    bail, AxisIndex, BinaryOp, DType, Error, Op, ReduceOp, Result, Scalar, Shape, ViewMap,
};
use smallvec::{smallvec, SmallVec};

/// The reduced axes, normalised and sorted.
fn reduced_axes(op: &str, x: &LazyArray, axis: Option<&[isize]>) -> Result<SmallVec<[usize; 4]>> {
    normalize_axes(op, axis, x.ndim())
}

/// The `Reduce` node over `axes` of `x` (whose dtype the op accepts), then `keepdims`.
pub(crate) fn reduce_node(
    op: ReduceOp,
    x: &LazyArray,
    axes: &[usize],
    keepdims: bool,
) -> LazyArray {
    if axes.is_empty() {
        return x.clone();
    }
    let shape: Shape = x
        .shape()
        .iter()
        .enumerate()
        .filter(|(i, _)| !axes.contains(i))
        .map(|(_, &n)| n)
        .collect();
    let out = LazyArray::from_op(
        Op::Reduce {
            op,
            axes: axes.iter().map(|&a| a as u32).collect(),
        },
        smallvec![x.clone()],
        x.dtype(),
        shape,
    );
    if keepdims {
        keep_dims(&out, axes)
    } else {
        out
    }
}

/// Re-inserts size-1 axes at the (sorted) reduced positions.
fn keep_dims(reduced: &LazyArray, axes: &[usize]) -> LazyArray {
    let per_axis: SmallVec<[AxisIndex; 4]> = reduced
        .shape()
        .iter()
        .map(|&n| AxisIndex::Range {
            start: 0,
            step: 1,
            len: n,
        })
        .collect();
    let (map, shape) = ViewMap::index(reduced.shape(), &per_axis, axes)
        .expect("reduced axes are sorted positions within the input rank");
    view(reduced, map, shape)
}

/// The spec's accumulation dtype of `sum`/`prod`: small signed ints widen to int64, small unsigned
/// ints to uint64; a given `dtype` wins.
fn accumulation_dtype(op: ReduceOp, x: DType, dtype: Option<DType>) -> Result<DType> {
    let name = op.name();
    let d = match dtype {
        Some(d) => d,
        None if x.is_signed_int() => DType::I64,
        None if x.is_unsigned_int() => DType::U64,
        None => x,
    };
    op.result_dtype(x)?;
    op.result_dtype(d).map_err(|_| {
        Error::new(
            lazulite_ir::ErrorKind::Type,
            format!("{name}: dtype={d} is not a numeric dtype; pass a numeric dtype or None"),
        )
    })?;
    if x.is_complex() && !d.is_complex() {
        bail!(
            Type,
            "{name}: cannot accumulate an array of dtype {x} in {d} (complex to real); pass a complex \
             dtype or None"
        );
    }
    Ok(d)
}

fn sum_like(
    op: ReduceOp,
    x: &LazyArray,
    axis: Option<&[isize]>,
    keepdims: bool,
    dtype: Option<DType>,
) -> Result<LazyArray> {
    let d = accumulation_dtype(op, x.dtype(), dtype)?;
    let axes = reduced_axes(op.name(), x, axis)?;
    Ok(reduce_node(op, &cast(x, d), &axes, keepdims))
}

/// `sum(x, axis, keepdims, dtype)`.
pub fn sum(
    x: &LazyArray,
    axis: Option<&[isize]>,
    keepdims: bool,
    dtype: Option<DType>,
) -> Result<LazyArray> {
    sum_like(ReduceOp::Sum, x, axis, keepdims, dtype)
}

/// `prod(x, axis, keepdims, dtype)`.
pub fn prod(
    x: &LazyArray,
    axis: Option<&[isize]>,
    keepdims: bool,
    dtype: Option<DType>,
) -> Result<LazyArray> {
    sum_like(ReduceOp::Prod, x, axis, keepdims, dtype)
}

fn extremum(
    op: ReduceOp,
    x: &LazyArray,
    axis: Option<&[isize]>,
    keepdims: bool,
) -> Result<LazyArray> {
    let name = op.name();
    op.result_dtype(x.dtype())?;
    let axes = reduced_axes(name, x, axis)?;
    if let Some(&a) = axes.iter().find(|&&a| x.shape()[a] == 0) {
        bail!(
            Value,
            "{name}: cannot reduce axis {a} of size 0 of an array of shape {:?}: {name} has no identity; \
             reduce over non-empty axes only",
            x.shape()
        );
    }
    Ok(reduce_node(op, x, &axes, keepdims))
}

/// `min(x, axis, keepdims)`; reducing an axis of size 0 is an error.
pub fn min(x: &LazyArray, axis: Option<&[isize]>, keepdims: bool) -> Result<LazyArray> {
    extremum(ReduceOp::Min, x, axis, keepdims)
}

/// `max(x, axis, keepdims)`; reducing an axis of size 0 is an error.
pub fn max(x: &LazyArray, axis: Option<&[isize]>, keepdims: bool) -> Result<LazyArray> {
    extremum(ReduceOp::Max, x, axis, keepdims)
}

/// `mean(x, axis, keepdims)`: floating-point dtypes only; the sum in `x`'s dtype divided by the count
/// (NaN for an empty reduction).
pub fn mean(x: &LazyArray, axis: Option<&[isize]>, keepdims: bool) -> Result<LazyArray> {
    if !x.dtype().is_float() {
        bail!(
            Type,
            "mean: got an array of dtype {}, but mean requires a floating-point dtype; cast with \
             astype() first (e.g. astype(x, float64))",
            x.dtype()
        );
    }
    let axes = reduced_axes("mean", x, axis)?;
    if axes.is_empty() {
        return Ok(x.clone());
    }
    let count: usize = axes.iter().map(|&a| x.shape()[a]).product();
    let total = reduce_node(ReduceOp::Sum, x, &axes, keepdims);
    let n = fill(Scalar::Float(count as f64), x.dtype(), total.shape());
    Ok(LazyArray::from_op(
        Op::Binary(BinaryOp::Div),
        smallvec![total.clone(), n],
        x.dtype(),
        Shape::from_slice(total.shape()),
    ))
}

fn logical(
    op: ReduceOp,
    x: &LazyArray,
    axis: Option<&[isize]>,
    keepdims: bool,
) -> Result<LazyArray> {
    let axes = reduced_axes(op.name(), x, axis)?;
    let mask = nonzero_mask(x);
    Ok(reduce_node(op, &mask, &axes, keepdims))
}

/// `any(x, axis, keepdims)`: whether some element is nonzero; any dtype, bool result.
pub fn any(x: &LazyArray, axis: Option<&[isize]>, keepdims: bool) -> Result<LazyArray> {
    logical(ReduceOp::Any, x, axis, keepdims)
}

/// `all(x, axis, keepdims)`: whether every element is nonzero; any dtype, bool result.
pub fn all(x: &LazyArray, axis: Option<&[isize]>, keepdims: bool) -> Result<LazyArray> {
    logical(ReduceOp::All, x, axis, keepdims)
}
