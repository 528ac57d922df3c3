//! Matmul: `gemm` for real and complex floats, a packed loop with wrapping arithmetic for integers.
//! A large product is cut into blocks of the output (one `gemm` call each, run across the pool), so
//! that the cancel flag is looked at between blocks.

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

/// Floating-point matmul: one `gemm` call per batch matrix.
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
    let parallelism = if parallel(m.saturating_mul(n).saturating_mul(k)) {
        gemm::Parallelism::Rayon(config().threads)
    } else {
        gemm::Parallelism::None
    };
    let (mb, nb) = gemm_block(m, n, k);
    let blocks: Vec<(usize, usize)> = (0..m.div_ceil(mb))
        .flat_map(|bi| (0..n.div_ceil(nb)).map(move |bj| (bi * mb, bj * nb)))
        .collect();
    for (t, dst) in out.chunks_mut(m * n).enumerate() {
        // Addresses as integers, so that the calls can move into the pool's threads.
        let lhs = abuf.as_ptr().wrapping_offset(ao[t]) as usize;
        let rhs = bbuf.as_ptr().wrapping_offset(bo[t]) as usize;
        let dst = dst.as_mut_ptr() as usize;
        let block = |&(i0, j0): &(usize, usize), par: gemm::Parallelism| -> Result<()> {
            cancel.check("matmul")?;
            let (rows, cols) = (mb.min(m - i0), nb.min(n - j0));
            let lhs = (lhs as *const T).wrapping_offset(i0 as isize * mt.a_rs);
            let rhs = (rhs as *const T).wrapping_offset(j0 as isize * mt.b_cs);
            let dst = (dst as *mut T).wrapping_add(i0 * n + j0);
            // SAFETY: `matrix_in_bounds` checked that every element of both operand matrices, read
            // from the batch addresses with these strides, lies inside its (aligned, typed) buffer,
            // which outlives the call and is not written meanwhile; this block reads rows
            // `i0..i0 + rows` of the left matrix and columns `j0..j0 + cols` of the right one, a part
            // of them. `dst` addresses the block's `rows x cols` part of this batch's exclusively
            // borrowed row-major `m x n` output (row stride `n`, column stride 1); blocks are
            // disjoint, so no two calls write one element, and gemm only writes (`read_dst` false).
            unsafe {
                gemm::gemm(
                    rows,
                    cols,
                    k,
                    dst,
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
        if blocks.len() == 1 {
            pool.install(|| block(&blocks[0], parallelism))?;
        } else {
            // Blocks run across the pool, each one sequential inside.
            pool.install(|| {
                blocks
                    .par_iter()
                    .try_for_each(|b| block(b, gemm::Parallelism::None))
            })?;
        }
    }
    Ok(())
}

/// Multiply-adds one block of a large matmul does at most, roughly (tens of milliseconds): the
/// cancel flag is looked at between blocks.
const GEMM_BLOCK_WORK: usize = 1 << 28;
/// Smallest side of a block, so that packing the operands stays a small part of the work.
const GEMM_MIN_SIDE: usize = 256;

/// `(rows, cols)` of the output blocks of an `m x k` by `k x n` product: the whole output when the
/// product is small, else square blocks of about [`GEMM_BLOCK_WORK`] multiply-adds.
fn gemm_block(m: usize, n: usize, k: usize) -> (usize, usize) {
    if m.saturating_mul(n).saturating_mul(k) <= GEMM_BLOCK_WORK {
        return (m, n);
    }
    let side = ((GEMM_BLOCK_WORK / k.max(1)) as f64).sqrt() as usize;
    let side = side.max(GEMM_MIN_SIDE);
    (side.min(m), side.min(n))
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
