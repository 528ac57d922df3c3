//! The CPU backend: host memory from the buffer pool, Cranelift code (`lazulite_codegen_cpu`) or the
//! kernel-IR interpreter chosen per call by the tiered kernel cache, kernels split over dimension 0
//! across the thread pool (the CPU call ABI, `lazulite_codegen_cpu::KernelArgs`), extern ops by the
//! library routines of `extern_ops`. The step runners themselves live in `exec.rs` (the thread split in `exec/launch.rs`).

use super::{Backend, BackendKind};
use crate::buffer::{ArrayData, Buffer};
use crate::exec::{run_extern_step, run_kernel_step, StepReport};
use crate::rowblock::RowRun;
use lazulite_codegen_cpu::CompiledKernel;
use lazulite_ir::cancel::Cancel;
use lazulite_ir::{ensure, Device, ExternStep, Kernel, KernelStep, Result, Schedule};
use std::sync::{Arc, OnceLock};

/// The host, as a [`Backend`].
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuBackend;

impl Backend for CpuBackend {
    type Mem = Arc<Buffer>;
    type Code = CompiledKernel;

    fn device(&self) -> Device {
        Device::Cpu
    }

    fn kind(&self) -> BackendKind {
        BackendKind::Cpu
    }

    fn target(&self) -> Arc<str> {
        static T: OnceLock<Arc<str>> = OnceLock::new();
        T.get_or_init(|| format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS).into())
            .clone()
    }

    fn compile(&self, kernel: &Kernel) -> Result<CompiledKernel> {
        lazulite_codegen_cpu::compile(kernel)
    }

    fn allocate(&self, _what: &str, bytes: usize) -> Result<Arc<Buffer>> {
        Buffer::alloc(bytes).map(Arc::new)
    }

    fn copy_from_host(&self, src: &[u8], dst: &mut Arc<Buffer>) -> Result<()> {
        ensure!(
            src.len() <= dst.len(),
            Internal,
            "cpu backend: copying {} bytes into a buffer of {}",
            src.len(),
            dst.len()
        );
        ensure!(
            Arc::strong_count(dst) == 1 && !dst.is_external(),
            Internal,
            "cpu backend: copying into a shared or foreign buffer"
        );
        let d = dst.as_mut_ptr()?;
        // SAFETY: `dst` is a pooled buffer of at least `src.len()` bytes held only by this `Arc`
        // (checked above), so nothing else reads or writes it while we copy; `src` is a distinct
        // borrowed slice, so the ranges do not overlap.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), d, src.len()) };
        Ok(())
    }

    fn copy_to_host(&self, src: &Arc<Buffer>) -> Result<Arc<Buffer>> {
        Ok(src.clone())
    }

    fn result_buffer(&self, mem: Arc<Buffer>) -> Result<Arc<Buffer>> {
        Ok(mem)
    }

    fn launch(
        &self,
        si: usize,
        step: &KernelStep,
        inputs: &[ArrayData],
        temps: &[Option<Arc<Buffer>>],
        cancel: &Cancel,
    ) -> Result<StepReport> {
        run_kernel_step(si, step, inputs, temps, cancel)
    }

    fn row_runs(&self, schedule: &Schedule) -> Vec<RowRun> {
        crate::rowblock::runs(schedule)
    }

    fn launch_rows(
        &self,
        run: &RowRun,
        steps: &[&KernelStep],
        inputs: &[ArrayData],
        temps: &[Option<Arc<Buffer>>],
        cancel: &Cancel,
    ) -> Result<Option<Vec<StepReport>>> {
        crate::rowblock::run(run, steps, inputs, temps, cancel).map(Some)
    }

    fn run_extern(
        &self,
        si: usize,
        step: &ExternStep,
        inputs: &[ArrayData],
        temps: &[Option<Arc<Buffer>>],
        cancel: &Cancel,
    ) -> Result<StepReport> {
        run_extern_step(si, step, inputs, temps, cancel)
    }
}
