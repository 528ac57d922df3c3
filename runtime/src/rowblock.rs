//! Row-blocked runs of kernel steps (CPU): consecutive kernel steps over the same rows (dimension 0,
//! an outer dimension of each), where every step that reads a temporary written earlier in the run
//! reads, for row `i`, only what row `i` of its writer wrote, run block of rows by block of rows:
//! every step over rows `[s, e)`, then every step over the next block. A block's rows stay in the
//! cache from one step to the next, so the run reads its inputs from memory once and each
//! temporary passes through the cache instead of through memory once per step that touches it.
//!
//! Softmax over the last axis is the case it is for: `max` of each row, `exp(x - max)` stored, `sum`
//! of each row, `e / sum` are four kernels over the same rows (the passes cannot fuse a reduction
//! and the elementwise step that reads its result into one loop); run one after the other, each
//! reads its 128 MiB operand from memory (four reads and two writes of the matrix); row-blocked,
//! `x` is read from memory once and `e` is read back from the cache.
//!
//! A block covers about [`crate::Config::row_block_bytes`] of the steps' operands (a core's L2);
//! blocks are spread over the thread pool. `row_block_bytes = 0` turns it off.

use crate::buffer::{ArrayData, Buffer};
use crate::cache::{runner_for, Runner};
use crate::config::{bump, config, counters};
use crate::exec::{elem_ptr, thread_pool, StepReport};
use crate::interp::interpret;
use lazulite_codegen_cpu::KernelArgs;
use lazulite_ir::alloc::try_filled;
use lazulite_ir::cancel::Cancel;
use lazulite_ir::shape::numel;
use lazulite_ir::{BufferRef, KernelStep, Operand, Result, Schedule, Step, StrideClass};
use rayon::prelude::*;
use std::sync::Arc;

/// Loop points a run must have at least (every step together) to be row-blocked: below it the
/// operands fit in the cache anyway.
const MIN_RUN_POINTS: usize = 1 << 20;

/// Kernel steps `start..end` of a schedule, run a block of rows at a time (see [`runs`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowRun {
    pub start: usize,
    pub end: usize,
    /// Temporaries written and read only inside the run and not results: never allocated, each
    /// block keeps its rows of them in a small scratch buffer of its thread.
    pub scratch: Vec<u32>,
}

/// The row-blocked runs of a schedule, in step order. A run has at least two kernel steps and at
/// least one temporary that a step of the run writes and a later one reads.
pub(crate) fn runs(schedule: &Schedule) -> Vec<RowRun> {
    let n = schedule.steps.len();
    let mut found = Vec::new();
    if config().row_block_bytes == 0 {
        return found;
    }
    let mut last_use = vec![usize::MAX; schedule.temps.len()];
    for (si, step) in schedule.steps.iter().enumerate() {
        for b in step.buffers() {
            if let BufferRef::Temp(t) = b {
                last_use[t as usize] = si;
            }
        }
    }
    let mut result = vec![false; schedule.temps.len()];
    for r in &schedule.results {
        if let BufferRef::Temp(t) = r.buffer {
            result[t as usize] = true;
        }
    }
    // Writers per temp over the whole schedule: a temp written by several steps (slices of one
    // buffer) is never read inside a run.
    let mut writers = vec![0u32; schedule.temps.len()];
    for step in &schedule.steps {
        match step {
            Step::Kernel(k) => {
                for o in &k.outputs {
                    if let BufferRef::Temp(t) = o.buffer {
                        writers[t as usize] += 1;
                    }
                }
            }
            Step::Extern(e) => {
                for o in &e.outputs {
                    writers[o.temp as usize] += 1;
                }
            }
        }
    }
    let kernel = |si: usize| match &schedule.steps[si] {
        Step::Kernel(k) if member(k) => Some(k),
        _ => None,
    };
    let mut si = 0;
    while si < n {
        let Some(first) = kernel(si) else {
            si += 1;
            continue;
        };
        let rows = first.shape[0];
        let mut j = si + 1;
        let mut linked = false;
        let mut points = numel(&first.shape);
        'grow: while j < n {
            let Some(k) = kernel(j) else { break };
            if k.shape[0] != rows {
                break;
            }
            for r in &k.inputs {
                let BufferRef::Temp(t) = r.buffer else {
                    continue;
                };
                let writer = (si..j).find_map(|w| {
                    let Step::Kernel(ws) = &schedule.steps[w] else {
                        return None;
                    };
                    ws.outputs
                        .iter()
                        .position(|o| o.buffer == r.buffer)
                        .map(|o| (ws, o))
                });
                if let Some((ws, o)) = writer {
                    if writers[t as usize] != 1 || !row_local(ws, &ws.outputs[o], k, r) {
                        break 'grow;
                    }
                    linked = true;
                }
            }
            points += numel(&k.shape);
            j += 1;
        }
        if j - si >= 2 && linked && points >= MIN_RUN_POINTS {
            let mut scratch: Vec<u32> = Vec::new();
            for step in &schedule.steps[si..j] {
                let Step::Kernel(k) = step else { continue };
                for o in &k.outputs {
                    if let BufferRef::Temp(t) = o.buffer {
                        let ti = t as usize;
                        if last_use[ti] < j
                            && !result[ti]
                            && writers[ti] == 1
                            && dense_pitch(k, o).is_some()
                        {
                            scratch.push(t);
                        }
                    }
                }
            }
            found.push(RowRun {
                start: si,
                end: j,
                scratch,
            });
            si = j;
        } else {
            si += 1;
        }
    }
    found
}

/// Whether a kernel step can be part of a run: dimension 0 exists, is outer and has rows to split,
/// and no input is strided along the innermost loop dimension. (A reduction over a strided axis,
/// `max(x, axis=0)` of a C-order matrix, walks columns as its rows: a block of them shares no
/// cache lines with the next step's rows, and the compiled code vectorizes such reductions across
/// the outer dimension, so a block boundary would move lanes into the scalar remainder and change
/// the last bit of some results.)
fn member(k: &KernelStep) -> bool {
    k.kernel.ndim >= 1
        && k.kernel.n_outer() >= 1
        && k.shape[0] >= 2
        && k.kernel
            .inputs
            .iter()
            .all(|i| i.inner != StrideClass::Strided)
}

/// The row pitch (elements) of writer `ws`'s output `w` when it fills its rows densely (C order over
/// its outer dims), so that its rows `[s, e)` are exactly elements `[s * pitch, e * pitch)` past its
/// offset; `None` otherwise.
fn dense_pitch(ws: &KernelStep, w: &Operand) -> Option<isize> {
    let outer = &ws.shape[..ws.kernel.n_outer()];
    let mut pitch = 1isize;
    for d in (1..outer.len()).rev() {
        if outer[d] > 1 && w.strides[d] != pitch {
            return None;
        }
        pitch *= outer[d] as isize;
    }
    (w.strides[0] == pitch).then_some(pitch)
}

/// Whether reader `rs`'s operand `r` reads, in row `i` of dimension 0, only elements that writer
/// `ws`'s output `w` writes in its row `i`: the writer fills its rows densely ([`dense_pitch`]), and
/// the reader, at the same offset and row pitch, stays within a pitch of its row's start with
/// non-negative strides.
fn row_local(ws: &KernelStep, w: &Operand, rs: &KernelStep, r: &Operand) -> bool {
    let Some(pitch) = dense_pitch(ws, w) else {
        return false;
    };
    if r.offset != w.offset || r.strides[0] != pitch {
        return false;
    }
    let mut reach = 0isize;
    for (d, &n) in rs.shape.iter().enumerate().skip(1) {
        if n == 0 {
            return true;
        }
        let s = r.strides[d];
        if s < 0 {
            return false;
        }
        reach += (n as isize - 1) * s;
    }
    reach < pitch
}

/// One step's call arguments (the pointer and stride arrays behind its [`KernelArgs`]).
struct StepArgs {
    shape: Vec<i64>,
    in_ptrs: Vec<*const u8>,
    in_strides: Vec<i64>,
    out_ptrs: Vec<*mut u8>,
    out_strides: Vec<i64>,
    runner: Runner,
}

impl StepArgs {
    fn args(&self) -> KernelArgs {
        KernelArgs {
            shape: self.shape.as_ptr(),
            inputs: self.in_ptrs.as_ptr(),
            in_strides: self.in_strides.as_ptr(),
            outputs: self.out_ptrs.as_ptr(),
            out_strides: self.out_strides.as_ptr(),
        }
    }
}

/// Where a step's operand of a scratch temporary points in a block: `bytes * rows` into the block's
/// scratch (`bytes`: the 64-byte rounded row sizes of the temps placed before it; `rows` per
/// block), less `row_bytes` per row before the block's first.
struct ScratchSlot {
    step: usize,
    output: bool,
    slot: usize,
    bytes: usize,
    row_bytes: usize,
}

/// The steps' arguments, shared by the worker threads.
struct Shared<'a>(&'a [(&'a KernelStep, StepArgs)]);
// SAFETY: the buffers behind the pointers outlive the parallel call (it is joined before they drop);
// inputs are only read, and each block writes the rows of its own outputs only (the steps of a run
// write temporaries that nothing else in the run writes; `runs` checked that a step reads only the
// rows of a temp that the same block wrote).
unsafe impl Sync for Shared<'_> {}

/// Runs the kernel steps of `run` (checked by the executor; output temps allocated, except the
/// run's scratch temps) block of rows by block of rows, over the thread pool.
pub(crate) fn run(
    run: &RowRun,
    steps: &[&KernelStep],
    inputs: &[ArrayData],
    temps: &[Option<Arc<Buffer>>],
    cancel: &Cancel,
) -> Result<Vec<StepReport>> {
    let cfg = config();
    let rows = steps[0].shape[0];
    let run_points: usize = steps.iter().map(|s| numel(&s.shape)).sum();
    let mut prepared = Vec::with_capacity(steps.len());
    let mut slots: Vec<ScratchSlot> = Vec::new();
    // Per scratch temp: its region's start in a block's scratch per row of the block (the rounded
    // row sizes of the temps before it), and its bytes per row.
    let mut placed: Vec<(u32, usize, usize)> = Vec::new();
    let mut scratch_row_bytes = 0usize;
    let mut footprint: Vec<(BufferRef, usize)> = Vec::new();
    let mut work = 0usize;
    for (i, step) in steps.iter().enumerate() {
        let si = run.start + i;
        let k = &step.kernel;
        let mut in_ptrs = Vec::with_capacity(step.inputs.len());
        let mut in_strides = Vec::with_capacity(step.inputs.len() * step.shape.len());
        for (j, (op, ki)) in step.inputs.iter().zip(&k.inputs).enumerate() {
            match scratch_of(run, &placed, op) {
                Some((bytes, rb)) => {
                    slots.push(ScratchSlot {
                        step: i,
                        output: false,
                        slot: j,
                        bytes,
                        row_bytes: rb,
                    });
                    in_ptrs.push(std::ptr::null());
                }
                None => in_ptrs.push(elem_ptr(si, inputs, temps, op.buffer, op.offset, ki.dtype)?),
            }
            in_strides.extend(op.strides.iter().map(|&s| s as i64));
        }
        let mut out_ptrs = Vec::with_capacity(step.outputs.len());
        let mut out_strides = Vec::new();
        for (j, (op, ko)) in step.outputs.iter().zip(&k.outputs).enumerate() {
            if let BufferRef::Temp(t) = op.buffer {
                if run.scratch.contains(&t) {
                    // the only writer: place the temp (`runs` checked it is dense)
                    let pitch = dense_pitch(step, op).unwrap_or(0) as usize;
                    let rb = pitch * ko.dtype.size();
                    placed.push((t, scratch_row_bytes, rb));
                    scratch_row_bytes += rb.next_multiple_of(64);
                }
            }
            match scratch_of(run, &placed, op) {
                Some((bytes, rb)) => {
                    slots.push(ScratchSlot {
                        step: i,
                        output: true,
                        slot: j,
                        bytes,
                        row_bytes: rb,
                    });
                    out_ptrs.push(std::ptr::null_mut());
                }
                None => out_ptrs
                    .push(elem_ptr(si, inputs, temps, op.buffer, op.offset, ko.dtype)?.cast_mut()),
            }
            out_strides.extend(op.strides.iter().map(|&s| s as i64));
        }
        let points = numel(&step.shape);
        // The bytes of a row each operand touches (a broadcast axis touches one element), counted
        // once per buffer: the block's footprint in the cache.
        for (op, dt) in step
            .inputs
            .iter()
            .zip(k.inputs.iter().map(|i| i.dtype))
            .chain(step.outputs.iter().zip(k.outputs.iter().map(|o| o.dtype)))
        {
            let touched: usize = step
                .shape
                .iter()
                .zip(&op.strides)
                .skip(1)
                .filter(|&(_, &st)| st != 0)
                .map(|(&n, _)| n)
                .product();
            let bytes = touched * dt.size();
            match footprint.iter_mut().find(|(b, _)| *b == op.buffer) {
                Some((_, f)) => *f = (*f).max(bytes),
                None => footprint.push((op.buffer, bytes)),
            }
        }
        work += points;
        prepared.push((
            *step,
            StepArgs {
                shape: step.shape.iter().map(|&n| n as i64).collect(),
                in_ptrs,
                in_strides,
                out_ptrs,
                out_strides,
                // Called once per block: as hot as the whole run is large.
                runner: runner_for(k, run_points.max(points)),
            },
        ));
    }
    let threads = cfg.threads;
    let row_bytes: usize = footprint.iter().map(|&(_, f)| f).sum();
    let per_block = (cfg.row_block_bytes / row_bytes.max(1)).clamp(1, rows);
    // At least a few blocks per thread, so that the last ones even out.
    let per_block = per_block.min(rows.div_ceil(4 * threads)).max(1);
    let blocks = rows.div_ceil(per_block);
    let bounds: Vec<(i64, i64)> = (0..blocks)
        .map(|b| {
            (
                (b * per_block) as i64,
                ((b + 1) * per_block).min(rows) as i64,
            )
        })
        .collect();
    // 16-byte units, so that every dtype is aligned; the scratch temps' regions are 64-byte aligned
    // within it.
    let scratch_units = (scratch_row_bytes * per_block).div_ceil(16);
    let shared = Shared(&prepared);
    // Per thread: the scratch, and the pointer arrays of the steps that touch it (patched per block).
    struct Local {
        scratch: Vec<u128>,
        in_ptrs: Vec<Vec<*const u8>>,
        out_ptrs: Vec<Vec<*mut u8>>,
    }
    let local = || Local {
        scratch: Vec::new(),
        in_ptrs: Vec::new(),
        out_ptrs: Vec::new(),
    };
    let run_block = |l: &mut Local, &(s, e): &(i64, i64)| -> Result<()> {
        cancel.check("compute")?;
        let all = &shared;
        if !slots.is_empty() && l.scratch.len() < scratch_units {
            l.scratch = try_filled("row block scratch", scratch_units, 0u128)?;
            l.in_ptrs = all.0.iter().map(|(_, a)| a.in_ptrs.clone()).collect();
            l.out_ptrs = all.0.iter().map(|(_, a)| a.out_ptrs.clone()).collect();
        }
        let base = l.scratch.as_mut_ptr() as *mut u8;
        for sl in &slots {
            // Row `s` of the temp at the start of its region: the kernel adds `row * row_bytes`, so
            // rows `[s, e)` land in the region.
            let p = base
                .wrapping_add(sl.bytes * per_block)
                .wrapping_sub(s as usize * sl.row_bytes);
            if sl.output {
                l.out_ptrs[sl.step][sl.slot] = p;
            } else {
                l.in_ptrs[sl.step][sl.slot] = p;
            }
        }
        for (i, (step, a)) in all.0.iter().enumerate() {
            let mut args = a.args();
            if !slots.is_empty() {
                args.inputs = l.in_ptrs[i].as_ptr();
                args.outputs = l.out_ptrs[i].as_ptr();
            }
            match &a.runner {
                Runner::Compiled(c) => {
                    let f = c.entry();
                    // SAFETY: the executor checked every operand's extent for the whole loop nest,
                    // `[s, e)` lies inside dimension 0, a scratch temp's rows `[s, e)` lie inside
                    // this block's scratch (dense rows of `row_bytes`, readers within a row), and
                    // the code lives while `c` does.
                    unsafe { f(&args, s, e) };
                }
                Runner::Interpreted => interpret(&step.kernel, &args, s, e)?,
            }
        }
        Ok(())
    };
    let split = threads > 1 && work >= cfg.parallel_threshold && blocks > 1;
    if split {
        thread_pool(threads)?.install(|| {
            bounds
                .par_iter()
                .try_for_each_init(local, |l, b| run_block(l, b))
        })?;
        bump(&counters().parallel_runs, 1);
    } else {
        let mut l = local();
        bounds.iter().try_for_each(|b| run_block(&mut l, b))?;
    }
    let c = counters();
    Ok(prepared
        .iter()
        .map(|(step, a)| {
            let compiled = matches!(a.runner, Runner::Compiled(_));
            bump(
                if compiled {
                    &c.compiled_runs
                } else {
                    &c.interpreted_runs
                },
                1,
            );
            StepReport {
                label: step.label.clone(),
                compiled,
                chunks: blocks,
            }
        })
        .collect())
}

/// The region (bytes into a block's scratch, bytes per row) of a scratch temp operand.
fn scratch_of(
    run: &RowRun,
    placed: &[(u32, usize, usize)],
    op: &Operand,
) -> Option<(usize, usize)> {
    let BufferRef::Temp(t) = op.buffer else {
        return None;
    };
    if !run.scratch.contains(&t) {
        return None;
    }
    placed
        .iter()
        .find(|p| p.0 == t)
        .map(|&(_, bytes, rb)| (bytes, rb))
}
