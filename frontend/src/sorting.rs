//! `sort` and `argsort`: extern ops run with the standard library's sort. NaNs sort after every
//! number; `descending` is the exact reverse order (NaNs first) and, when `stable`, keeps equal
//! values in their original order, as the spec's stability rule asks.

use crate::array::LazyArray;
use crate::externs::extern_node;
use lazulite_ir::shape::normalize_axis;
use lazulite_ir::{bail, DType, ExternOp, Result};

/// The spec's dtype rule for sorting and searching: real numeric dtypes only.
pub(crate) fn require_real(name: &str, d: DType) -> Result<()> {
    if !d.is_real_numeric() {
        bail!(
            Type,
            "{name}: got an array of dtype {d}, but {name} requires a real numeric (integer or real \
             floating-point) dtype; cast it with astype() first"
        );
    }
    Ok(())
}

/// `sort(x, axis, descending, stable)`: a sorted copy along `axis`.
pub fn sort(x: &LazyArray, axis: isize, descending: bool, stable: bool) -> Result<LazyArray> {
    require_real("sort", x.dtype())?;
    let axis = normalize_axis("sort", axis, x.ndim())? as u32;
    extern_node(
        ExternOp::Sort {
            axis,
            descending,
            stable,
        },
        std::slice::from_ref(x),
    )
}

/// `argsort(x, axis, descending, stable)`: int64 indices that sort `x` along `axis`.
pub fn argsort(x: &LazyArray, axis: isize, descending: bool, stable: bool) -> Result<LazyArray> {
    require_real("argsort", x.dtype())?;
    let axis = normalize_axis("argsort", axis, x.ndim())? as u32;
    extern_node(
        ExternOp::ArgSort {
            axis,
            descending,
            stable,
        },
        std::slice::from_ref(x),
    )
}
