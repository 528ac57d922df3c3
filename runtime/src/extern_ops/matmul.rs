//! Matmul: `gemm` for real and complex floats, a packed loop with wrapping arithmetic for integers.
//! A large product is one gemm call per panel of output rows, threaded inside gemm, so that the
//! cancel flag is looked at between panels; a batch of small products runs across the pool.

use super::*;

/// Element offsets of each batch matrix of an operand, from its batch strides.
pub(super) fn batch_offsets(s: &Src, batch_shape: &[usize]) -> Vec<isize> {
    let mut offs = vec![s.base];
    for (d, &n) in batch_shape.iter().enumerate() {
        let st = s.strides[d];
        offs = offs
            .iter()
            .flat_map(|&o| (0..n as isize).map(move |i| o + i * st))
            .collect();
    }
    offs
}

/// Checks that every element of an `(rows, cols)` matrix at element `off` with strides `(rs, cs)` lies
/// inside a buffer of `len` elements.
pub(super) fn matrix_in_bounds(
    name: &str,
    off: isize,
    rows: usize,
    cols: usize,
    rs: isize,
    cs: isize,
    len: usize,
) -> Result<()> {
    if rows == 0 || cols == 0 {
        return Ok(());
    }
    let (mut lo, mut hi) = (off as i128, off as i128);
    for (n, s) in [(rows, rs), (cols, cs)] {
        let span = (n as i128 - 1) * s as i128;
        if span < 0 {
            lo += span
        } else {
            hi += span
        }
    }
    ensure!(
        lo >= 0 && hi < len as i128,
        Internal,
        "{name}: a matrix operand reads elements {lo}..={hi} of a buffer of {len}"
    );
    Ok(())
}

pub(super) fn matmul(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    a: &Src,
    b: &Src,
    out: &mut [u8],
    shape: &[usize],
) -> Result<()> {
    let r = shape.len();
    ensure!(
        r >= 2 && a.shape.len() == r && b.shape.len() == r && a.dtype == b.dtype,
        Internal,
        "matmul: operands {:?} {} and {:?} {} for an output {shape:?}",
        a.shape,
        a.dtype,
        b.shape,
        b.dtype
    );
    let (m, k, n) = (a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]);
    let batch = &shape[..r - 2];
    let (ao, bo) = (batch_offsets(a, batch), batch_offsets(b, batch));
    let mats = Mats {
        m,
        k,
        n,
        a_rs: a.strides[r - 2],
        a_cs: a.strides[r - 1],
        b_rs: b.strides[r - 2],
        b_cs: b.strides[r - 1],
    };
    let total = numel(shape);
    match a.dtype {
        DType::F32 => gemm_batches::<f32>(pool, cancel, a, b, &ao, &bo, &mats, output(
            "matmul", out, total,
        )?),
        DType::F64 => gemm_batches::<f64>(pool, cancel, a, b, &ao, &bo, &mats, output(
            "matmul", out, total,
        )?),
        DType::C64 => gemm_batches::<gemm::c32>(pool, cancel, a, b, &ao, &bo, &mats, output(
            "matmul", out, total,
        )?),
        DType::C128 => gemm_batches::<gemm::c64>(pool, cancel, a, b, &ao, &bo, &mats, output(
            "matmul", out, total,
        )?),
        DType::I8 => int_matmul::<i8>(pool, cancel, a, b, &ao, &bo, &mats, out, total),
        DType::I16 => int_matmul::<i16>(pool, cancel, a, b, &ao, &bo, &mats, out, total),
        DType::I32 => int_matmul::<i32>(pool, cancel, a, b, &ao, &bo, &mats, out, total),
        DType::I64 => int_matmul::<i64>(pool, cancel, a, b, &ao, &bo, &mats, out, total),
        DType::U8 => int_matmul::<u8>(pool, cancel, a, b, &ao, &bo, &mats, out, total),
        DType::U16 => int_matmul::<u16>(pool, cancel, a, b, &ao, &bo, &mats, out, total),
        DType::U32 => int_matmul::<u32>(pool, cancel, a, b, &ao, &bo, &mats, out, total),
        DType::U64 => int_matmul::<u64>(pool, cancel, a, b, &ao, &bo, &mats, out, total),
        DType::Bool => bail!(
            Type,
            "matmul: arrays of dtype bool are not supported; cast them to a numeric dtype with astype()"
        ),
    }
}

/// Extents and strides (elements) of the matrices of one matmul.
struct Mats {
    m: usize,
    k: usize,
    n: usize,
    a_rs: isize,
    a_cs: isize,
    b_rs: isize,
    b_cs: isize,
}

/// A whole buffer as a typed slice: borrowed when aligned, else an aligned copy.
pub(super) fn whole<T: Pod>(bytes: &[u8]) -> Result<Cow<'_, [T]>> {
    let size = std::mem::size_of::<T>();
    let n = bytes.len() / size;
    if n == 0 {
        return Ok(Cow::Borrowed(&[]));
    }
    if (bytes.as_ptr() as usize).is_multiple_of(std::mem::align_of::<T>()) {
        // SAFETY: `bytes` holds at least `n` whole elements of `T`, is aligned for `T`, and `T: Pod`
        // makes any bytes a valid `T`; the slice borrows `bytes`.
        Ok(Cow::Borrowed(unsafe {
            std::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), n)
        }))
    } else {
        Ok(Cow::Owned(try_collect(
            "matmul",
            bytes
                .chunks_exact(size)
                // SAFETY: each chunk holds `size_of::<T>()` bytes; `T: Pod`; the read is unaligned.
                .map(|c| unsafe { c.as_ptr().cast::<T>().read_unaligned() }),
        )?))
    }
}

/// Floating-point matmul through `gemm` (its AVX-512 kernels with the `x86-v4` feature). Operands are
/// read in place through their strides (a transposed or strided view is not copied; gemm packs it).
/// Large products run one at a time, threaded inside gemm, cut into panels of output rows so that the
/// cancel flag is looked at between calls; a batch of small products runs across the pool instead,
/// one sequential product per task.
#[allow(clippy::too_many_arguments)]
fn gemm_batches<T: Num>(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    a: &Src,
    b: &Src,
    ao: &[isize],
    bo: &[isize],
    mt: &Mats,
    out: &mut [T],
) -> Result<()> {
    let (m, k, n) = (mt.m, mt.k, mt.n);
    if m == 0 || n == 0 {
        return Ok(());
    }
    if k == 0 {
        out.fill(T::ZERO);
        return Ok(());
    }
    let (abuf, bbuf) = (whole::<T>(a.bytes)?, whole::<T>(b.bytes)?);
    for (&oa, &ob) in ao.iter().zip(bo) {
        matrix_in_bounds("matmul", oa, m, k, mt.a_rs, mt.a_cs, abuf.len())?;
        matrix_in_bounds("matmul", ob, k, n, mt.b_rs, mt.b_cs, bbuf.len())?;
    }
    let work = m.saturating_mul(n).saturating_mul(k);
    // Addresses as integers, so that the calls can move into the pool's threads.
    let (lhs, rhs) = (abuf.as_ptr() as usize, bbuf.as_ptr() as usize);
    // One product: output rows `i0..i0 + rows` of batch `t`, written at `dst`.
    let product = |t: usize, i0: usize, rows: usize, dst: &mut [T], par: gemm::Parallelism| {
        cancel.check("matmul")?;
        let lhs = (lhs as *const T)
            .wrapping_offset(ao[t])
            .wrapping_offset(i0 as isize * mt.a_rs);
        let rhs = (rhs as *const T).wrapping_offset(bo[t]);
        debug_assert_eq!(dst.len(), rows * n);
        // SAFETY: `matrix_in_bounds` checked that every element of both operand matrices of batch
        // `t`, read from the batch addresses with these strides, lies inside its (aligned, typed)
        // buffer, which outlives the call and is not written meanwhile; the call reads rows
        // `i0..i0 + rows` of the left matrix, a part of it. `dst` is an exclusively borrowed
        // row-major `rows x n` slice (row stride `n`, column stride 1), and gemm only writes it
        // (`read_dst` false).
        unsafe {
            gemm::gemm(
                rows,
                n,
                k,
                dst.as_mut_ptr(),
                1,
                n as isize,
                false,
                lhs,
                mt.a_cs,
                mt.a_rs,
                rhs,
                mt.b_cs,
                mt.b_rs,
                T::ZERO,
                T::ONE,
                false,
                false,
                false,
                par,
            )
        };
        Ok(())
    };
    let batches = ao.len();
    if batches > 1 && work < GEMM_BATCH_PARALLEL_WORK && parallel(work.saturating_mul(batches)) {
        return pool.install(|| {
            out.par_chunks_mut(m * n)
                .enumerate()
                .try_for_each(|(t, dst)| product(t, 0, m, dst, gemm::Parallelism::None))
        });
    }
    let threaded = parallel(work) && work >= gemm_threads_from::<T>();
    let par = if threaded {
        gemm::Parallelism::Rayon(config().threads)
    } else {
        gemm::Parallelism::None
    };
    let rows = gemm_panel_rows(m, n, k);
    let mut all = || {
        for (t, dst) in out.chunks_mut(m * n).enumerate() {
            for (p, panel) in dst.chunks_mut(rows * n).enumerate() {
                product(t, p * rows, panel.len() / n, panel, par)?;
            }
        }
        Ok(())
    };
    if threaded {
        pool.install(all)
    } else {
        // Small products run on the calling thread: no hand-off to the pool (a few microseconds).
        all()
    }
}

/// Multiply-adds from which gemm threads a product (its own rule, with a lower bar for complex
/// types): below it a call with `Parallelism::Rayon` would run on one thread anyway, so the product
/// stays on the calling thread.
fn gemm_threads_from<T: 'static>() -> usize {
    use std::any::TypeId;
    let t = gemm::get_threading_threshold();
    let id = TypeId::of::<T>();
    if id == TypeId::of::<gemm::c32>() {
        t / 4
    } else if id == TypeId::of::<gemm::c64>() {
        t / 16
    } else {
        t
    }
}

/// Multiply-adds of one gemm call at most, roughly (about ten milliseconds on two cores): the
/// cancel flag is looked at between calls.
const GEMM_PANEL_WORK: usize = 1 << 30;
/// Fewest output rows of one call, so that packing the right operand again per panel stays a small
/// part of the work.
const GEMM_MIN_PANEL_ROWS: usize = 64;
/// Products of fewer multiply-adds than this run one per pool task when there are several in a
/// batch (each one too small for gemm to thread well inside). 256^3 = 2^24 is included: a batch of
/// 64 products of 256x256 ran at 415 / 207 GFLOP/s (float32 / float64, 2 threads) one product per
/// task against 375-390 / 184 threaded inside gemm, and work stealing keeps it going when one
/// worker loses its core for a while (bench/README.md, issue 11 memory-bound rows).
const GEMM_BATCH_PARALLEL_WORK: usize = (1 << 24) + 1;

/// Output rows of each gemm call of an `m x k` by `k x n` product: all of them when the product is
/// small, else panels of about [`GEMM_PANEL_WORK`] multiply-adds. Whole rows (not square blocks),
/// so that each call still threads over the full width and packs the left operand once.
fn gemm_panel_rows(m: usize, n: usize, k: usize) -> usize {
    let per_row = n.saturating_mul(k).max(1);
    (GEMM_PANEL_WORK / per_row)
        .max(GEMM_MIN_PANEL_ROWS)
        .min(m)
        .max(1)
}

/// Reads element `off` of a buffer as `T` (bounds-checked, unaligned-safe).
pub(super) fn read_at<T: Pod>(bytes: &[u8], off: isize) -> Result<T> {
    let size = std::mem::size_of::<T>();
    let start = usize::try_from(off).ok().map(|o| o * size);
    match start.and_then(|s| bytes.get(s..s + size)) {
        // SAFETY: the chunk holds `size_of::<T>()` bytes; `T: Pod`; the read is unaligned.
        Some(c) => Ok(unsafe { c.as_ptr().cast::<T>().read_unaligned() }),
        None => bail!(
            Internal,
            "extern op: element {off} lies outside its buffer of {} bytes",
            bytes.len()
        ),
    }
}

/// Integer matmul with wrapping arithmetic: per batch, the right matrix is packed row-major, then
/// each output row accumulates `a[i, p] * b[p, :]` over `p` (contiguous inner loops); rows run in
/// parallel when the work is large.
#[allow(clippy::too_many_arguments)]
fn int_matmul<T: Num>(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    a: &Src,
    b: &Src,
    ao: &[isize],
    bo: &[isize],
    mt: &Mats,
    out: &mut [u8],
    total: usize,
) -> Result<()> {
    let out = output::<T>("matmul", out, total)?;
    let (m, k, n) = (mt.m, mt.k, mt.n);
    if m == 0 || n == 0 {
        return Ok(());
    }
    let big = parallel(m * n * k);
    for (t, dst) in out.chunks_mut(m * n).enumerate() {
        let mut bp: Vec<T> = try_vec("matmul", k.saturating_mul(n))?;
        for p in 0..k {
            for j in 0..n {
                bp.push(read_at(
                    b.bytes,
                    bo[t] + p as isize * mt.b_rs + j as isize * mt.b_cs,
                )?);
            }
        }
        let mut ap: Vec<T> = try_vec("matmul", m.saturating_mul(k))?;
        for i in 0..m {
            cancel.check("matmul")?;
            for p in 0..k {
                ap.push(read_at(
                    a.bytes,
                    ao[t] + i as isize * mt.a_rs + p as isize * mt.a_cs,
                )?);
            }
        }
        let row = |i: usize, out_row: &mut [T]| {
            cancel.check("matmul")?;
            out_row.fill(T::ZERO);
            for p in 0..k {
                let x = ap[i * k + p];
                for (o, &y) in out_row.iter_mut().zip(&bp[p * n..(p + 1) * n]) {
                    *o = o.add(x.mul(y));
                }
            }
            Ok(())
        };
        if big && m > 1 {
            pool.install(|| {
                dst.par_chunks_mut(n)
                    .enumerate()
                    .try_for_each(|(i, r)| row(i, r))
            })?;
        } else {
            dst.chunks_mut(n)
                .enumerate()
                .try_for_each(|(i, r)| row(i, r))?;
        }
    }
    Ok(())
}
