//! `count_nonzero`, `diff` and `isin`, from views, elementwise ops and reductions.

use crate::array::LazyArray;
use crate::creation_ext::{count_arg, index_along};
use crate::elementwise::{
    binary, cast, check_int_range, describe_scalar, logical_not, nonzero_mask, rename, scalar_kind,
    where_, Operand,
};
use crate::manipulation::replicate;
use crate::movement::{broadcast_unchecked, full_ranges, reshape, view};
use crate::reduce::reduce_node;
use lazulite_ir::shape::{normalize_axes, normalize_axis};
use lazulite_ir::{
    bail, ensure, promote, promote_with_scalar, AxisIndex, BinaryOp, DType, ReduceOp, Result,
    Scalar, Shape, ViewMap,
};

/// `count_nonzero(x, axis, keepdims)`: how many elements are nonzero (`True` for bool; either part
/// nonzero for complex) over `axis` (all when `None`), as int64.
pub fn count_nonzero(x: &LazyArray, axis: Option<&[isize]>, keepdims: bool) -> Result<LazyArray> {
    let axes = normalize_axes("count_nonzero", axis, x.ndim())?;
    let ones = cast(&nonzero_mask(x), DType::DEFAULT_INDEX);
    Ok(reduce_node(ReduceOp::Sum, &ones, &axes, keepdims))
}

/// `len` elements of `x` along `axis` from `start` (a view).
fn slice_along(x: &LazyArray, axis: usize, start: usize, len: usize) -> Result<LazyArray> {
    let mut per_axis = full_ranges(x.shape());
    per_axis[axis] = AxisIndex::Range {
        start,
        step: 1,
        len,
    };
    let (map, shape) = ViewMap::index(x.shape(), &per_axis, &[])?;
    Ok(view(x, map, shape))
}

/// `a` followed by `b` along `axis` (same dtype, same shape but along `axis`), without a
/// concatenation op: both are tiled along the axis until they cover the result (`a` from its start,
/// `b` shifted so that its element 0 lands at `len(a)`), and an index mask picks between them. Each
/// tiled copy has at most about twice the result's size.
fn concat2(op: &str, a: &LazyArray, b: &LazyArray, axis: usize) -> Result<LazyArray> {
    let (p, m) = (a.shape()[axis], b.shape()[axis]);
    if p == 0 {
        return Ok(b.clone());
    }
    if m == 0 {
        return Ok(a.clone());
    }
    let total = p + m;
    let tiled = |x: &LazyArray, n: usize, offset: usize| -> Result<LazyArray> {
        let mut outer = vec![1usize; x.ndim()];
        outer[axis] = (offset + total).div_ceil(n);
        let t = replicate(op, x, &outer, &vec![1; x.ndim()])?;
        slice_along(&t, axis, offset, total)
    };
    let a_big = tiled(a, p, 0)?;
    // b[j] must land at p + j: start the tiled b at the index congruent to -p modulo m.
    let b_big = tiled(b, m, (m - p % m) % m)?;
    let idx = index_along(a_big.shape(), axis)?;
    let mask = binary(
        BinaryOp::Lt,
        Operand::Array(&idx),
        Operand::Scalar(Scalar::Int(p as i64)),
    )?;
    where_(&mask, Operand::Array(&a_big), Operand::Array(&b_big))
}

/// A `prepend`/`append` operand of `diff`, checked against `x` and broadcast when 0-D (as NumPy does,
/// to one element along `axis`).
fn diff_edge(what: &str, e: &LazyArray, x: &LazyArray, axis: usize) -> Result<LazyArray> {
    if e.ndim() == 0 {
        let mut shape = Shape::from_slice(x.shape());
        shape[axis] = 1;
        return Ok(broadcast_unchecked(e, &shape));
    }
    let same_but_axis = e.ndim() == x.ndim()
        && e.shape()
            .iter()
            .zip(x.shape())
            .enumerate()
            .all(|(i, (a, b))| i == axis || a == b);
    ensure!(
        same_but_axis,
        Value,
        "diff: {what} has shape {:?}, but it must have x's shape {:?} except along axis {axis} (or be \
         0-dimensional)",
        e.shape(),
        x.shape()
    );
    Ok(e.clone())
}

/// `diff(x, axis, n, prepend, append)`: the `n`-th forward difference `out[i] = x[i+1] - x[i]` along
/// `axis` (applied `n` times), after `prepend` and `append` are joined to `x` along that axis. Numeric
/// dtypes only; `prepend`/`append` promote with `x` by the spec's table. The axis shrinks by `n`
/// (to no less than 0).
pub fn diff(
    x: &LazyArray,
    axis: isize,
    n: i64,
    prepend: Option<&LazyArray>,
    append: Option<&LazyArray>,
) -> Result<LazyArray> {
    ensure!(
        x.ndim() > 0,
        Value,
        "diff: x is 0-dimensional, but diff needs an array of at least one dimension"
    );
    let a = normalize_axis("diff", axis, x.ndim())?;
    let n = count_arg("diff", "n", n)?;
    let mut dtype = x.dtype();
    for e in [prepend, append].into_iter().flatten() {
        dtype = promote("diff", dtype, e.dtype())?;
    }
    if !dtype.is_numeric() {
        bail!(
            Type,
            "diff: got an array of dtype {dtype}, but diff requires a numeric dtype; cast with astype() \
             first (e.g. astype(x, int8))"
        );
    }
    let mut cur = cast(x, dtype);
    if let Some(p) = prepend {
        let p = cast(&diff_edge("prepend", p, x, a)?, dtype);
        cur = concat2("diff", &p, &cur, a)?;
    }
    if let Some(q) = append {
        let q = cast(&diff_edge("append", q, x, a)?, dtype);
        cur = concat2("diff", &cur, &q, a)?;
    }
    for _ in 0..n {
        let len = cur.shape()[a];
        if len == 0 {
            break;
        }
        let hi = slice_along(&cur, a, 1, len - 1)?;
        let lo = slice_along(&cur, a, 0, len - 1)?;
        cur = binary(BinaryOp::Sub, Operand::Array(&hi), Operand::Array(&lo))
            .map_err(|e| rename(e, "subtract", "diff"))?;
    }
    Ok(cur)
}

/// `isin(x1, x2, invert)`: for each element of `x1`, whether it equals some element of `x2` (any
/// shape; its elements are flattened), or whether it equals none when `invert`. Integer dtypes only,
/// as in the reference implementation; one operand may be a Python int (weak, like in `equal`). A
/// scalar `x1` gives a 0-D result.
///
/// Cost: one fused kernel that compares every element of `x1` with every element of `x2` and reduces
/// with `any`: O(size(x1) * size(x2)) time, no O(n*m) memory. Fine for moderate sizes; large `x2`
/// would want a sort-based algorithm.
pub fn isin(x1: Operand, x2: Operand, invert: bool) -> Result<LazyArray> {
    let mut dtype: Option<DType> = None;
    for (o, name) in [(&x1, "x1"), (&x2, "x2")] {
        if let Operand::Array(a) = o {
            ensure!(
                a.dtype().is_integer(),
                Type,
                "isin: {name} has dtype {}, but isin requires integer dtypes; cast with astype() first",
                a.dtype()
            );
            dtype = Some(match dtype {
                None => a.dtype(),
                Some(d) => promote("isin", d, a.dtype())?,
            });
        }
    }
    let Some(mut dtype) = dtype else {
        bail!(
            Type,
            "isin: got two Python scalars; at least one of x1 and x2 must be an array"
        );
    };
    for o in [&x1, &x2] {
        if let Operand::Scalar(s) = *o {
            dtype = promote_with_scalar("isin", dtype, scalar_kind(s)).map_err(|_| {
                lazulite_ir::Error::new(
                    lazulite_ir::ErrorKind::Type,
                    format!(
                        "isin: the scalar {} cannot be compared with integer arrays; pass a Python int",
                        describe_scalar(s)
                    ),
                )
            })?;
            check_int_range("isin", s, dtype)?;
        }
    }
    let left = match x1 {
        Operand::Array(a) => cast(a, dtype),
        Operand::Scalar(s) => crate::elementwise::fill(s, dtype, &[]),
    };
    let right = match x2 {
        Operand::Array(b) => cast(&reshape(b, &[-1])?, dtype),
        Operand::Scalar(s) => crate::elementwise::fill(s, dtype, &[1]),
    };
    // left[..., None] == right: shape x1.shape + (size(x2),), then `any` over the last axis.
    let r = left.ndim();
    let (map, shape) = ViewMap::index(left.shape(), &full_ranges(left.shape()), &[r])?;
    let column = view(&left, map, shape);
    let eq = binary(
        BinaryOp::Eq,
        Operand::Array(&column),
        Operand::Array(&right),
    )
    .map_err(|e| rename(e, "equal", "isin"))?;
    let found = reduce_node(ReduceOp::Any, &eq, &[r], false);
    if invert {
        logical_not(&found)
    } else {
        Ok(found)
    }
}
