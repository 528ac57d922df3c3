//! Views as lenses over a base: NumPy's observable view semantics on an immutable graph.
//!
//! A [`Lens`] says how a view is made from its base: the movement steps to replay on the base's
//! current value (affine views and no-copy reshapes), and where the view's elements sit in the base
//! (strides and offset over the base's row-major flat positions, as NumPy's strides would be). The
//! graph never changes: reading a view replays its steps on whatever node the base holds now, and a
//! write through a view ([`write_through`]) is a functional `ScatterFlat` of the new elements into the
//! base, at the flat positions the same steps select from `arange(base.size)`. The Python edge keeps
//! the base's current node and rebinds it (see `python/src/views.rs`).

use crate::advanced::{setitem_at, IndexKey};
use crate::array::LazyArray;
use crate::creation::arange;
use crate::elementwise::{fill, Operand};
use crate::movement::{reshape, reshape_unchecked, view};
use lazulite_ir::shape::{contiguous_strides, nocopy_reshape};
use lazulite_ir::{bail, DType, Op, Result, Scalar, Shape, Strides, UnaryOp, ViewMap};
use smallvec::smallvec;
use std::sync::Arc;

/// One replayable step of a view chain.
#[derive(Clone, Debug)]
enum Step {
    /// An affine view (slicing, integer indexing, new axes, permutation, flip, squeeze, broadcast).
    View(ViewMap, Shape),
    /// A reshape that needs no copy (its strides exist over the base's flat positions).
    Reshape(Shape),
}

/// How a view is made from its base. Cheap to clone (the steps are shared).
#[derive(Clone, Debug)]
pub struct Lens {
    steps: Arc<[Step]>,
    shape: Shape,
    /// Element strides over the base's row-major flat positions.
    strides: Strides,
    /// The flat position of the view's element `(0, ..., 0)` in the base.
    offset: isize,
}

/// What a movement function does to a lens.
pub enum Derived {
    /// The result is a view of the same base, made by this lens.
    View(Lens),
    /// The result needs a copy (a reshape whose strides do not exist): here is its value.
    Copy(LazyArray),
}

impl Lens {
    /// The base itself.
    pub fn identity(shape: &[usize]) -> Lens {
        Lens {
            steps: Arc::from(Vec::new()),
            shape: Shape::from_slice(shape),
            strides: contiguous_strides(shape),
            offset: 0,
        }
    }

    /// Whether the lens is the whole base, unchanged.
    pub fn is_identity(&self) -> bool {
        self.steps.is_empty()
    }

    /// The shape of the view the lens makes.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Whether both lenses read the same base elements in the same order (then writing one view's
    /// values into the other is no change at all).
    pub fn same_elements(&self, other: &Lens) -> bool {
        self.shape == other.shape && self.strides == other.strides && self.offset == other.offset
    }

    /// Whether two elements of the view share one base element (a broadcast axis): such a view is
    /// read-only, as NumPy's `broadcast_to` results are.
    pub fn overlaps(&self) -> bool {
        self.shape
            .iter()
            .zip(&self.strides)
            .any(|(&n, &s)| n > 1 && s == 0)
    }

    /// The view's value over the base's value `base` (the steps replayed; views compose into one).
    pub fn read(&self, base: &LazyArray) -> LazyArray {
        let mut a = base.clone();
        for s in self.steps.iter() {
            a = match s {
                Step::View(map, shape) => view(&a, map.clone(), shape.clone()),
                Step::Reshape(shape) => reshape_unchecked(&a, shape.clone()),
            };
        }
        a
    }

    /// The lens of `f(view)`, where `f` is a movement function (basic indexing, `permute_dims`,
    /// `reshape`, `expand_dims`, `squeeze`, `flip`, `broadcast_to`, ...), or the value of a copy when
    /// `f` is a reshape that cannot be expressed with strides over the base (NumPy copies then too).
    ///
    /// `f` is first applied to a placeholder node of the view's shape, which tells what kind of node
    /// it builds (the same node, an affine view or a reshape) without knowing the base's value.
    pub fn derive(
        &self,
        value: &LazyArray,
        f: impl Fn(&LazyArray) -> Result<LazyArray>,
    ) -> Result<Derived> {
        let probe = placeholder(&self.shape);
        let r = f(&probe)?;
        if r.same_node(&probe) {
            return Ok(Derived::View(self.clone()));
        }
        let from_probe = r.operands().first().is_some_and(|o| o.same_node(&probe));
        match r.pending_op() {
            Some(Op::View(map)) if from_probe => {
                let (strides, offset) = map.apply(&self.strides, self.offset);
                let step = Step::View((**map).clone(), Shape::from_slice(r.shape()));
                Ok(Derived::View(self.then(step, r.shape(), strides, offset)))
            }
            Some(Op::Reshape) if from_probe => {
                let Some(strides) = nocopy_reshape(&self.shape, &self.strides, r.shape()) else {
                    return Ok(Derived::Copy(f(value)?));
                };
                let step = Step::Reshape(Shape::from_slice(r.shape()));
                Ok(Derived::View(self.then(
                    step,
                    r.shape(),
                    strides,
                    self.offset,
                )))
            }
            _ => bail!(
                Internal,
                "view: a movement function built a {:?} node, not a view or a reshape",
                r
            ),
        }
    }

    fn then(&self, step: Step, shape: &[usize], strides: Strides, offset: isize) -> Lens {
        let mut steps: Vec<Step> = self.steps.to_vec();
        if let (Some(Step::View(first, first_shape)), Step::View(map, shape)) =
            (steps.last_mut(), &step)
        {
            // consecutive affine views compose into one, so long chains stay one step
            *first = map.compose(first);
            *first_shape = shape.clone();
        } else {
            steps.push(step);
        }
        Lens {
            steps: Arc::from(steps),
            shape: Shape::from_slice(shape),
            strides,
            offset,
        }
    }

    /// The flat positions in the base (shape `base_shape`) of the view's elements, as an int64
    /// array of the view's shape.
    pub fn positions(&self, base_shape: &[usize]) -> Result<LazyArray> {
        let n = lazulite_ir::shape::numel(base_shape);
        let flat = arange(
            Scalar::Int(n as i64),
            None,
            Scalar::Int(1),
            Some(DType::I64),
        )?;
        let dims: Vec<isize> = base_shape.iter().map(|&d| d as isize).collect();
        Ok(self.read(&reshape(&flat, &dims)?))
    }
}

/// An unrealized node of `shape` that no movement function folds into anything (not a fill, not a
/// view, not a reshape). It is never computed.
fn placeholder(shape: &[usize]) -> LazyArray {
    let leaf = fill(Scalar::Bool(false), DType::Bool, &[]);
    LazyArray::from_op(
        Op::Unary(UnaryOp::LogicalNot),
        smallvec![crate::movement::broadcast_unchecked(&leaf, shape)],
        DType::Bool,
        Shape::from_slice(shape),
    )
}

/// The base's new value after `view[key] = value`, where `view` is `lens` over `base`: the
/// selected elements of the view take `value` (broadcast, same dtype rules as `setitem`), every
/// other element of the base keeps its value.
pub fn write_through(
    base: &LazyArray,
    lens: &Lens,
    key: &[IndexKey],
    value: Operand,
) -> Result<LazyArray> {
    if lens.is_identity() {
        return crate::advanced::setitem(base, key, value);
    }
    let positions = lens.positions(base.shape())?;
    setitem_at(base, &positions, key, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{from_vec, permute_dims, reshape, IndexItem};

    /// The values of `a` in row-major order.
    fn values(a: &LazyArray) -> Vec<f64> {
        let flat = reshape(a, &[-1]).unwrap().compute().unwrap();
        (0..a.size()).map(|i| flat.get(&[i]).as_f64()).collect()
    }

    fn slice(start: i64, step: i64) -> IndexKey {
        IndexKey::Item(IndexItem::Slice {
            start: Some(start),
            stop: None,
            step: Some(step),
        })
    }

    fn view_of(lens: &Lens, base: &LazyArray, f: impl Fn(&LazyArray) -> Result<LazyArray>) -> Lens {
        match lens.derive(&lens.read(base), f).unwrap() {
            Derived::View(l) => l,
            Derived::Copy(_) => panic!("expected a view"),
        }
    }

    #[test]
    fn a_lens_reads_and_writes_the_elements_plain_indexing_names() {
        // base[i][j][k] = 12 i + 4 j + k; the view v[a][b][c] = base[k = 3 - 2a... ] built below
        let base = from_vec((0..24).map(f64::from).collect::<Vec<_>>(), &[2, 3, 4]).unwrap();
        let id = Lens::identity(&[2, 3, 4]);
        let t = view_of(&id, &base, |v| permute_dims(v, &[2, 0, 1])); // t[k][i][j]
        let s = view_of(&t, &base, |v| {
            crate::getitem_arrays(v, &[slice(3, -2), slice(1, 1)])
        }); // s[a][b][j] = t[3 - 2a][1 + b][j]
        let r = view_of(&s, &base, |v| reshape(v, &[2, 3])); // (2, 1, 3) -> (2, 3): no copy
        let want: Vec<f64> = (0..2)
            .flat_map(|a| (0..3).map(move |j| (12 + 4 * j + 3 - 2 * a) as f64))
            .collect();
        assert_eq!(values(&r.read(&base)), want);
        // on an arange base the values are the positions
        assert_eq!(values(&r.positions(&[2, 3, 4]).unwrap()), want);
        // a write through the view lands at those positions of the base, and nowhere else
        let key = [IndexKey::Item(IndexItem::Int(1))];
        let new = write_through(&base, &r, &key, Operand::Scalar(Scalar::Float(-1.0))).unwrap();
        let mut expect: Vec<f64> = (0..24).map(f64::from).collect();
        for j in 0..3 {
            expect[12 + 4 * j + 1] = -1.0;
        }
        assert_eq!(values(&new), expect);
        // the transposed elements have no strides as one axis: a copy, as in NumPy
        assert!(matches!(
            t.derive(&t.read(&base), |v| reshape(v, &[-1])).unwrap(),
            Derived::Copy(_)
        ));
    }

    #[test]
    fn broadcast_lenses_overlap() {
        let base = from_vec(vec![1.0f64, 2.0], &[2]).unwrap();
        let id = Lens::identity(&[2]);
        let b = view_of(&id, &base, |v| crate::broadcast_to(v, &[3, 2]));
        assert!(b.overlaps() && !id.overlaps());
        assert_eq!(values(&b.read(&base)), [1.0, 2.0, 1.0, 2.0, 1.0, 2.0]);
    }
}
