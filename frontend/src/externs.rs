//! The one way the frontend builds extern nodes (matmul, sort, scans, joins, gathers, linalg; one
//! node per output): their dtypes and shapes come from `ExternOp::infer`, so the node satisfies the graph's rules by construction.
//! Also the build-time check of index values that are known without computing anything.

use crate::array::LazyArray;
use lazulite_ir::{ensure, ExternOp, Op, OperandInfo, Result, Scalar};

/// The node `op(operands)` of a single-output op (operands already promoted, cast and broadcast as
/// the op requires).
pub(crate) fn extern_node(op: ExternOp, operands: &[LazyArray]) -> Result<LazyArray> {
    let mut outs = extern_nodes(op, operands)?;
    ensure!(
        outs.len() == 1,
        Internal,
        "{}: {} outputs where one was expected",
        op.name(),
        outs.len()
    );
    Ok(outs.remove(0))
}

/// One node per output of `op(operands)`, in output order. They share their operands, so computing
/// any of them (or several at once) runs the op once.
pub(crate) fn extern_nodes(op: ExternOp, operands: &[LazyArray]) -> Result<Vec<LazyArray>> {
    let infos: Vec<OperandInfo> = operands
        .iter()
        .map(|o| OperandInfo {
            dtype: o.dtype(),
            shape: o.shape(),
        })
        .collect();
    Ok(op
        .infer(&infos)?
        .into_iter()
        .enumerate()
        .map(|(k, (dtype, shape))| {
            LazyArray::from_op(
                Op::Extern {
                    op,
                    output: k as u32,
                },
                operands.iter().cloned().collect(),
                dtype,
                shape,
            )
        })
        .collect())
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
