//! The FFT extern op ([`FftOp`]): rustfft for complex transforms, realfft for real ones, in the
//! operand's precision (complex64 / float32 in f32).
//!
//! Plans are costly (tens of milliseconds for a large or prime length), so one planner per precision
//! lives for the whole process and caches every plan it makes; a plan is shared by all threads, each
//! with its own scratch. rustfft neither threads nor normalises: the work is split here over
//! independent lines along the axis (rayon), and every output is multiplied by the op's scale.
//!
//! The operand arrives C-contiguous as `(outer, m, inner)` around the axis. With `inner == 1` each line
//! is contiguous and a task transforms a run of whole lines in place in the output. Otherwise a task
//! copies a panel of up to [`PANEL`] neighbouring columns into a contiguous buffer (one line per
//! column), transforms it and copies it back: cheaper than transposing the whole array.

use super::{contiguous, output, Pod, Src};
use crate::config::config;
use lazulite_ir::cancel::Cancel;
use lazulite_ir::shape::numel;
use lazulite_ir::{bail, ensure, Error, ErrorKind, FftKind, FftOp, Result};
use num_complex::Complex;
use rayon::prelude::*;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::num_traits::Zero;
use rustfft::{Fft, FftNum, FftPlanner};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

/// Columns copied together along a strided axis.
const PANEL: usize = 16;
/// Elements between the lines of a panel buffer beyond the line length.
const PAD: usize = 8;

/// `count` lines to transform: input line `j` starts at `src[j * src_stride]`, output line `j` at
/// `dst[j * dst_stride]`.
struct Batch<'a, I, O> {
    src: &'a [I],
    src_stride: usize,
    dst: &'a mut [O],
    dst_stride: usize,
    count: usize,
}

impl<I, O> Batch<'_, I, O> {
    /// Each input line (its first `take` elements) with its output line (`n_out` elements).
    fn lines(&mut self, take: usize, n_out: usize) -> impl Iterator<Item = (&[I], &mut [O])> + '_ {
        let (src, src_stride, count) = (self.src, self.src_stride, self.count);
        // `chunks_mut` needs a non-zero stride; an empty output has no lines to fill.
        self.dst
            .chunks_mut(self.dst_stride.max(1))
            .take(count)
            .enumerate()
            .map(move |(j, d)| (&src[j * src_stride..][..take], &mut d[..n_out]))
    }
}

/// Copies `src` to the front of `line` and zero-fills the rest (the transform's `n` >= input length).
fn pad_line<T: Copy>(line: &mut [T], src: &[T], zero: T) {
    line[..src.len()].copy_from_slice(src);
    line[src.len()..].fill(zero);
}

/// The process-wide planners of one precision (each caches every plan it made).
pub(crate) struct Planners<T: FftNum> {
    complex: Mutex<FftPlanner<T>>,
    real: Mutex<RealFftPlanner<T>>,
}

impl<T: FftNum> Planners<T> {
    fn new() -> Self {
        Planners {
            complex: Mutex::new(FftPlanner::new()),
            real: Mutex::new(RealFftPlanner::new()),
        }
    }
}

static PLANNERS_F32: LazyLock<Planners<f32>> = LazyLock::new(Planners::new);
static PLANNERS_F64: LazyLock<Planners<f64>> = LazyLock::new(Planners::new);

/// A planner's cache stays valid if a thread panicked while holding it (plans are inserted whole).
fn lock<P>(m: &Mutex<P>) -> MutexGuard<'_, P> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The floating-point types the transforms run in.
pub(crate) trait FftFloat: FftNum + Pod + Zero
where
    Complex<Self>: Pod,
{
    fn planners() -> &'static Planners<Self>;

    fn complex_plan(n: usize, inverse: bool) -> Arc<dyn Fft<Self>> {
        let mut p = lock(&Self::planners().complex);
        if inverse {
            p.plan_fft_inverse(n)
        } else {
            p.plan_fft_forward(n)
        }
    }

    fn forward_real_plan(n: usize) -> Arc<dyn RealToComplex<Self>> {
        lock(&Self::planners().real).plan_fft_forward(n)
    }

    fn inverse_real_plan(n: usize) -> Arc<dyn ComplexToReal<Self>> {
        lock(&Self::planners().real).plan_fft_inverse(n)
    }
}

impl FftFloat for f32 {
    fn planners() -> &'static Planners<f32> {
        &PLANNERS_F32
    }
}

impl FftFloat for f64 {
    fn planners() -> &'static Planners<f64> {
        &PLANNERS_F64
    }
}

/// Runs `op` on `x`, writing the whole C-contiguous output of `shape` into `out`.
pub(crate) fn run(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    op: FftOp,
    x: &Src,
    out: &mut [u8],
    shape: &[usize],
) -> Result<()> {
    let name = op.name();
    let axis = op.axis as usize;
    ensure!(
        axis < x.shape.len() && shape.len() == x.shape.len() && shape[axis] == op.output_len(),
        Internal,
        "{name}: operand of shape {:?} along axis {axis} cannot give an output of shape {shape:?}",
        x.shape
    );
    let real_input = matches!(op.kind, FftKind::RealForward);
    ensure!(
        real_input == x.dtype.is_real_float() && x.dtype.is_float(),
        Internal,
        "{name}: operand of dtype {}",
        x.dtype
    );
    match x.dtype.real_part() {
        lazulite_ir::DType::F32 => run_typed::<f32>(pool, cancel, op, x, out),
        lazulite_ir::DType::F64 => run_typed::<f64>(pool, cancel, op, x, out),
        d => bail!(
            Type,
            "{name}: arrays of dtype {d} are not supported; use a floating-point dtype"
        ),
    }
}

/// The extents before, at and after `axis`.
fn split(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    (
        numel(&shape[..axis]),
        shape[axis],
        numel(&shape[axis + 1..]),
    )
}

fn run_typed<T: FftFloat>(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    op: FftOp,
    x: &Src,
    out: &mut [u8],
) -> Result<()>
where
    Complex<T>: Pod,
{
    let name = op.name();
    let (outer, m, inner) = split(x.shape, op.axis as usize);
    let lines = Lines {
        outer,
        m,
        inner,
        n_out: op.output_len(),
    };
    let n = op.n as usize;
    let scale = T::from_f64(op.scale()).unwrap_or_else(T::one);
    let unscaled = op.scale() == 1.0;
    let take = m.min(op.input_len());
    let zero = Complex::<T>::zero();
    match op.kind {
        FftKind::Forward | FftKind::Inverse => {
            let input = contiguous::<Complex<T>>(name, x)?;
            let out = output::<Complex<T>>(name, out, lines.total_out())?;
            let plan = T::complex_plan(n, op.kind == FftKind::Inverse);
            let scratch_len = plan.get_inplace_scratch_len();
            lines.run(
                pool,
                cancel,
                name,
                &input,
                out,
                || vec![zero; scratch_len],
                |scratch, mut b: Batch<'_, Complex<T>, Complex<T>>| {
                    let whole = b.dst_stride == n;
                    for (src, d) in b.lines(take, n) {
                        pad_line(d, src, zero);
                        if !whole {
                            plan.process_with_scratch(d, scratch);
                        }
                    }
                    if whole {
                        // back-to-back lines: one call transforms them all
                        plan.process_with_scratch(&mut b.dst[..b.count * n], scratch);
                    }
                    if !unscaled {
                        for (_, d) in b.lines(0, n) {
                            d.iter_mut().for_each(|v| *v = v.scale(scale));
                        }
                    }
                    Ok(())
                },
            )
        }
        FftKind::RealForward => {
            let input = contiguous::<T>(name, x)?;
            let out = output::<Complex<T>>(name, out, lines.total_out())?;
            let plan = T::forward_real_plan(n);
            let n_out = lines.n_out;
            lines.run(
                pool,
                cancel,
                name,
                &input,
                out,
                || (vec![T::zero(); n], plan.make_scratch_vec()),
                |(line, scratch), mut b| {
                    for (src, d) in b.lines(take, n_out) {
                        pad_line(line, src, T::zero());
                        plan.process_with_scratch(line, d, scratch)
                            .map_err(|e| internal(name, e))?;
                        if !unscaled {
                            d.iter_mut().for_each(|v| *v = v.scale(scale));
                        }
                    }
                    Ok(())
                },
            )
        }
        FftKind::RealInverse => {
            let input = contiguous::<Complex<T>>(name, x)?;
            let out = output::<T>(name, out, lines.total_out())?;
            let plan = T::inverse_real_plan(n);
            let bins = op.input_len();
            lines.run(
                pool,
                cancel,
                name,
                &input,
                out,
                || (vec![zero; bins], plan.make_scratch_vec()),
                |(line, scratch), mut b| {
                    for (src, d) in b.lines(take, n) {
                        pad_line(line, src, zero);
                        // A real signal's spectrum has real bins 0 and n/2 (n even); NumPy ignores
                        // their imaginary parts, and realfft wants them zero.
                        line[0].im = T::zero();
                        if n.is_multiple_of(2) {
                            line[bins - 1].im = T::zero();
                        }
                        plan.process_with_scratch(line, d, scratch)
                            .map_err(|e| internal(name, e))?;
                        if !unscaled {
                            d.iter_mut().for_each(|v| *v = *v * scale);
                        }
                    }
                    Ok(())
                },
            )
        }
    }
}

fn internal(name: &str, e: realfft::FftError) -> Error {
    Error::new(ErrorKind::Internal, format!("{name}: realfft failed: {e}"))
}

/// The output as a shared pointer for tasks that write disjoint elements of it.
struct SharedOut<O>(*mut O, usize);

// SAFETY: the pointer is only written through `write`/`slice`, by tasks whose index sets are
// disjoint (see `Lines::run`), while the `&mut` borrow it came from is held by that call.
unsafe impl<O: Send> Send for SharedOut<O> {}
// SAFETY: as above.
unsafe impl<O: Send> Sync for SharedOut<O> {}

impl<O> SharedOut<O> {
    /// # Safety
    /// `i < len`, and no other task reads or writes element `i` during this call.
    unsafe fn write(&self, i: usize, v: O) {
        debug_assert!(i < self.1);
        // SAFETY: in bounds and unaliased, by the caller's contract.
        unsafe { self.0.add(i).write(v) }
    }

    /// # Safety
    /// `start + len <= self.1`, and no other task touches these elements during this call.
    #[allow(clippy::mut_from_ref)]
    unsafe fn slice(&self, start: usize, len: usize) -> &mut [O] {
        debug_assert!(start + len <= self.1);
        // SAFETY: in bounds and unaliased, by the caller's contract.
        unsafe { std::slice::from_raw_parts_mut(self.0.add(start), len) }
    }
}

/// The lines of an `(outer, m, inner)` operand along its middle axis, and the output's extent there.
#[derive(Clone, Copy)]
struct Lines {
    outer: usize,
    m: usize,
    inner: usize,
    n_out: usize,
}

impl Lines {
    fn total_out(&self) -> usize {
        self.outer * self.n_out * self.inner
    }

    /// Calls `transform(state, batch)` on every line: a [`Batch`] of input lines of `m` elements
    /// and the output lines of `n_out` elements it must fill.
    /// Tasks run in parallel over the pool when the work is large; `init` makes each worker's state.
    #[allow(clippy::too_many_arguments)]
    fn run<I: Pod, O: Pod, S>(
        self,
        pool: &rayon::ThreadPool,
        cancel: &Cancel,
        name: &str,
        input: &[I],
        out: &mut [O],
        init: impl Fn() -> S + Send + Sync,
        transform: impl Fn(&mut S, Batch<'_, I, O>) -> Result<()> + Send + Sync,
    ) -> Result<()> {
        let Lines {
            outer,
            m,
            inner,
            n_out,
        } = self;
        let total = self.total_out();
        if total == 0 {
            return Ok(());
        }
        ensure!(
            input.len() == outer * m * inner && out.len() == total,
            Internal,
            "fft: {} input and {} output elements for lines {outer}x{m}x{inner} -> {n_out}",
            input.len(),
            out.len()
        );
        let cfg = config();
        let parallel = cfg.threads > 1 && total.max(input.len()) >= cfg.parallel_threshold;
        let shared = SharedOut(out.as_mut_ptr(), out.len());
        // A task: a run of whole lines (inner == 1) or one panel of columns of one outer block.
        let (tasks, rows_per_task, panels) = if inner == 1 {
            let want = if parallel { cfg.threads * 4 } else { 1 };
            let per = outer.div_ceil(want.min(outer)).max(1);
            (outer.div_ceil(per), per, 0)
        } else {
            let panels = inner.div_ceil(PANEL);
            (outer * panels, 0, panels)
        };
        // Ctrl-C is looked at before each task (a run of lines or one panel of columns).
        let task = |state: &mut (S, Vec<I>, Vec<O>), t: usize| -> Result<()> {
            cancel.check(name)?;
            let (s, gathered, result) = state;
            if inner == 1 {
                let r0 = t * rows_per_task;
                let count = rows_per_task.min(outer - r0);
                // SAFETY: tasks own disjoint runs of lines, `[r0, r0 + count)`, inside `out`.
                let dst = unsafe { shared.slice(r0 * n_out, count * n_out) };
                return transform(
                    s,
                    Batch {
                        src: &input[r0 * m..(r0 + count) * m],
                        src_stride: m,
                        dst,
                        dst_stride: n_out,
                        count,
                    },
                );
            }
            let (o, c0) = (t / panels, (t % panels) * PANEL);
            let w = PANEL.min(inner - c0);
            // Lines in the panel buffers are PAD elements apart, so that the column walks of the
            // copies do not hit one cache set (lengths are often powers of two).
            let (ms, ns) = (m + PAD, n_out + PAD);
            gathered.resize(w * ms, zero_pod());
            for i in 0..m {
                let row = &input[(o * m + i) * inner + c0..][..w];
                for (j, &v) in row.iter().enumerate() {
                    gathered[j * ms + i] = v;
                }
            }
            if result.len() < w * ns {
                result.resize(w * ns, zero_pod());
            }
            let res = &mut result[..w * ns];
            transform(
                s,
                Batch {
                    src: gathered,
                    src_stride: ms,
                    dst: res,
                    dst_stride: ns,
                    count: w,
                },
            )?;
            for i in 0..n_out {
                let base = (o * n_out + i) * inner + c0;
                for j in 0..w {
                    // SAFETY: `base + j < total`; element (o, i, c0 + j) belongs to this task's
                    // panel only.
                    unsafe { shared.write(base + j, res[j * ns + i]) };
                }
            }
            Ok(())
        };
        let init_all = || (init(), Vec::new(), Vec::new());
        if parallel && tasks > 1 {
            pool.install(|| (0..tasks).into_par_iter().try_for_each_init(init_all, task))
        } else {
            let mut state = init_all();
            (0..tasks).try_for_each(|t| task(&mut state, t))
        }
    }
}

/// The all-zero value, to grow work buffers (every element is overwritten before it is read).
fn zero_pod<T: Pod>() -> T {
    // SAFETY: `T: Pod`, so the all-zero bit pattern is a valid value.
    unsafe { std::mem::zeroed() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lazulite_ir::{DType, FftNorm};
    use std::f64::consts::PI;

    /// The naive DFT: the oracle.
    fn dft(x: &[Complex<f64>], inverse: bool) -> Vec<Complex<f64>> {
        let n = x.len();
        let sign = if inverse { 1.0 } else { -1.0 };
        (0..n)
            .map(|k| {
                x.iter()
                    .enumerate()
                    .map(|(j, &v)| {
                        let a = sign * 2.0 * PI * ((j * k) % n) as f64 / n as f64;
                        v * Complex::new(a.cos(), a.sin())
                    })
                    .sum()
            })
            .collect()
    }

    fn bytes<T: Pod>(v: &[T]) -> Vec<u8> {
        let size = std::mem::size_of::<T>();
        let mut b = vec![0u8; std::mem::size_of_val(v)];
        for (c, x) in b.chunks_exact_mut(size).zip(v) {
            // SAFETY: `T: Pod` has no padding; the chunk holds `size` bytes; unaligned write.
            unsafe { c.as_mut_ptr().cast::<T>().write_unaligned(*x) };
        }
        b
    }

    fn values<T: Pod>(b: &[u8]) -> Vec<T> {
        b.chunks_exact(std::mem::size_of::<T>())
            // SAFETY: `T: Pod`; each chunk holds one element; unaligned read.
            .map(|c| unsafe { c.as_ptr().cast::<T>().read_unaligned() })
            .collect()
    }

    /// A 64-byte aligned output buffer of `n` bytes (as the pool hands out).
    fn out_buf(n: usize) -> Vec<u64> {
        vec![0u64; n.div_ceil(8).max(1)]
    }

    fn run_op(op: FftOp, dtype: DType, shape: &[usize], data: &[u8]) -> (Vec<usize>, Vec<u8>) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let strides = lazulite_ir::shape::contiguous_strides(shape);
        let x = Src {
            bytes: data,
            base: 0,
            strides: &strides,
            shape,
            dtype,
        };
        let (odt, oshape) = op.infer(lazulite_ir::OperandInfo { dtype, shape }).unwrap();
        let nbytes = numel(&oshape) * odt.size();
        let mut buf = out_buf(nbytes);
        // SAFETY: a u64 buffer viewed as its bytes (u8 has no alignment or validity requirement).
        let ob = unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<u8>(), nbytes) };
        run(&pool, &Cancel::never(), op, &x, ob, &oshape).unwrap();
        (oshape.to_vec(), ob.to_vec())
    }

    /// Deterministic pseudo-random values in [-1, 1).
    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
            })
            .collect()
    }

    /// Line `(o, ·, r)` along the middle axis of an `(outer, len, inner)` C-contiguous array.
    fn line<T: Copy>(v: &[T], o: usize, r: usize, len: usize, inner: usize) -> Vec<T> {
        (0..len).map(|i| v[(o * len + i) * inner + r]).collect()
    }

    fn close(a: Complex<f64>, b: Complex<f64>, tol: f64) -> bool {
        (a - b).norm() <= tol * (1.0 + b.norm())
    }

    #[test]
    fn complex_matches_naive_dft_on_every_axis_length_and_norm() {
        // Lengths: 1, primes (Rader/Bluestein), odd, powers of two; axes first, middle, last;
        // padding and truncation by n; all three norms; both directions.
        for &(shape, axis) in &[
            (&[7usize][..], 0usize),
            (&[3, 13, 5][..], 1),
            (&[17, 20][..], 0),
            (&[2, 3, 16][..], 2),
            (&[1, 1][..], 1),
            (&[4, 0, 3][..], 1),
        ] {
            let (outer, m, inner) = split(shape, axis);
            let re = noise(numel(shape), 1);
            let im = noise(numel(shape), 2);
            let x: Vec<Complex<f64>> = re
                .iter()
                .zip(&im)
                .map(|(&a, &b)| Complex::new(a, b))
                .collect();
            for n in [m.max(1), m + 3, (m / 2).max(1), 11] {
                for inverse in [false, true] {
                    for norm in [FftNorm::Backward, FftNorm::Ortho, FftNorm::Forward] {
                        let op = FftOp {
                            kind: if inverse {
                                FftKind::Inverse
                            } else {
                                FftKind::Forward
                            },
                            axis: axis as u32,
                            n: n as u64,
                            norm,
                        };
                        let scale = op.scale();
                        let (oshape, ob) = run_op(op, DType::C128, shape, &bytes(&x));
                        assert_eq!(oshape[axis], n);
                        let got: Vec<Complex<f64>> = values(&ob);
                        let x32: Vec<Complex<f32>> = x
                            .iter()
                            .map(|v| Complex::new(v.re as f32, v.im as f32))
                            .collect();
                        let (_, ob32) = run_op(op, DType::C64, shape, &bytes(&x32));
                        let got32: Vec<Complex<f32>> = values(&ob32);
                        for o in 0..outer {
                            for r in 0..inner {
                                let mut l = line(&x, o, r, m, inner);
                                l.resize(n, Complex::new(0.0, 0.0));
                                let want = dft(&l, inverse);
                                let g = line(&got, o, r, n, inner);
                                let g32 = line(&got32, o, r, n, inner);
                                for k in 0..n {
                                    let w = want[k] * scale;
                                    assert!(
                                        close(g[k], w, 1e-12 * n as f64),
                                        "{shape:?} {axis} n={n} {op:?}"
                                    );
                                    let g32k = Complex::new(g32[k].re as f64, g32[k].im as f64);
                                    assert!(
                                        close(g32k, w, 2e-6 * n as f64),
                                        "f32 {shape:?} {op:?}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn real_transforms_match_naive_dft() {
        for &(shape, axis) in &[
            (&[9usize][..], 0usize),
            (&[3, 8, 2][..], 1),
            (&[13, 33][..], 0),
            (&[2, 1][..], 1),
        ] {
            let (outer, m, inner) = split(shape, axis);
            let x = noise(numel(shape), 3);
            for n in [m, m + 2, (m / 2).max(1), 1, 7] {
                for norm in [FftNorm::Backward, FftNorm::Ortho, FftNorm::Forward] {
                    // rfft: the first n/2+1 bins of the full DFT of the real line.
                    let op = FftOp {
                        kind: FftKind::RealForward,
                        axis: axis as u32,
                        n: n as u64,
                        norm,
                    };
                    let (_, ob) = run_op(op, DType::F64, shape, &bytes(&x));
                    let got: Vec<Complex<f64>> = values(&ob);
                    let bins = n / 2 + 1;
                    for o in 0..outer {
                        for r in 0..inner {
                            let mut l: Vec<Complex<f64>> = line(&x, o, r, m, inner)
                                .into_iter()
                                .map(|v| Complex::new(v, 0.0))
                                .collect();
                            l.resize(n, Complex::new(0.0, 0.0));
                            let want = dft(&l, false);
                            let g = line(&got, o, r, bins, inner);
                            for k in 0..bins {
                                assert!(
                                    close(g[k], want[k] * op.scale(), 1e-12 * n as f64),
                                    "rfft {shape:?} n={n}"
                                );
                            }
                        }
                    }
                    // irfft of a spectrum: the inverse DFT of its Hermitian extension, whose bin 0
                    // (and n/2 for even n) keep only their real parts.
                    let cshape: Vec<usize> = shape.to_vec();
                    let spec: Vec<Complex<f64>> = noise(numel(shape), 4)
                        .iter()
                        .zip(noise(numel(shape), 5))
                        .map(|(&a, b)| Complex::new(a, b))
                        .collect();
                    let op = FftOp {
                        kind: FftKind::RealInverse,
                        axis: axis as u32,
                        n: n as u64,
                        norm,
                    };
                    let (_, ob) = run_op(op, DType::C128, &cshape, &bytes(&spec));
                    let got: Vec<f64> = values(&ob);
                    for o in 0..outer {
                        for r in 0..inner {
                            let mut h = line(&spec, o, r, m, inner);
                            h.resize(bins, Complex::new(0.0, 0.0));
                            h[0].im = 0.0;
                            if n.is_multiple_of(2) {
                                h[bins - 1].im = 0.0;
                            }
                            let full: Vec<Complex<f64>> = (0..n)
                                .map(|k| if k < bins { h[k] } else { h[n - k].conj() })
                                .collect();
                            let want = dft(&full, true);
                            let g = line(&got, o, r, n, inner);
                            for k in 0..n {
                                let w = want[k].re * op.scale();
                                assert!(
                                    (g[k] - w).abs() <= 1e-12 * n as f64 * (1.0 + w.abs()),
                                    "irfft {shape:?} n={n}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn large_transforms_split_over_threads_and_panels() {
        // Enough lines and columns to take the parallel and the panel paths (> PANEL columns,
        // a ragged last panel), checked against the naive DFT on sampled lines.
        let shape = [37usize, 50];
        let x: Vec<Complex<f64>> = noise(37 * 50, 7)
            .into_iter()
            .zip(noise(37 * 50, 8))
            .map(|(a, b)| Complex::new(a, b))
            .collect();
        for axis in [0usize, 1] {
            let op = FftOp {
                kind: FftKind::Forward,
                axis: axis as u32,
                n: shape[axis] as u64,
                norm: FftNorm::Backward,
            };
            let (_, ob) = run_op(op, DType::C128, &shape, &bytes(&x));
            let got: Vec<Complex<f64>> = values(&ob);
            let (outer, m, inner) = split(&shape, axis);
            for o in 0..outer {
                for r in 0..inner {
                    let want = dft(&line(&x, o, r, m, inner), false);
                    let g = line(&got, o, r, m, inner);
                    for k in 0..m {
                        assert!(close(g[k], want[k], 1e-11));
                    }
                }
            }
        }
    }
}
