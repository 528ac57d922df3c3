//! `cumulative_sum` and `cumulative_prod`: extern scans in the accumulation dtype (the spec's
//! defaults, as for `sum` and `prod`: small signed integers widen to int64, small unsigned ones to
//! uint64).

use crate::array::LazyArray;
use crate::elementwise::cast;
use crate::externs::extern_node;
use lazulite_ir::shape::normalize_axis;
use lazulite_ir::{bail, ensure, DType, ExternOp, Result};

fn cumulative(
    product: bool,
    x: &LazyArray,
    axis: Option<isize>,
    dtype: Option<DType>,
    include_initial: bool,
) -> Result<LazyArray> {
    let name = if product {
        "cumulative_prod"
    } else {
        "cumulative_sum"
    };
    if x.dtype().is_bool() {
        bail!(
            Type,
            "{name}: got an array of dtype bool, but {name} requires a numeric dtype; cast it with \
             astype() first"
        );
    }
    let d = match dtype {
        Some(d) if d.is_bool() => bail!(
            Type,
            "{name}: dtype={d} is not a numeric dtype; pass a numeric dtype or None"
        ),
        Some(d) if x.dtype().is_complex() && !d.is_complex() => bail!(
            Type,
            "{name}: cannot accumulate an array of dtype {} in {d} (complex to real); pass a complex \
             dtype or None",
            x.dtype()
        ),
        Some(d) => d,
        None if x.dtype().is_signed_int() => DType::I64,
        None if x.dtype().is_unsigned_int() => DType::U64,
        None => x.dtype(),
    };
    ensure!(
        x.ndim() >= 1,
        Value,
        "{name}: the array is zero-dimensional; {name} needs at least one axis (use reshape(x, (1,)))"
    );
    let axis = match axis {
        Some(a) => normalize_axis(name, a, x.ndim())?,
        None => {
            ensure!(
                x.ndim() == 1,
                Value,
                "{name}: the array of shape {:?} has {} dimensions; pass axis= for arrays of more \
                 than one dimension",
                x.shape(),
                x.ndim()
            );
            0
        }
    } as u32;
    let op = if product {
        ExternOp::CumProd {
            axis,
            include_initial,
        }
    } else {
        ExternOp::CumSum {
            axis,
            include_initial,
        }
    };
    extern_node(op, &[cast(x, d)])
}

/// `cumulative_sum(x, axis, dtype, include_initial)`.
pub fn cumulative_sum(
    x: &LazyArray,
    axis: Option<isize>,
    dtype: Option<DType>,
    include_initial: bool,
) -> Result<LazyArray> {
    cumulative(false, x, axis, dtype, include_initial)
}

/// `cumulative_prod(x, axis, dtype, include_initial)`.
pub fn cumulative_prod(
    x: &LazyArray,
    axis: Option<isize>,
    dtype: Option<DType>,
    include_initial: bool,
) -> Result<LazyArray> {
    cumulative(true, x, axis, dtype, include_initial)
}
