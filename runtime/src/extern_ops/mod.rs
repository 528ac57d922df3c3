//! Extern ops: one runtime function per [`ExternOp`], on whole buffers; a family of ops has its own
//! module (`linalg`: faer). Matmul goes through `gemm`
//! (real and complex floats) or a packed loop with wrapping arithmetic (integers); sorting uses the
//! standard library's stable sort; the rest are plain loops. Work is split over rows across the
//! runtime's thread pool when it is large.
//!
//! Operands come as [`Src`]: a whole buffer, the element index of element (0, ..., 0) and strides.
//! Every op but matmul reads C-contiguous operands (the passes copy others first; a contiguity check
//! here turns a planner bug into an error, not a wrong read). Every read is bounds-checked against the
//! buffer, so user-supplied indices (take, take_along_axis) can never read outside it: an index out of
//! range is an `Index` error.

use crate::config::config;
use lazulite_ir::alloc::{try_collect, try_filled, try_reserve, try_vec};
use lazulite_ir::cancel::Cancel;
use lazulite_ir::shape::{contiguous_strides, numel};
use lazulite_ir::{bail, ensure, DType, Error, ErrorKind, ExternOp, Result};
use rayon::prelude::*;
use std::borrow::Cow;
use std::cmp::Ordering;

/// An operand of an extern op: `bytes` is the whole buffer; element `(i_0, ..)` lives at element index
/// `base + Σ i_d * strides[d]`.
pub(crate) struct Src<'a> {
    pub bytes: &'a [u8],
    pub base: isize,
    pub strides: &'a [isize],
    pub shape: &'a [usize],
    pub dtype: DType,
}

/// An output of an extern op: its whole temp, written C-contiguous.
pub(crate) struct Dst<'a> {
    pub bytes: &'a mut [u8],
    pub shape: &'a [usize],
    pub dtype: DType,
}

/// Plain data: every bit pattern is a valid value and there is no padding, so a byte buffer can be
/// viewed as a slice of it.
///
/// # Safety
/// Only for types for which the above holds.
pub(crate) unsafe trait Pod: Copy + Send + Sync + 'static {}
// SAFETY: integers, floats and pairs of floats (`num_complex::Complex` is `repr(C)`) have no padding
// and no invalid bit patterns.
unsafe impl Pod for i8 {}
// SAFETY: as above.
unsafe impl Pod for i16 {}
// SAFETY: as above.
unsafe impl Pod for i32 {}
// SAFETY: as above.
unsafe impl Pod for i64 {}
// SAFETY: as above.
unsafe impl Pod for u8 {}
// SAFETY: as above.
unsafe impl Pod for u16 {}
// SAFETY: as above.
unsafe impl Pod for u32 {}
// SAFETY: as above.
unsafe impl Pod for u64 {}
// SAFETY: as above.
unsafe impl Pod for f32 {}
// SAFETY: as above.
unsafe impl Pod for f64 {}
// SAFETY: as above.
unsafe impl Pod for gemm::c32 {}
// SAFETY: as above.
unsafe impl Pod for gemm::c64 {}

fn internal(msg: String) -> Error {
    Error::new(ErrorKind::Internal, msg)
}

/// The elements of a C-contiguous operand as a typed slice (borrowed when aligned, else copied).
pub(crate) fn contiguous<'a, T: Pod>(name: &str, s: &Src<'a>) -> Result<Cow<'a, [T]>> {
    let size = std::mem::size_of::<T>();
    ensure!(
        size == s.dtype.size(),
        Internal,
        "{name}: operand of {} read with {size}-byte elements",
        s.dtype
    );
    let n = numel(s.shape);
    if n == 0 {
        return Ok(Cow::Borrowed(&[]));
    }
    let want = contiguous_strides(s.shape);
    let is_c = s
        .shape
        .iter()
        .zip(s.strides.iter().zip(&want))
        .all(|(&e, (&st, &w))| e == 1 || st == w);
    ensure!(
        is_c,
        Internal,
        "{name}: operand of shape {:?} has strides {:?}, but this op reads C-contiguous operands",
        s.shape,
        s.strides
    );
    let start = usize::try_from(s.base)
        .ok()
        .and_then(|b| b.checked_mul(size))
        .ok_or_else(|| internal(format!("{name}: operand starts before its buffer")))?;
    let bytes = start
        .checked_add(n * size)
        .and_then(|end| s.bytes.get(start..end))
        .ok_or_else(|| {
            internal(format!(
                "{name}: operand of {n} elements at element {} runs past its buffer of {} bytes",
                s.base,
                s.bytes.len()
            ))
        })?;
    if (bytes.as_ptr() as usize).is_multiple_of(std::mem::align_of::<T>()) {
        // SAFETY: `bytes` holds exactly `n` elements of `T` (checked above), is aligned for `T`, and
        // `T: Pod` makes any bytes a valid `T`; the slice borrows `bytes`, which outlives it.
        let typed = unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), n) };
        Ok(Cow::Borrowed(typed))
    } else {
        let copied = try_collect(
            name,
            bytes
                .chunks_exact(size)
                // SAFETY: each chunk holds `size_of::<T>()` bytes; `T: Pod`; the read is unaligned.
                .map(|c| unsafe { c.as_ptr().cast::<T>().read_unaligned() }),
        )?;
        Ok(Cow::Owned(copied))
    }
}

/// The output buffer as a typed slice (temps come from the pool, 64-byte aligned).
pub(crate) fn output<'a, T: Pod>(name: &str, out: &'a mut [u8], n: usize) -> Result<&'a mut [T]> {
    if n == 0 {
        return Ok(&mut []);
    }
    let size = std::mem::size_of::<T>();
    ensure!(
        out.len() >= n * size && (out.as_ptr() as usize).is_multiple_of(std::mem::align_of::<T>()),
        Internal,
        "{name}: output buffer of {} bytes at {:p} cannot hold {n} aligned {size}-byte elements",
        out.len(),
        out.as_ptr()
    );
    // SAFETY: the buffer holds at least `n` elements of `T` and is aligned for `T` (checked above);
    // `T: Pod`; the slice reborrows `out` mutably, so nothing else aliases it.
    Ok(unsafe { std::slice::from_raw_parts_mut(out.as_mut_ptr().cast::<T>(), n) })
}

/// Whether work of `n` elements is worth splitting across the pool.
fn parallel(n: usize) -> bool {
    let cfg = config();
    cfg.threads > 1 && n >= cfg.parallel_threshold
}

/// Runs `f(chunk_index, chunk)` over `out` split into chunks of `chunk` elements, in parallel when
/// the whole is large, looking at the cancel flag before each chunk.
fn for_chunks<T: Send>(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    out: &mut [T],
    chunk: usize,
    f: impl Fn(usize, &mut [T]) -> Result<()> + Send + Sync,
) -> Result<()> {
    if out.is_empty() || chunk == 0 {
        return Ok(());
    }
    let g = |i: usize, c: &mut [T]| {
        cancel.check("extern op")?;
        f(i, c)
    };
    if parallel(out.len()) && out.len() > chunk {
        pool.install(|| {
            out.par_chunks_mut(chunk)
                .enumerate()
                .try_for_each(|(i, c)| g(i, c))
        })
    } else {
        out.chunks_mut(chunk)
            .enumerate()
            .try_for_each(|(i, c)| g(i, c))
    }
}

/// Iterations of a plain loop (each a row or a few elements) between two looks at the cancel flag.
const CHECK_EVERY: usize = 1 << 12;

/// `(outer, len, inner)`: the extents before, at and after `axis`.
fn split(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    (
        numel(&shape[..axis]),
        shape[axis],
        numel(&shape[axis + 1..]),
    )
}

// ---------------------------------------------------------------------------------------------
// Element traits

/// Real numbers in the order NumPy sorts them: NaNs after everything, equal to each other; `-0.0`
/// equal to `0.0`.
pub(crate) trait Real: Pod + PartialOrd {
    fn is_nan(self) -> bool;
    fn order(a: Self, b: Self) -> Ordering {
        match (a.is_nan(), b.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        }
    }
}

macro_rules! real_int {
    ($($t:ty),*) => {$(
        impl Real for $t {
            fn is_nan(self) -> bool { false }
        }
    )*};
}
real_int!(i8, i16, i32, i64, u8, u16, u32, u64);
impl Real for f32 {
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
}
impl Real for f64 {
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
}

/// Numbers with the arithmetic of the array dtype: integers wrap.
pub(crate) trait Num: Pod {
    const ZERO: Self;
    const ONE: Self;
    fn add(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
}

macro_rules! num_int {
    ($($t:ty),*) => {$(
        impl Num for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            fn add(self, b: Self) -> Self { self.wrapping_add(b) }
            fn mul(self, b: Self) -> Self { self.wrapping_mul(b) }
        }
    )*};
}
num_int!(i8, i16, i32, i64, u8, u16, u32, u64);
macro_rules! num_float {
    ($($t:ty => $zero:expr, $one:expr),*) => {$(
        impl Num for $t {
            const ZERO: Self = $zero;
            const ONE: Self = $one;
            fn add(self, b: Self) -> Self { self + b }
            fn mul(self, b: Self) -> Self { self * b }
        }
    )*};
}
num_float!(
    f32 => 0.0, 1.0,
    f64 => 0.0, 1.0,
    gemm::c32 => gemm::c32 { re: 0.0, im: 0.0 }, gemm::c32 { re: 1.0, im: 0.0 },
    gemm::c64 => gemm::c64 { re: 0.0, im: 0.0 }, gemm::c64 { re: 1.0, im: 0.0 }
);

/// Calls `$f::<T>($args)` with `T` the Rust type of a real numeric dtype.
macro_rules! with_real {
    ($name:expr, $d:expr, $f:ident($($a:expr),*)) => {
        match $d {
            DType::I8 => $f::<i8>($($a),*),
            DType::I16 => $f::<i16>($($a),*),
            DType::I32 => $f::<i32>($($a),*),
            DType::I64 => $f::<i64>($($a),*),
            DType::U8 => $f::<u8>($($a),*),
            DType::U16 => $f::<u16>($($a),*),
            DType::U32 => $f::<u32>($($a),*),
            DType::U64 => $f::<u64>($($a),*),
            DType::F32 => $f::<f32>($($a),*),
            DType::F64 => $f::<f64>($($a),*),
            d => bail!(Type, "{}: arrays of dtype {d} are not supported; use a real numeric dtype", $name),
        }
    };
}

/// Calls `$f::<T>($args)` with `T` the Rust type of a numeric dtype.
macro_rules! with_num {
    ($name:expr, $d:expr, $f:ident($($a:expr),*)) => {
        match $d {
            DType::C64 => $f::<gemm::c32>($($a),*),
            DType::C128 => $f::<gemm::c64>($($a),*),
            d => with_real!($name, d, $f($($a),*)),
        }
    };
}

mod fft;
mod linalg;
mod matmul;
mod sort;
use matmul::matmul;
use sort::{arg_extremum, argsort, searchsorted, sort};

// ---------------------------------------------------------------------------------------------
// Entry point

/// Runs `op` on `inputs`, writing each whole C-contiguous output into its `Dst`.
pub(crate) fn run(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    op: ExternOp,
    inputs: &[Src],
    outs: &mut [Dst],
) -> Result<()> {
    let name = op.name();
    ensure!(
        outs.len() == op.num_outputs(),
        Internal,
        "{name}: {} outputs given, the op has {}",
        outs.len(),
        op.num_outputs()
    );
    for o in outs.iter() {
        ensure!(
            o.bytes.len() >= numel(o.shape) * o.dtype.size(),
            Internal,
            "{name}: output buffer of {} bytes for shape {:?} of {}",
            o.bytes.len(),
            o.shape,
            o.dtype
        );
    }
    let x = inputs
        .first()
        .ok_or_else(|| internal(format!("{name}: no operands")))?;
    if let ExternOp::Linalg(l) = op {
        return linalg::run(pool, cancel, l, inputs, outs);
    }
    let shape = outs[0].shape;
    let out = &mut *outs[0].bytes;
    match op {
        ExternOp::MatMul => matmul(pool, cancel, &inputs[0], &inputs[1], out, shape),
        ExternOp::Sort {
            axis,
            descending,
            stable,
        } => with_real!(
            name,
            x.dtype,
            sort(pool, cancel, x, out, axis as usize, descending, stable)
        ),
        ExternOp::ArgSort {
            axis,
            descending,
            stable,
        } => with_real!(
            name,
            x.dtype,
            argsort(pool, cancel, x, out, axis as usize, descending, stable)
        ),
        ExternOp::CumSum {
            axis,
            include_initial,
        } => with_num!(
            name,
            x.dtype,
            cumulate(
                pool,
                cancel,
                name,
                x,
                out,
                axis as usize,
                include_initial,
                false
            )
        ),
        ExternOp::CumProd {
            axis,
            include_initial,
        } => with_num!(
            name,
            x.dtype,
            cumulate(
                pool,
                cancel,
                name,
                x,
                out,
                axis as usize,
                include_initial,
                true
            )
        ),
        ExternOp::Concat { axis } => concat(cancel, inputs, out, shape, axis as usize),
        ExternOp::Take { axis } => take(cancel, x, &inputs[1], out, shape, axis as usize),
        ExternOp::TakeAlongAxis { axis } => {
            take_along_axis(cancel, x, &inputs[1], out, axis as usize)
        }
        ExternOp::ArgMax { axis } => with_real!(
            name,
            x.dtype,
            arg_extremum(pool, cancel, x, out, axis as usize, true)
        ),
        ExternOp::ArgMin { axis } => with_real!(
            name,
            x.dtype,
            arg_extremum(pool, cancel, x, out, axis as usize, false)
        ),
        ExternOp::SearchSorted { right } => {
            with_real!(
                name,
                x.dtype,
                searchsorted(pool, cancel, x, &inputs[1], out, right)
            )
        }
        ExternOp::ScatterFlat => scatter_flat(cancel, x, &inputs[1], &inputs[2], out),
        ExternOp::Fft(f) => fft::run(pool, cancel, f, x, out, shape),
        ExternOp::Linalg(_) => bail!(
            Internal,
            "{name}: a linalg op reached the single-output path"
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// cumulative sum and product

#[allow(clippy::too_many_arguments)]
fn cumulate<T: Num>(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    name: &str,
    x: &Src,
    out: &mut [u8],
    axis: usize,
    include_initial: bool,
    product: bool,
) -> Result<()> {
    let data = contiguous::<T>(name, x)?;
    let (outer, len, inner) = split(x.shape, axis);
    let olen = len + include_initial as usize;
    let out = output::<T>(name, out, outer * olen * inner)?;
    let init = if product { T::ONE } else { T::ZERO };
    for_chunks(pool, cancel, out, olen * inner, |o, chunk| {
        let src = &data[o * len * inner..(o + 1) * len * inner];
        let first = if include_initial {
            chunk[..inner].fill(init);
            inner
        } else {
            0
        };
        let mut acc = try_filled(name, inner, init)?;
        for i in 0..len {
            if i % CHECK_EVERY == 0 {
                cancel.check(name)?;
            }
            let row = &src[i * inner..(i + 1) * inner];
            let dst = &mut chunk[first + i * inner..first + (i + 1) * inner];
            for ((a, &v), d) in acc.iter_mut().zip(row).zip(dst) {
                *a = if product { a.mul(v) } else { a.add(v) };
                *d = *a;
            }
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// concat, take, take_along_axis (dtype-blind: elements are byte chunks)

fn contiguous_bytes<'a>(name: &str, s: &Src<'a>) -> Result<&'a [u8]> {
    let size = s.dtype.size();
    let n = numel(s.shape);
    if n == 0 {
        return Ok(&[]);
    }
    let want = contiguous_strides(s.shape);
    ensure!(
        s.shape
            .iter()
            .zip(s.strides.iter().zip(&want))
            .all(|(&e, (&st, &w))| e == 1 || st == w),
        Internal,
        "{name}: operand of shape {:?} has strides {:?}, but this op reads C-contiguous operands",
        s.shape,
        s.strides
    );
    let start = usize::try_from(s.base).ok().map(|b| b * size);
    start
        .and_then(|st| s.bytes.get(st..st + n * size))
        .ok_or_else(|| {
            internal(format!(
                "{name}: operand of {n} elements at element {} runs past its buffer of {} bytes",
                s.base,
                s.bytes.len()
            ))
        })
}

fn concat(
    cancel: &Cancel,
    inputs: &[Src],
    out: &mut [u8],
    shape: &[usize],
    axis: usize,
) -> Result<()> {
    let size = inputs[0].dtype.size();
    let outer = numel(&shape[..axis]);
    let parts: Vec<(&[u8], usize)> = inputs
        .iter()
        .map(|s| {
            Ok((
                contiguous_bytes("concat", s)?,
                numel(&s.shape[axis..]) * size,
            ))
        })
        .collect::<Result<_>>()?;
    let mut at = 0;
    for o in 0..outer {
        if o % CHECK_EVERY == 0 {
            cancel.check("concat")?;
        }
        for &(bytes, chunk) in &parts {
            out[at..at + chunk].copy_from_slice(&bytes[o * chunk..(o + 1) * chunk]);
            at += chunk;
        }
    }
    Ok(())
}

/// One index of integer dtype `d` (its `d.size()` little-endian bytes) as i64 (u64 beyond i64's
/// range stays out of range).
pub(crate) fn index_value(d: DType, c: &[u8]) -> i64 {
    let mut b = [0u8; 8];
    b[..c.len().min(8)].copy_from_slice(&c[..c.len().min(8)]);
    match d {
        DType::I8 => c[0] as i8 as i64,
        DType::I16 => i16::from_le_bytes([c[0], c[1]]) as i64,
        DType::I32 => i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as i64,
        DType::I64 => i64::from_le_bytes(b),
        DType::U64 => i64::try_from(u64::from_le_bytes(b)).unwrap_or(i64::MAX),
        _ => u64::from_le_bytes(b) as i64,
    }
}

/// The indices as i64, from any integer dtype (u64 beyond i64's range stays out of range).
fn indices(name: &str, s: &Src) -> Result<Vec<i64>> {
    let bytes = contiguous_bytes(name, s)?;
    let size = s.dtype.size();
    let conv = |c: &[u8]| index_value(s.dtype, c);
    ensure!(
        s.dtype.is_integer(),
        Type,
        "{name}: indices of dtype {}; indices must have an integer dtype",
        s.dtype
    );
    try_collect(name, bytes.chunks_exact(size).map(conv))
}

/// A possibly negative index into an axis of `n` elements, or the `Index` error.
pub(crate) fn resolve(name: &str, i: i64, n: usize, axis: usize) -> Result<usize> {
    let j = if i < 0 {
        i as i128 + n as i128
    } else {
        i as i128
    };
    ensure!(
        (0..n as i128).contains(&j),
        Index,
        "{name}: index {i} is out of bounds for axis {axis} with size {n}; valid indices are {} to {}",
        -(n as i128),
        n as i128 - 1
    );
    Ok(j as usize)
}

fn take(
    cancel: &Cancel,
    x: &Src,
    idx: &Src,
    out: &mut [u8],
    shape: &[usize],
    axis: usize,
) -> Result<()> {
    let size = x.dtype.size();
    let data = contiguous_bytes("take", x)?;
    let ids = indices("take", idx)?;
    let (outer, len, inner) = split(x.shape, axis);
    let n_out = numel(shape);
    let chunk = inner * size;
    let mut resolved: Vec<usize> = try_vec("take", ids.len())?;
    for &i in &ids {
        resolved.push(resolve("take", i, len, axis)?);
    }
    if n_out == 0 {
        return Ok(());
    }
    let mut at = 0;
    for o in 0..outer {
        cancel.check("take")?;
        for &j in &resolved {
            let src = (o * len + j) * chunk;
            out[at..at + chunk].copy_from_slice(&data[src..src + chunk]);
            at += chunk;
        }
    }
    Ok(())
}

fn take_along_axis(cancel: &Cancel, x: &Src, idx: &Src, out: &mut [u8], axis: usize) -> Result<()> {
    let size = x.dtype.size();
    let data = contiguous_bytes("take_along_axis", x)?;
    let ids = indices("take_along_axis", idx)?;
    let (outer, len, inner) = split(x.shape, axis);
    let (_, ilen, _) = split(idx.shape, axis);
    for o in 0..outer {
        for j in 0..ilen {
            if (o * ilen + j) % CHECK_EVERY == 0 {
                cancel.check("take_along_axis")?;
            }
            for r in 0..inner {
                let at = (o * ilen + j) * inner + r;
                let i = resolve("take_along_axis", ids[at], len, axis)?;
                let src = ((o * len + i) * inner + r) * size;
                out[at * size..(at + 1) * size].copy_from_slice(&data[src..src + size]);
            }
        }
    }
    Ok(())
}

/// A copy of `x` with `out.flat[pos[i]] = val[i]`, in order (the last of repeated positions wins).
fn scatter_flat(cancel: &Cancel, x: &Src, pos: &Src, val: &Src, out: &mut [u8]) -> Result<()> {
    let name = "setitem";
    let size = x.dtype.size();
    let n = numel(x.shape);
    let data = contiguous_bytes(name, x)?;
    out[..n * size].copy_from_slice(data);
    let ids = indices(name, pos)?;
    let values = contiguous_bytes(name, val)?;
    ensure!(
        values.len() == ids.len() * size,
        Internal,
        "{name}: {} positions for {} bytes of values",
        ids.len(),
        values.len()
    );
    for (k, &i) in ids.iter().enumerate() {
        if k % CHECK_EVERY == 0 {
            cancel.check(name)?;
        }
        let j = resolve(name, i, n, 0)?;
        out[j * size..(j + 1) * size].copy_from_slice(&values[k * size..(k + 1) * size]);
    }
    Ok(())
}
