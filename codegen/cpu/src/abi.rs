//! The CPU call ABI: how the runtime calls a compiled kernel (and the interpreter, its twin). Host
//! pointers and a range of loop dimension 0: a kernel called on `[start, end)` computes only those
//! indices of dimension 0 (`[0, 1)` when `ndim == 0`), so the runtime can split one launch across
//! threads. When dimension 0 is reduced (no outer dims), each call reduces only its range and the
//! caller combines the partial results with `lazulite_ir::ReduceOp::combiner`.

/// The run-time arguments of a kernel call; the same layout for the compiled code and the interpreter.
///
/// Pointers refer to the first element each operand reads (offsets already applied).
#[repr(C)]
#[derive(Debug)]
pub struct KernelArgs {
    /// `ndim` loop extents.
    pub shape: *const i64,
    /// One pointer per input.
    pub inputs: *const *const u8,
    /// `inputs × ndim` strides in elements, input-major.
    pub in_strides: *const i64,
    /// One pointer per output.
    pub outputs: *const *mut u8,
    /// `outputs × n_outer` strides in elements, output-major.
    pub out_strides: *const i64,
}

/// The signature of a compiled kernel: computes loop-dimension-0 indices `start..end`.
pub type KernelFn = unsafe extern "C" fn(args: *const KernelArgs, start: i64, end: i64);
