//! A schedule: what the passes hand the runtime. Temporary buffers, steps (kernels and extern ops) in
//! execution order, and where each requested result lives.

use crate::device::Device;
use crate::dtype::DType;
use crate::extern_op::ExternOp;
use crate::kernel::Kernel;
use crate::shape::{Shape, Strides};
use std::sync::Arc;

/// A buffer of the executor: one of the caller's inputs (by graph input slot) or a temporary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BufferRef {
    Input(u32),
    Temp(u32),
}

/// A kernel operand: a buffer, the element offset of the first element read, and strides in elements
/// (one per loop dimension for inputs, one per outer dimension for outputs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operand {
    pub buffer: BufferRef,
    pub offset: isize,
    pub strides: Strides,
}

#[derive(Clone, Debug)]
pub struct KernelStep {
    pub kernel: Arc<Kernel>,
    /// Loop extents, one per loop dimension.
    pub shape: Shape,
    pub inputs: Vec<Operand>,
    pub outputs: Vec<Operand>,
    /// What was fused, for `explain`: e.g. `"mul, add, sqrt -> sum"`.
    pub label: String,
    /// Why the fusion group ended at this kernel's output (`fusion::decide`'s reason), for `explain`.
    pub end: &'static str,
}

/// An operand of an extern step: a buffer read with a layout (element offset and strides).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternOperand {
    pub buffer: BufferRef,
    pub offset: isize,
    pub strides: Strides,
    pub shape: Shape,
    pub dtype: DType,
}

/// An output of an extern step: a whole temp (index into [`Schedule::temps`]), written C-contiguous.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternOutput {
    pub temp: u32,
    pub shape: Shape,
    pub dtype: DType,
}

/// One extern op run by the runtime: it reads its operands (C-contiguous unless
/// [`ExternOp::reads_strided`] says otherwise) and writes every output (one per
/// [`ExternOp::num_outputs`], in order), whole and C-contiguous, each into its own temp.
#[derive(Clone, Debug)]
pub struct ExternStep {
    pub op: ExternOp,
    pub inputs: Vec<ExternOperand>,
    pub outputs: Vec<ExternOutput>,
}

#[derive(Clone, Debug)]
pub enum Step {
    Kernel(KernelStep),
    Extern(ExternStep),
}

impl Step {
    /// Every buffer the step reads or writes.
    pub fn buffers(&self) -> Vec<BufferRef> {
        match self {
            Step::Kernel(k) => k
                .inputs
                .iter()
                .chain(&k.outputs)
                .map(|o| o.buffer)
                .collect(),
            Step::Extern(e) => e
                .inputs
                .iter()
                .map(|o| o.buffer)
                .chain(e.outputs.iter().map(|o| BufferRef::Temp(o.temp)))
                .collect(),
        }
    }
}

/// A temporary buffer the executor allocates: `len` elements of `dtype`, on `device`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TempBuffer {
    pub dtype: DType,
    pub len: usize,
    pub device: Device,
}

/// Where a requested root's value lives after execution: a buffer read with a layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRef {
    pub buffer: BufferRef,
    pub offset: isize,
    pub strides: Strides,
    pub shape: Shape,
    pub dtype: DType,
}

#[derive(Clone, Debug, Default)]
pub struct Schedule {
    /// Where every step runs and every temp lives (the one device of the graph's inputs).
    pub device: Device,
    pub temps: Vec<TempBuffer>,
    pub steps: Vec<Step>,
    /// One per root, in the order the roots were given.
    pub results: Vec<ResultRef>,
}

impl Schedule {
    pub fn kernel_steps(&self) -> impl Iterator<Item = &KernelStep> {
        self.steps.iter().filter_map(|s| match s {
            Step::Kernel(k) => Some(k),
            Step::Extern(_) => None,
        })
    }

    pub fn extern_steps(&self) -> impl Iterator<Item = &ExternStep> {
        self.steps.iter().filter_map(|s| match s {
            Step::Extern(e) => Some(e),
            Step::Kernel(_) => None,
        })
    }
}
