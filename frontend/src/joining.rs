//! `concat` and `stack`: one extern join after promotion across all arrays.

use crate::array::LazyArray;
use crate::elementwise::cast;
use crate::externs::extern_node;
use crate::movement::{expand_dims, reshape};
use lazulite_ir::shape::{check_shape, normalize_axis};
use lazulite_ir::{ensure, promote_all, DType, ExternOp, Result, Shape};

fn common_dtype(name: &str, arrays: &[&LazyArray]) -> Result<DType> {
    ensure!(
        !arrays.is_empty(),
        Value,
        "{name}: got no arrays; pass a non-empty list of arrays"
    );
    let dtypes: Vec<DType> = arrays.iter().map(|a| a.dtype()).collect();
    promote_all(name, &dtypes)
}

/// `concat(arrays, axis)`: joins along an existing axis (flattening every array first when `axis` is
/// `None`), in the dtype all arrays promote to.
pub fn concat(arrays: &[&LazyArray], axis: Option<isize>) -> Result<LazyArray> {
    let name = "concat";
    let d = common_dtype(name, arrays)?;
    let (parts, axis): (Vec<LazyArray>, u32) = match axis {
        None => (
            arrays
                .iter()
                .map(|a| reshape(&cast(a, d), &[-1]))
                .collect::<Result<_>>()?,
            0,
        ),
        Some(a) => {
            let rank = arrays[0].ndim();
            for (i, x) in arrays.iter().enumerate() {
                ensure!(
                    x.ndim() == rank,
                    Value,
                    "{name}: array {i} has {} dimensions (shape {:?}) but array 0 has {rank} (shape \
                     {:?}); all arrays must have the same number of dimensions",
                    x.ndim(),
                    x.shape(),
                    arrays[0].shape()
                );
            }
            ensure!(
                rank > 0,
                Value,
                "{name}: zero-dimensional arrays cannot be concatenated along an axis; use \
                 axis=None or stack()"
            );
            let a = normalize_axis(name, a, rank)? as u32;
            (arrays.iter().map(|x| cast(x, d)).collect(), a)
        }
    };
    if let [only] = parts.as_slice() {
        return Ok(only.clone());
    }
    extern_node(ExternOp::Concat { axis }, &parts)
}

/// `stack(arrays, axis)`: joins arrays of one shape along a new axis at position `axis` of the
/// result.
pub fn stack(arrays: &[&LazyArray], axis: isize) -> Result<LazyArray> {
    let name = "stack";
    let d = common_dtype(name, arrays)?;
    let shape = arrays[0].shape();
    for (i, x) in arrays.iter().enumerate() {
        ensure!(
            x.shape() == shape,
            Value,
            "{name}: array {i} has shape {:?} but array 0 has shape {shape:?}; all arrays must have \
             the same shape",
            x.shape()
        );
    }
    let a = normalize_axis(name, axis, shape.len() + 1)? as isize;
    let mut stacked: Shape = shape.into();
    stacked.insert(a as usize, arrays.len());
    check_shape(name, &stacked)?;
    let parts: Vec<LazyArray> = arrays
        .iter()
        .map(|x| expand_dims(&cast(x, d), &[a]))
        .collect::<Result<_>>()?;
    if let [only] = parts.as_slice() {
        return Ok(only.clone());
    }
    extern_node(ExternOp::Concat { axis: a as u32 }, &parts)
}
