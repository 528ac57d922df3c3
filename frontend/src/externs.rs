//! The one way the frontend builds an extern node (matmul, sort, scans, joins, gathers): its dtype
//! and shape come from `ExternOp::infer`, so the node satisfies the graph's rules by construction.
//! Also the build-time check of index values that are known without computing anything.

use crate::array::LazyArray;
use lazulite_ir::{ensure, ExternOp, Op, OperandInfo, Result, Scalar};

/// The node `op(operands)` (operands already promoted, cast and broadcast as the op requires).
pub(crate) fn extern_node(op: ExternOp, operands: &[LazyArray]) -> Result<LazyArray> {
    let infos: Vec<OperandInfo> = operands
        .iter()
        .map(|o| OperandInfo {
            dtype: o.dtype(),
            shape: o.shape(),
        })
        .collect();
    let (dtype, shape) = op.infer(&infos)?;
    Ok(LazyArray::from_op(
        Op::Extern(op),
        operands.iter().cloned().collect(),
        dtype,
        shape,
    ))
}

/// Checks index values into an axis of `n` elements (negative ones count from the end) when they are
/// known without computing: `indices` is realized data or a constant. Other indices are checked when
/// the extern op runs.
pub(crate) fn check_known_indices(
    name: &str,
    indices: &LazyArray,
    n: usize,
    axis: usize,
) -> Result<()> {
    let check = |v: Scalar| -> Result<()> {
        let i = v.as_i128().unwrap_or(0);
        ensure!(
            (-(n as i128)..n as i128).contains(&i),
            Index,
            "{name}: index {i} is out of bounds for axis {axis} with size {n}; valid indices are {} \
             to {}",
            -(n as i128),
            n as i128 - 1
        );
        Ok(())
    };
    if let Some(Op::Fill(v)) = indices.pending_op() {
        if indices.size() > 0 {
            check(*v)?;
        }
    } else if let Some(data) = indices.realized() {
        let size = data.dtype.size();
        for chunk in data.try_to_contiguous_bytes(name)?.chunks_exact(size) {
            check(Scalar::from_bytes(data.dtype, chunk))?;
        }
    }
    Ok(())
}
