//! Index arithmetic shared by the fusion decisions and the lowering: affine maps from a kernel's loop
//! point to a node's multi-index, NumPy's "attempt no-copy reshape", and the transport of an affine map
//! through a reshape that only splits axes.

use lazulite_ir::shape::numel;
use lazulite_ir::{Strides, ViewMap};
use smallvec::SmallVec;

/// An affine map from a loop point `i` (`ndim` loop dimensions) to a node's multi-index: node axis `k`
/// reads index `offset[k] + Σ_d coef[k * ndim + d] * i[d]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IndexMap {
    pub ndim: usize,
    pub offset: SmallVec<[i64; 4]>,
    pub coef: Vec<i64>,
}

impl IndexMap {
    pub fn rank(&self) -> usize {
        self.offset.len()
    }

    fn zero(rank: usize, ndim: usize) -> IndexMap {
        IndexMap {
            ndim,
            offset: SmallVec::from_elem(0, rank),
            coef: vec![0; rank * ndim],
        }
    }

    /// Node axis `k` walks loop dimension `dims[k]` with step 1.
    pub fn from_dims(dims: &[usize], ndim: usize) -> IndexMap {
        let mut m = IndexMap::zero(dims.len(), ndim);
        for (k, &d) in dims.iter().enumerate() {
            m.coef[k * ndim + d] = 1;
        }
        m
    }

    fn row(&self, k: usize) -> &[i64] {
        &self.coef[k * self.ndim..(k + 1) * self.ndim]
    }

    /// The map into a view's source, given the map into the view's output.
    pub fn through_view(&self, v: &ViewMap) -> IndexMap {
        let nd = self.ndim;
        let mut m = IndexMap::zero(v.start.len(), nd);
        m.offset.copy_from_slice(&v.start);
        for (j, a) in v.axes.iter().enumerate() {
            if let Some((k, step)) = *a {
                let k = k as usize;
                m.offset[k] += step * self.offset[j];
                for d in 0..nd {
                    m.coef[k * nd + d] += step * self.coef[j * nd + d];
                }
            }
        }
        m
    }

    /// The map into a reshape's source (shape `src`), given the map into its output (shape `out`), when
    /// every source axis is a run of whole output axes (the reshape only splits axes and adds or drops
    /// size-1 axes). `None` when a source axis would need a division.
    pub fn through_reshape(&self, out: &[usize], src: &[usize]) -> Option<IndexMap> {
        let nd = self.ndim;
        let mut m = IndexMap::zero(src.len(), nd);
        if numel(out) == 0 {
            // No loop point exists: any map is right.
            return Some(m);
        }
        let outs: Vec<usize> = (0..out.len()).filter(|&j| out[j] != 1).collect();
        let mut next = 0;
        for (k, &ext) in src.iter().enumerate() {
            if ext == 1 {
                continue;
            }
            let mut prod = 1usize;
            while prod < ext {
                let j = *outs.get(next)?;
                next += 1;
                prod = prod.checked_mul(out[j])?;
                // Horner: row_k = row_k * out[j] + row_j.
                m.offset[k] = m.offset[k] * out[j] as i64 + self.offset[j];
                for d in 0..nd {
                    m.coef[k * nd + d] = m.coef[k * nd + d] * out[j] as i64 + self.row(j)[d];
                }
            }
            if prod != ext {
                return None;
            }
        }
        (next == outs.len()).then_some(m)
    }

    /// Element strides per loop dimension and the offset of the first element, for a node stored with
    /// `strides` from `offset`.
    pub fn strides_over(&self, strides: &[isize], offset: isize) -> (Strides, isize) {
        let nd = self.ndim;
        let mut out: Strides = SmallVec::from_elem(0, nd);
        let mut off = offset;
        for (k, &s) in strides.iter().enumerate() {
            off += self.offset[k] as isize * s;
            for (d, o) in out.iter_mut().enumerate() {
                *o += self.coef[k * nd + d] as isize * s;
            }
        }
        (out, off)
    }
}

/// True when a reshape from `src` to `out` can be fused as an index map over any operand (see
/// [`IndexMap::through_reshape`]).
pub fn reshape_is_split_only(src: &[usize], out: &[usize]) -> bool {
    let probe = IndexMap::from_dims(&(0..out.len()).collect::<Vec<_>>(), out.len());
    probe.through_reshape(out, src).is_some()
}

pub use lazulite_ir::shape::nocopy_reshape;

#[cfg(test)]
mod tests {
    use super::*;
    use lazulite_ir::shape::contiguous_strides;

    /// Flat offsets of every element of `shape` read with `strides`, row-major.
    fn offsets(shape: &[usize], strides: &[isize]) -> Vec<isize> {
        let mut out = vec![];
        let n = numel(shape);
        for mut f in 0..n {
            let mut off = 0;
            for d in (0..shape.len()).rev() {
                off += (f % shape[d]) as isize * strides[d];
                f /= shape[d];
            }
            out.push(off);
        }
        out
    }

    /// Old shape, old strides, new shape, whether no copy is needed.
    type Case<'a> = (&'a [usize], &'a [isize], &'a [usize], bool);

    #[test]
    fn nocopy_reshape_matches_element_order() {
        let cases: &[Case] = &[
            (&[2, 3, 4], &[12, 4, 1], &[6, 4], true),
            (&[2, 3, 4], &[12, 4, 1], &[4, 6], true),
            (&[3, 2], &[1, 3], &[6], false), // transposed: a copy is needed
            (&[3, 2], &[1, 3], &[3, 2, 1], true),
            (&[4, 6], &[1, 4], &[4, 2, 3], true), // splits the contiguous inner axis of a transpose
            (&[5], &[-1], &[5, 1], true),
            (&[2, 1, 3], &[30, 7, 10], &[6], true),
        ];
        for &(old, st, new, ok) in cases {
            let r = nocopy_reshape(old, st, new);
            assert_eq!(r.is_some(), ok, "{old:?} {st:?} -> {new:?}");
            if let Some(ns) = r {
                assert_eq!(offsets(old, st), offsets(new, &ns), "{old:?} -> {new:?}");
            }
        }
    }

    /// Every factorisation of 12 into up to 3 axes, reshaped into every other one, over contiguous,
    /// reversed and transposed layouts: when no copy is needed, the element order must be the same.
    #[test]
    fn nocopy_reshape_exhaustive_small() {
        let mut shapes: Vec<Vec<usize>> = vec![];
        for a in 1..=12 {
            for b in 1..=12 {
                for c in 1..=12 {
                    if a * b * c == 12 {
                        shapes.push(vec![a, b, c]);
                    }
                }
            }
        }
        shapes.push(vec![12]);
        shapes.push(vec![2, 6]);
        for old in &shapes {
            let contiguous = contiguous_strides(old);
            let reversed: Strides = contiguous.iter().map(|s| -s).collect();
            let transposed = {
                let mut s: Strides = SmallVec::from_elem(0, old.len());
                let mut acc = 1isize;
                for (k, &n) in old.iter().enumerate() {
                    s[k] = acc;
                    acc *= n as isize;
                }
                s
            };
            for strides in [contiguous, reversed, transposed] {
                for new in &shapes {
                    if let Some(ns) = nocopy_reshape(old, &strides, new) {
                        assert_eq!(
                            offsets(old, &strides),
                            offsets(new, &ns),
                            "{old:?} {strides:?} -> {new:?}"
                        );
                    }
                }
            }
            // Contiguous data always reshapes without a copy.
            for new in &shapes {
                assert!(nocopy_reshape(old, &contiguous_strides(old), new).is_some());
                if let Some(m) = IndexMap::from_dims(&(0..new.len()).collect::<Vec<_>>(), new.len())
                    .through_reshape(new, old)
                {
                    // The transported map reads the source element of the same row-major position.
                    let (st, off) = m.strides_over(&contiguous_strides(old), 0);
                    let got: Vec<isize> = offsets(new, &st).iter().map(|o| o + off).collect();
                    assert_eq!(got, (0..12).collect::<Vec<isize>>(), "{new:?} -> {old:?}");
                }
            }
        }
    }

    #[test]
    fn reshape_transport_splits_only() {
        assert!(reshape_is_split_only(&[6, 4], &[2, 3, 4]));
        assert!(reshape_is_split_only(&[6], &[1, 6, 1]));
        assert!(!reshape_is_split_only(&[2, 3], &[6]));
        assert!(!reshape_is_split_only(&[2, 3], &[3, 2]));
        // Splitting [6] into [2, 3]: source index = 3 i0 + i1.
        let m = IndexMap::from_dims(&[0, 1], 2)
            .through_reshape(&[2, 3], &[6])
            .unwrap();
        assert_eq!(m.coef, vec![3, 1]);
    }
}
