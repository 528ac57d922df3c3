//! Shapes, broadcasting and axis normalisation.

use crate::error::Result;
use crate::{bail, ensure};
use smallvec::SmallVec;

/// A shape: one extent per axis. Arrays of up to 4 dimensions keep it inline.
pub type Shape = SmallVec<[usize; 4]>;
/// Strides in elements (may be 0 for broadcast axes, negative for flipped ones).
pub type Strides = SmallVec<[isize; 4]>;

/// The largest number of dimensions an array may have (reported by `capabilities()`).
pub const MAX_DIMS: usize = 64;

/// The most elements an array may have: its byte size at the widest itemsize (16, `complex128`) must
/// fit in an `isize`, so element counts, byte sizes and strides never wrap around.
pub const MAX_ELEMENTS: usize = isize::MAX as usize / 16;

/// Number of elements of a shape (one that [`check_shape`] accepted, so the product cannot wrap).
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// The number of elements of `shape`, or `None` when the product overflows or exceeds
/// [`MAX_ELEMENTS`]. A zero extent anywhere makes the size 0, as in NumPy.
pub fn checked_numel(shape: &[usize]) -> Option<usize> {
    if shape.contains(&0) {
        return Some(0);
    }
    shape
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .filter(|&n| n <= MAX_ELEMENTS)
}

/// Checks a shape that `op` is about to give a new array: at most [`MAX_DIMS`] axes and at most
/// [`MAX_ELEMENTS`] elements (a `ValueError` naming `op` otherwise, as NumPy raises). Returns the size.
pub fn check_shape(op: &str, shape: &[usize]) -> Result<usize> {
    ensure!(
        shape.len() <= MAX_DIMS,
        Value,
        "{op}: shape {shape:?} has {} dimensions, at most {MAX_DIMS} are supported",
        shape.len()
    );
    match checked_numel(shape) {
        Some(n) => Ok(n),
        None => bail!(
            Value,
            "{op}: shape {shape:?} is too large: its number of elements exceeds {MAX_ELEMENTS} (the \
             most whose size in bytes fits in memory addresses); use smaller extents"
        ),
    }
}

/// `a + b` for extents (`concat` along an axis), as a `ValueError` naming `op` when it overflows.
pub fn checked_extent_sum(op: &str, a: usize, b: usize) -> Result<usize> {
    match a.checked_add(b) {
        Some(n) if n <= MAX_ELEMENTS => Ok(n),
        _ => bail!(
            Value,
            "{op}: the extents {a} and {b} add up to more than {MAX_ELEMENTS} elements; use smaller arrays"
        ),
    }
}

/// Row-major (C-contiguous) strides of a shape, in elements.
pub fn contiguous_strides(shape: &[usize]) -> Strides {
    let mut strides: Strides = smallvec::smallvec![0; shape.len()];
    let mut acc = 1isize;
    for (s, &n) in strides.iter_mut().zip(shape).rev() {
        *s = acc;
        acc *= n.max(1) as isize;
    }
    strides
}

/// The broadcast of two shapes by the spec's rules; `op` names the operation for the error (also
/// when the result is too large to address, [`check_shape`]).
pub fn broadcast_shapes(op: &str, a: &[usize], b: &[usize]) -> Result<Shape> {
    let out = broadcast_pair(op, a, b)?;
    check_shape(op, &out)?;
    Ok(out)
}

fn broadcast_pair(op: &str, a: &[usize], b: &[usize]) -> Result<Shape> {
    let n = a.len().max(b.len());
    let mut out: Shape = smallvec::smallvec![0; n];
    for i in 0..n {
        let da = if i < n - a.len() {
            1
        } else {
            a[i - (n - a.len())]
        };
        let db = if i < n - b.len() {
            1
        } else {
            b[i - (n - b.len())]
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => bail!(
                Value,
                "{op}: shapes {a:?} and {b:?} cannot be broadcast together (axis {} has sizes {da} and {db}); \
                 reshape or expand_dims one operand so that each axis matches or is 1",
                i as isize - n as isize
            ),
        };
    }
    Ok(out)
}

/// Broadcast of any number of shapes (checked once, at the end).
pub fn broadcast_all(op: &str, shapes: &[&[usize]]) -> Result<Shape> {
    let mut out = Shape::new();
    for s in shapes {
        out = broadcast_pair(op, &out, s)?;
    }
    check_shape(op, &out)?;
    Ok(out)
}

/// Normalises a possibly negative axis for an array of rank `ndim`.
pub fn normalize_axis(op: &str, axis: isize, ndim: usize) -> Result<usize> {
    let n = ndim as isize;
    ensure!(
        (-n..n).contains(&axis),
        Index,
        "{op}: axis {axis} is out of bounds for an array of {ndim} dimension{}; valid axes are {} to {}",
        if ndim == 1 { "" } else { "s" },
        -n,
        n - 1
    );
    Ok(if axis < 0 {
        (axis + n) as usize
    } else {
        axis as usize
    })
}

/// Normalises a list of axes (`None` = all axes), rejecting duplicates; the result is sorted.
pub fn normalize_axes(
    op: &str,
    axes: Option<&[isize]>,
    ndim: usize,
) -> Result<SmallVec<[usize; 4]>> {
    let mut out: SmallVec<[usize; 4]> = match axes {
        None => (0..ndim).collect(),
        Some(list) => list
            .iter()
            .map(|&a| normalize_axis(op, a, ndim))
            .collect::<Result<_>>()?,
    };
    out.sort_unstable();
    let before = out.len();
    out.dedup();
    ensure!(
        out.len() == before,
        Value,
        "{op}: repeated axis in {axes:?}; give each axis once"
    );
    Ok(out)
}

/// NumPy's `_attempt_nocopy_reshape` (C order): strides that read an array of shape `old` laid out with
/// `old_strides` in row-major order as shape `new`, or `None` when that needs a copy.
pub fn nocopy_reshape(old: &[usize], old_strides: &[isize], new: &[usize]) -> Option<Strides> {
    if numel(new) == 0 {
        return Some(contiguous_strides(new));
    }
    let (od, os): (Vec<usize>, Vec<isize>) = old
        .iter()
        .zip(old_strides)
        .filter(|(&e, _)| e != 1)
        .map(|(&e, &s)| (e, s))
        .unzip();
    let mut ns: Strides = SmallVec::from_elem(0, new.len());
    let (mut oi, mut oj, mut ni, mut nj) = (0usize, 1usize, 0usize, 1usize);
    while ni < new.len() && oi < od.len() {
        let mut np = new[ni];
        let mut op = od[oi];
        while np != op {
            if np < op {
                np *= *new.get(nj)?;
                nj += 1;
            } else {
                op *= *od.get(oj)?;
                oj += 1;
            }
        }
        for ok in oi..oj - 1 {
            if os[ok] != od[ok + 1] as isize * os[ok + 1] {
                return None;
            }
        }
        ns[nj - 1] = os[oj - 1];
        for nk in (ni + 1..nj).rev() {
            ns[nk - 1] = ns[nk] * new[nk] as isize;
        }
        ni = nj;
        nj += 1;
        oi = oj;
        oj += 1;
    }
    let last = if ni >= 1 { ns[ni - 1] } else { 1 };
    for s in ns.iter_mut().skip(ni) {
        *s = last;
    }
    Some(ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting() {
        assert_eq!(
            broadcast_shapes("t", &[3, 1], &[4]).unwrap().as_slice(),
            &[3, 4]
        );
        assert_eq!(
            broadcast_shapes("t", &[], &[2, 0]).unwrap().as_slice(),
            &[2, 0]
        );
        let e = broadcast_shapes("add", &[3], &[4]).unwrap_err();
        assert!(
            e.message.contains("add") && e.message.contains("[3]") && e.message.contains("[4]")
        );
    }

    #[test]
    fn axes() {
        assert_eq!(normalize_axis("t", -1, 3).unwrap(), 2);
        assert!(normalize_axis("t", 3, 3).is_err());
        assert!(normalize_axes("t", Some(&[0, -2]), 2).is_err());
        assert_eq!(contiguous_strides(&[2, 3, 4]).as_slice(), &[12, 4, 1]);
    }

    #[test]
    fn sizes_never_wrap() {
        let big = 1usize << 32;
        // 2^32 * 2^32 = 2^64 wraps to 0 in plain usize arithmetic
        assert_eq!(big.wrapping_mul(big), 0);
        let e = broadcast_shapes("add", &[big, 1], &[1, big]).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Value);
        assert!(e.message.contains("add") && e.message.contains("too large"));
        assert!(broadcast_all("broadcast_shapes", &[&[big, 1], &[1, big]]).is_err());
        // byte sizes: the element count times 16 must fit an isize
        assert!(check_shape("t", &[MAX_ELEMENTS]).is_ok());
        assert!(check_shape("t", &[MAX_ELEMENTS + 1]).is_err());
        assert!(check_shape("t", &[MAX_ELEMENTS, 2]).is_err());
        assert!(check_shape("t", &[usize::MAX, 0]).is_ok_and(|n| n == 0));
        assert!(check_shape("t", &vec![1; MAX_DIMS + 1]).is_err());
        assert_eq!(checked_numel(&[big, big]), None);
        assert_eq!(checked_numel(&[3, 4]), Some(12));
        assert!(checked_extent_sum("concat", usize::MAX, 1).is_err());
        assert_eq!(checked_extent_sum("concat", 2, 3).unwrap(), 5);
    }
}
