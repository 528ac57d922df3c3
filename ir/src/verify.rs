//! The verifier: checks the invariants every pass and backend relies on. Cheap enough to run after every
//! pass in debug builds.

use crate::dtype::DType;
use crate::error::Result;
use crate::extern_op::OperandInfo;
use crate::graph::{Graph, Op};
use crate::kernel::{Inst, Instr, Kernel};
use crate::ops::Returns;
use crate::shape::numel;
use crate::{bail, ensure};

/// Checks a kernel: SSA order, operand dtypes against the op table, reductions and outputs in range.
pub fn verify_kernel(k: &Kernel) -> Result<()> {
    ensure!(
        k.n_reduce <= k.ndim,
        Internal,
        "kernel: n_reduce {} > ndim {}",
        k.n_reduce,
        k.ndim
    );
    ensure!(
        (k.n_reduce == 0) == k.reduces.is_empty(),
        Internal,
        "kernel: reduced dims and reductions must come together"
    );
    verify_block(k, &k.body, false)?;
    for r in &k.reduces {
        ensure!(
            (r.value as usize) < k.body.len(),
            Internal,
            "kernel: reduction reads missing value %{}",
            r.value
        );
        let d = k.body[r.value as usize].dtype;
        r.op.result_dtype(d)
            .map_err(|e| crate::Error::new(crate::ErrorKind::Internal, format!("kernel: {e}")))?;
    }
    if k.n_reduce > 0 {
        verify_block(k, &k.epilogue, true)?;
    } else {
        ensure!(
            k.epilogue.is_empty(),
            Internal,
            "kernel: epilogue without reduction"
        );
    }
    let results = if k.n_reduce > 0 { &k.epilogue } else { &k.body };
    for o in &k.outputs {
        let v = results.get(o.value as usize);
        ensure!(
            v.is_some_and(|v| v.dtype == o.dtype),
            Internal,
            "kernel: output reads %{} of the wrong dtype",
            o.value
        );
    }
    Ok(())
}

fn verify_block(k: &Kernel, block: &[Instr], epilogue: bool) -> Result<()> {
    for (i, ins) in block.iter().enumerate() {
        let arg = |v: u32| -> Result<DType> {
            ensure!(
                (v as usize) < i,
                Internal,
                "kernel: %{i} uses %{v} before it is defined"
            );
            Ok(block[v as usize].dtype)
        };
        match &ins.inst {
            Inst::Load { input } => {
                let inp = k.inputs.get(*input as usize);
                ensure!(
                    inp.is_some_and(|p| p.dtype == ins.dtype),
                    Internal,
                    "kernel: %{i} loads input {input} with the wrong dtype"
                );
            }
            Inst::Const(_) => {}
            Inst::Unary(op, a) => {
                let d = arg(*a)?;
                let want = match op.returns() {
                    Returns::Same => d,
                    Returns::Bool => DType::Bool,
                    Returns::RealPart => d.real_part(),
                };
                ensure!(
                    op.accepts().allows(d) && want == ins.dtype,
                    Internal,
                    "kernel: %{i} {} on {d} -> {}",
                    op.name(),
                    ins.dtype
                );
            }
            Inst::Binary(op, a, b) => {
                let (da, db) = (arg(*a)?, arg(*b)?);
                ensure!(
                    da == db,
                    Internal,
                    "kernel: %{i} {} mixes {da} and {db}",
                    op.name()
                );
                let want = op
                    .result_dtype_promoted(da)
                    .map_err(|e| crate::Error::new(crate::ErrorKind::Internal, e.message))?;
                ensure!(
                    want == ins.dtype,
                    Internal,
                    "kernel: %{i} {} on {da} gives {want}, not {}",
                    op.name(),
                    ins.dtype
                );
            }
            Inst::Select { cond, a, b } => {
                ensure!(
                    arg(*cond)? == DType::Bool,
                    Internal,
                    "kernel: %{i} select condition is not bool"
                );
                ensure!(
                    arg(*a)? == ins.dtype && arg(*b)? == ins.dtype,
                    Internal,
                    "kernel: %{i} select operands differ"
                );
            }
            Inst::Cast(a) => {
                arg(*a)?;
            }
            Inst::Reduced(r) => {
                ensure!(
                    epilogue,
                    Internal,
                    "kernel: %{i} Reduced outside the epilogue"
                );
                let red = k.reduces.get(*r as usize);
                ensure!(
                    red.is_some_and(|red| k.body[red.value as usize].dtype == ins.dtype),
                    Internal,
                    "kernel: %{i} reads reduction {r} with the wrong dtype"
                );
            }
        }
    }
    Ok(())
}

/// Checks a graph: operand counts and shapes per op.
pub fn verify_graph(g: &Graph) -> Result<()> {
    for (id, n) in g.nodes() {
        let ins: Vec<_> = n.inputs.iter().map(|&i| g.node(i)).collect();
        let arity = match &n.op {
            Op::Input { .. } | Op::Fill(_) => 0,
            Op::Unary(_) | Op::Cast | Op::Reduce { .. } | Op::View(_) | Op::Reshape => 1,
            Op::Binary(_) => 2,
            Op::Where => 3,
            Op::Extern { op, .. } => op.arity().unwrap_or(ins.len().max(1)),
        };
        ensure!(
            ins.len() == arity,
            Internal,
            "graph: node {} ({}) has {} operands, expected {arity}",
            id.0,
            n.op.name(),
            ins.len()
        );
        match &n.op {
            Op::Unary(_) | Op::Binary(_) | Op::Where | Op::Cast => {
                ensure!(
                    ins.iter().all(|i| i.shape == n.shape),
                    Internal,
                    "graph: elementwise node {} has operands of other shapes",
                    id.0
                )
            }
            Op::Input { strides, .. } => {
                ensure!(
                    strides.len() == n.shape.len(),
                    Internal,
                    "graph: input node {} strides/rank mismatch",
                    id.0
                )
            }
            Op::Reduce { axes, .. } => {
                let src = &ins[0].shape;
                ensure!(
                    axes.iter().all(|&a| (a as usize) < src.len()),
                    Internal,
                    "graph: node {} reduces a missing axis",
                    id.0
                );
                let kept: Vec<usize> = src
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !axes.contains(&(*i as u32)))
                    .map(|(_, &s)| s)
                    .collect();
                ensure!(
                    kept.as_slice() == n.shape.as_slice(),
                    Internal,
                    "graph: node {} reduce shape mismatch",
                    id.0
                );
            }
            Op::View(v) => {
                ensure!(
                    v.axes.len() == n.shape.len(),
                    Internal,
                    "graph: view node {} rank mismatch",
                    id.0
                );
                ensure!(
                    v.start.len() == ins[0].shape.len(),
                    Internal,
                    "graph: view node {} source rank mismatch",
                    id.0
                );
            }
            Op::Reshape => {
                ensure!(
                    numel(&ins[0].shape) == numel(&n.shape),
                    Internal,
                    "graph: reshape node {} changes the size",
                    id.0
                )
            }
            Op::Extern { op: e, output } => {
                let operands: Vec<OperandInfo> = ins
                    .iter()
                    .map(|i| OperandInfo {
                        dtype: i.dtype,
                        shape: &i.shape,
                    })
                    .collect();
                let outputs = e.infer(&operands).map_err(|err| {
                    crate::Error::new(
                        crate::ErrorKind::Internal,
                        format!("graph: extern node {}: {}", id.0, err.message),
                    )
                })?;
                let Some((dtype, shape)) = outputs.into_iter().nth(*output as usize) else {
                    bail!(
                        Internal,
                        "graph: extern node {} is output {output} of {}, which has {}",
                        id.0,
                        e.name(),
                        e.num_outputs()
                    );
                };
                ensure!(
                    dtype == n.dtype && shape == n.shape,
                    Internal,
                    "graph: extern node {} ({}) is {} {:?}, its operands give {dtype} {:?}",
                    id.0,
                    e.name(),
                    n.dtype,
                    n.shape.as_slice(),
                    shape.as_slice()
                );
            }
            Op::Fill(_) => {}
        }
        if let Op::Cast = n.op {
        } else if matches!(n.op, Op::Where) && ins[0].dtype != DType::Bool {
            bail!(
                Internal,
                "graph: where node {} has a non-bool condition",
                id.0
            );
        }
    }
    Ok(())
}
