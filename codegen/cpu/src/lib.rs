//! Kernel IR -> Cranelift machine code. (API skeleton: the codegen owner replaces the bodies.)

use lazulite_ir::{Error, ErrorKind, Kernel, KernelFn, Result};
use std::time::Duration;

/// A compiled kernel. It owns its code: dropping it frees the machine code. `Send + Sync`.
pub struct CompiledKernel {
    entry: KernelFn,
    compile_time: Duration,
}

impl CompiledKernel {
    /// The entry point, callable as long as `self` lives.
    pub fn entry(&self) -> KernelFn {
        self.entry
    }

    /// How long compilation took.
    pub fn compile_time(&self) -> Duration {
        self.compile_time
    }
}

/// Compiles a kernel. Kernels the backend does not handle (yet) give `ErrorKind::NotImplemented`; the
/// runtime then runs them through the interpreter.
pub fn compile(kernel: &Kernel) -> Result<CompiledKernel> {
    Err(Error::new(ErrorKind::NotImplemented, format!("cranelift backend: kernel {:x} not supported", kernel.fingerprint())))
}
