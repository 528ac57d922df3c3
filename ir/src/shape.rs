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

/// Number of elements of a shape.
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
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

/// The broadcast of two shapes by the spec's rules; `op` names the operation for the error.
pub fn broadcast_shapes(op: &str, a: &[usize], b: &[usize]) -> Result<Shape> {
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

/// Broadcast of any number of shapes.
pub fn broadcast_all(op: &str, shapes: &[&[usize]]) -> Result<Shape> {
    let mut out = Shape::new();
    for s in shapes {
        out = broadcast_shapes(op, &out, s)?;
    }
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
}
