//! The linear algebra family of extern ops: decompositions and solvers over stacks of matrices (the
//! last two axes), run by faer in `runtime/src/extern_ops/linalg.rs`. The frontend composes the rest of
//! `linalg` (norms, `pinv`, `matrix_rank`, `trace`, ...) from these and ordinary nodes.
//!
//! Every op takes floating-point operands (real or complex; the frontend rejects others with the
//! spec's `TypeError` before a node exists) and keeps their precision: `float32` in, `float32` out.

use super::{OperandInfo, Outputs};
use crate::dtype::DType;
use crate::error::Result;
use crate::shape::Shape;
use crate::{bail, ensure};

/// One linalg extern op. Operands are stacks of matrices `(..., M, N)`; batch dimensions of several
/// operands are already broadcast to one shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinalgOp {
    /// The Cholesky factor `L` (lower) or `U = L^H` (upper) of Hermitian positive-definite matrices.
    Cholesky { upper: bool },
    /// The inverse of square matrices.
    Inv,
    /// `solve(A, B)`: `A` is `(..., M, M)`, `B` is `(..., M, K)` (a vector `B` arrives as a column).
    Solve,
    /// The determinant of square matrices, `(...)`.
    Det,
    /// Outputs `sign` (the operand's dtype; unit modulus for complex) and `logabsdet` (real), `(...)`.
    SlogDet,
    /// Outputs `Q` and `R`: `(M, K)`, `(K, N)` (reduced, `K = min(M, N)`) or `(M, M)`, `(M, N)`
    /// (complete).
    Qr { complete: bool },
    /// Outputs `U`, `S` (real, descending), `Vh`: `(M, M)`, `(K)`, `(N, N)` with full matrices, else
    /// `(M, K)`, `(K)`, `(K, N)`.
    Svd { full_matrices: bool },
    /// The singular values alone (real, descending), `(..., K)`.
    SvdVals,
    /// Outputs `eigenvalues` (real, ascending) and `eigenvectors` (columns) of Hermitian matrices.
    Eigh,
    /// The eigenvalues of Hermitian matrices alone (real, ascending).
    EigvalsH,
    /// Outputs `eigenvalues` and `eigenvectors` (columns, unit norm) of general square matrices, both
    /// complex of the operand's precision.
    Eig,
    /// The (complex) eigenvalues of general square matrices alone.
    Eigvals,
}

impl LinalgOp {
    /// The spec's function name.
    pub fn name(&self) -> &'static str {
        match self {
            LinalgOp::Cholesky { .. } => "cholesky",
            LinalgOp::Inv => "inv",
            LinalgOp::Solve => "solve",
            LinalgOp::Det => "det",
            LinalgOp::SlogDet => "slogdet",
            LinalgOp::Qr { .. } => "qr",
            LinalgOp::Svd { .. } => "svd",
            LinalgOp::SvdVals => "svdvals",
            LinalgOp::Eigh => "eigh",
            LinalgOp::EigvalsH => "eigvalsh",
            LinalgOp::Eig => "eig",
            LinalgOp::Eigvals => "eigvals",
        }
    }

    pub fn arity(&self) -> usize {
        match self {
            LinalgOp::Solve => 2,
            _ => 1,
        }
    }

    pub fn num_outputs(&self) -> usize {
        match self {
            LinalgOp::SlogDet | LinalgOp::Qr { .. } | LinalgOp::Eigh | LinalgOp::Eig => 2,
            LinalgOp::Svd { .. } => 3,
            _ => 1,
        }
    }

    /// True for ops that need square matrices.
    fn square(&self) -> bool {
        !matches!(
            self,
            LinalgOp::Qr { .. } | LinalgOp::Svd { .. } | LinalgOp::SvdVals
        )
    }

    /// Output dtypes and shapes (the arity is already checked).
    pub fn infer(&self, operands: &[OperandInfo]) -> Result<Outputs> {
        let name = self.name();
        let x = operands[0];
        floating(name, "x", x.dtype)?;
        let r = x.shape.len();
        ensure!(
            r >= 2,
            Value,
            "{name}: x has shape {:?}, but {name} needs a stack of matrices (at least two \
             dimensions)",
            x.shape
        );
        let (m, n) = (x.shape[r - 2], x.shape[r - 1]);
        if self.square() {
            ensure!(
                m == n,
                Value,
                "{name}: x has shape {:?}, whose last two dimensions ({m}, {n}) are not square; \
                 {name} needs square matrices",
                x.shape
            );
        }
        let batch = &x.shape[..r - 2];
        let with = |tail: &[usize]| -> Shape { batch.iter().chain(tail).copied().collect() };
        let (d, real) = (x.dtype, x.dtype.real_part());
        let complex = match d.to_complex() {
            Some(c) => c,
            None => bail!(Internal, "{name}: {d} has no complex counterpart"),
        };
        let k = m.min(n);
        Ok(match *self {
            LinalgOp::Cholesky { .. } | LinalgOp::Inv => vec![(d, x.shape.into())],
            LinalgOp::Solve => {
                let b = operands[1];
                ensure!(
                    b.dtype == d,
                    Internal,
                    "{name}: x1 of {d} and x2 of {} (the frontend promotes first)",
                    b.dtype
                );
                ensure!(
                    b.shape.len() == r && b.shape[..r - 2] == *batch && b.shape[r - 2] == m,
                    Value,
                    "{name}: x2 of shape {:?} does not fit x1 of shape {:?}; x2 must be (..., {m}, K) \
                     with the batch dimensions of x1 (the frontend broadcasts them first)",
                    b.shape,
                    x.shape
                );
                vec![(d, b.shape.into())]
            }
            LinalgOp::Det => vec![(d, with(&[]))],
            LinalgOp::SlogDet => vec![(d, with(&[])), (real, with(&[]))],
            LinalgOp::Qr { complete } => {
                let q = if complete { m } else { k };
                vec![(d, with(&[m, q])), (d, with(&[q, n]))]
            }
            LinalgOp::Svd { full_matrices } => {
                let (u, v) = if full_matrices { (m, n) } else { (k, k) };
                vec![(d, with(&[m, u])), (real, with(&[k])), (d, with(&[v, n]))]
            }
            LinalgOp::SvdVals => vec![(real, with(&[k]))],
            LinalgOp::Eigh => vec![(real, with(&[n])), (d, x.shape.into())],
            LinalgOp::EigvalsH => vec![(real, with(&[n]))],
            LinalgOp::Eig => vec![(complex, with(&[n])), (complex, x.shape.into())],
            LinalgOp::Eigvals => vec![(complex, with(&[n]))],
        })
    }
}

/// The spec's dtype rule for `linalg`: a floating-point (real or complex) operand.
pub fn floating(name: &str, param: &str, d: DType) -> Result<()> {
    if !d.is_float() {
        bail!(
            Type,
            "{name}: {param} has dtype {d}, but {name} requires a floating-point dtype (float32, \
             float64, complex64 or complex128); cast it with astype(x, float64) first"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::ExternOp;
    use DType::*;

    fn info(dtype: DType, shape: &[usize]) -> OperandInfo<'_> {
        OperandInfo { dtype, shape }
    }

    fn shapes(op: LinalgOp, ops: &[OperandInfo]) -> Vec<(DType, Vec<usize>)> {
        ExternOp::Linalg(op)
            .infer(ops)
            .unwrap()
            .into_iter()
            .map(|(d, s)| (d, s.to_vec()))
            .collect()
    }

    #[test]
    fn output_shapes_follow_the_spec() {
        let x = [info(F32, &[7, 5, 3])];
        assert_eq!(
            shapes(
                LinalgOp::Svd {
                    full_matrices: false
                },
                &x
            ),
            vec![
                (F32, vec![7, 5, 3]),
                (F32, vec![7, 3]),
                (F32, vec![7, 3, 3])
            ]
        );
        assert_eq!(
            shapes(
                LinalgOp::Svd {
                    full_matrices: true
                },
                &x
            ),
            vec![
                (F32, vec![7, 5, 5]),
                (F32, vec![7, 3]),
                (F32, vec![7, 3, 3])
            ]
        );
        assert_eq!(
            shapes(LinalgOp::Qr { complete: true }, &x),
            vec![(F32, vec![7, 5, 5]), (F32, vec![7, 5, 3])]
        );
        let c = [info(C128, &[2, 2])];
        assert_eq!(
            shapes(LinalgOp::SlogDet, &c),
            vec![(C128, vec![]), (F64, vec![])]
        );
        assert_eq!(
            shapes(LinalgOp::Eigh, &c),
            vec![(F64, vec![2]), (C128, vec![2, 2])]
        );
        assert_eq!(
            shapes(LinalgOp::Eig, &[info(F32, &[3, 3])]),
            vec![(C64, vec![3]), (C64, vec![3, 3])]
        );
        assert_eq!(
            shapes(
                LinalgOp::Solve,
                &[info(F64, &[4, 3, 3]), info(F64, &[4, 3, 2])]
            ),
            vec![(F64, vec![4, 3, 2])]
        );
    }

    #[test]
    fn bad_operands_get_the_spec_errors() {
        let e = ExternOp::Linalg(LinalgOp::Inv)
            .infer(&[info(I64, &[2, 2])])
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type);
        assert!(e.message.starts_with("inv:") && e.message.contains("int64"));
        let e = ExternOp::Linalg(LinalgOp::Det)
            .infer(&[info(F64, &[2, 3])])
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Value);
        assert!(e.message.contains("square"));
        let e = ExternOp::Linalg(LinalgOp::Eigh)
            .infer(&[info(F64, &[3])])
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Value);
        let e = ExternOp::Linalg(LinalgOp::Solve)
            .infer(&[info(F64, &[3, 3]), info(F64, &[2, 1])])
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Value);
    }
}
