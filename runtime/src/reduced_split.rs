//! Reductions whose reduced dims lead in memory (`sum(m, axis=0)` of a C-order matrix, the N-D case
//! where the reduced axes come first): the threads split the *reduced* rows instead of the outputs.
//!
//! Split by outputs (dim 0, what [`crate::exec`] does for other kernels), each thread reads a short
//! stretch of every row (8 KiB of a 16 KiB row for 4096 float32 columns on two threads), several rows
//! at once, which reads at about 75-84% of one sequential stream. Split by rows, each piece of the
//! work reads whole rows one after another (NumPy's order): the first reduced dim is cut into
//! `pieces` ranges, each folded by the kernel's body and reductions into a private partial output
//! array (the *partials kernel*: the same loop nest with an epilogue of bare `Reduced(k)`), and then
//! one small *combine kernel* reduces the pieces' partials with the same reduction ops (so NaN,
//! signed zeros and integer wrap-around are the kernel's own) and runs the original epilogue once
//! (mean's divide, fused elementwise work) into the real outputs.

use crate::cache::{runner_for, Runner};
use crate::config::{bump, config, counters};
use crate::exec::{thread_pool, Launch};
use lazulite_codegen_cpu::KernelArgs;
use lazulite_ir::alloc::try_filled;
use lazulite_ir::cancel::Cancel;
use lazulite_ir::shape::numel;
use lazulite_ir::{
    Inst, Instr, Kernel, KernelInput, KernelOutput, KernelReduce, Result, StrideClass,
};
use rayon::prelude::*;
use std::sync::Arc;

/// Loop points per piece at most (a piece is one kernel call; the cancel flag is read between them).
const PIECE_POINTS: usize = 1 << 21;
/// One piece's partial outputs at most, in bytes (they stay in the core's L2 while it folds rows).
const MAX_PARTIAL_BYTES: usize = 1 << 20;
/// Bytes of a row per thread from which the split by outputs is kept.
const SHARE_PAGE: usize = 4096;
/// The partials written and combined are at most this fraction of the loop points.
const PARTIAL_SHARE: usize = 16;

/// How many pieces of rows to split `kernel` over `shape` into, or `None` to keep the split by
/// outputs. The rule: two or more threads and a parallel-sized loop; the first reduced dim has at
/// least a row per thread, no input walks it contiguously and some input walks it at all (it is a
/// memory-outer dim, like the rows of `sum(m, axis=0)`); a piece's partials fit `MAX_PARTIAL_BYTES`
/// and all of them are a small share of the work; and a row (the outer points' bytes) is under
/// `SHARE_PAGE` per thread.
///
/// # Safety
/// `args.in_strides` must hold `kernel.inputs.len() * kernel.ndim` strides.
pub(crate) unsafe fn pieces(kernel: &Kernel, shape: &[usize], args: &KernelArgs) -> Option<usize> {
    let cfg = config();
    let threads = cfg.threads;
    let n_outer = kernel.n_outer();
    let ndim = kernel.ndim as usize;
    if threads < 2 || n_outer == 0 || kernel.n_reduce == 0 || shape.len() != ndim {
        return None;
    }
    let work = numel(shape);
    let rows = shape[n_outer];
    let outer: usize = shape[..n_outer].iter().product();
    if work < cfg.parallel_threshold || rows < threads || outer == 0 {
        return None;
    }
    let nin = kernel.inputs.len();
    // SAFETY: the caller's contract.
    let strides = unsafe { std::slice::from_raw_parts(args.in_strides, nin * ndim) };
    let along: Vec<i64> = (0..nin).map(|i| strides[i * ndim + n_outer]).collect();
    if along.iter().any(|s| s.unsigned_abs() == 1) || along.iter().all(|&s| s == 0) {
        return None;
    }
    let acc_bytes: usize = kernel
        .reduces
        .iter()
        .map(|r| kernel.body[r.value as usize].dtype.size())
        .sum();
    if outer.saturating_mul(acc_bytes) > MAX_PARTIAL_BYTES {
        return None;
    }
    // Only where the split by outputs is the worse one: each thread's share of a row under a page,
    // so both threads read the same pages (every cache line, when a row is a few elements). With
    // wider rows both splits read at the same rate on one core, and the split by outputs scales
    // better on two (measured: bench/README.md, branch `col11`).
    let elem = (0..nin)
        .filter(|&i| along[i] != 0)
        .map(|i| kernel.inputs[i].dtype.size())
        .max()
        .unwrap_or(1);
    if outer.saturating_mul(elem) >= SHARE_PAGE * threads {
        return None;
    }
    let per_thread = work.div_ceil(threads * PIECE_POINTS);
    let n = (threads * per_thread).min(rows);
    (n.saturating_mul(outer).saturating_mul(PARTIAL_SHARE) <= work).then_some(n)
}

/// The partials kernel: `kernel`'s loop nest with one output per reduction, its bare result.
fn partials_kernel(kernel: &Kernel) -> Kernel {
    let acc = |r: &KernelReduce| kernel.body[r.value as usize].dtype;
    Kernel {
        ndim: kernel.ndim,
        n_reduce: kernel.n_reduce,
        inputs: kernel.inputs.clone(),
        body: kernel.body.clone(),
        reduces: kernel.reduces.clone(),
        epilogue: (0..)
            .zip(&kernel.reduces)
            .map(|(j, r)| Instr {
                inst: Inst::Reduced(j),
                dtype: acc(r),
            })
            .collect(),
        outputs: (0..)
            .zip(&kernel.reduces)
            .map(|(j, r)| KernelOutput {
                value: j,
                dtype: acc(r),
                inner: StrideClass::Contiguous,
            })
            .collect(),
    }
}

/// The combine kernel: the outer dims and one reduced dim over the pieces. Inputs: `kernel`'s own
/// (read by the epilogue only, at reduced index 0, so with stride 0 along the pieces), then each
/// reduction's partials (`outer` elements apart from one piece to the next). It reduces them with the
/// same ops and runs `kernel`'s epilogue into `kernel`'s outputs.
fn combine_kernel(kernel: &Kernel, outer: usize) -> Kernel {
    let nin = kernel.inputs.len() as u32;
    let acc = |r: &KernelReduce| kernel.body[r.value as usize].dtype;
    let between = StrideClass::of(outer as isize);
    Kernel {
        ndim: kernel.n_outer() as u32 + 1,
        n_reduce: 1,
        inputs: kernel
            .inputs
            .iter()
            .map(|i| KernelInput {
                dtype: i.dtype,
                inner: StrideClass::Broadcast,
            })
            .chain(kernel.reduces.iter().map(|r| KernelInput {
                dtype: acc(r),
                inner: between,
            }))
            .collect(),
        body: (0..)
            .zip(&kernel.reduces)
            .map(|(j, r)| Instr {
                inst: Inst::Load { input: nin + j },
                dtype: acc(r),
            })
            .collect(),
        reduces: (0..)
            .zip(&kernel.reduces)
            .map(|(j, r)| KernelReduce { op: r.op, value: j })
            .collect(),
        epilogue: kernel.epilogue.clone(),
        outputs: kernel.outputs.clone(),
    }
}

/// Runs `kernel` split into `pieces` ranges of its first reduced dim (see the module docs). Returns
/// the number of pieces.
///
/// # Safety
/// `args` must satisfy the kernel ABI contract for the full range of dimension 0, and `pieces` must
/// come from [`pieces`] for the same kernel, shape and arguments.
pub(crate) unsafe fn run(
    kernel: &Kernel,
    runner: &Runner,
    shape: &[usize],
    args: &KernelArgs,
    cancel: &Cancel,
    pieces: usize,
) -> Result<usize> {
    let n_outer = kernel.n_outer();
    let ndim = kernel.ndim as usize;
    let nin = kernel.inputs.len();
    let nred = kernel.reduces.len();
    let work = numel(shape);
    let dim0 = shape[0];
    let rows = shape[n_outer];
    let outer: usize = shape[..n_outer].iter().product();
    let partial = Arc::new(partials_kernel(kernel));
    let combine = Arc::new(combine_kernel(kernel, outer));
    let (prun, crun) = match runner {
        Runner::Interpreted => (Runner::Interpreted, Runner::Interpreted),
        Runner::Compiled(_) => (runner_for(&partial, work), runner_for(&combine, work)),
    };
    // C-order element strides of one piece's partials over the outer dims.
    let mut c_strides = vec![0i64; n_outer];
    let mut s = 1i64;
    for d in (0..n_outer).rev() {
        c_strides[d] = s;
        s *= shape[d] as i64;
    }
    // Each reduction's partials in their own 16-byte-aligned region: `pieces` arrays of `outer`.
    let sizes: Vec<usize> = kernel
        .reduces
        .iter()
        .map(|r| kernel.body[r.value as usize].dtype.size())
        .collect();
    let mut starts = Vec::with_capacity(nred);
    let mut units = 0usize;
    for &sz in &sizes {
        starts.push(units);
        units += (pieces * outer * sz).div_ceil(16);
    }
    let mut partials = try_filled("reduction partials", units, [0u64; 2])?;
    let base = partials.as_mut_ptr() as usize;
    let region = |j: usize, c: usize| base + starts[j] * 16 + c * outer * sizes[j];
    // SAFETY: the ABI contract: `nin` input pointers and `nin * ndim` strides.
    let (in_ptrs, in_strides): (Vec<usize>, Vec<i64>) = unsafe {
        (
            std::slice::from_raw_parts(args.inputs, nin)
                .iter()
                .map(|&p| p as usize)
                .collect(),
            std::slice::from_raw_parts(args.in_strides, nin * ndim).to_vec(),
        )
    };
    let out_strides: Vec<i64> = (0..nred).flat_map(|_| c_strides.iter().copied()).collect();
    let meter = crate::progress::current_meter();
    let points_per_row_and_piece_row = work / dim0 / rows;
    let run_piece = |c: usize| -> Result<()> {
        let (rs, re) = (rows * c / pieces, rows * (c + 1) / pieces);
        let mut shp: Vec<i64> = shape.iter().map(|&n| n as i64).collect();
        shp[n_outer] = (re - rs) as i64;
        let ins: Vec<*const u8> = (0..nin)
            .map(|i| {
                let skip = rs as i64 * in_strides[i * ndim + n_outer];
                (in_ptrs[i] as *const u8)
                    .wrapping_offset(skip as isize * kernel.inputs[i].dtype.size() as isize)
            })
            .collect();
        let outs: Vec<*mut u8> = (0..nred).map(|j| region(j, c) as *mut u8).collect();
        let mine = KernelArgs {
            shape: shp.as_ptr(),
            inputs: ins.as_ptr(),
            in_strides: in_strides.as_ptr(),
            outputs: outs.as_ptr(),
            out_strides: out_strides.as_ptr(),
        };
        let l = Launch {
            kernel: &partial,
            runner: &prun,
            points_per_row: points_per_row_and_piece_row * (re - rs),
            cancel,
            meter: meter.clone(),
        };
        cancel.check("compute")?;
        // SAFETY: the piece reads the caller's inputs over rows `[rs, re)` of the first reduced dim
        // (its pointers moved to row `rs`, the extent cut to `re - rs`: a sub-box of what the caller's
        // contract covers) and writes its own partials region (`outer` elements per reduction, laid
        // out by `out_strides`), which no other piece touches.
        unsafe { l.call_range(&mine, 0, dim0 as i64) }
    };
    let pool = thread_pool(config().threads)?;
    pool.install(|| (0..pieces).into_par_iter().try_for_each(run_piece))?;
    cancel.check("compute")?;
    let cshape: Vec<i64> = shape[..n_outer]
        .iter()
        .map(|&n| n as i64)
        .chain([pieces as i64])
        .collect();
    let cins: Vec<*const u8> = in_ptrs
        .iter()
        .map(|&p| p as *const u8)
        .chain((0..nred).map(|j| region(j, 0) as *const u8))
        .collect();
    let cstrides: Vec<i64> = (0..nin)
        .flat_map(|i| {
            in_strides[i * ndim..i * ndim + n_outer]
                .iter()
                .copied()
                .chain([0])
        })
        .chain((0..nred).flat_map(|_| c_strides.iter().copied().chain([outer as i64])))
        .collect();
    let cargs = KernelArgs {
        shape: cshape.as_ptr(),
        inputs: cins.as_ptr(),
        in_strides: cstrides.as_ptr(),
        outputs: args.outputs,
        out_strides: args.out_strides,
    };
    let l = Launch {
        kernel: &combine,
        runner: &crun,
        points_per_row: 0,
        cancel,
        meter: None,
    };
    // SAFETY: the partials are `pieces` initialised arrays (every piece ran) read at the strides
    // they were written with; the epilogue reads the caller's inputs at reduced index 0 and the
    // outputs are the caller's, so the contract is the caller's for the outer dims.
    unsafe { l.call_range(&cargs, 0, dim0 as i64)? };
    drop(partials);
    bump(&counters().parallel_runs, 1);
    Ok(pieces)
}
