//! lazulite's IR: what is computed, independent of how and where.
//!
//! - [`dtype`]: the 13 dtypes and the spec's promotion rules (weak Python scalars included);
//! - [`ops`]: the op table (names, accepted dtypes, result dtypes); [`semantics`]: what each op means
//!   on one element ([`semantics_complex`] for complex values, re-exported from `semantics`);
//! - [`shape`]: shapes, broadcasting, axes;
//! - [`graph`]: the graph IR (array ops in an interned arena); [`extern_op`]: ops that are not loop
//!   nests (matmul, sort, scans, joins, gathers, linalg), fusion barriers run by library routines,
//!   with one or several outputs; the FFT family's rules in [`extern_fft`];
//! - [`kernel`]: the kernel IR (one fused loop nest; each backend has its own call ABI);
//! - [`device`]: where data lives and kernels run;
//! - [`schedule`]: what the passes hand the runtime;
//! - [`verify`]: invariant checks;
//! - [`alloc`]: fallible allocation (a `Memory` error, never an abort); [`cancel`]: the cancel flag
//!   long work polls (Ctrl-C).
//!
//! This crate depends on no other crate of the workspace.

pub mod alloc;
pub mod cancel;
pub mod device;
pub mod dtype;
pub mod error;
pub mod extern_fft;
pub mod extern_op;
pub mod graph;
pub mod kernel;
pub mod ops;
pub mod scalar;
pub mod schedule;
pub mod semantics;
pub mod semantics_complex;
pub mod shape;
pub mod verify;

pub use device::Device;
pub use dtype::{can_cast, promote, promote_all, promote_with_scalar, DType, Kind, ScalarKind};
pub use error::{Error, ErrorKind, Result};
pub use extern_fft::{FftKind, FftNorm, FftOp};
pub use extern_op::{ExternOp, LinalgOp, OperandInfo, Outputs};
pub use graph::{AxisIndex, Graph, Node, NodeId, Op, ViewMap};
pub use kernel::{
    Inst, Instr, Kernel, KernelInput, KernelOutput, KernelReduce, StrideClass, ValueId,
};
pub use ops::{BinaryOp, ReduceOp, UnaryOp};
pub use scalar::Scalar;
pub use schedule::{
    BufferRef, ExternOperand, ExternOutput, ExternStep, KernelStep, Operand, ResultRef, Schedule,
    Step, TempBuffer,
};
pub use shape::{Shape, Strides};
