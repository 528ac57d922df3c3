//! Movement functions: `reshape`, `permute_dims`, `broadcast_to`, `expand_dims`, `squeeze`, `flip`,
//! `matrix_transpose` and basic indexing (`getitem`). All but `reshape` are affine views
//! ([`ViewMap`]); a view of a view is composed into one view, and a view of a fill is a fill.

use crate::array::LazyArray;
use crate::elementwise::fill;
use lazulite_ir::shape::{broadcast_shapes, normalize_axes, normalize_axis};
use lazulite_ir::{bail, ensure, AxisIndex, Op, Result, Shape, ViewMap};
use smallvec::{smallvec, SmallVec};

/// The node `map` applied to `x`, with output `shape`.
pub(crate) fn view(x: &LazyArray, map: ViewMap, shape: Shape) -> LazyArray {
    if map.is_identity() && shape.as_slice() == x.shape() {
        return x.clone();
    }
    match x.pending_op() {
        Some(Op::Fill(v)) => return fill(*v, x.dtype(), &shape),
        Some(Op::View(first)) => {
            let composed = map.compose(first);
            if let Some(src) = x.operands().first() {
                return view(src, composed, shape);
            }
        }
        _ => {}
    }
    LazyArray::from_op(
        Op::View(Box::new(map)),
        smallvec![x.clone()],
        x.dtype(),
        shape,
    )
}

/// `x` broadcast to `shape`, which the caller has checked compatible.
pub(crate) fn broadcast_unchecked(x: &LazyArray, shape: &[usize]) -> LazyArray {
    if x.shape() == shape {
        return x.clone();
    }
    view(
        x,
        ViewMap::broadcast(x.shape(), shape),
        Shape::from_slice(shape),
    )
}

/// Every axis of `shape` kept whole (the starting point of index views).
pub(crate) fn full_ranges(shape: &[usize]) -> SmallVec<[AxisIndex; 4]> {
    shape
        .iter()
        .map(|&n| AxisIndex::Range {
            start: 0,
            step: 1,
            len: n,
        })
        .collect()
}

/// `reshape(x, shape)`: the elements in row-major order, in a new shape; one extent may be -1.
pub fn reshape(x: &LazyArray, shape: &[isize]) -> Result<LazyArray> {
    let mut unknown = None;
    let mut known = 1usize;
    for (i, &s) in shape.iter().enumerate() {
        if s == -1 {
            ensure!(
                unknown.is_none(),
                Value,
                "reshape: shape {shape:?} has more than one -1; at most one extent can be inferred"
            );
            unknown = Some(i);
        } else if s < 0 {
            bail!(
                Value,
                "reshape: shape {shape:?} has the negative extent {s}; extents are >= 0, or -1 to infer one"
            );
        } else {
            known = known.checked_mul(s as usize).ok_or_else(|| {
                lazulite_ir::Error::new(
                    lazulite_ir::ErrorKind::Value,
                    format!("reshape: shape {shape:?} has too many elements"),
                )
            })?;
        }
    }
    let size = x.size();
    let mut out: Shape = shape.iter().map(|&s| s.max(0) as usize).collect();
    if let Some(i) = unknown {
        ensure!(
            known != 0 && size.is_multiple_of(known),
            Value,
            "reshape: cannot reshape an array of shape {:?} ({size} elements) into {shape:?}; the \
             extents other than -1 must divide the size",
            x.shape()
        );
        out[i] = size / known;
    } else {
        ensure!(
            known == size,
            Value,
            "reshape: cannot reshape an array of shape {:?} ({size} elements) into {shape:?} ({known} \
             elements); the sizes must match",
            x.shape()
        );
    }
    ensure!(
        out.len() <= lazulite_ir::shape::MAX_DIMS,
        Value,
        "reshape: {} dimensions requested, at most {} are supported",
        out.len(),
        lazulite_ir::shape::MAX_DIMS
    );
    if out.as_slice() == x.shape() {
        return Ok(x.clone());
    }
    match x.pending_op() {
        Some(Op::Fill(v)) => return Ok(fill(*v, x.dtype(), &out)),
        Some(Op::Reshape) => {
            if let Some(src) = x.operands().first() {
                return Ok(reshape_unchecked(src, out));
            }
        }
        _ => {}
    }
    Ok(reshape_unchecked(x, out))
}

pub(crate) fn reshape_unchecked(x: &LazyArray, out: Shape) -> LazyArray {
    if out.as_slice() == x.shape() {
        return x.clone();
    }
    LazyArray::from_op(Op::Reshape, smallvec![x.clone()], x.dtype(), out)
}

/// `permute_dims(x, axes)`: output axis `j` is input axis `axes[j]` (negative axes allowed).
pub fn permute_dims(x: &LazyArray, axes: &[isize]) -> Result<LazyArray> {
    ensure!(
        axes.len() == x.ndim(),
        Value,
        "permute_dims: axes {axes:?} has {} entries for an array of {} dimensions; give each axis once",
        axes.len(),
        x.ndim()
    );
    let perm: Vec<usize> = axes
        .iter()
        .map(|&a| normalize_axis("permute_dims", a, x.ndim()))
        .collect::<Result<_>>()?;
    let mut seen = vec![false; x.ndim()];
    for &p in &perm {
        ensure!(
            !seen[p],
            Value,
            "permute_dims: axes {axes:?} repeat axis {p}; give a permutation of 0..{}",
            x.ndim()
        );
        seen[p] = true;
    }
    let shape = perm.iter().map(|&p| x.shape()[p]).collect();
    Ok(view(x, ViewMap::permute(&perm), shape))
}

/// `broadcast_to(x, shape)`.
pub fn broadcast_to(x: &LazyArray, shape: &[usize]) -> Result<LazyArray> {
    let b = broadcast_shapes("broadcast_to", x.shape(), shape)?;
    ensure!(
        b.as_slice() == shape,
        Value,
        "broadcast_to: an array of shape {:?} cannot be broadcast to {shape:?} (the result would be \
         {:?}); the target needs at least as many axes, each equal to the source's or the source's 1",
        x.shape(),
        b.as_slice()
    );
    Ok(broadcast_unchecked(x, shape))
}

/// `expand_dims(x, axes)`: size-1 axes inserted at positions `axes` of the result.
pub fn expand_dims(x: &LazyArray, axes: &[isize]) -> Result<LazyArray> {
    let rank = x.ndim() + axes.len();
    let new_axes = normalize_axes("expand_dims", Some(axes), rank)?;
    let (map, shape) = ViewMap::index(x.shape(), &full_ranges(x.shape()), &new_axes)?;
    Ok(view(x, map, shape))
}

/// `squeeze(x, axes)`: removes the given axes, which must have size 1.
pub fn squeeze(x: &LazyArray, axes: &[isize]) -> Result<LazyArray> {
    let drop = normalize_axes("squeeze", Some(axes), x.ndim())?;
    let mut per_axis = full_ranges(x.shape());
    for &a in &drop {
        ensure!(
            x.shape()[a] == 1,
            Value,
            "squeeze: axis {a} of the array of shape {:?} has size {}, only axes of size 1 can be removed",
            x.shape(),
            x.shape()[a]
        );
        per_axis[a] = AxisIndex::At(0);
    }
    let (map, shape) = ViewMap::index(x.shape(), &per_axis, &[])?;
    Ok(view(x, map, shape))
}

/// `flip(x, axes)`: reverses the given axes (all when `None`).
pub fn flip(x: &LazyArray, axes: Option<&[isize]>) -> Result<LazyArray> {
    let axes = normalize_axes("flip", axes, x.ndim())?;
    let mut per_axis = full_ranges(x.shape());
    for &a in &axes {
        let n = x.shape()[a];
        per_axis[a] = AxisIndex::Range {
            start: n.saturating_sub(1),
            step: -1,
            len: n,
        };
    }
    let (map, shape) = ViewMap::index(x.shape(), &per_axis, &[])?;
    Ok(view(x, map, shape))
}

/// `matrix_transpose(x)`: swaps the last two axes.
pub fn matrix_transpose(x: &LazyArray) -> Result<LazyArray> {
    let n = x.ndim();
    ensure!(
        n >= 2,
        Value,
        "matrix_transpose: the array has {n} dimension{}, at least 2 are needed; use expand_dims() or \
         reshape() first",
        if n == 1 { "" } else { "s" }
    );
    let mut perm: Vec<usize> = (0..n).collect();
    perm.swap(n - 1, n - 2);
    let shape = perm.iter().map(|&p| x.shape()[p]).collect();
    Ok(view(x, ViewMap::permute(&perm), shape))
}

/// One item of a basic-indexing key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexItem {
    /// One element of the axis (negative counts from the end); the axis disappears.
    Int(i64),
    /// `start:stop:step` with Python's defaults and clamping.
    Slice {
        /// The first index (`None`: the start for a positive step, the end for a negative one).
        start: Option<i64>,
        /// One past the last index (`None`: through the end in the step's direction).
        stop: Option<i64>,
        /// The stride (`None`: 1; 0 is an error).
        step: Option<i64>,
    },
    /// `...`: as many whole axes as the other items leave.
    Ellipsis,
    /// `None`: a new axis of size 1.
    NewAxis,
}

/// Python's `slice.indices(n)` followed by the length: `(start, step, len)`.
fn slice_indices(
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
    n: usize,
) -> Result<(usize, i64, usize)> {
    let step = step.unwrap_or(1);
    ensure!(
        step != 0,
        Value,
        "getitem: slice step cannot be zero; use a positive or negative step"
    );
    let (n, s) = (n as i128, step as i128);
    let (lower, upper) = if s > 0 { (0, n) } else { (-1, n - 1) };
    let adjust = |v: Option<i64>, default: i128| -> i128 {
        match v {
            None => default,
            Some(v) => {
                let v = v as i128;
                if v < 0 {
                    (v + n).max(lower)
                } else {
                    v.min(upper)
                }
            }
        }
    };
    let start = adjust(start, if s > 0 { lower } else { upper });
    let stop = adjust(stop, if s > 0 { upper } else { lower });
    let len = if s > 0 && start < stop {
        (stop - start - 1) / s + 1
    } else if s < 0 && stop < start {
        (start - stop - 1) / (-s) + 1
    } else {
        0
    };
    let start = if len == 0 { 0 } else { start };
    Ok((start as usize, step, len as usize))
}

/// `x[key]` by Python/NumPy basic-indexing rules: ints (negative count from the end), slices, one
/// Ellipsis, new axes. A key with fewer items than axes keeps the remaining axes whole.
pub fn getitem(x: &LazyArray, key: &[IndexItem]) -> Result<LazyArray> {
    let ellipses = key.iter().filter(|k| **k == IndexItem::Ellipsis).count();
    ensure!(
        ellipses <= 1,
        Index,
        "getitem: an index can only have a single ellipsis ('...'), got {ellipses}"
    );
    let consuming = key
        .iter()
        .filter(|k| matches!(k, IndexItem::Int(_) | IndexItem::Slice { .. }))
        .count();
    let ndim = x.ndim();
    ensure!(
        consuming <= ndim,
        Index,
        "getitem: too many indices for an array of shape {:?}: {consuming} integers or slices were \
         given, but the array has {ndim} dimension{}",
        x.shape(),
        if ndim == 1 { "" } else { "s" }
    );
    let mut per_axis: SmallVec<[AxisIndex; 4]> = SmallVec::with_capacity(ndim);
    let mut new_axes: SmallVec<[usize; 4]> = SmallVec::new();
    let mut out_rank = 0usize;
    let whole = |k: usize| AxisIndex::Range {
        start: 0,
        step: 1,
        len: x.shape()[k],
    };
    for item in key {
        match *item {
            IndexItem::Int(i) => {
                let k = per_axis.len();
                let n = x.shape()[k];
                let j = if i < 0 {
                    i as i128 + n as i128
                } else {
                    i as i128
                };
                ensure!(
                    (0..n as i128).contains(&j),
                    Index,
                    "getitem: index {i} is out of bounds for axis {k} with size {n}; valid indices are \
                     {} to {}",
                    -(n as i128),
                    n as i128 - 1
                );
                per_axis.push(AxisIndex::At(j as usize));
            }
            IndexItem::Slice { start, stop, step } => {
                let k = per_axis.len();
                let (start, step, len) = slice_indices(start, stop, step, x.shape()[k])?;
                per_axis.push(AxisIndex::Range { start, step, len });
                out_rank += 1;
            }
            IndexItem::Ellipsis => {
                for _ in 0..ndim - consuming {
                    per_axis.push(whole(per_axis.len()));
                    out_rank += 1;
                }
            }
            IndexItem::NewAxis => {
                new_axes.push(out_rank);
                out_rank += 1;
            }
        }
    }
    while per_axis.len() < ndim {
        per_axis.push(whole(per_axis.len()));
    }
    let (map, shape) = ViewMap::index(x.shape(), &per_axis, &new_axes)?;
    ensure!(
        shape.len() <= lazulite_ir::shape::MAX_DIMS,
        Value,
        "getitem: the result would have {} dimensions, at most {} are supported",
        shape.len(),
        lazulite_ir::shape::MAX_DIMS
    );
    Ok(view(x, map, shape))
}

#[cfg(test)]
mod tests {
    use super::slice_indices;

    /// Python's `range(n)[slice]` semantics, written independently (list indexing on a Vec).
    fn python_slice(n: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> Vec<usize> {
        let n = n as i64;
        let norm = |v: i64| if v < 0 { v + n } else { v };
        let mut out = Vec::new();
        if step > 0 {
            let s = start.map_or(0, |v| norm(v).clamp(0, n));
            let e = stop.map_or(n, |v| norm(v).clamp(0, n));
            let mut i = s;
            while i < e {
                out.push(i as usize);
                i += step;
            }
        } else {
            let s = start.map_or(n - 1, |v| norm(v).clamp(-1, n - 1));
            let e = stop.map_or(-1, |v| norm(v).clamp(-1, n - 1));
            let mut i = s;
            while i > e {
                out.push(i as usize);
                i += step;
            }
        }
        out
    }

    #[test]
    fn slices_follow_python() {
        let bounds = [
            None,
            Some(-7),
            Some(-3),
            Some(-1),
            Some(0),
            Some(1),
            Some(2),
            Some(4),
            Some(9),
        ];
        for n in 0..6usize {
            for &start in &bounds {
                for &stop in &bounds {
                    for step in [-3i64, -2, -1, 1, 2, 3] {
                        let (s, st, len) = slice_indices(start, stop, Some(step), n).unwrap();
                        let got: Vec<usize> = (0..len)
                            .map(|i| (s as i64 + st * i as i64) as usize)
                            .collect();
                        assert_eq!(
                            got,
                            python_slice(n, start, stop, step),
                            "{n} {start:?}:{stop:?}:{step}"
                        );
                    }
                }
            }
        }
        assert!(slice_indices(None, None, Some(0), 3).is_err());
    }
}
