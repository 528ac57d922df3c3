//! Kernel IR -> Cranelift machine code.
//!
//! [`compile`] turns one [`Kernel`] into native code with the [`KernelFn`] ABI: a loop nest over the
//! kernel's dims (dimension 0 restricted to the caller's `[start, end)`), the innermost loop as a
//! 128-bit vector loop where the layout allows, reductions in registers (a main loop with up to 8
//! copies of the body per iteration, each with its own vector accumulator). A reduction over an axis
//! that is strided in memory (`sum(x, axis=0)` of a C-order matrix) is vectorized across the innermost
//! outer dim instead: each lane is its own output element, accumulators for a block of outer points
//! live in a stack buffer, and the reduced dims are walked row by row (see `plan`).
//!
//! Vector `exp` and `log` (f64 and f32) are inline code within 2 ulp of
//! `lazulite_ir::semantics` (at most 1 measured; special cases exact), not bit for bit, and so is
//! float32 `pow` (`jit/pow.rs`, within 1 ulp); scalar code calls the semantics for them. Other ops without an instruction lowering call
//! `lazulite_ir::semantics` through a small symbol table (see `helpers`). All Cranelift calls live in
//! `jit`.

mod abi;
mod helpers;
mod jit;
mod plan;

pub use abi::{KernelArgs, KernelFn};
use lazulite_ir::{Error, ErrorKind, Kernel, Result};
use std::time::{Duration, Instant};

/// A compiled kernel. It owns its code: dropping it frees the machine code. `Send + Sync`.
pub struct CompiledKernel {
    entry: KernelFn,
    compile_time: Duration,
    lanes: u32,
    groups: u32,
    quality: CodeQuality,
    module: Option<cranelift_jit::JITModule>,
}

// SAFETY: after `finalize_definitions` the module is never touched again except by `Drop`, which has
// exclusive access; the code it maps is immutable and may run on any thread.
unsafe impl Send for CompiledKernel {}
// SAFETY: as above: shared references only hand out the entry pointer, which is immutable code.
unsafe impl Sync for CompiledKernel {}

impl CompiledKernel {
    /// The entry point, callable as long as `self` lives.
    pub fn entry(&self) -> KernelFn {
        self.entry
    }

    /// How long compilation took.
    pub fn compile_time(&self) -> Duration {
        self.compile_time
    }

    /// Vector lanes: 1 for scalar code, 2/4/8/16 for a 128-bit vector loop (the innermost loop, or for
    /// a reduction over a strided axis, the innermost outer dimension).
    pub fn vector_lanes(&self) -> u32 {
        self.lanes
    }

    /// Vectors per iteration of the elementwise vector loop, their bodies interleaved (1 for scalar
    /// code and reductions; see `plan::groups`).
    pub fn vector_groups(&self) -> u32 {
        self.groups
    }

    /// The code quality it was compiled for.
    pub fn quality(&self) -> CodeQuality {
        self.quality
    }
}

/// How hard the code generator works on a kernel: the runtime's first tier compiles `Quick` code
/// for a large cold kernel and replaces it with `Optimized` code compiled in the background.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeQuality {
    /// Single-pass register allocation: about half the compile time; the code spills more (the
    /// 20-op float32 trig chain runs about 1.65x longer).
    Quick,
    /// Backtracking register allocation (what [`compile`] does).
    Optimized,
    /// `Optimized` code of one vector per loop iteration, whatever [`planned_groups`] says: the
    /// compile time of one copy of the body (the 20-op float32 trig chain: about half of its
    /// 2-group compile) for code that runs that chain about 1.6x longer. The runtime's first call of
    /// a large cold kernel with interleaved groups compiles this and the wide code in the background
    /// once the kernel is called again.
    Narrow,
    /// `Optimized` code with as many interleaved vectors as `plan::WIDE_BUDGET` allows (the 20-op
    /// trig chain: 4 instead of 2): about twice the compile time for code ~35% faster on long trig
    /// chains. For compiles no call waits for (the runtime's background compiler).
    Wide,
}

impl Drop for CompiledKernel {
    fn drop(&mut self) {
        if let Some(m) = self.module.take() {
            // SAFETY: the code of this module is only reachable through `self.entry`, which cannot
            // be called any more once `self` is dropped (callers must not keep the pointer).
            unsafe { m.free_memory() };
        }
    }
}

/// Sets up what every compilation of `quality` shares (its host ISA, detected once), so that the first
/// [`compile`] does not pay for it. Optional: `compile` does it when needed; an error here is left
/// for the first `compile` to report.
pub fn warm_up(quality: CodeQuality) {
    let _ = jit::isa(quality);
}

/// Compiles a kernel. Kernels the backend does not handle (yet) give `ErrorKind::NotImplemented`; the
/// runtime then runs them through the interpreter.
pub fn compile(kernel: &Kernel) -> Result<CompiledKernel> {
    compile_with(kernel, CodeQuality::Optimized)
}

/// Vectors per iteration (interleaved copies of the body) that [`compile_with`] gives `kernel`'s
/// loop as code of `quality`: 1 unless it is a long elementwise vector body (see `plan::groups`),
/// and always 1 for `Narrow`. Cheap: no Cranelift call.
pub fn planned_groups(kernel: &Kernel, quality: CodeQuality) -> u32 {
    plan_for(kernel, quality).groups
}

/// The code shape of `kernel` as code of `quality`.
fn plan_for(kernel: &Kernel, quality: CodeQuality) -> plan::Plan {
    match quality {
        CodeQuality::Wide => plan::plan_within(kernel, plan::WIDE_BUDGET),
        CodeQuality::Narrow => plan::Plan {
            groups: 1,
            ..plan::plan(kernel)
        },
        CodeQuality::Optimized | CodeQuality::Quick => plan::plan(kernel),
    }
}

/// [`compile`] for code of `quality`.
pub fn compile_with(kernel: &Kernel, quality: CodeQuality) -> Result<CompiledKernel> {
    let t0 = Instant::now();
    if let Err(what) = jit::supported(kernel) {
        return Err(Error::new(
            ErrorKind::NotImplemented,
            format!(
                "cranelift backend: kernel {:x} uses {what}, which it does not compile; run it through the interpreter",
                kernel.fingerprint()
            ),
        ));
    }
    lazulite_ir::verify::verify_kernel(kernel)?;
    let plan = plan_for(kernel, quality);
    let (built, plan) = match jit::build(kernel, plan, quality) {
        Ok(b) => (b, plan),
        // A vector lowering Cranelift rejects on this host: the scalar loop always works.
        Err(_) if plan != plan::Plan::SCALAR => (
            jit::build(kernel, plan::Plan::SCALAR, quality)?,
            plan::Plan::SCALAR,
        ),
        Err(e) => return Err(e),
    };
    Ok(CompiledKernel {
        entry: built.entry,
        compile_time: t0.elapsed(),
        lanes: plan.lanes.max(plan.outer_lanes),
        groups: plan.groups,
        quality,
        module: Some(built.module),
    })
}
