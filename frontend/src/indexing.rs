//! `take` and `take_along_axis`: extern gathers. Negative indices count from the end. Indices known
//! at build time (realized data or constants) are range-checked here (`Index`); others when the
//! gather runs, which never reads outside its buffer.

use crate::array::LazyArray;
use crate::externs::{check_known_indices, extern_node};
use crate::movement::broadcast_unchecked;
use lazulite_ir::shape::normalize_axis;
use lazulite_ir::{bail, ensure, DType, ExternOp, Result, Shape};

fn require_indices(name: &str, d: DType) -> Result<()> {
    if !d.is_integer() {
        bail!(
            Type,
            "{name}: indices of dtype {d}; indices must have an integer dtype (cast them with \
             astype(indices, int64))"
        );
    }
    Ok(())
}

/// `take(x, indices, axis)`: the elements at 1-D `indices` along `axis` (optional for 1-D `x`).
pub fn take(x: &LazyArray, indices: &LazyArray, axis: Option<isize>) -> Result<LazyArray> {
    let name = "take";
    require_indices(name, indices.dtype())?;
    ensure!(
        indices.ndim() == 1,
        Value,
        "{name}: indices of shape {:?}; indices must be one-dimensional",
        indices.shape()
    );
    let axis = match axis {
        Some(a) => normalize_axis(name, a, x.ndim())?,
        None => {
            ensure!(
                x.ndim() == 1,
                Value,
                "{name}: x has shape {:?}; pass axis= unless x is one-dimensional",
                x.shape()
            );
            0
        }
    };
    check_known_indices(name, indices, x.shape()[axis], axis)?;
    extern_node(
        ExternOp::Take { axis: axis as u32 },
        &[x.clone(), indices.clone()],
    )
}

/// `take_along_axis(x, indices, axis)`: `out[..., j, ...] = x[..., indices[..., j, ...], ...]` along
/// `axis`; the other axes of `x` and `indices` broadcast.
pub fn take_along_axis(x: &LazyArray, indices: &LazyArray, axis: isize) -> Result<LazyArray> {
    let name = "take_along_axis";
    require_indices(name, indices.dtype())?;
    ensure!(
        indices.ndim() == x.ndim(),
        Value,
        "{name}: indices of shape {:?} for x of shape {:?}; indices must have as many dimensions as x",
        indices.shape(),
        x.shape()
    );
    let a = normalize_axis(name, axis, x.ndim())?;
    let mut xs: Shape = x.shape().into();
    let mut is: Shape = indices.shape().into();
    for k in (0..x.ndim()).filter(|&k| k != a) {
        let (p, q) = (xs[k], is[k]);
        let b = match (p, q) {
            _ if p == q => p,
            (1, q) => q,
            (p, 1) => p,
            _ => bail!(
                Value,
                "{name}: x of shape {:?} and indices of shape {:?} do not broadcast: axis {k} has \
                 sizes {p} and {q}; off the take axis, sizes must match or be 1",
                x.shape(),
                indices.shape()
            ),
        };
        xs[k] = b;
        is[k] = b;
    }
    check_known_indices(name, indices, x.shape()[a], a)?;
    extern_node(
        ExternOp::TakeAlongAxis { axis: a as u32 },
        &[
            broadcast_unchecked(x, &xs),
            broadcast_unchecked(indices, &is),
        ],
    )
}
