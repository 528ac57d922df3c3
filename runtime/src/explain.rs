//! `explain`: a schedule as text (a compact summary of the steps in run order, the kernel IR only on
//! request) or as a Graphviz DOT graph.

use crate::cache::{peek_tier, Tier};
use crate::config::{config, ExecPolicy};
use crate::ArrayData;
use lazulite_codegen_cpu::CodeQuality;
use lazulite_ir::shape::numel;
use lazulite_ir::{BufferRef, Device, ExternStep, KernelStep, Schedule, Step};
use std::fmt::Write as _;

/// `8.0 MiB`, `512 B`: binary units, one decimal.
pub fn human_bytes(n: usize) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", UNITS[u])
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Bytes a kernel step reads (each input over the loop points it touches) and writes.
fn kernel_bytes(step: &KernelStep) -> (usize, usize) {
    let k = &step.kernel;
    let read = step
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
    let written = k.outputs.iter().map(|o| outer * o.dtype.size()).sum();
    (read, written)
}

fn extern_bytes(e: &ExternStep) -> (usize, usize) {
    let read = e
        .inputs
        .iter()
        .map(|o| numel(&o.shape) * o.dtype.size())
        .sum();
    let written = e
        .outputs
        .iter()
        .map(|o| numel(&o.shape) * o.dtype.size())
        .sum();
    (read, written)
}

/// Bytes `step` reads and writes (what progress reports count).
pub fn step_bytes(step: &Step) -> usize {
    let (r, w) = match step {
        Step::Kernel(k) => kernel_bytes(k),
        Step::Extern(e) => extern_bytes(e),
    };
    r + w
}

/// How a kernel step runs: compiled or interpreted, and why; and on how many threads.
fn tier_text(step: &KernelStep) -> String {
    let cfg = config();
    let work = numel(&step.shape);
    let tier = match peek_tier(&step.kernel) {
        Some(Tier::Ready(_)) => "compiled".to_string(),
        Some(Tier::Quick { code, .. }) if code.quality() == CodeQuality::Narrow => {
            "compiled (narrow code, one vector per iteration; the wide code compiles in the \
             background once the kernel is called again)"
                .to_string()
        }
        Some(Tier::Quick { .. }) => {
            "compiled (quick code; the optimized code is compiling in the background)".to_string()
        }
        Some(Tier::Interpret(why)) => format!("interpreted (not compilable: {why})"),
        Some(Tier::Compiling) => "compiling; interpreted meanwhile".to_string(),
        _ => match cfg.policy {
            ExecPolicy::InterpretOnly => "interpreted (policy)".to_string(),
            ExecPolicy::CompileAlways => "compiled on first run".to_string(),
            ExecPolicy::Auto if work >= cfg.compile_threshold && cfg.quick_tier => {
                "compiled on first run (large: quick code, optimized in the background)".to_string()
            }
            ExecPolicy::Auto if work >= cfg.compile_threshold => {
                "compiled on first run (large)".to_string()
            }
            ExecPolicy::Auto => format!(
                "interpreted while small and cold (compiled after {} calls)",
                cfg.hot_calls
            ),
        },
    };
    if cfg.threads > 1
        && step.shape.first().is_some_and(|&d| d >= 2)
        && work >= cfg.parallel_threshold
    {
        format!("{tier}, {} threads", cfg.threads.min(step.shape[0]))
    } else {
        tier
    }
}

/// Where and how a kernel step runs on CUDA device `n`: its launch shape when the device is open (each
/// pass of a grid-wide reduction, with its slices per row and partials bytes).
fn cuda_launch_text(
    step: &KernelStep,
    n: u16,
    dev: Option<&crate::backend::cuda::CudaDevice>,
) -> String {
    let Some(sms) = dev.map(|d| d.driver().info().multiprocessors) else {
        return format!("cuda:{n} (not open: launch shape chosen at run time)");
    };
    let name = lazulite_codegen_cuda::kernel_name(&step.kernel);
    match crate::backend::cuda::launch_plan(&step.kernel, &name, &step.shape, sms) {
        Ok(Some(plan)) if plan.passes.len() == 2 => {
            let passes: Vec<String> = plan
                .passes
                .iter()
                .zip(["partial", "final"])
                .map(|(p, what)| format!("{what} grid {} x block {}", p.grid, p.block))
                .collect();
            format!(
                "cuda:{n}, two passes: {} ({} slices per row, {} partials bytes)",
                passes.join(", then "),
                plan.n_chunks,
                plan.partials_bytes
            )
        }
        Ok(Some(plan)) => format!(
            "cuda:{n}, grid {} x block {}",
            plan.passes[0].grid, plan.passes[0].block
        ),
        Ok(None) => format!("cuda:{n}, no launch (empty loop)"),
        Err(e) => format!("cuda:{n}, no launch plan ({})", e.message),
    }
}

fn label(step: &KernelStep) -> &str {
    if step.label.is_empty() {
        "-"
    } else {
        &step.label
    }
}

fn extern_signature(e: &ExternStep) -> String {
    let list = |it: &mut dyn Iterator<Item = String>| it.collect::<Vec<_>>().join(", ");
    format!(
        "({}) -> {}",
        list(
            &mut e
                .inputs
                .iter()
                .map(|o| format!("{} {:?}", o.dtype, o.shape.as_slice()))
        ),
        list(
            &mut e
                .outputs
                .iter()
                .map(|o| format!("{} {:?}", o.dtype, o.shape.as_slice()))
        )
    )
}

/// The bytes an input's layout touches (a broadcast axis repeats the same elements).
fn input_bytes(d: &ArrayData) -> usize {
    let touched: usize = d
        .shape
        .iter()
        .zip(&d.strides)
        .filter(|(_, &st)| st != 0)
        .map(|(&n, _)| n)
        .product();
    if d.numel() == 0 {
        return 0;
    }
    touched * d.dtype.size()
}

/// The plan as text: a header line (`2 kernels, 1 extern op, 3 temporaries`), one line per step in
/// run order (kernels with what they fused, their loop, bytes, tier and why their fusion group
/// ended; extern ops with their operands and results), the inputs, results and temporaries, and the
/// totals. With `ir`, each kernel's IR follows its line.
pub fn explain_text(schedule: &Schedule, inputs: &[ArrayData], ir: bool) -> String {
    let mut s = String::new();
    let kernels = schedule.kernel_steps().count();
    let externs = schedule.extern_steps().count();
    let _ = writeln!(
        s,
        "{}, {}{}",
        plural(kernels, "kernel", "kernels"),
        match externs {
            0 => String::new(),
            n => format!("{}, ", plural(n, "extern op", "extern ops")),
        },
        plural(schedule.temps.len(), "temporary", "temporaries")
    );
    let (mut total_in, mut total_out) = (0usize, 0usize);
    let mut ki = 0;
    let cuda = match schedule.device {
        Device::Cuda(n) => Some((n, crate::backend::cuda::CudaDevice::get(n).ok())),
        Device::Cpu => None,
    };
    let (mut round_trip_out, mut round_trip_in) = (0usize, 0usize);
    for step in &schedule.steps {
        match step {
            Step::Kernel(k) => {
                let (read, written) = kernel_bytes(k);
                total_in += read;
                total_out += written;
                let ends = if k.end.is_empty() { "-" } else { k.end };
                let _ = writeln!(
                    s,
                    "  kernel {ki} {}: loop {:?} ({} reduced), reads {}, writes {}, {}; ends: {ends}",
                    label(k),
                    k.shape.as_slice(),
                    k.kernel.n_reduce,
                    human_bytes(read),
                    human_bytes(written),
                    match &cuda {
                        None => tier_text(k),
                        Some((n, dev)) => cuda_launch_text(k, *n, dev.as_deref()),
                    },
                );
                if ir {
                    let _ = writeln!(s, "      [{:016x}]", k.kernel.fingerprint());
                    for line in k.kernel.pretty().lines() {
                        let _ = writeln!(s, "      {line}");
                    }
                }
                ki += 1;
            }
            Step::Extern(e) => {
                let (read, written) = extern_bytes(e);
                total_in += read;
                total_out += written;
                let _ = writeln!(
                    s,
                    "  extern {} {}, reads {}, writes {}",
                    e.op.name(),
                    extern_signature(e),
                    human_bytes(read),
                    human_bytes(written)
                );
                let family = crate::backend::cuda::extern_device_family(e);
                let gemm = cuda.as_ref().and_then(|(n, dev)| {
                    let drv = dev.as_ref()?.driver();
                    crate::backend::cuda_matmul::explain_line(e, *n, drv.as_ref())
                });
                if let (Some((n, _)), Some(f)) = (&cuda, family) {
                    let _ = writeln!(
                        s,
                        "    cuda:{n}, device kernels ({} family, block {}): no host round trip",
                        f.name(),
                        lazulite_codegen_cuda::extern_kernels::EXTERN_BLOCK
                    );
                } else if let Some(line) = gemm {
                    let _ = writeln!(s, "{line}");
                } else if let Some((n, dev)) = &cuda {
                    round_trip_out += read;
                    round_trip_in += written;
                    let why = dev
                        .as_ref()
                        .and_then(|d| {
                            crate::backend::cuda_matmul::round_trip_reason(e, d.driver().as_ref())
                        })
                        .unwrap_or_else(|| format!("not on cuda:{n} yet"));
                    let _ = writeln!(
                        s,
                        "    transfer: host round trip ({why}): {} to the host, runs on \
                         the cpu, {} back to cuda:{n}",
                        human_bytes(read),
                        human_bytes(written)
                    );
                }
            }
        }
    }
    if cuda.is_none() {
        let kernel_index = |si: usize| {
            schedule.steps[..si]
                .iter()
                .filter(|s| matches!(s, Step::Kernel(_)))
                .count()
        };
        for run in crate::rowblock::runs(schedule) {
            let _ = writeln!(
                s,
                "  kernels {}-{} run together a block of rows at a time (each block's rows stay in \
                 the cache from one kernel to the next){}",
                kernel_index(run.start),
                kernel_index(run.end) - 1,
                match run.scratch.len() {
                    0 => String::new(),
                    n => format!(
                        "; {} only in per-block scratch",
                        plural(n, "temporary lives", "temporaries live")
                    ),
                }
            );
        }
    }
    let scalars = inputs.iter().filter(|d| d.is_scalar_parameter()).count();
    let arrays = inputs.len() - scalars;
    let in_bytes: usize = inputs
        .iter()
        .filter(|d| !d.is_scalar_parameter())
        .map(input_bytes)
        .sum();
    let out_bytes: usize = schedule
        .results
        .iter()
        .map(|r| numel(&r.shape) * r.dtype.size())
        .sum();
    let temp_bytes: usize = schedule.temps.iter().map(|t| t.len * t.dtype.size()).sum();
    let _ = writeln!(
        s,
        "inputs: {} ({}){}; results: {} ({}); temporaries: {}",
        plural(arrays, "array", "arrays"),
        human_bytes(in_bytes),
        match scalars {
            0 => String::new(),
            n => format!(", {}", plural(n, "scalar parameter", "scalar parameters")),
        },
        plural(schedule.results.len(), "array", "arrays"),
        human_bytes(out_bytes),
        human_bytes(temp_bytes)
    );
    match &cuda {
        None => {
            let _ = writeln!(
                s,
                "transfers: none (every buffer is in host memory, device cpu)"
            );
        }
        Some((n, _)) => {
            // host inputs of a CUDA schedule are scalar parameters (the executor refuses others)
            let staged: usize = inputs
                .iter()
                .filter(|d| d.device() == lazulite_ir::Device::Cpu)
                .map(|d| d.buffer.len())
                .sum();
            let _ = writeln!(
                s,
                "transfers: inputs {} host -> cuda:{n}; results {} stay on cuda:{n}; host round \
                 trips {} out, {} back",
                human_bytes(staged),
                human_bytes(out_bytes),
                human_bytes(round_trip_out),
                human_bytes(round_trip_in)
            );
        }
    }
    let _ = writeln!(
        s,
        "total: reads {}, writes {}, moves {}",
        human_bytes(total_in),
        human_bytes(total_out),
        human_bytes(total_in + total_out)
    );
    s
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The plan as a Graphviz DOT graph: inputs and results as ellipses, kernels as boxes, extern ops as
/// rounded boxes, edges labelled with the bytes of the buffer they carry.
pub fn explain_dot(schedule: &Schedule, inputs: &[ArrayData]) -> String {
    let mut s = String::from(
        "digraph plan {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n  \
         edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for (i, d) in inputs.iter().enumerate() {
        let _ = writeln!(
            s,
            "  in{i} [shape=ellipse, label=\"input {i}\\n{} {:?}\\n{}\"];",
            d.dtype,
            d.shape.as_slice(),
            human_bytes(input_bytes(d))
        );
    }
    // the step that writes each temp
    let mut writer = vec![usize::MAX; schedule.temps.len()];
    let temp_bytes = |t: u32| {
        let tb = &schedule.temps[t as usize];
        tb.len * tb.dtype.size()
    };
    let source = |b: BufferRef, writer: &[usize]| match b {
        BufferRef::Input(i) => (format!("in{i}"), 0),
        BufferRef::Temp(t) => (
            format!("s{}", writer.get(t as usize).copied().unwrap_or(usize::MAX)),
            temp_bytes(t),
        ),
    };
    let mut ki = 0;
    for (si, step) in schedule.steps.iter().enumerate() {
        let reads: Vec<BufferRef> = match step {
            Step::Kernel(k) => {
                let (read, written) = kernel_bytes(k);
                let ends = if k.end.is_empty() { "-" } else { k.end };
                let _ = writeln!(
                    s,
                    "  s{si} [shape=box, label=\"kernel {ki}\\n{}\\nloop {:?}\\nreads {}, writes {}\\nends: {}\"];",
                    dot_escape(label(k)),
                    k.shape.as_slice(),
                    human_bytes(read),
                    human_bytes(written),
                    dot_escape(ends)
                );
                ki += 1;
                for o in &k.outputs {
                    if let BufferRef::Temp(t) = o.buffer {
                        writer[t as usize] = si;
                    }
                }
                k.inputs.iter().map(|o| o.buffer).collect()
            }
            Step::Extern(e) => {
                let _ = writeln!(
                    s,
                    "  s{si} [shape=box, style=\"rounded,filled\", fillcolor=\"#e8eefc\", label=\"extern {}\\n{}\"];",
                    e.op.name(),
                    dot_escape(&extern_signature(e))
                );
                for o in &e.outputs {
                    writer[o.temp as usize] = si;
                }
                e.inputs.iter().map(|o| o.buffer).collect()
            }
        };
        let mut seen = Vec::new();
        for b in reads {
            if seen.contains(&b) {
                continue;
            }
            seen.push(b);
            let (from, bytes) = source(b, &writer);
            let label = if bytes > 0 {
                human_bytes(bytes)
            } else {
                String::new()
            };
            let _ = writeln!(s, "  {from} -> s{si} [label=\"{label}\"];");
        }
    }
    for (i, r) in schedule.results.iter().enumerate() {
        let _ = writeln!(
            s,
            "  out{i} [shape=ellipse, style=bold, label=\"result {i}\\n{} {:?}\"];",
            r.dtype,
            r.shape.as_slice()
        );
        let (from, bytes) = source(r.buffer, &writer);
        let _ = writeln!(
            s,
            "  {from} -> out{i} [label=\"{}\"];",
            if bytes > 0 {
                human_bytes(bytes)
            } else {
                String::new()
            }
        );
    }
    s.push_str("}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1024), "1.0 KiB");
        assert_eq!(human_bytes(8 << 20), "8.0 MiB");
        assert_eq!(human_bytes(3 << 29), "1.5 GiB");
    }
}
