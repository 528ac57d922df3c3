//! `argmax`, `argmin` and `searchsorted`: extern ops. argmax/argmin return the first occurrence (a
//! NaN counts as the extreme, as in NumPy); searchsorted finds insertion points in a 1-D array sorted
//! in `sort`'s order (NaNs last).

use crate::array::LazyArray;
use crate::elementwise::{cast, check_int_range, fill, scalar_kind, Operand};
use crate::externs::extern_node;
use crate::indexing::take;
use crate::movement::{expand_dims, reshape};
use crate::sorting::require_real;
use lazulite_ir::shape::normalize_axis;
use lazulite_ir::{bail, ensure, promote, promote_with_scalar, ExternOp, Result};

fn arg_extremum(
    max: bool,
    x: &LazyArray,
    axis: Option<isize>,
    keepdims: bool,
) -> Result<LazyArray> {
    let name = if max { "argmax" } else { "argmin" };
    require_real(name, x.dtype())?;
    let op = |axis: u32| {
        if max {
            ExternOp::ArgMax { axis }
        } else {
            ExternOp::ArgMin { axis }
        }
    };
    match axis {
        None => {
            ensure!(
                x.size() > 0,
                Value,
                "{name}: the array of shape {:?} is empty, and an empty sequence has no {}; pass a \
                 non-empty array",
                x.shape(),
                if max { "maximum" } else { "minimum" }
            );
            let flat = reshape(x, &[-1])?;
            let r = extern_node(op(0), &[flat])?;
            if keepdims {
                reshape(&r, &vec![1; x.ndim()])
            } else {
                Ok(r)
            }
        }
        Some(a) => {
            let a = normalize_axis(name, a, x.ndim())?;
            let r = extern_node(op(a as u32), std::slice::from_ref(x))?;
            if keepdims {
                expand_dims(&r, &[a as isize])
            } else {
                Ok(r)
            }
        }
    }
}

/// `argmax(x, axis, keepdims)`: int64 index of the first maximum (of the flattened array when
/// `axis` is `None`).
pub fn argmax(x: &LazyArray, axis: Option<isize>, keepdims: bool) -> Result<LazyArray> {
    arg_extremum(true, x, axis, keepdims)
}

/// `argmin(x, axis, keepdims)`: int64 index of the first minimum.
pub fn argmin(x: &LazyArray, axis: Option<isize>, keepdims: bool) -> Result<LazyArray> {
    arg_extremum(false, x, axis, keepdims)
}

/// Which insertion point `searchsorted` returns for values equal to elements of `x1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Before the equal run: `x1[i-1] < v <= x1[i]`.
    Left,
    /// After the equal run: `x1[i-1] <= v < x1[i]`.
    Right,
}

/// `searchsorted(x1, x2, side, sorter)`: int64 indices of the shape of `x2` (0-d for a Python
/// scalar, which takes `x1`'s dtype by the scalar rules). `x1` is 1-D and sorted ascending, or
/// `sorter` holds the indices that sort it.
pub fn searchsorted(
    x1: &LazyArray,
    x2: Operand,
    side: Side,
    sorter: Option<&LazyArray>,
) -> Result<LazyArray> {
    let name = "searchsorted";
    require_real(name, x1.dtype())?;
    ensure!(
        x1.ndim() == 1,
        Value,
        "{name}: x1 has shape {:?}; x1 must be one-dimensional",
        x1.shape()
    );
    let (d, values) = match x2 {
        Operand::Array(v) => {
            require_real(name, v.dtype())?;
            let d = promote(name, x1.dtype(), v.dtype())?;
            (d, cast(v, d))
        }
        Operand::Scalar(s) => {
            let d = promote_with_scalar(name, x1.dtype(), scalar_kind(s))?;
            require_real(name, d)?;
            check_int_range(name, s, d)?;
            (d, fill(s, d, &[]))
        }
    };
    let sorted = match sorter {
        None => x1.clone(),
        Some(s) => {
            if !s.dtype().is_integer() {
                bail!(
                    Type,
                    "{name}: sorter of dtype {}; sorter must hold integer indices",
                    s.dtype()
                );
            }
            ensure!(
                s.shape() == x1.shape(),
                Value,
                "{name}: sorter of shape {:?} for x1 of shape {:?}; they must have the same shape",
                s.shape(),
                x1.shape()
            );
            take(x1, s, Some(0))?
        }
    };
    let right = side == Side::Right;
    extern_node(
        ExternOp::SearchSorted { right },
        &[cast(&sorted, d), values],
    )
}
