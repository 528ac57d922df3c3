//! The `linalg` extension's decompositions and solvers: each builds the nodes of one linalg extern op
//! (one node per output, see `externs::extern_nodes`), with the spec's dtype and shape rules checked
//! here, where the user's call is. The composed functions of the extension (norms, `pinv`,
//! `matrix_rank`, `trace`, `diagonal`, `cross`, `outer`, `matrix_power`) are built from these and
//! ordinary nodes in `python/lazulite/linalg.py`.

use crate::array::LazyArray;
use crate::elementwise::cast;
use crate::externs::{extern_node, extern_nodes};
use crate::movement::{broadcast_unchecked, expand_dims, squeeze};
use lazulite_ir::extern_op::linalg::floating;
use lazulite_ir::shape::broadcast_shapes;
use lazulite_ir::{ensure, promote, ExternOp, LinalgOp, Result, Shape};

fn one(op: LinalgOp, x: &LazyArray) -> Result<LazyArray> {
    floating(op.name(), "x", x.dtype())?;
    extern_node(ExternOp::Linalg(op), std::slice::from_ref(x))
}

fn several(op: LinalgOp, x: &LazyArray) -> Result<Vec<LazyArray>> {
    floating(op.name(), "x", x.dtype())?;
    extern_nodes(ExternOp::Linalg(op), std::slice::from_ref(x))
}

/// `cholesky(x, upper)`: `L` with `x = L L^H`, or `U = L^H` when `upper`.
pub fn cholesky(x: &LazyArray, upper: bool) -> Result<LazyArray> {
    one(LinalgOp::Cholesky { upper }, x)
}

/// `inv(x)`: the inverse of each square matrix (a singular one is a `Value` error at execution).
pub fn inv(x: &LazyArray) -> Result<LazyArray> {
    one(LinalgOp::Inv, x)
}

/// `det(x)`: the determinant of each square matrix, shape `(...)`.
pub fn det(x: &LazyArray) -> Result<LazyArray> {
    one(LinalgOp::Det, x)
}

/// `slogdet(x)`: `(sign, logabsdet)`.
pub fn slogdet(x: &LazyArray) -> Result<Vec<LazyArray>> {
    several(LinalgOp::SlogDet, x)
}

/// `qr(x, mode)`: `(Q, R)`; `mode` is `"reduced"` or `"complete"`.
pub fn qr(x: &LazyArray, mode: &str) -> Result<Vec<LazyArray>> {
    let complete = match mode {
        "reduced" => false,
        "complete" => true,
        m => lazulite_ir::bail!(
            Value,
            "qr: mode={m:?} is not a mode; pass mode='reduced' or mode='complete'"
        ),
    };
    several(LinalgOp::Qr { complete }, x)
}

/// `svd(x, full_matrices)`: `(U, S, Vh)`.
pub fn svd(x: &LazyArray, full_matrices: bool) -> Result<Vec<LazyArray>> {
    several(LinalgOp::Svd { full_matrices }, x)
}

/// `svdvals(x)`: the singular values, descending.
pub fn svdvals(x: &LazyArray) -> Result<LazyArray> {
    one(LinalgOp::SvdVals, x)
}

/// `eigh(x)`: `(eigenvalues, eigenvectors)` of Hermitian matrices (the lower triangle is read).
pub fn eigh(x: &LazyArray) -> Result<Vec<LazyArray>> {
    several(LinalgOp::Eigh, x)
}

/// `eigvalsh(x)`: the eigenvalues of Hermitian matrices, ascending.
pub fn eigvalsh(x: &LazyArray) -> Result<LazyArray> {
    one(LinalgOp::EigvalsH, x)
}

/// `eig(x)`: `(eigenvalues, eigenvectors)` of general square matrices, complex.
pub fn eig(x: &LazyArray) -> Result<Vec<LazyArray>> {
    several(LinalgOp::Eig, x)
}

/// `eigvals(x)`: the complex eigenvalues of general square matrices.
pub fn eigvals(x: &LazyArray) -> Result<LazyArray> {
    one(LinalgOp::Eigvals, x)
}

/// `solve(x1, x2)`: `x1` is `(..., M, M)`; `x2` is `(M,)` (one vector for every matrix; the result is
/// `(..., M)`) or `(..., M, K)`; batch dimensions broadcast.
pub fn solve(x1: &LazyArray, x2: &LazyArray) -> Result<LazyArray> {
    let name = "solve";
    floating(name, "x1", x1.dtype())?;
    floating(name, "x2", x2.dtype())?;
    let d = promote(name, x1.dtype(), x2.dtype())?;
    let r1 = x1.ndim();
    ensure!(
        r1 >= 2 && x1.shape()[r1 - 2] == x1.shape()[r1 - 1],
        Value,
        "{name}: x1 has shape {:?}, but x1 must be a square matrix or a stack of them (..., M, M)",
        x1.shape()
    );
    let m = x1.shape()[r1 - 1];
    let vector = x2.ndim() == 1;
    let b = if vector {
        ensure!(
            x2.shape()[0] == m,
            Value,
            "{name}: x2 has shape {:?}, but a vector x2 must have the M = {m} elements of x1 {:?}",
            x2.shape(),
            x1.shape()
        );
        expand_dims(x2, &[-1])?
    } else {
        x2.clone()
    };
    let r2 = b.ndim();
    ensure!(
        r2 >= 2 && b.shape()[r2 - 2] == m,
        Value,
        "{name}: x2 has shape {:?}, but x2 must be (M,) or (..., M, K) with M = {m} (the order of \
         x1 {:?})",
        x2.shape(),
        x1.shape()
    );
    let k = b.shape()[r2 - 1];
    let batch = broadcast_shapes(name, &x1.shape()[..r1 - 2], &b.shape()[..r2 - 2])?;
    let full = |r: usize, c: usize| -> Shape { batch.iter().copied().chain([r, c]).collect() };
    let a = broadcast_unchecked(&cast(x1, d), &full(m, m));
    let b = broadcast_unchecked(&cast(&b, d), &full(m, k));
    let out = extern_node(ExternOp::Linalg(LinalgOp::Solve), &[a, b])?;
    if vector {
        squeeze(&out, &[-1])
    } else {
        Ok(out)
    }
}
