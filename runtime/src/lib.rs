//! The runtime: buffers and their pool, the executor, the plan and kernel caches, the kernel-IR
//! interpreter, and the thread pool.
//!
//! A call flows `compute` -> [`plan_cached`] (plan cache, else `lazulite_passes::plan`) -> [`execute`],
//! which runs the schedule on the [`Backend`] of its device ([`backend`]: CPU, or CUDA where a driver
//! is present). On the CPU, per kernel step, temporaries come from the pool, the kernel cache decides
//! between compiled code (`lazulite_codegen_cpu`) and the interpreter ([`interpret`]), large calls are
//! split across threads,
//! and each temporary returns to the pool right after its last use. Extern steps (matmul, sort, scans,
//! joins, gathers) run library routines in `extern_ops` on whole buffers; FFTs run rustfft/realfft in
//! `extern_ops::fft`. [`cuda`] compiles the CUDA C of `lazulite_codegen_cuda` with NVRTC and probes the driver
//! (loaded at run time; no CUDA needed to build).

mod affinity;
pub mod backend;
mod buffer;
mod cache;
mod compiler;
mod config;
pub mod cuda;
pub mod disk_cache;
mod exec;
mod explain;
mod extern_ops;
mod interp;
mod progress;
mod reduced_split;
mod rowblock;
mod transfer;

pub use backend::{Backend, BackendKind, KernelKey};
pub use buffer::{ArrayData, Buffer, Pool, PoolStats, ALIGN};
pub use cache::{clear_caches, kernel_cache_len, plan_cached, plan_generation};
pub use compiler::{background_compiles_pending, wait_for_background_compiles};
pub use config::{
    config, note_time, set_config, stats, Config, ExecPolicy, Phase, Stats, WIDE_FIRST_WORK,
};
pub use exec::{execute, execute_traced, ExecReport, StepReport};
pub use explain::human_bytes;
pub use interp::{interpret, TILE};
/// The CPU call ABI (defined by the CPU code generator; the interpreter shares it).
pub use lazulite_codegen_cpu::{KernelArgs, KernelFn};
/// The device type of the IR (the host, or CUDA device `n`).
pub use lazulite_ir::Device;
pub use progress::{set_progress_hook, Progress, ProgressHook};
pub use rowblock::RowRun;
pub use transfer::{
    check_device, copy_on_device, device_address, devices, synchronize, to_device,
    wrap_device_memory,
};

use lazulite_codegen_cpu::CodeQuality;
use lazulite_ir::{Graph, NodeId, Result, Schedule};
use std::sync::Arc;

/// Plans (with the plan cache) and executes `roots`; input slot `i` of the graph reads `inputs[i]`.
pub fn compute(graph: &Graph, roots: &[NodeId], inputs: &[ArrayData]) -> Result<Vec<ArrayData>> {
    let schedule = plan(graph, roots)?;
    execute_timed(&schedule, inputs)
}

/// The schedule [`compute`] runs for `roots` (from the plan cache, or planned and cached), timed as
/// the plan phase of [`Stats`].
pub fn plan(graph: &Graph, roots: &[NodeId]) -> Result<Arc<Schedule>> {
    let t0 = std::time::Instant::now();
    let schedule = plan_cached(graph, roots);
    config::bump(
        &config::counters().plan_time_ns,
        t0.elapsed().as_nanos() as u64,
    );
    schedule
}

/// [`execute`], timed as the execute phase of [`Stats`].
pub fn execute_timed(schedule: &Schedule, inputs: &[ArrayData]) -> Result<Vec<ArrayData>> {
    let t0 = std::time::Instant::now();
    let out = execute(schedule, inputs);
    config::bump(
        &config::counters().execute_time_ns,
        t0.elapsed().as_nanos() as u64,
    );
    out
}

/// Counts a plan found without looking in the plan cache (a caller kept the schedule of an equal
/// graph, valid while [`plan_generation`] is unchanged) as a plan cache hit.
pub fn note_plan_reused() {
    config::bump(&config::counters().plan_cache_hits, 1);
}

/// Starts what the first computation would otherwise start (the worker pool of
/// `LAZULITE_THREADS` threads, the JIT's host ISA; with the quick tier on, its ISA and the background
/// compiler's thread), so that it finds them ready; the Python module calls it at import.
/// Optional: a failure is left for the first computation to report.
pub fn warm_up() {
    let cfg = config();
    let _ = exec::thread_pool(cfg.threads.max(1));
    lazulite_codegen_cpu::warm_up(CodeQuality::Optimized);
    if cfg.quick_tier && cfg.policy == ExecPolicy::Auto {
        lazulite_codegen_cpu::warm_up(CodeQuality::Quick);
        compiler::start();
    }
}

/// The plan for `roots` as text: a summary line, then one line per step in run order (kernels with
/// what they fused, their loop, bytes read and written, compiled or interpreted, and why their fusion
/// group ended; extern ops in place), inputs, results and temporaries, and the totals. With `ir`,
/// each kernel's IR follows its line.
pub fn explain(graph: &Graph, roots: &[NodeId], inputs: &[ArrayData], ir: bool) -> Result<String> {
    let schedule = plan_cached(graph, roots)?;
    Ok(explain::explain_text(&schedule, inputs, ir))
}

/// The plan for `roots` as a Graphviz DOT graph.
pub fn explain_dot(graph: &Graph, roots: &[NodeId], inputs: &[ArrayData]) -> Result<String> {
    let schedule = plan_cached(graph, roots)?;
    Ok(explain::explain_dot(&schedule, inputs))
}

/// [`explain`] for a schedule at hand (with the IR).
pub fn explain_schedule(schedule: &Schedule, inputs: &[ArrayData]) -> String {
    explain::explain_text(schedule, inputs, true)
}
