//! The linalg family at run time: decompositions and solvers over stacks of matrices, by faer.
//!
//! Each matrix of an operand stack is read with its own strides (any layout, broadcast batch axes
//! included) into a column-major faer matrix of the working type: `f64` for real dtypes, `c64` for
//! complex ones (`float32` data is computed in double precision and rounded once on the way out).
//! Every output is written row-major into its own temp. Stacks of matrices run in parallel across the
//! runtime's pool; a single large matrix lets faer parallelise inside. Small square systems (`solve`,
//! `inv`, `det`, `slogdet` up to [`SMALL`]) use a hand-written LU with partial pivoting on the stack,
//! which for stacks of thousands of 3x3 systems is several times faster than faer's general path.
//!
//! Failures follow NumPy's `LinAlgError` (a `ValueError`): a singular matrix in `inv`/`solve` (an
//! exactly zero pivot, as LAPACK reports), a matrix that is not positive definite in `cholesky`,
//! no convergence in `svd`/`eig`/`eigh`; messages name the function.

use super::matmul::{batch_offsets, matrix_in_bounds, whole};
use super::{Dst, Src};
use faer::linalg::solvers::{DenseSolveCore, Solve};
use faer::{c64, Mat, MatRef, Side};
use lazulite_ir::cancel::Cancel;
use lazulite_ir::shape::numel;
use lazulite_ir::{bail, ensure, DType, LinalgOp, Result};
use rayon::prelude::*;
use smallvec::SmallVec;
use std::borrow::Cow;

type C32 = num_complex::Complex<f32>;

/// Largest order of the hand-written small-matrix LU.
const SMALL: usize = 8;

/// The working element types: `f64` and `c64`, each with a lossless way through `c64`.
trait Field:
    Copy
    + Send
    + Sync
    + 'static
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    fn from_c(c: c64) -> Self;
    fn to_c(self) -> c64;
}

impl Field for f64 {
    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    fn from_c(c: c64) -> f64 {
        c.re
    }
    fn to_c(self) -> c64 {
        c64::new(self, 0.0)
    }
}

impl Field for c64 {
    const ZERO: c64 = c64::new(0.0, 0.0);
    const ONE: c64 = c64::new(1.0, 0.0);
    fn from_c(c: c64) -> c64 {
        c
    }
    fn to_c(self) -> c64 {
        self
    }
}

/// A whole operand buffer, typed by its dtype.
enum Elems<'a> {
    F32(Cow<'a, [f32]>),
    F64(Cow<'a, [f64]>),
    C64(Cow<'a, [C32]>),
    C128(Cow<'a, [c64]>),
}

/// A stack of matrices of one operand: every matrix's element offset, its extents and strides.
struct Stack<'a> {
    elems: Elems<'a>,
    offsets: Vec<isize>,
    rows: usize,
    cols: usize,
    rs: isize,
    cs: isize,
}

impl<'a> Stack<'a> {
    fn new(name: &str, s: &Src<'a>) -> Result<Stack<'a>> {
        let r = s.shape.len();
        ensure!(
            r >= 2 && s.strides.len() == r,
            Internal,
            "{name}: operand of shape {:?} with strides {:?} is not a stack of matrices",
            s.shape,
            s.strides
        );
        let elems = match s.dtype {
            DType::F32 => Elems::F32(whole(s.bytes)?),
            DType::F64 => Elems::F64(whole(s.bytes)?),
            DType::C64 => Elems::C64(whole(s.bytes)?),
            DType::C128 => Elems::C128(whole(s.bytes)?),
            d => bail!(
                Internal,
                "{name}: operand of {d} reached the linalg runtime"
            ),
        };
        let len = s.bytes.len() / s.dtype.size();
        let (rows, cols) = (s.shape[r - 2], s.shape[r - 1]);
        let (rs, cs) = (s.strides[r - 2], s.strides[r - 1]);
        let offsets = if numel(s.shape) == 0 {
            vec![s.base; numel(&s.shape[..r - 2])]
        } else {
            batch_offsets(s, &s.shape[..r - 2])
        };
        for &o in &offsets {
            matrix_in_bounds(name, o, rows, cols, rs, cs, len)?;
        }
        Ok(Stack {
            elems,
            offsets,
            rows,
            cols,
            rs,
            cs,
        })
    }

    /// Matrix `b` of the stack as a column-major matrix of the working type.
    fn load<T: Field>(&self, b: usize) -> Mat<T> {
        let (o, rs, cs) = (self.offsets[b], self.rs, self.cs);
        let at = |i: usize, j: usize| (o + i as isize * rs + j as isize * cs) as usize;
        match &self.elems {
            Elems::F32(v) => Mat::from_fn(self.rows, self.cols, |i, j| {
                T::from_c(c64::new(v[at(i, j)] as f64, 0.0))
            }),
            Elems::F64(v) => Mat::from_fn(self.rows, self.cols, |i, j| {
                T::from_c(c64::new(v[at(i, j)], 0.0))
            }),
            Elems::C64(v) => Mat::from_fn(self.rows, self.cols, |i, j| {
                let c = v[at(i, j)];
                T::from_c(c64::new(c.re as f64, c.im as f64))
            }),
            Elems::C128(v) => Mat::from_fn(self.rows, self.cols, |i, j| T::from_c(v[at(i, j)])),
        }
    }

    /// Matrix `b` into a row-major array (the small path), `rows * cols <= buf.len()`.
    fn load_small<T: Field>(&self, b: usize, buf: &mut [T]) {
        let (o, rs, cs, n) = (self.offsets[b], self.rs, self.cs, self.cols);
        let at = |i: usize, j: usize| (o + i as isize * rs + j as isize * cs) as usize;
        for i in 0..self.rows {
            for j in 0..n {
                let c = match &self.elems {
                    Elems::F32(v) => c64::new(v[at(i, j)] as f64, 0.0),
                    Elems::F64(v) => c64::new(v[at(i, j)], 0.0),
                    Elems::C64(v) => {
                        let c = v[at(i, j)];
                        c64::new(c.re as f64, c.im as f64)
                    }
                    Elems::C128(v) => v[at(i, j)],
                };
                buf[i * n + j] = T::from_c(c);
            }
        }
    }
}

/// One batch's part of one output: row-major elements of `dtype` (real dtypes keep the real part).
struct Out<'a> {
    bytes: &'a mut [u8],
    dtype: DType,
}

impl Out<'_> {
    fn set(&mut self, i: usize, v: c64) {
        match self.dtype {
            DType::F32 => {
                self.bytes[i * 4..i * 4 + 4].copy_from_slice(&(v.re as f32).to_ne_bytes())
            }
            DType::F64 => self.bytes[i * 8..i * 8 + 8].copy_from_slice(&v.re.to_ne_bytes()),
            DType::C64 => {
                self.bytes[i * 8..i * 8 + 4].copy_from_slice(&(v.re as f32).to_ne_bytes());
                self.bytes[i * 8 + 4..i * 8 + 8].copy_from_slice(&(v.im as f32).to_ne_bytes());
            }
            _ => {
                self.bytes[i * 16..i * 16 + 8].copy_from_slice(&v.re.to_ne_bytes());
                self.bytes[i * 16 + 8..i * 16 + 16].copy_from_slice(&v.im.to_ne_bytes());
            }
        }
    }

    /// Writes `m` row-major (`f` maps each element, e.g. to conjugate).
    fn set_mat<T: Field>(&mut self, m: MatRef<'_, T>, f: impl Fn(c64) -> c64) {
        let n = m.ncols();
        for i in 0..m.nrows() {
            for j in 0..n {
                self.set(i * n + j, f(m[(i, j)].to_c()));
            }
        }
    }
}

/// The dtypes `run` accepts as operands; the ops' `infer` already made sure of it.
fn is_complex(name: &str, d: DType) -> Result<bool> {
    match d {
        DType::F32 | DType::F64 => Ok(false),
        DType::C64 | DType::C128 => Ok(true),
        d => bail!(
            Internal,
            "{name}: operand of {d} reached the linalg runtime"
        ),
    }
}

/// Runs one linalg op over whole stacks.
pub(crate) fn run(
    pool: &rayon::ThreadPool,
    cancel: &Cancel,
    op: LinalgOp,
    inputs: &[Src],
    outs: &mut [Dst],
) -> Result<()> {
    let name = op.name();
    ensure!(
        inputs.len() == op.arity(),
        Internal,
        "{name}: {} operands for an op of {}",
        inputs.len(),
        op.arity()
    );
    let a = Stack::new(name, &inputs[0])?;
    let b = match inputs.get(1) {
        Some(s) => Some(Stack::new(name, s)?),
        None => None,
    };
    let batches = a.offsets.len();
    // Each output split into one byte chunk per matrix of the stack.
    let mut per_batch: Vec<SmallVec<[Out; 3]>> = (0..batches).map(|_| SmallVec::new()).collect();
    for d in outs.iter_mut() {
        let per = numel(d.shape) / batches.max(1) * d.dtype.size();
        let total = per * batches;
        let bytes = &mut d.bytes[..total];
        if per == 0 {
            for p in per_batch.iter_mut() {
                p.push(Out {
                    bytes: &mut [],
                    dtype: d.dtype,
                });
            }
        } else {
            for (p, chunk) in per_batch.iter_mut().zip(bytes.chunks_mut(per)) {
                p.push(Out {
                    bytes: chunk,
                    dtype: d.dtype,
                });
            }
        }
    }
    let complex = is_complex(name, inputs[0].dtype)?;
    // Ctrl-C is looked at before each matrix of the stack (one factorisation runs to its end).
    let one = |bi: usize, outs: &mut SmallVec<[Out; 3]>| -> Result<()> {
        cancel.check(name)?;
        if complex {
            one_matrix::<c64>(op, &a, b.as_ref(), bi, outs)
        } else {
            one_matrix::<f64>(op, &a, b.as_ref(), bi, outs)
        }
    };
    let work = a.rows * a.rows * a.cols.max(1);
    if batches > 1 && batches * work >= 4096 && super::parallel(batches * work) {
        pool.install(|| {
            per_batch
                .par_iter_mut()
                .enumerate()
                .try_for_each(|(bi, o)| one(bi, o))
        })
    } else {
        pool.install(|| {
            per_batch
                .iter_mut()
                .enumerate()
                .try_for_each(|(bi, o)| one(bi, o))
        })
    }
}

fn no_convergence(name: &str) -> lazulite_ir::Error {
    lazulite_ir::Error::new(
        lazulite_ir::ErrorKind::Value,
        format!(
            "{name}: the iteration did not converge (the input holds NaN or infinite values, or is \
             too ill-conditioned); check the input for non-finite values"
        ),
    )
}

fn singular(name: &str) -> lazulite_ir::Error {
    lazulite_ir::Error::new(
        lazulite_ir::ErrorKind::Value,
        format!(
            "{name}: singular matrix (an exactly zero pivot in its LU factorisation); the system has \
             no unique solution (use pinv or lstsq-style methods for singular matrices)"
        ),
    )
}

/// Runs the op on matrix `bi` of the stack(s), writing that matrix's part of every output.
fn one_matrix<T: Field + faer::traits::ComplexField<Real = f64>>(
    op: LinalgOp,
    a: &Stack,
    b: Option<&Stack>,
    bi: usize,
    outs: &mut [Out],
) -> Result<()> {
    let name = op.name();
    let n = a.rows;
    if a.rows == 0 || a.cols == 0 {
        empty(op, a, outs);
        return Ok(());
    }
    if matches!(
        op,
        LinalgOp::Solve | LinalgOp::Inv | LinalgOp::Det | LinalgOp::SlogDet
    ) && n <= SMALL
    {
        return small::<T>(op, a, b, bi, outs);
    }
    let same = |x: c64| x;
    match op {
        LinalgOp::Cholesky { upper } => {
            let m = a.load::<T>(bi);
            match m.llt(Side::Lower) {
                Ok(llt) => {
                    let l = llt.L();
                    if upper {
                        outs[0].set_mat(l.transpose(), |x| x.conj());
                    } else {
                        outs[0].set_mat(l, same);
                    }
                }
                Err(_) => bail!(
                    Value,
                    "cholesky: the matrix is not positive definite (a non-positive pivot); cholesky \
                     needs a Hermitian positive-definite matrix"
                ),
            }
        }
        LinalgOp::Inv | LinalgOp::Solve | LinalgOp::Det | LinalgOp::SlogDet => {
            let m = a.load::<T>(bi);
            let lu = m.partial_piv_lu();
            let u = lu.U();
            let zero_pivot = (0..n).any(|i| u[(i, i)].to_c() == c64::new(0.0, 0.0));
            match op {
                LinalgOp::Inv => {
                    ensure_nonsingular(name, zero_pivot)?;
                    outs[0].set_mat(lu.inverse().as_ref(), same);
                }
                LinalgOp::Solve => {
                    ensure_nonsingular(name, zero_pivot)?;
                    let rhs = b.ok_or_else(|| singular_internal(name))?.load::<T>(bi);
                    let x = lu.solve(rhs.as_ref());
                    outs[0].set_mat(x.as_ref(), same);
                }
                _ => {
                    let parity = permutation_parity(lu.P().arrays().0);
                    let diag: Vec<c64> = (0..n).map(|i| u[(i, i)].to_c()).collect();
                    write_det(op, parity, &diag, outs);
                }
            }
        }
        LinalgOp::Qr { complete } => {
            let m = a.load::<T>(bi);
            let qr = m.qr();
            if complete {
                outs[0].set_mat(qr.compute_Q().as_ref(), same);
                // R is (M, N): faer's upper trapezoid, then zero rows (faer leaves them unwritten).
                let r = qr.thin_R();
                outs[1].set_mat(r, same);
                for f in r.nrows() * r.ncols()..a.rows * a.cols {
                    outs[1].set(f, c64::new(0.0, 0.0));
                }
            } else {
                outs[0].set_mat(qr.compute_thin_Q().as_ref(), same);
                outs[1].set_mat(qr.thin_R(), same);
            }
        }
        LinalgOp::Svd { full_matrices } => {
            let (m, back) = load_scaled::<T>(a, bi);
            let svd = if full_matrices { m.svd() } else { m.thin_svd() }
                .map_err(|_| no_convergence(name))?;
            outs[0].set_mat(svd.U(), same);
            let s = svd.S().column_vector();
            for i in 0..s.nrows() {
                outs[1].set(i, s[i].to_c() * back);
            }
            outs[2].set_mat(svd.V().transpose(), |x| x.conj());
        }
        LinalgOp::SvdVals => {
            let (m, back) = load_scaled::<T>(a, bi);
            let s = m.singular_values().map_err(|_| no_convergence(name))?;
            for (i, v) in s.iter().enumerate() {
                outs[0].set(i, c64::new(*v * back, 0.0));
            }
        }
        LinalgOp::Eigh => {
            let (m, back) = load_scaled::<T>(a, bi);
            let e = m
                .self_adjoint_eigen(Side::Lower)
                .map_err(|_| no_convergence(name))?;
            let s = e.S().column_vector();
            for i in 0..n {
                outs[0].set(i, c64::new(s[i].to_c().re * back, 0.0));
            }
            outs[1].set_mat(e.U(), same);
        }
        LinalgOp::EigvalsH => {
            let (m, back) = load_scaled::<T>(a, bi);
            let s = m
                .self_adjoint_eigenvalues(Side::Lower)
                .map_err(|_| no_convergence(name))?;
            for (i, v) in s.iter().enumerate() {
                outs[0].set(i, c64::new(*v * back, 0.0));
            }
        }
        LinalgOp::Eig => {
            let (m, back) = load_scaled::<T>(a, bi);
            let e = m.eigen().map_err(|_| no_convergence(name))?;
            let s = e.S().column_vector();
            for i in 0..n {
                outs[0].set(i, s[i] * back);
            }
            outs[1].set_mat(e.U(), same);
        }
        LinalgOp::Eigvals => {
            let (m, back) = load_scaled::<T>(a, bi);
            let s = m.eigenvalues().map_err(|_| no_convergence(name))?;
            for (i, v) in s.iter().enumerate() {
                outs[0].set(i, *v * back);
            }
        }
    }
    Ok(())
}

/// Matrix `bi` scaled by a power of two when its largest element is so large (or small) that squares
/// of it overflow (or underflow) inside the iterative decompositions, which then fail to converge;
/// LAPACK scales the same way. Returns the matrix and the factor to multiply singular values and
/// eigenvalues by (exact: powers of two).
fn load_scaled<T: Field>(a: &Stack, bi: usize) -> (Mat<T>, f64) {
    let m = a.load::<T>(bi);
    let mut big = 0.0f64;
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            big = big.max(m[(i, j)].to_c().norm());
        }
    }
    if !big.is_finite() || big == 0.0 || (1e-100..=1e100).contains(&big) {
        return (m, 1.0);
    }
    let back = 2f64.powi(big.log2().floor() as i32);
    let scale = T::from_c(c64::new(1.0 / back, 0.0));
    (
        Mat::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)] * scale),
        back,
    )
}

/// An op on an empty matrix: identity factors where the spec's shapes are non-empty (complete `Q`,
/// full `U` and `Vh`), `det = 1` and `slogdet = (1, 0)`, nothing else to write.
fn empty(op: LinalgOp, a: &Stack, outs: &mut [Out]) {
    let eye = |out: &mut Out, n: usize| {
        for i in 0..n {
            for j in 0..n {
                out.set(i * n + j, c64::new(if i == j { 1.0 } else { 0.0 }, 0.0));
            }
        }
    };
    let one = c64::new(1.0, 0.0);
    match op {
        LinalgOp::Det => outs[0].set(0, one),
        LinalgOp::SlogDet => {
            outs[0].set(0, one);
            outs[1].set(0, c64::new(0.0, 0.0));
        }
        LinalgOp::Qr { complete: true } => {
            eye(&mut outs[0], a.rows);
            for i in 0..a.rows * a.cols {
                outs[1].set(i, c64::new(0.0, 0.0));
            }
        }
        LinalgOp::Svd {
            full_matrices: true,
        } => {
            eye(&mut outs[0], a.rows);
            eye(&mut outs[2], a.cols);
        }
        _ => {}
    }
}

fn singular_internal(name: &str) -> lazulite_ir::Error {
    lazulite_ir::Error::new(
        lazulite_ir::ErrorKind::Internal,
        format!("{name}: the right-hand side operand is missing"),
    )
}

fn ensure_nonsingular(name: &str, zero_pivot: bool) -> Result<()> {
    if zero_pivot {
        return Err(singular(name));
    }
    Ok(())
}

/// +1 or -1: the sign of the permutation `perm` (`perm[i]` is the image of `i`).
fn permutation_parity(perm: &[usize]) -> f64 {
    let mut seen = vec![false; perm.len()];
    let mut sign = 1.0;
    for start in 0..perm.len() {
        let mut len = 0;
        let mut i = start;
        while !seen[i] {
            seen[i] = true;
            i = perm[i];
            len += 1;
        }
        if len > 0 && len % 2 == 0 {
            sign = -sign;
        }
    }
    sign
}

/// `det` or `slogdet` from the diagonal of `U` and the sign of the row permutation. A zero pivot gives
/// `det = 0` and `(sign, logabsdet) = (0, -inf)`, as LAPACK-based libraries do.
fn write_det(op: LinalgOp, parity: f64, diag: &[c64], outs: &mut [Out]) {
    // After a zero pivot faer's later pivots are NaN (0/0): the zero decides.
    let zero = c64::new(0.0, 0.0);
    if diag.contains(&zero) {
        outs[0].set(0, zero);
        if op == LinalgOp::SlogDet {
            outs[1].set(0, c64::new(f64::NEG_INFINITY, 0.0));
        }
        return;
    }
    if op == LinalgOp::Det {
        let det = diag.iter().fold(c64::new(parity, 0.0), |acc, &d| acc * d);
        outs[0].set(0, det);
        return;
    }
    let mut sign = c64::new(parity, 0.0);
    let mut log = 0.0;
    for &d in diag {
        let a = d.norm();
        if a == 0.0 {
            outs[0].set(0, c64::new(0.0, 0.0));
            outs[1].set(0, c64::new(f64::NEG_INFINITY, 0.0));
            return;
        }
        sign *= d / a;
        log += a.ln();
    }
    outs[0].set(0, sign);
    outs[1].set(0, c64::new(log, 0.0));
}

/// `solve`, `inv`, `det`, `slogdet` of an order-`n <= SMALL` matrix: LU with partial pivoting (the
/// largest `|re| + |im|` in the column, as LAPACK's `getrf`) on stack arrays.
fn small<T: Field>(
    op: LinalgOp,
    a: &Stack,
    b: Option<&Stack>,
    bi: usize,
    outs: &mut [Out],
) -> Result<()> {
    let name = op.name();
    let n = a.rows;
    let mut lu = [T::ZERO; SMALL * SMALL];
    a.load_small(bi, &mut lu[..n * n]);
    let mut perm = [0usize; SMALL];
    let mut parity = 1.0;
    let mut zero_pivot = false;
    for (i, p) in perm.iter_mut().enumerate().take(n) {
        *p = i;
    }
    for k in 0..n {
        let mag = |x: T| {
            let c = x.to_c();
            c.re.abs() + c.im.abs()
        };
        let mut p = k;
        for i in k + 1..n {
            if mag(lu[i * n + k]) > mag(lu[p * n + k]) {
                p = i;
            }
        }
        if p != k {
            for j in 0..n {
                lu.swap(k * n + j, p * n + j);
            }
            perm.swap(k, p);
            parity = -parity;
        }
        let piv = lu[k * n + k];
        if piv.to_c() == c64::new(0.0, 0.0) {
            zero_pivot = true;
            continue;
        }
        for i in k + 1..n {
            let f = lu[i * n + k] / piv;
            lu[i * n + k] = f;
            for j in k + 1..n {
                lu[i * n + j] = lu[i * n + j] - f * lu[k * n + j];
            }
        }
    }
    if matches!(op, LinalgOp::Det | LinalgOp::SlogDet) {
        let diag: Vec<c64> = (0..n).map(|i| lu[i * n + i].to_c()).collect();
        write_det(op, parity, &diag, outs);
        return Ok(());
    }
    ensure_nonsingular(name, zero_pivot)?;
    // Right-hand sides: B's columns, or the identity's for `inv` (on the stack up to SMALL columns).
    let k = match (op, b) {
        (LinalgOp::Solve, Some(b)) => b.cols,
        _ => n,
    };
    let mut rhs_stack = [T::ZERO; SMALL * SMALL];
    let mut x_stack = [T::ZERO; SMALL * SMALL];
    let (mut rhs_heap, mut x_heap);
    let (rhs, x): (&mut [T], &mut [T]) = if k <= SMALL {
        (&mut rhs_stack[..n * k], &mut x_stack[..n * k])
    } else {
        rhs_heap = vec![T::ZERO; n * k];
        x_heap = vec![T::ZERO; n * k];
        (&mut rhs_heap, &mut x_heap)
    };
    match (op, b) {
        (LinalgOp::Solve, Some(b)) => b.load_small(bi, rhs),
        _ => {
            for i in 0..n {
                rhs[i * n + i] = T::ONE;
            }
        }
    }
    for c in 0..k {
        let mut y = [T::ZERO; SMALL];
        for i in 0..n {
            let mut s = rhs[perm[i] * k + c];
            for j in 0..i {
                s = s - lu[i * n + j] * y[j];
            }
            y[i] = s;
        }
        for i in (0..n).rev() {
            let mut s = y[i];
            for j in i + 1..n {
                s = s - lu[i * n + j] * x[j * k + c];
            }
            x[i * k + c] = s / lu[i * n + i];
        }
    }
    for (i, v) in x.iter().enumerate() {
        outs[0].set(i, v.to_c());
    }
    Ok(())
}
