//! Linear algebra of the main namespace: `matmul` (an extern op run by gemm), `tensordot` (permute,
//! reshape, matmul) and `vecdot` (a fused multiply and sum; no extern op).

use crate::array::LazyArray;
use crate::elementwise::{binary, cast, unary, Operand};
use crate::externs::extern_node;
use crate::movement::{broadcast_unchecked, expand_dims, permute_dims, reshape, squeeze};
use lazulite_ir::shape::{broadcast_shapes, normalize_axis};
use lazulite_ir::{
    bail, ensure, promote, BinaryOp, DType, ExternOp, Op, ReduceOp, Result, Shape, UnaryOp,
};
use smallvec::smallvec;

/// The promoted dtype of two operands of a product, which must be numeric.
fn product_dtype(name: &str, a: DType, b: DType) -> Result<DType> {
    let d = promote(name, a, b)?;
    if d.is_bool() {
        bail!(
            Type,
            "{name}: got arrays of dtype {a} and {b}, but {name} requires numeric dtypes; cast them \
             with astype() first"
        );
    }
    Ok(d)
}

/// `matmul(x1, x2)` by the spec: a 1-D `x1` is a row `(1, k)` and a 1-D `x2` a column `(k, 1)`,
/// the added axes removed from the result; batch dimensions broadcast.
pub fn matmul(x1: &LazyArray, x2: &LazyArray) -> Result<LazyArray> {
    let name = "matmul";
    crate::array::common_device(name, &[x1, x2])?;
    let d = product_dtype(name, x1.dtype(), x2.dtype())?;
    ensure!(
        x1.ndim() >= 1 && x2.ndim() >= 1,
        Value,
        "{name}: operands of shapes {:?} and {:?}; matmul needs at least one dimension in each \
         (use multiply() for scalars)",
        x1.shape(),
        x2.shape()
    );
    let a = if x1.ndim() == 1 {
        expand_dims(x1, &[0])?
    } else {
        x1.clone()
    };
    let b = if x2.ndim() == 1 {
        expand_dims(x2, &[-1])?
    } else {
        x2.clone()
    };
    let (ra, rb) = (a.ndim(), b.ndim());
    let (m, k) = (a.shape()[ra - 2], a.shape()[ra - 1]);
    let (k2, n) = (b.shape()[rb - 2], b.shape()[rb - 1]);
    ensure!(
        k == k2,
        Value,
        "{name}: shapes {:?} and {:?} are not aligned: x1 has {k} columns but x2 has {k2} rows; \
         the last axis of x1 must match the {} axis of x2",
        x1.shape(),
        x2.shape(),
        if x2.ndim() == 1 {
            "only"
        } else {
            "second-to-last"
        }
    );
    let batch = broadcast_shapes(name, &a.shape()[..ra - 2], &b.shape()[..rb - 2])?;
    let full = |r: usize, c: usize| -> Shape { batch.iter().copied().chain([r, c]).collect() };
    let a = broadcast_unchecked(&cast(&a, d), &full(m, k));
    let b = broadcast_unchecked(&cast(&b, d), &full(k, n));
    let mut out = extern_node(ExternOp::MatMul, &[a, b])?;
    if x2.ndim() == 1 {
        out = squeeze(&out, &[-1])?;
    }
    if x1.ndim() == 1 {
        out = squeeze(&out, &[if x2.ndim() == 1 { -1 } else { -2 }])?;
    }
    Ok(out)
}

/// The `axes` argument of [`tensordot`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TensordotAxes {
    /// Contract the last `N` axes of `x1` with the first `N` axes of `x2` (`N >= 0`).
    Count(i64),
    /// Contract `x1` axes `.0[i]` with `x2` axes `.1[i]` (negative axes count from the end).
    Pairs(Vec<isize>, Vec<isize>),
}

/// Axes of an array of rank `ndim`, normalised, each once.
fn contracted(name: &str, which: &str, axes: &[isize], ndim: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let k = normalize_axis(name, a, ndim)?;
        ensure!(
            !out.contains(&k),
            Value,
            "{name}: axis {a} of {which} is given twice in {axes:?}; each axis can be contracted once"
        );
        out.push(k);
    }
    Ok(out)
}

/// `tensordot(x1, x2, axes)`: the contraction of the given axes; the result has the free axes of
/// `x1`, then those of `x2`. Runs as one matmul of `x1` permuted and reshaped to (free, contracted)
/// by `x2` reshaped to (contracted, free).
pub fn tensordot(x1: &LazyArray, x2: &LazyArray, axes: &TensordotAxes) -> Result<LazyArray> {
    let name = "tensordot";
    let d = product_dtype(name, x1.dtype(), x2.dtype())?;
    let (n1, n2) = (x1.ndim(), x2.ndim());
    let (a1, a2) = match axes {
        TensordotAxes::Count(c) => {
            ensure!(
                *c >= 0,
                Value,
                "{name}: axes={c} is negative; an integer axes counts contracted axes and must be >= 0"
            );
            let c = *c as usize;
            ensure!(
                c <= n1 && c <= n2,
                Value,
                "{name}: axes={c} exceeds the dimensions of x1 {:?} or x2 {:?}; contract at most \
                 min(x1.ndim, x2.ndim) axes",
                x1.shape(),
                x2.shape()
            );
            ((n1 - c..n1).collect::<Vec<_>>(), (0..c).collect::<Vec<_>>())
        }
        TensordotAxes::Pairs(p, q) => {
            ensure!(
                p.len() == q.len(),
                Value,
                "{name}: axes {p:?} and {q:?} have different lengths; give one x2 axis per x1 axis"
            );
            (
                contracted(name, "x1", p, n1)?,
                contracted(name, "x2", q, n2)?,
            )
        }
    };
    for (&i, &j) in a1.iter().zip(&a2) {
        ensure!(
            x1.shape()[i] == x2.shape()[j],
            Value,
            "{name}: axis {i} of x1 {:?} has size {} but axis {j} of x2 {:?} has size {}; contracted \
             axes must have equal sizes (they are not broadcast)",
            x1.shape(),
            x1.shape()[i],
            x2.shape(),
            x2.shape()[j]
        );
    }
    let free1: Vec<usize> = (0..n1).filter(|k| !a1.contains(k)).collect();
    let free2: Vec<usize> = (0..n2).filter(|k| !a2.contains(k)).collect();
    let size = |x: &LazyArray, axes: &[usize]| -> isize {
        axes.iter().map(|&k| x.shape()[k]).product::<usize>() as isize
    };
    let (m, k, n) = (size(x1, &free1), size(x1, &a1), size(x2, &free2));
    let perm1: Vec<isize> = free1.iter().chain(&a1).map(|&k| k as isize).collect();
    let perm2: Vec<isize> = a2.iter().chain(&free2).map(|&k| k as isize).collect();
    let left = reshape(&permute_dims(&cast(x1, d), &perm1)?, &[m, k])?;
    let right = reshape(&permute_dims(&cast(x2, d), &perm2)?, &[k, n])?;
    let prod = extern_node(ExternOp::MatMul, &[left, right])?;
    let out: Vec<isize> = free1
        .iter()
        .map(|&k| x1.shape()[k] as isize)
        .chain(free2.iter().map(|&k| x2.shape()[k] as isize))
        .collect();
    reshape(&prod, &out)
}

/// `vecdot(x1, x2, axis)`: `sum(conj(x1) * x2, axis)` over broadcast operands, in the promoted dtype.
/// `axis` must be negative (the spec counts it from the end of each operand, before broadcasting).
pub fn vecdot(x1: &LazyArray, x2: &LazyArray, axis: isize) -> Result<LazyArray> {
    let name = "vecdot";
    let d = product_dtype(name, x1.dtype(), x2.dtype())?;
    let min_rank = x1.ndim().min(x2.ndim()) as isize;
    ensure!(
        axis < 0 && axis >= -min_rank,
        Value,
        "{name}: axis {axis} is not in [-{min_rank}, -1] for arrays of shapes {:?} and {:?}; give \
         a negative axis counted from the end",
        x1.shape(),
        x2.shape()
    );
    let (s1, s2) = (
        x1.shape()[(x1.ndim() as isize + axis) as usize],
        x2.shape()[(x2.ndim() as isize + axis) as usize],
    );
    ensure!(
        s1 == s2,
        Value,
        "{name}: axis {axis} has size {s1} in x1 {:?} but {s2} in x2 {:?}; the contracted axis must \
         have the same size in both (it is not broadcast)",
        x1.shape(),
        x2.shape()
    );
    let a = cast(x1, d);
    let a = if d.is_complex() {
        unary(UnaryOp::Conj, &a)?
    } else {
        a
    };
    let prod = binary(
        BinaryOp::Mul,
        Operand::Array(&a),
        Operand::Array(&cast(x2, d)),
    )?;
    let ax = normalize_axis(name, axis, prod.ndim())?;
    let shape: Shape = prod
        .shape()
        .iter()
        .enumerate()
        .filter(|&(k, _)| k != ax)
        .map(|(_, &e)| e)
        .collect();
    Ok(LazyArray::from_op(
        Op::Reduce {
            op: ReduceOp::Sum,
            axes: smallvec![ax as u32],
        },
        smallvec![prod],
        d,
        shape,
    ))
}
