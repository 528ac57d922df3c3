//! The executor: runs a [`Schedule`] step by step on the backend of its device (generic over
//! [`Backend`], see `backend/`), allocating temporaries at first write and releasing each one right
//! after its last use. The CPU backend's step runners are here too: per kernel the choice between
//! compiled code and the interpreter; `exec/launch.rs` splits large kernels across the persistent
//! thread pool.

use crate::backend::cpu::CpuBackend;
use crate::backend::cuda::CudaBackend;
use crate::backend::Backend;
use crate::buffer::{check_extent, ArrayData, Buffer};
use crate::cache::{runner_for, Runner};
use crate::config::{bump, config, counters};
use crate::extern_ops::{self, Dst, Src};
use lazulite_codegen_cpu::KernelArgs;
use lazulite_ir::alloc::bytes_for;
use lazulite_ir::cancel::Cancel;
use lazulite_ir::shape::numel;
use lazulite_ir::{
    bail, ensure, BufferRef, DType, Device, ExternStep, Inst, KernelStep, Result, Schedule, Step,
    StrideClass,
};
use std::sync::Arc;

mod launch;
use launch::launch;
pub(crate) use launch::{thread_pool, Launch};

/// What one [`execute_traced`] call did (deterministic, unlike the process-wide [`crate::stats`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecReport {
    /// Largest number of temporary bytes alive at once.
    pub peak_temp_bytes: usize,
    pub temps_allocated: usize,
    /// Temporaries released before the end of the schedule (after their last use).
    pub temps_freed_early: usize,
    /// Per kernel step: whether it ran compiled, and into how many chunks it was split.
    pub steps: Vec<StepReport>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    pub label: String,
    pub compiled: bool,
    pub chunks: usize,
}

/// Executes `schedule` on `inputs` (input slot `i` = `inputs[i]`). Results may be views of inputs.
pub fn execute(schedule: &Schedule, inputs: &[ArrayData]) -> Result<Vec<ArrayData>> {
    execute_traced(schedule, inputs).map(|(r, _)| r)
}

fn check_step(
    si: usize,
    step: &KernelStep,
    schedule: &Schedule,
    inputs: &[ArrayData],
) -> Result<()> {
    let k = &step.kernel;
    let ndim = k.ndim as usize;
    let n_outer = k.n_outer();
    ensure!(
        step.shape.len() == ndim && step.inputs.len() == k.inputs.len() && step.outputs.len() == k.outputs.len(),
        Internal,
        "execute: step {si} ({}) does not match its kernel (shape {:?} for ndim {ndim}, {} / {} inputs, {} / {} outputs)",
        step.label,
        step.shape,
        step.inputs.len(),
        k.inputs.len(),
        step.outputs.len(),
        k.outputs.len()
    );
    let buffer_of = |b: BufferRef| -> Result<(usize, DType, isize)> {
        match b {
            BufferRef::Input(i) => {
                let a = inputs.get(i as usize).ok_or_else(|| {
                    lazulite_ir::Error::new(
                        lazulite_ir::ErrorKind::Value,
                        format!(
                            "execute: step {si} ({}) reads input slot {i}, but only {} inputs were given; pass one array per graph input slot",
                            step.label,
                            inputs.len()
                        ),
                    )
                })?;
                Ok((a.buffer.len(), a.dtype, a.offset))
            }
            BufferRef::Temp(t) => {
                let tb = schedule.temps.get(t as usize).ok_or_else(|| {
                    lazulite_ir::Error::new(
                        lazulite_ir::ErrorKind::Internal,
                        format!("execute: step {si} uses missing temp {t}"),
                    )
                })?;
                Ok((tb.len * tb.dtype.size(), tb.dtype, 0))
            }
        }
    };
    let what = |kind: &str, j: usize| format!("execute: step {si} ({}) {kind} {j}", step.label);
    // The message is formatted only on failure (a warm call checks every operand of every step).
    let check_extent = |kind: &str,
                        j: usize,
                        len: usize,
                        dt: DType,
                        offset: isize,
                        strides: &[isize],
                        shape: &[usize]|
     -> Result<()> {
        check_extent("", len, dt, offset, strides, shape)
            .map_err(|e| lazulite_ir::Error::new(e.kind, format!("{}{}", what(kind, j), e.message)))
    };
    // epilogue loads read the outer point at reduced index 0
    let epilogue_loads = k
        .epilogue
        .iter()
        .any(|i| matches!(i.inst, Inst::Load { .. }));
    for (j, (op, ki)) in step.inputs.iter().zip(&k.inputs).enumerate() {
        let (len, dt, base) = buffer_of(op.buffer)?;
        ensure!(
            dt == ki.dtype,
            Internal,
            "{}: buffer of {dt} read as {}",
            what("input", j),
            ki.dtype
        );
        check_extent(
            "input",
            j,
            len,
            dt,
            base + op.offset,
            &op.strides,
            &step.shape,
        )?;
        // compiled code trusts the stride class of the innermost loop dimension
        if ndim > 0 && step.shape[ndim - 1] > 1 {
            let s = op.strides[ndim - 1];
            ensure!(
                StrideClass::of(s) == ki.inner,
                Internal,
                "{}: innermost stride {s} does not match the kernel's stride class {:?}",
                what("input", j),
                ki.inner
            );
        }
        if epilogue_loads {
            check_extent(
                "input",
                j,
                len,
                dt,
                base + op.offset,
                &op.strides[..n_outer.min(op.strides.len())],
                &step.shape[..n_outer],
            )?;
        }
    }
    for (j, (op, ko)) in step.outputs.iter().zip(&k.outputs).enumerate() {
        let BufferRef::Temp(_) = op.buffer else {
            bail!(
                Internal,
                "{}: writes into a caller's input buffer",
                what("output", j)
            );
        };
        let (len, dt, base) = buffer_of(op.buffer)?;
        ensure!(
            dt == ko.dtype,
            Internal,
            "{}: buffer of {dt} written as {}",
            what("output", j),
            ko.dtype
        );
        check_extent(
            "output",
            j,
            len,
            dt,
            base + op.offset,
            &op.strides,
            &step.shape[..n_outer],
        )?;
        if n_outer > 0 && step.shape[n_outer - 1] > 1 {
            let s = op.strides[n_outer - 1];
            ensure!(
                StrideClass::of(s) == ko.inner,
                Internal,
                "{}: innermost outer stride {s} does not match the kernel's stride class {:?}",
                what("output", j),
                ko.inner
            );
        }
    }
    Ok(())
}

/// The address of element `off` (in elements of `dt`) of a buffer of the executor.
pub(crate) fn elem_ptr(
    si: usize,
    inputs: &[ArrayData],
    temps: &[Option<Arc<Buffer>>],
    b: BufferRef,
    off: isize,
    dt: DType,
) -> Result<*const u8> {
    Ok(match b {
        BufferRef::Input(i) => {
            let a = &inputs[i as usize];
            a.buffer
                .as_ptr()?
                .wrapping_offset((a.offset + off) * dt.size() as isize)
        }
        BufferRef::Temp(t) => match &temps[t as usize] {
            Some(buf) => buf.as_ptr()?.wrapping_offset(off * dt.size() as isize),
            None => bail!(
                Internal,
                "execute: step {si} reads temp {t} before any step wrote it"
            ),
        },
    })
}

/// Runs one kernel step on the CPU (checked by `check_step`; its output temps are allocated).
pub(crate) fn run_kernel_step(
    si: usize,
    step: &KernelStep,
    inputs: &[ArrayData],
    temps: &[Option<Arc<Buffer>>],
    cancel: &Cancel,
) -> Result<StepReport> {
    let k = &step.kernel;
    let shape: Vec<i64> = step.shape.iter().map(|&n| n as i64).collect();
    let mut in_ptrs = Vec::with_capacity(step.inputs.len());
    let mut in_strides = Vec::with_capacity(step.inputs.len() * shape.len());
    for (op, ki) in step.inputs.iter().zip(&k.inputs) {
        in_ptrs.push(elem_ptr(si, inputs, temps, op.buffer, op.offset, ki.dtype)?);
        in_strides.extend(op.strides.iter().map(|&s| s as i64));
    }
    let mut out_ptrs = Vec::with_capacity(step.outputs.len());
    let mut out_strides = Vec::new();
    for (op, ko) in step.outputs.iter().zip(&k.outputs) {
        out_ptrs.push(elem_ptr(si, inputs, temps, op.buffer, op.offset, ko.dtype)?.cast_mut());
        out_strides.extend(op.strides.iter().map(|&s| s as i64));
    }
    let outer_pts: usize = step.shape[..k.n_outer()].iter().product();
    let mut chunks = 0;
    let mut compiled = false;
    if outer_pts > 0 {
        let args = KernelArgs {
            shape: shape.as_ptr(),
            inputs: in_ptrs.as_ptr(),
            in_strides: in_strides.as_ptr(),
            outputs: out_ptrs.as_ptr(),
            out_strides: out_strides.as_ptr(),
        };
        let runner = runner_for(k, numel(&step.shape));
        compiled = matches!(runner, Runner::Compiled(_));
        // SAFETY: `check_step` verified that every operand's addressed elements lie inside its
        // buffer, outputs are temporaries owned by this call, and the arrays behind `args` live
        // until the call returns.
        chunks = unsafe { launch(k, &runner, &step.shape, &args, cancel)? };
        let c = counters();
        bump(
            if compiled {
                &c.compiled_runs
            } else {
                &c.interpreted_runs
            },
            1,
        );
    }
    Ok(StepReport {
        label: step.label.clone(),
        compiled,
        chunks,
    })
}

/// Checks an extern step: operand dtypes and layouts inside their buffers, the output a temp of the
/// right dtype and size that the step does not also read.
fn check_extern_step(
    si: usize,
    step: &ExternStep,
    schedule: &Schedule,
    inputs: &[ArrayData],
) -> Result<()> {
    let name = step.op.name();
    for (j, op) in step.inputs.iter().enumerate() {
        let what = format!("execute: step {si} ({name}) operand {j}");
        let (len, dt, base) = match op.buffer {
            BufferRef::Input(i) => {
                let a = inputs.get(i as usize).ok_or_else(|| {
                    lazulite_ir::Error::new(
                        lazulite_ir::ErrorKind::Value,
                        format!(
                            "{what} reads input slot {i}, but only {} inputs were given; pass one \
                             array per graph input slot",
                            inputs.len()
                        ),
                    )
                })?;
                (a.buffer.len(), a.dtype, a.offset)
            }
            BufferRef::Temp(t) => {
                ensure!(
                    step.outputs.iter().all(|o| o.temp != t),
                    Internal,
                    "{what} reads a temp the step writes"
                );
                let tb = schedule.temps.get(t as usize).ok_or_else(|| {
                    lazulite_ir::Error::new(
                        lazulite_ir::ErrorKind::Internal,
                        format!("{what} uses missing temp {t}"),
                    )
                })?;
                (tb.len * tb.dtype.size(), tb.dtype, 0)
            }
        };
        ensure!(
            dt == op.dtype,
            Internal,
            "{what}: buffer of {dt} read as {}",
            op.dtype
        );
        check_extent(&what, len, dt, base + op.offset, &op.strides, &op.shape)?;
    }
    ensure!(
        step.outputs.len() == step.op.num_outputs(),
        Internal,
        "execute: step {si} ({name}) has {} outputs, the op has {}",
        step.outputs.len(),
        step.op.num_outputs()
    );
    for (k, o) in step.outputs.iter().enumerate() {
        let out = schedule.temps.get(o.temp as usize);
        ensure!(
            out.is_some_and(|t| t.dtype == o.dtype && t.len == numel(&o.shape)),
            Internal,
            "execute: step {si} ({name}) writes output {k} to temp {} that does not hold {} {:?}",
            o.temp,
            o.dtype,
            o.shape.as_slice()
        );
        ensure!(
            step.outputs[..k].iter().all(|p| p.temp != o.temp),
            Internal,
            "execute: step {si} ({name}) writes temp {} twice",
            o.temp
        );
    }
    Ok(())
}

/// Runs one extern step on the CPU (checked by `check_extern_step`; its output temp is allocated).
pub(crate) fn run_extern_step(
    si: usize,
    step: &ExternStep,
    inputs: &[ArrayData],
    temps: &[Option<Arc<Buffer>>],
    cancel: &Cancel,
) -> Result<StepReport> {
    let name = step.op.name();
    let srcs = step
        .inputs
        .iter()
        .map(|op| {
            let (buf, base) = match op.buffer {
                BufferRef::Input(i) => {
                    let a = &inputs[i as usize];
                    (&a.buffer, a.offset + op.offset)
                }
                BufferRef::Temp(t) => match &temps[t as usize] {
                    Some(b) => (b, op.offset),
                    None => bail!(
                        Internal,
                        "execute: step {si} ({name}) reads temp {t} before any step wrote it"
                    ),
                },
            };
            Ok(Src {
                bytes: buf.as_slice()?,
                base,
                strides: &op.strides,
                shape: &op.shape,
                dtype: op.dtype,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut outs = Vec::with_capacity(step.outputs.len());
    for o in &step.outputs {
        let out = temps[o.temp as usize].as_ref().ok_or_else(|| {
            lazulite_ir::Error::new(
                lazulite_ir::ErrorKind::Internal,
                format!("execute: step {si} ({name}) has no output buffer"),
            )
        })?;
        let bytes: &mut [u8] = if out.is_empty() {
            &mut []
        } else {
            let p = out.as_mut_ptr()?;
            // SAFETY: the output is a pooled temporary of `out.len()` bytes that only this executor
            // holds; no operand reads it and no other output of the step is the same temp
            // (`check_extern_step`), and no other reference to its bytes exists while the extern op
            // runs.
            unsafe { std::slice::from_raw_parts_mut(p, out.len()) }
        };
        outs.push(Dst {
            bytes,
            shape: &o.shape,
            dtype: o.dtype,
        });
    }
    let pool = thread_pool(config().threads.max(1))?;
    extern_ops::run(&pool, cancel, step.op, &srcs, &mut outs)?;
    bump(&counters().extern_runs, 1);
    Ok(StepReport {
        label: name.to_string(),
        compiled: false,
        chunks: 1,
    })
}

/// What writes temp `t`, for messages: the extern op's name or the kernel's label and loop shape.
fn temp_writer(schedule: &Schedule, t: usize) -> String {
    for step in &schedule.steps {
        match step {
            Step::Extern(e) => {
                if let Some(o) = e.outputs.iter().find(|o| o.temp as usize == t) {
                    return format!("{} (result of shape {:?})", e.op.name(), o.shape.as_slice());
                }
            }
            Step::Kernel(k)
                if k.outputs
                    .iter()
                    .any(|o| o.buffer == BufferRef::Temp(t as u32)) =>
            {
                let label = if k.label.is_empty() {
                    "kernel"
                } else {
                    &k.label
                };
                return format!("{label} (loop {:?})", k.shape.as_slice());
            }
            _ => {}
        }
    }
    format!("temporary {t}")
}

/// Temporaries at least this large are probed before a schedule runs (see [`execute_traced`]).
const LARGE_TEMP_PROBE: usize = 1 << 28;

/// [`execute`], also reporting what it did (peak temporary memory, early frees, tiers, thread split).
/// The schedule's device picks the backend; without an NVIDIA driver a CUDA schedule is a `Value`
/// error that names the device.
pub fn execute_traced(
    schedule: &Schedule,
    inputs: &[ArrayData],
) -> Result<(Vec<ArrayData>, ExecReport)> {
    check_input_devices(schedule.device, inputs)?;
    match schedule.device {
        Device::Cpu => execute_on(&CpuBackend, schedule, inputs),
        Device::Cuda(n) => execute_on(&CudaBackend::open(n)?, schedule, inputs),
    }
}

/// Every input lives on the schedule's device (no implicit transfers), except host scalar parameters
/// (one element, all strides 0) of a CUDA schedule, which its backend copies (a few bytes).
fn check_input_devices(device: Device, inputs: &[ArrayData]) -> Result<()> {
    for (i, a) in inputs.iter().enumerate() {
        let d = a.device();
        if d == device || (d == Device::Cpu && a.is_scalar_parameter()) {
            continue;
        }
        bail!(
            Value,
            "compute: input {i} ({} {:?}) lives on {d} but the computation runs on {device}; arrays \
             on different devices cannot be combined: move them to one device first with to_device",
            a.dtype,
            a.shape.as_slice()
        );
    }
    Ok(())
}

/// [`execute_traced`] on `backend` (monomorphised per backend).
pub(crate) fn execute_on<B: Backend>(
    backend: &B,
    schedule: &Schedule,
    inputs: &[ArrayData],
) -> Result<(Vec<ArrayData>, ExecReport)> {
    // Every temporary must be possible before anything runs: a result that cannot exist (e.g. a
    // matmul of 2^31 x 1 by 1 x 2^31) is a `Memory` error before its operands are computed.
    for (t, tb) in schedule.temps.iter().enumerate() {
        if tb
            .len
            .checked_mul(tb.dtype.size())
            .is_none_or(|b| b > isize::MAX as usize)
        {
            bytes_for(&temp_writer(schedule, t), tb.len, tb.dtype.size())?;
        }
    }
    // The largest temporary must also be allocatable: ask the system for its address space once (no
    // page is touched, and it is given back at once), so a result that cannot be allocated here fails
    // before the steps that compute its operands run.
    if let Some((t, bytes)) = schedule
        .temps
        .iter()
        .map(|tb| tb.len * tb.dtype.size()) // checked above
        .enumerate()
        .max_by_key(|&(_, b)| b)
        .filter(|&(_, b)| b >= LARGE_TEMP_PROBE)
    {
        let mut probe: Vec<u8> = Vec::new();
        if probe.try_reserve_exact(bytes).is_err() {
            bail!(
                Memory,
                "{}: the system refused {bytes} bytes; free some arrays or use smaller ones",
                temp_writer(schedule, t)
            );
        }
    }
    for (t, tb) in schedule.temps.iter().enumerate() {
        ensure!(
            tb.device == backend.device(),
            Internal,
            "execute: temp {t} lives on {} but the schedule runs on {}",
            tb.device,
            backend.device()
        );
    }
    for (si, step) in schedule.steps.iter().enumerate() {
        match step {
            Step::Kernel(k) => check_step(si, k, schedule, inputs)?,
            Step::Extern(e) => check_extern_step(si, e, schedule, inputs)?,
        }
    }
    let cancel = lazulite_ir::cancel::current();
    // Last step that touches each temp; temps that are results live on.
    let nt = schedule.temps.len();
    let mut last_use: Vec<Option<usize>> = vec![None; nt]; // sized by the plan, not by data
    for (si, step) in schedule.steps.iter().enumerate() {
        for b in step.buffers() {
            if let BufferRef::Temp(t) = b {
                last_use[t as usize] = Some(si);
            }
        }
    }
    let mut pinned = vec![false; nt];
    for r in &schedule.results {
        if let BufferRef::Temp(t) = r.buffer {
            ensure!(
                (t as usize) < nt,
                Internal,
                "execute: result reads missing temp {t}"
            );
            pinned[t as usize] = true;
        }
    }
    let mut temps: Vec<Option<B::Mem>> = std::iter::repeat_with(|| None).take(nt).collect();
    let mut report = ExecReport::default();
    let mut live = 0usize;
    let alloc_temp = |t: usize,
                      temps: &mut Vec<Option<B::Mem>>,
                      live: &mut usize,
                      report: &mut ExecReport|
     -> Result<()> {
        if temps[t].is_none() {
            let tb = &schedule.temps[t];
            let bytes = tb.len * tb.dtype.size(); // checked before the first step
            let buf = backend
                .allocate(&temp_writer(schedule, t), bytes)
                .map_err(|e| {
                    lazulite_ir::Error::new(
                        e.kind,
                        format!("{}: {}", temp_writer(schedule, t), e.message),
                    )
                })?;
            temps[t] = Some(buf);
            *live += bytes;
            report.peak_temp_bytes = report.peak_temp_bytes.max(*live);
            report.temps_allocated += 1;
        }
        Ok(())
    };

    let mut progress = crate::progress::Tracker::start(schedule);
    let runs = backend.row_runs(schedule);
    let mut next_run = runs.iter().peekable();
    let mut si = 0;
    while si < schedule.steps.len() {
        if let Some(run) = next_run.next_if(|r| r.start == si) {
            let end = run.end;
            let kernels: Vec<&KernelStep> = schedule.steps[si..end]
                .iter()
                .filter_map(|s| match s {
                    Step::Kernel(k) => Some(k),
                    Step::Extern(_) => None,
                })
                .collect();
            for k in &kernels {
                for o in &k.outputs {
                    match o.buffer {
                        BufferRef::Temp(t) if !run.scratch.contains(&t) => {
                            alloc_temp(t as usize, &mut temps, &mut live, &mut report)?;
                        }
                        _ => {}
                    }
                }
            }
            cancel.check("compute")?;
            if let Some(reports) = backend.launch_rows(run, &kernels, inputs, &temps, &cancel)? {
                report.steps.extend(reports);
                for step in &schedule.steps[si..end] {
                    if let Some(p) = progress.as_mut() {
                        p.step_done(step, None);
                    }
                }
                for (t, lu) in last_use.iter().enumerate() {
                    if lu.is_some_and(|u| (si..end).contains(&u))
                        && !pinned[t]
                        && temps[t].take().is_some()
                    {
                        let tb = &schedule.temps[t];
                        live -= tb.len * tb.dtype.size();
                        report.temps_freed_early += 1;
                        bump(&counters().temps_freed_early, 1);
                    }
                }
                si = end;
                continue;
            }
        }
        let step = &schedule.steps[si];
        for b in step.buffers() {
            if let BufferRef::Temp(t) = b {
                // Reads of a temp no step wrote are caught below; only outputs are new here.
                let is_output = match step {
                    Step::Kernel(k) => k.outputs.iter().any(|o| o.buffer == b),
                    Step::Extern(e) => e.outputs.iter().any(|o| o.temp == t),
                };
                if is_output {
                    alloc_temp(t as usize, &mut temps, &mut live, &mut report)?;
                }
            }
        }
        cancel.check("compute")?;
        let meter = match (progress.as_ref(), step) {
            (Some(p), Step::Kernel(k)) => Some(p.kernel_meter(step, numel(&k.shape))),
            _ => None,
        };
        let step_report = match step {
            Step::Kernel(k) => {
                let _in_kernel = crate::progress::enter_kernel(meter.clone());
                backend.launch(si, k, inputs, &temps, &cancel)?
            }
            Step::Extern(e) => backend.run_extern(si, e, inputs, &temps, &cancel)?,
        };
        report.steps.push(step_report);
        if let Some(p) = progress.as_mut() {
            p.step_done(step, meter.as_deref());
        }
        // Release temps whose last use was this step.
        for (t, lu) in last_use.iter().enumerate() {
            if *lu == Some(si) && !pinned[t] && temps[t].take().is_some() {
                let tb = &schedule.temps[t];
                live -= tb.len * tb.dtype.size();
                report.temps_freed_early += 1;
                bump(&counters().temps_freed_early, 1);
            }
        }
        si += 1;
    }

    let mut results = Vec::with_capacity(schedule.results.len());
    // result temps as buffers (two results may view one temp)
    let mut result_bufs: Vec<Option<Arc<Buffer>>> = vec![None; nt];
    for (ri, r) in schedule.results.iter().enumerate() {
        let (buffer, offset) = match r.buffer {
            BufferRef::Input(i) => {
                let a = inputs.get(i as usize).ok_or_else(|| {
                    lazulite_ir::Error::new(
                        lazulite_ir::ErrorKind::Value,
                        format!(
                            "execute: result {ri} is input slot {i}, but only {} inputs were given",
                            inputs.len()
                        ),
                    )
                })?;
                ensure!(
                    a.dtype == r.dtype,
                    Internal,
                    "execute: result {ri} reads input {i} of {} as {}",
                    a.dtype,
                    r.dtype
                );
                (a.buffer.clone(), a.offset + r.offset)
            }
            BufferRef::Temp(t) => {
                if result_bufs[t as usize].is_none() {
                    alloc_temp(t as usize, &mut temps, &mut live, &mut report)?;
                }
                let tb = &schedule.temps[t as usize];
                ensure!(
                    tb.dtype == r.dtype,
                    Internal,
                    "execute: result {ri} reads temp {t} of {} as {}",
                    tb.dtype,
                    r.dtype
                );
                let buf = match (&result_bufs[t as usize], temps[t as usize].take()) {
                    (Some(b), _) => b.clone(),
                    (None, Some(mem)) => {
                        let b = backend.result_buffer(mem)?;
                        result_bufs[t as usize] = Some(b.clone());
                        b
                    }
                    (None, None) => {
                        bail!(Internal, "execute: result {ri}: temp {t} was not allocated")
                    }
                };
                (buf, r.offset)
            }
        };
        let a = ArrayData {
            buffer,
            offset,
            strides: r.strides.clone(),
            shape: r.shape.clone(),
            dtype: r.dtype,
        };
        a.check_layout().map_err(|e| {
            lazulite_ir::Error::new(e.kind, format!("execute: result {ri}: {}", e.message))
        })?;
        results.push(a);
    }
    Ok((results, report))
}
