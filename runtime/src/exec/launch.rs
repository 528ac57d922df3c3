//! The CPU backend's kernel launch: the persistent worker pool, and a kernel's loop split into
//! pieces across it (by outputs, or for full reductions by the reduced dim into per-thread partials
//! that are combined afterwards), each piece run compiled or interpreted.

use crate::cache::Runner;
use crate::config::{bump, config, counters};
use crate::interp::{combine, interpret};
use lazulite_codegen_cpu::KernelArgs;
use lazulite_ir::alloc::try_filled;
use lazulite_ir::cancel::Cancel;
use lazulite_ir::shape::numel;
use lazulite_ir::{Inst, Kernel, Result, Scalar};
use rayon::prelude::*;
use std::sync::{Arc, Mutex, OnceLock};

/// The worker pool of `threads` threads (started once; again when the count changes). A process
/// forked after the pool started has none of its threads: a pool started by another process id is
/// left alone (dropping it would wait for threads that do not exist here) and a new one started.
pub(crate) fn thread_pool(threads: usize) -> Result<Arc<rayon::ThreadPool>> {
    type SizedPool = Option<(usize, u32, Arc<rayon::ThreadPool>)>;
    static POOL: OnceLock<Mutex<SizedPool>> = OnceLock::new();
    let mut g = POOL
        .get_or_init(|| Mutex::new(None))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let pid = std::process::id();
    if let Some((n, owner, p)) = &*g {
        if *n == threads && *owner == pid {
            return Ok(p.clone());
        }
    }
    if let Some(inherited) = g.take_if(|(_, owner, _)| *owner != pid) {
        std::mem::forget(inherited);
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("lazulite-{i}"))
        .start_handler(crate::affinity::worker_start(threads))
        .build()
        .map_err(|e| {
            lazulite_ir::Error::new(
                lazulite_ir::ErrorKind::Internal,
                format!("runtime: cannot start {threads} worker threads ({e}); set LAZULITE_THREADS lower"),
            )
        })?;
    let p = Arc::new(p);
    *g = Some((threads, pid, p.clone()));
    Ok(p)
}

/// `KernelArgs` shared by the worker threads of one call.
struct SharedArgs<'a>(&'a KernelArgs);
// SAFETY: the arrays behind the pointers outlive the parallel call (it is joined before they drop), are
// only read by the kernel, and each chunk writes a disjoint part of the outputs (or its own partials).
unsafe impl Sync for SharedArgs<'_> {}

/// Loop points one call of compiled code covers at most between two looks at the cancel flag
/// (about a millisecond of a transcendental chain; a relaxed atomic load per piece costs nothing).
const PIECE_POINTS_COMPILED: usize = 1 << 16;
/// Outer points per piece at least when dim 0 is the only outer dim of a reduction (see [`Launch::call`]).
const MIN_OUTER_PIECE: i64 = 2048;
/// The same for the interpreter, which is slower per point.
const PIECE_POINTS_INTERPRETED: usize = 1 << 13;
/// Loop points per partial of a reduction over dimension 0: a large full reduction is split into at
/// least `work / PARTIAL_POINTS` partials (also on one thread), so that it can be cancelled between them.
const PARTIAL_POINTS: usize = 1 << 18;

/// How one launch runs: the runner, the loop points per row of dimension 0, and the cancel flag.
pub(crate) struct Launch<'a> {
    pub(crate) kernel: &'a Kernel,
    pub(crate) runner: &'a Runner,
    pub(crate) points_per_row: usize,
    pub(crate) cancel: &'a Cancel,
    /// Counts the rows done for the progress hook (`None` when progress is off).
    pub(crate) meter: Option<Arc<crate::progress::KernelMeter>>,
}

impl Launch<'_> {
    /// Runs the kernel over rows `[start, end)` of dimension 0 in pieces of bounded work, looking at
    /// the cancel flag before each. Only kernels whose dimension 0 is an outer (not reduced)
    /// dimension can be cut into pieces; the others run in one call.
    ///
    /// # Safety
    /// `args` must satisfy the kernel ABI contract (see [`interpret`]) for that range.
    unsafe fn call(&self, args: &KernelArgs, start: i64, end: i64) -> Result<()> {
        self.cancel.check("compute")?;
        let piece_points = match self.runner {
            Runner::Compiled(_) => PIECE_POINTS_COMPILED,
            Runner::Interpreted => PIECE_POINTS_INTERPRETED,
        };
        let mut rows = (piece_points / self.points_per_row.max(1)).max(1) as i64;
        if self.kernel.n_outer() == 1 && self.kernel.n_reduce > 0 {
            // Dim 0 is the innermost outer dim and the reduced dims follow (like `sum(x, axis=0)`
            // of a C-order matrix): a piece walks every reduced row over its stretch of dim 0, so a
            // thin piece reads a few bytes per row at a stride of the whole row (a page per cache
            // line, no prefetch). Pieces stay at least a few pages wide instead.
            rows = rows.max(MIN_OUTER_PIECE);
        }
        if self.kernel.n_outer() == 0 || end - start <= rows {
            // SAFETY: forwarded from the caller.
            return unsafe { self.call_range(args, start, end) };
        }
        let mut s = start;
        while s < end {
            let e = (s + rows).min(end);
            self.cancel.check("compute")?;
            // SAFETY: `[s, e)` lies inside the caller's range; rows of an outer dimension 0 are
            // independent, so running them in pieces writes exactly what one call would.
            unsafe { self.call_range(args, s, e)? };
            s = e;
        }
        Ok(())
    }

    /// # Safety
    /// As [`Launch::call`].
    pub(crate) unsafe fn call_range(&self, args: &KernelArgs, start: i64, end: i64) -> Result<()> {
        match self.runner {
            Runner::Compiled(c) => {
                let f = c.entry();
                // SAFETY: forwarded from the caller; the code stays alive while `c` (an Arc) lives.
                unsafe { f(args, start, end) };
            }
            Runner::Interpreted => interpret(self.kernel, args, start, end)?,
        }
        if let Some(m) = &self.meter {
            m.add((end - start).max(0) as usize * self.points_per_row);
        }
        Ok(())
    }
}

/// The reduction behind each output when every output is a bare `Reduced(k)` of the same dtype, so
/// that per-chunk partial outputs can be combined; `None` otherwise.
fn partial_combinable(kernel: &Kernel) -> Option<Vec<lazulite_ir::ReduceOp>> {
    kernel
        .outputs
        .iter()
        .map(|o| match kernel.epilogue.get(o.value as usize)?.inst {
            Inst::Reduced(k) => Some(kernel.reduces.get(k as usize)?.op),
            _ => None,
        })
        .collect()
}

/// Runs one kernel call over its whole loop nest, split across threads when large enough. Returns the
/// number of chunks.
///
/// # Safety
/// `args` must satisfy the kernel ABI contract for the full range of dimension 0.
pub(super) unsafe fn launch(
    kernel: &Kernel,
    runner: &Runner,
    shape: &[usize],
    args: &KernelArgs,
    cancel: &Cancel,
) -> Result<usize> {
    // A reduction over leading (memory-outer) dims: the threads split its rows instead.
    // SAFETY: forwarded from the caller (`args` holds the kernel's strides).
    if let Some(pieces) = unsafe { crate::reduced_split::pieces(kernel, shape, args) } {
        // SAFETY: forwarded from the caller; `pieces` was chosen for these arguments.
        return unsafe { crate::reduced_split::run(kernel, runner, shape, args, cancel, pieces) };
    }
    let cfg = config();
    let work = numel(shape);
    let dim0 = shape.first().copied().unwrap_or(1);
    let threads = cfg.threads;
    let split = threads > 1 && dim0 >= 2 && work >= cfg.parallel_threshold;
    let l = Launch {
        kernel,
        runner,
        points_per_row: work / dim0.max(1),
        cancel,
        meter: crate::progress::current_meter(),
    };
    // A large reduction over dimension 0 is cut into partials even on one thread (see PARTIAL_POINTS).
    let ops = if kernel.ndim > 0 && kernel.n_outer() == 0 {
        partial_combinable(kernel)
    } else {
        None
    };
    let partial_chunks = work.div_ceil(PARTIAL_POINTS).min(dim0);
    if kernel.ndim == 0 || (!split && (ops.is_none() || partial_chunks < 2)) {
        // SAFETY: forwarded from the caller.
        unsafe { l.call(args, 0, dim0 as i64)? };
        return Ok(1);
    }
    let chunks = if split { threads.min(dim0) } else { 1 };
    let chunks = if ops.is_some() {
        chunks.max(partial_chunks)
    } else {
        chunks
    };
    let bounds: Vec<(i64, i64)> = (0..chunks)
        .map(|c| ((dim0 * c / chunks) as i64, (dim0 * (c + 1) / chunks) as i64))
        .collect();
    let pool = thread_pool(threads)?;
    if kernel.n_outer() > 0 {
        let shared = SharedArgs(args);
        pool.install(|| {
            bounds.par_iter().try_for_each(|&(s, e)| {
                let a = &shared;
                // SAFETY: each chunk covers its own rows of dimension 0; args valid by the caller.
                unsafe { l.call(a.0, s, e) }
            })
        })?;
        bump(&counters().parallel_runs, 1);
        return Ok(chunks);
    }
    // Dimension 0 is reduced: each chunk reduces into its own partial outputs.
    let Some(ops) = ops else {
        // SAFETY: forwarded from the caller.
        unsafe { l.call(args, 0, dim0 as i64)? };
        return Ok(1);
    };
    let nout = kernel.outputs.len();
    // 16 bytes (two u64) per output per chunk: aligned for every dtype up to complex128.
    let mut partials = try_filled("reduction partials", chunks * nout, [0u64; 2])?;
    let base = partials.as_mut_ptr() as usize;
    let shared = SharedArgs(args);
    let run_chunk = |c: usize, (s, e): (i64, i64)| {
        let whole = &shared;
        let a = whole.0;
        let outs: Vec<*mut u8> = (0..nout)
            .map(|k| (base + (c * nout + k) * 16) as *mut u8)
            .collect();
        let mine = KernelArgs {
            shape: a.shape,
            inputs: a.inputs,
            in_strides: a.in_strides,
            outputs: outs.as_ptr(),
            out_strides: a.out_strides,
        };
        // SAFETY: same inputs as the caller's; outputs are this chunk's own 16-byte partial slots
        // (no outer dims, so one element each).
        unsafe { l.call(&mine, s, e) }
    };
    if split {
        pool.install(|| {
            bounds
                .par_iter()
                .enumerate()
                .try_for_each(|(c, &b)| run_chunk(c, b))
        })?;
    } else {
        bounds
            .iter()
            .enumerate()
            .try_for_each(|(c, &b)| run_chunk(c, b))?;
    }
    for (k, (o, op)) in kernel.outputs.iter().zip(&ops).enumerate() {
        let read = |c: usize| {
            let p = &partials[c * nout + k];
            // SAFETY: `p` is 16 initialized bytes.
            let bytes = unsafe { std::slice::from_raw_parts(p.as_ptr() as *const u8, 16) };
            Scalar::from_bytes(o.dtype, bytes)
        };
        // Pairwise, so that a float sum of many partials keeps the error of a tree, not a chain.
        let mut level: Vec<Scalar> = (0..chunks).map(read).collect();
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|p| match *p {
                    [x, y] => combine(*op, o.dtype, x, y),
                    _ => Ok(p[0]),
                })
                .collect::<Result<_>>()?;
        }
        let bytes = level[0].to_bytes(o.dtype);
        // SAFETY: `args.outputs` holds `nout` pointers, each valid for one element of its dtype.
        unsafe {
            let dst = *args.outputs.add(k);
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len());
        }
    }
    if split {
        bump(&counters().parallel_runs, 1);
    }
    Ok(chunks)
}
