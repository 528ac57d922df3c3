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

pub mod backend;
mod buffer;
mod cache;
mod config;
pub mod cuda;
mod exec;
mod extern_ops;
mod interp;

pub use backend::{Backend, BackendKind, KernelKey};
pub use buffer::{ArrayData, Buffer, Pool, PoolStats, ALIGN};
pub use cache::{clear_caches, kernel_cache_len, plan_cached};
pub use config::{config, set_config, stats, Config, ExecPolicy, Stats};
pub use exec::{execute, execute_traced, ExecReport, StepReport};
pub use interp::{interpret, TILE};
/// The CPU call ABI (defined by the CPU code generator; the interpreter shares it).
pub use lazulite_codegen_cpu::{KernelArgs, KernelFn};

use cache::{peek_tier, Tier};
use lazulite_ir::shape::numel;
use lazulite_ir::{Graph, NodeId, Result, Schedule};
use std::fmt::Write as _;

/// Plans (with the plan cache) and executes `roots`; input slot `i` of the graph reads `inputs[i]`.
pub fn compute(graph: &Graph, roots: &[NodeId], inputs: &[ArrayData]) -> Result<Vec<ArrayData>> {
    let schedule = plan_cached(graph, roots)?;
    execute(&schedule, inputs)
}

/// The plan for `roots` as text: one entry per kernel with what it fused, its loop shape, the bytes it
/// reads and writes, and whether it runs compiled or interpreted; then the totals.
pub fn explain(graph: &Graph, roots: &[NodeId], inputs: &[ArrayData]) -> Result<String> {
    let schedule = plan_cached(graph, roots)?;
    Ok(explain_schedule(&schedule, inputs))
}

/// [`explain`] for a schedule at hand.
pub fn explain_schedule(schedule: &Schedule, inputs: &[ArrayData]) -> String {
    let _ = inputs;
    let cfg = config();
    let mut s = String::new();
    let steps: Vec<_> = schedule.kernel_steps().collect();
    let externs: Vec<_> = schedule.extern_steps().collect();
    let _ = writeln!(
        s,
        "{} kernel{}, {}{} temporar{}",
        steps.len(),
        if steps.len() == 1 { "" } else { "s" },
        match externs.len() {
            0 => String::new(),
            1 => "1 extern op, ".to_string(),
            n => format!("{n} extern ops, "),
        },
        schedule.temps.len(),
        if schedule.temps.len() == 1 {
            "y"
        } else {
            "ies"
        }
    );
    let (mut total_in, mut total_out) = (0usize, 0usize);
    for (i, step) in steps.iter().enumerate() {
        let k = &step.kernel;
        let read: usize = step
            .inputs
            .iter()
            .zip(&k.inputs)
            .map(|(op, ki)| {
                let touched: usize = step
                    .shape
                    .iter()
                    .zip(&op.strides)
                    .filter(|(_, &st)| st != 0)
                    .map(|(&n, _)| n)
                    .product();
                touched * ki.dtype.size()
            })
            .sum();
        let outer: usize = step.shape[..k.n_outer()].iter().product();
        let written: usize = k.outputs.iter().map(|o| outer * o.dtype.size()).sum();
        total_in += read;
        total_out += written;
        let work = numel(&step.shape);
        let tier = match peek_tier(&step.kernel) {
            Some(Tier::Ready(_)) => "compiled".to_string(),
            Some(Tier::Interpret(why)) => format!("interpreted (not compilable: {why})"),
            Some(Tier::Compiling) => "compiling; interpreted meanwhile".to_string(),
            _ => match cfg.policy {
                ExecPolicy::InterpretOnly => "interpreted (policy)".to_string(),
                ExecPolicy::CompileAlways => "compiled on first run".to_string(),
                ExecPolicy::Auto if work >= cfg.compile_threshold => {
                    "compiled on first run (large)".to_string()
                }
                ExecPolicy::Auto => format!(
                    "interpreted while small and cold (compiled after {} calls)",
                    cfg.hot_calls
                ),
            },
        };
        let threads = if cfg.threads > 1
            && step.shape.first().is_some_and(|&d| d >= 2)
            && work >= cfg.parallel_threshold
        {
            format!(", {} threads", cfg.threads.min(step.shape[0]))
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "kernel {i} [{:016x}] {}: loop {:?} ({} reduced), reads {} B, writes {} B, {}{}",
            k.fingerprint(),
            if step.label.is_empty() {
                "-"
            } else {
                &step.label
            },
            step.shape.as_slice(),
            k.n_reduce,
            read,
            written,
            tier,
            threads
        );
        for line in k.pretty().lines() {
            let _ = writeln!(s, "    {line}");
        }
    }
    for e in &externs {
        let operands: Vec<String> = e
            .inputs
            .iter()
            .map(|o| format!("{} {:?}", o.dtype, o.shape.as_slice()))
            .collect();
        let written: usize = e
            .outputs
            .iter()
            .map(|o| numel(&o.shape) * o.dtype.size())
            .sum();
        let results: Vec<String> = e
            .outputs
            .iter()
            .map(|o| format!("{} {:?}", o.dtype, o.shape.as_slice()))
            .collect();
        total_in += e
            .inputs
            .iter()
            .map(|o| numel(&o.shape) * o.dtype.size())
            .sum::<usize>();
        total_out += written;
        let _ = writeln!(
            s,
            "extern {} ({}) -> {}, writes {written} B",
            e.op.name(),
            operands.join(", "),
            results.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "total: reads {total_in} B, writes {total_out} B, moves {} B",
        total_in + total_out
    );
    s
}
