//! The seam between the executor and the backends: one small trait, [`Backend`], that the executor
//! (`exec.rs`) is generic over. A backend compiles kernels, allocates and copies buffers on its
//! device, launches kernel steps and runs extern steps. [`cpu::CpuBackend`] (Cranelift + the
//! interpreter + the rayon pool) and [`cuda::CudaBackend`] (NVRTC + the CUDA driver) implement it.
//!
//! The executor is monomorphised per backend, so the CPU path pays no dynamic dispatch. A schedule's
//! [`Device`] picks its backend ([`crate::execute`]). Kernel caches are keyed by [`KernelKey`]: the
//! kernel structure, the backend and its target, so that one kernel compiled for two backends (or two
//! GPU architectures) is two entries.

pub mod cpu;
pub mod cuda;
pub mod cuda_matmul;
pub mod driver;
mod emu_driver;
pub mod pool;

use crate::buffer::{ArrayData, Buffer};
use crate::exec::StepReport;
use crate::rowblock::RowRun;
use lazulite_ir::cancel::Cancel;
use lazulite_ir::{Device, ExternStep, Kernel, KernelStep, Result, Schedule};
use std::sync::Arc;

/// Which code generator a backend uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// Cranelift machine code for the host (and the kernel-IR interpreter).
    Cpu,
    /// CUDA C compiled by NVRTC.
    Cuda,
}

/// The key of every kernel cache: what the generated code depends on, and nothing else (no sizes, no
/// addresses).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KernelKey {
    pub kernel: Arc<Kernel>,
    pub backend: BackendKind,
    /// What the code is generated for: the host's architecture, or a GPU architecture (`sm_90`).
    pub target: Arc<str>,
}

/// One backend, as the executor sees it.
///
/// Inputs live on the backend's device (the executor checks; a CUDA backend also takes host scalar
/// parameters, which it copies), and results stay there ([`Backend::result_buffer`]).
pub trait Backend: Sync {
    /// A buffer in this backend's memory.
    type Mem;
    /// A compiled kernel.
    type Code;

    /// The device this backend runs on.
    fn device(&self) -> Device;
    fn kind(&self) -> BackendKind;
    /// What code is generated for (part of [`KernelKey`]).
    fn target(&self) -> Arc<str>;

    /// The cache key of `kernel` on this backend.
    fn key(&self, kernel: &Arc<Kernel>) -> KernelKey {
        KernelKey {
            kernel: kernel.clone(),
            backend: self.kind(),
            target: self.target(),
        }
    }

    /// Compiles one kernel (uncached; the caches sit above this call).
    fn compile(&self, kernel: &Kernel) -> Result<Self::Code>;
    /// `bytes` bytes of device memory; `what` names the value for a `Memory` error.
    fn allocate(&self, what: &str, bytes: usize) -> Result<Self::Mem>;
    /// Copies host bytes into the start of `dst` (at most its length).
    fn copy_from_host(&self, src: &[u8], dst: &mut Self::Mem) -> Result<()>;
    /// The contents of `src` in host memory (the CPU backend shares the buffer, no copy).
    fn copy_to_host(&self, src: &Self::Mem) -> Result<Arc<Buffer>>;
    /// A temporary that is a result of the schedule, as the buffer of the result array: on the
    /// backend's device, no copy.
    fn result_buffer(&self, mem: Self::Mem) -> Result<Arc<Buffer>>;
    /// Runs kernel step `si` (checked by the executor; its output temps are allocated).
    fn launch(
        &self,
        si: usize,
        step: &KernelStep,
        inputs: &[ArrayData],
        temps: &[Option<Self::Mem>],
        cancel: &Cancel,
    ) -> Result<StepReport>;
    /// The runs of kernel steps that [`Backend::launch_rows`] takes together, in step order: none
    /// by default.
    fn row_runs(&self, _schedule: &Schedule) -> Vec<RowRun> {
        Vec::new()
    }
    /// Runs the kernel steps of `run` (one of [`Backend::row_runs`]) together (checked by the
    /// executor; their output temps are allocated, except `run.scratch`), one report per step.
    /// `None` when this backend does not, and the executor runs them one by one (never with
    /// scratch temps: only the backends that run them list runs).
    fn launch_rows(
        &self,
        _run: &RowRun,
        _steps: &[&KernelStep],
        _inputs: &[ArrayData],
        _temps: &[Option<Self::Mem>],
        _cancel: &Cancel,
    ) -> Result<Option<Vec<StepReport>>> {
        Ok(None)
    }
    /// Runs extern step `si` (checked by the executor; its output temps are allocated).
    fn run_extern(
        &self,
        si: usize,
        step: &ExternStep,
        inputs: &[ArrayData],
        temps: &[Option<Self::Mem>],
        cancel: &Cancel,
    ) -> Result<StepReport>;
}
