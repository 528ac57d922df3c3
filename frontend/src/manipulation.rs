//! Manipulation functions built from views and reshapes: `broadcast_arrays`, `broadcast_shapes`,
//! `moveaxis`, `repeat` (integer repeats; `repeat_each` for counts read from an array), `roll`,
//! `tile`, `unstack`.
//!
//! Repetition (`tile`, `repeat`, and the doubled array `roll` slices) is one broadcasting view that
//! inserts a size-`r` axis of stride 0 next to an axis, followed by a reshape that merges the two: the
//! passes materialise that reshape once, and anything downstream reads it.

use crate::array::LazyArray;
use crate::creation::check_shape;
use crate::movement::{
    broadcast_unchecked, full_ranges, permute_dims, reshape, reshape_unchecked, view,
};
use lazulite_ir::shape::{broadcast_all, normalize_axis, MAX_DIMS};
use lazulite_ir::{bail, ensure, AxisIndex, Error, ErrorKind, Result, Shape, ViewMap};
use smallvec::{smallvec, SmallVec};

/// `broadcast_shapes(shapes)`: the shape every one of `shapes` broadcasts to (`[]` for no shapes);
/// `Value` when two of them do not broadcast.
pub fn broadcast_shapes(shapes: &[&[usize]]) -> Result<Vec<usize>> {
    Ok(broadcast_all("broadcast_shapes", shapes)?.to_vec())
}

/// `broadcast_arrays(arrays)`: every array broadcast to their common shape (views; dtypes kept).
pub fn broadcast_arrays(arrays: &[&LazyArray]) -> Result<Vec<LazyArray>> {
    let shapes: Vec<&[usize]> = arrays.iter().map(|a| a.shape()).collect();
    let shape = broadcast_all("broadcast_arrays", &shapes)?;
    Ok(arrays
        .iter()
        .map(|a| broadcast_unchecked(a, &shape))
        .collect())
}

/// `moveaxis(x, source, destination)`: moves axes `source[i]` to positions `destination[i]`, the
/// other axes keep their order. Both lists have the same length, unique entries, negatives allowed.
pub fn moveaxis(x: &LazyArray, source: &[isize], destination: &[isize]) -> Result<LazyArray> {
    ensure!(
        source.len() == destination.len(),
        Value,
        "moveaxis: source {source:?} and destination {destination:?} have different lengths; give one \
         destination per source axis"
    );
    let n = x.ndim();
    let src: Vec<usize> = source
        .iter()
        .map(|&a| normalize_axis("moveaxis", a, n))
        .collect::<Result<_>>()?;
    let dst: Vec<usize> = destination
        .iter()
        .map(|&a| normalize_axis("moveaxis", a, n))
        .collect::<Result<_>>()?;
    for (list, what) in [(&src, "source"), (&dst, "destination")] {
        let mut sorted = list.clone();
        sorted.sort_unstable();
        sorted.dedup();
        ensure!(
            sorted.len() == list.len(),
            Value,
            "moveaxis: {what} axes {:?} repeat an axis (for an array of {n} dimensions); give each axis once",
            if what == "source" { source } else { destination }
        );
    }
    let mut order: Vec<usize> = (0..n).filter(|a| !src.contains(a)).collect();
    let mut pairs: Vec<(usize, usize)> = dst.iter().copied().zip(src.iter().copied()).collect();
    pairs.sort_unstable();
    for (d, s) in pairs {
        order.insert(d, s);
    }
    let perm: Vec<isize> = order.iter().map(|&a| a as isize).collect();
    permute_dims(x, &perm)
}

/// `unstack(x, axis)`: the slices of `x` along `axis`, each a view without that axis.
pub fn unstack(x: &LazyArray, axis: isize) -> Result<Vec<LazyArray>> {
    let a = normalize_axis("unstack", axis, x.ndim())?;
    (0..x.shape()[a])
        .map(|i| {
            let mut per_axis = full_ranges(x.shape());
            per_axis[a] = AxisIndex::At(i);
            let (map, shape) = ViewMap::index(x.shape(), &per_axis, &[])?;
            Ok(view(x, map, shape))
        })
        .collect()
}

/// `x` with each axis `i` turned into `outer[i]` back-to-back copies of the axis, each element of
/// which is repeated `inner[i]` times (`tile` is `outer`, `repeat` is `inner`): a broadcasting view
/// with the extra axes, then one reshape that merges them.
pub(crate) fn replicate(
    op: &str,
    x: &LazyArray,
    outer: &[usize],
    inner: &[usize],
) -> Result<LazyArray> {
    let mut axes: SmallVec<[Option<(u32, i64)>; 4]> = SmallVec::new();
    let mut wide = Shape::new();
    let mut out = Shape::new();
    for (i, &n) in x.shape().iter().enumerate() {
        let (o, r) = (outer[i], inner[i]);
        if o != 1 {
            axes.push(None);
            wide.push(o);
        }
        axes.push(Some((i as u32, 1)));
        wide.push(n);
        if r != 1 {
            axes.push(None);
            wide.push(r);
        }
        let merged = o.checked_mul(n).and_then(|v| v.checked_mul(r));
        out.push(merged.ok_or_else(|| {
            Error::new(
                ErrorKind::Value,
                format!(
                    "{op}: axis {i} of size {n} repeated {} times has too many elements",
                    o.saturating_mul(r)
                ),
            )
        })?);
    }
    check_shape(op, &out)?;
    if wide.len() > MAX_DIMS {
        bail!(
            NotImplemented,
            "{op}: an array of {} dimensions repeated along {} of them needs {} intermediate \
             dimensions, more than the {MAX_DIMS} supported; repeat fewer axes per call",
            x.ndim(),
            wide.len() - x.ndim(),
            wide.len()
        );
    }
    let map = ViewMap {
        axes,
        start: smallvec![0; x.ndim()],
    };
    let widened = view(x, map, wide);
    Ok(reshape_unchecked(&widened, out))
}

/// `tile(x, repetitions)`: `x` repeated `repetitions[i]` times along each axis. The shorter of the
/// two (the shape or the repetitions) is padded with leading ones; the result has
/// `max(x.ndim, len(repetitions))` dimensions. Negative repetitions are a `Value` error.
pub fn tile(x: &LazyArray, repetitions: &[i64]) -> Result<LazyArray> {
    let reps: Vec<usize> = repetitions
        .iter()
        .map(|&r| {
            crate::creation_ext::count_arg("tile", "every repetition", r).map_err(|e| {
                Error::new(
                    e.kind,
                    format!("{} (repetitions {repetitions:?})", e.message),
                )
            })
        })
        .collect::<Result<_>>()?;
    let rank = x.ndim().max(reps.len());
    ensure!(
        rank <= MAX_DIMS,
        Value,
        "tile: {} repetitions give {rank} dimensions, at most {MAX_DIMS} are supported",
        reps.len()
    );
    let lead = rank - x.ndim();
    let padded = if lead > 0 {
        let new_axes: Vec<usize> = (0..lead).collect();
        let (map, shape) = ViewMap::index(x.shape(), &full_ranges(x.shape()), &new_axes)?;
        view(x, map, shape)
    } else {
        x.clone()
    };
    let mut outer = vec![1usize; rank - reps.len()];
    outer.extend_from_slice(&reps);
    replicate("tile", &padded, &outer, &vec![1; rank])
}

/// `repeat(x, repeats, axis)` for an integer `repeats`: each element repeated `repeats` times along
/// `axis`, or along the flattened (row-major) array when `axis` is `None`. The array form of
/// `repeats` (a data-dependent shape) is not part of this function.
pub fn repeat(x: &LazyArray, repeats: i64, axis: Option<isize>) -> Result<LazyArray> {
    let r = crate::creation_ext::count_arg("repeat", "repeats", repeats)?;
    let (src, a) = match axis {
        None => (reshape(x, &[-1])?, 0),
        Some(a) => (x.clone(), normalize_axis("repeat", a, x.ndim())?),
    };
    let mut inner = vec![1usize; src.ndim()];
    inner[a] = r;
    replicate("repeat", &src, &vec![1; src.ndim()], &inner)
}

/// `repeat(x, repeats, axis)` with one count per element: element `i` along `axis` (of the flattened
/// array when `axis` is `None`) repeated `counts[i]` times, or every element `counts[0]` times when
/// one count is given. This is the form whose `repeats` is an array: the caller computes it first (its
/// values decide the output shape). Counts must be `>= 0` and number 1 or the axis length (`Value`).
///
/// Built as a `take` along the axis with the index `i` written `counts[i]` times.
pub fn repeat_each(x: &LazyArray, counts: &[i64], axis: Option<isize>) -> Result<LazyArray> {
    if let [r] = counts {
        return repeat(x, *r, axis);
    }
    let (src, a) = match axis {
        None => (reshape(x, &[-1])?, 0),
        Some(a) => (x.clone(), normalize_axis("repeat", a, x.ndim())?),
    };
    let len = src.shape()[a];
    ensure!(
        counts.len() == len,
        Value,
        "repeat: repeats has {} counts, but the axis has {len} elements; pass one count per element \
         (shape ({len},)) or a single count (shape (1,))",
        counts.len()
    );
    let mut total = 0usize;
    for &c in counts {
        let c = crate::creation_ext::count_arg("repeat", "every count in repeats", c)?;
        total = total.checked_add(c).ok_or_else(|| {
            Error::new(
                ErrorKind::Value,
                "repeat: the counts in repeats add up to more than an array can hold; pass smaller \
                 counts",
            )
        })?;
    }
    let mut out_shape = src.shape().to_vec();
    out_shape[a] = total;
    check_shape("repeat", &out_shape)?;
    let mut index: Vec<i64> = Vec::new();
    index.try_reserve_exact(total).map_err(|_| {
        Error::new(
            ErrorKind::Memory,
            format!("repeat: cannot allocate an index of {total} entries; pass smaller counts"),
        )
    })?;
    for (i, &c) in counts.iter().enumerate() {
        index.extend(std::iter::repeat_n(i as i64, c as usize));
    }
    let index = crate::creation::from_vec(index, &[total])?;
    crate::indexing::take(&src, &index, Some(a as isize))
        .map_err(|e| crate::elementwise::rename(e, "take", "repeat"))
}

/// `roll(x, shift, axis)`: elements shifted by `shift[i]` places along `axis[i]` (positive toward
/// larger indices), wrapping around. A single shift applies to every axis; repeated axes add their
/// shifts; `axis` `None` rolls the flattened array (one shift) and restores the shape.
///
/// Built as a slice of the array doubled along each rolled axis (`out[i] = twice[i + n - s]`): one
/// materialised copy of twice the size, then a view.
pub fn roll(x: &LazyArray, shift: &[i64], axis: Option<&[isize]>) -> Result<LazyArray> {
    let Some(axis) = axis else {
        ensure!(
            shift.len() == 1,
            Value,
            "roll: with axis=None the array is flattened and takes one shift, got shifts {shift:?}; \
             pass one integer or give the axes"
        );
        let flat = reshape(x, &[-1])?;
        let rolled = roll(&flat, shift, Some(&[0]))?;
        let shape: Vec<isize> = x.shape().iter().map(|&n| n as isize).collect();
        return reshape(&rolled, &shape);
    };
    ensure!(
        shift.len() == axis.len() || shift.len() == 1,
        Value,
        "roll: {} shifts {shift:?} for {} axes {axis:?}; give one shift, or one per axis",
        shift.len(),
        axis.len()
    );
    let n = x.ndim();
    let mut total = vec![0i128; n];
    for (i, &a) in axis.iter().enumerate() {
        let k = normalize_axis("roll", a, n)?;
        let s = if shift.len() == 1 { shift[0] } else { shift[i] };
        total[k] += s as i128;
    }
    let mut outer = vec![1usize; n];
    let mut starts = vec![0usize; n];
    for k in 0..n {
        let len = x.shape()[k] as i128;
        if len == 0 {
            continue;
        }
        let s = total[k].rem_euclid(len);
        if s != 0 {
            outer[k] = 2;
            starts[k] = (len - s) as usize;
        }
    }
    if outer.iter().all(|&o| o == 1) {
        return Ok(x.clone());
    }
    let twice = replicate("roll", x, &outer, &vec![1; n])?;
    let per_axis: SmallVec<[AxisIndex; 4]> = (0..n)
        .map(|k| AxisIndex::Range {
            start: starts[k],
            step: 1,
            len: x.shape()[k],
        })
        .collect();
    let (map, shape) = ViewMap::index(twice.shape(), &per_axis, &[])?;
    Ok(view(&twice, map, shape))
}
