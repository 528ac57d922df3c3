//! The kernel IR: one fused loop nest, backend-neutral. Sizes and strides are run-time arguments, so the
//! kernel itself (which derives `Hash` and `Eq`) is its own structural cache key: one compiled kernel
//! serves every size.
//!
//! # Semantics
//! The loop nest has `ndim` dimensions; the first `ndim - n_reduce` are *outer* (one output element
//! each), the last `n_reduce` are *reduced*. For every outer point:
//! 1. `body` runs at every point of the reduced dims (or once, when `n_reduce == 0`). `Load { input }`
//!    reads input `input` at `ptr + Σ idx[d] * stride[d]` (elements).
//! 2. each entry of `reduces` folds one body value over the reduced dims with its op, starting from the
//!    op's identity (min/max start from the first element);
//! 3. `epilogue` runs once (only when `n_reduce > 0`): `Reduced(k)` is the k-th reduction's result and
//!    `Load` reads its input at the outer point (reduced indices 0);
//! 4. each output stores its value (from `body` when `n_reduce == 0`, else from `epilogue`) at
//!    `ptr + Σ outer_idx[d] * stride[d]`.
//!
//! Booleans are bytes holding 0 or 1. How a backend maps the loop nest onto its hardware (the CPU's
//! call over a range of dimension 0 split across threads, CUDA's grid) and how it passes sizes,
//! strides and pointers is the backend's own ABI, not part of this IR.

use crate::dtype::DType;
use crate::ops::{BinaryOp, ReduceOp, UnaryOp};
use crate::scalar::Scalar;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

/// Index of an instruction within its block (`body` or `epilogue`).
pub type ValueId = u32;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Inst {
    Load {
        input: u32,
    },
    Const(Scalar),
    /// Operand of the op's input dtype; result of the instruction's dtype.
    Unary(UnaryOp, ValueId),
    /// Both operands of one dtype.
    Binary(BinaryOp, ValueId, ValueId),
    /// `cond ? a : b`; `cond` is bool.
    Select {
        cond: ValueId,
        a: ValueId,
        b: ValueId,
    },
    /// Conversion to the instruction's dtype with `astype` rules.
    Cast(ValueId),
    /// Epilogue only: the result of reduction `k`.
    Reduced(u32),
}

/// An instruction and the dtype it produces.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Instr {
    pub inst: Inst,
    pub dtype: DType,
}

/// How an operand moves along the innermost loop dimension: this decides the code shape (vector
/// loads, a splat, or gathers), so it is part of the key; the stride itself is a run-time argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StrideClass {
    /// Stride 1.
    Contiguous,
    /// Stride 0.
    Broadcast,
    /// Anything else.
    Strided,
}

impl StrideClass {
    pub fn of(stride: isize) -> StrideClass {
        match stride {
            1 => StrideClass::Contiguous,
            0 => StrideClass::Broadcast,
            _ => StrideClass::Strided,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KernelInput {
    pub dtype: DType,
    /// Class of the stride along loop dimension `ndim - 1`.
    pub inner: StrideClass,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KernelReduce {
    pub op: ReduceOp,
    /// A body value; the accumulator has its dtype.
    pub value: ValueId,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KernelOutput {
    pub value: ValueId,
    pub dtype: DType,
    /// Class of the stride along the innermost *outer* dimension.
    pub inner: StrideClass,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Kernel {
    pub ndim: u32,
    pub n_reduce: u32,
    pub inputs: Vec<KernelInput>,
    pub body: Vec<Instr>,
    pub reduces: Vec<KernelReduce>,
    pub epilogue: Vec<Instr>,
    pub outputs: Vec<KernelOutput>,
}

impl Kernel {
    pub fn n_outer(&self) -> usize {
        (self.ndim - self.n_reduce) as usize
    }

    /// A short stable hash of the structure (for names and logs).
    pub fn fingerprint(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.hash(&mut h);
        h.finish()
    }

    /// A readable listing (used by `explain` and in test failures).
    pub fn pretty(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "kernel ndim={} reduce={}", self.ndim, self.n_reduce);
        for (i, inp) in self.inputs.iter().enumerate() {
            let _ = writeln!(s, "  in{i}: {} {:?}", inp.dtype, inp.inner);
        }
        let block = |s: &mut String, name: &str, b: &[Instr]| {
            let _ = writeln!(s, "  {name}:");
            for (i, ins) in b.iter().enumerate() {
                let _ = writeln!(s, "    %{i}: {} = {}", ins.dtype, fmt_inst(&ins.inst));
            }
        };
        block(&mut s, "body", &self.body);
        for (k, r) in self.reduces.iter().enumerate() {
            let _ = writeln!(s, "  reduce{k} = {}(%{})", r.op.name(), r.value);
        }
        if self.n_reduce > 0 {
            block(&mut s, "epilogue", &self.epilogue);
        }
        for (k, o) in self.outputs.iter().enumerate() {
            let _ = writeln!(s, "  out{k}: {} = %{} {:?}", o.dtype, o.value, o.inner);
        }
        s
    }
}

fn fmt_inst(i: &Inst) -> String {
    match i {
        Inst::Load { input } => format!("load in{input}"),
        Inst::Const(c) => format!("const {c:?}"),
        Inst::Unary(op, a) => format!("{}(%{a})", op.name()),
        Inst::Binary(op, a, b) => format!("{}(%{a}, %{b})", op.name()),
        Inst::Select { cond, a, b } => format!("select(%{cond}, %{a}, %{b})"),
        Inst::Cast(a) => format!("cast(%{a})"),
        Inst::Reduced(k) => format!("reduced {k}"),
    }
}
