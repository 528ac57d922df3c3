//! The linalg extern ops end to end (planned by `lazulite_passes`, run by the executor through faer
//! and the small-matrix path), each checked by its defining identity in plain Rust: `A X = B`,
//! `A inv(A) = I`, `L L^T = A`, `Q R = A`, `U S Vh = A`, `A V = V diag(w)`, and `det` against a
//! cofactor expansion. Several outputs of one call come from one step.

mod common;

use common::G;
use lazulite_ir::{DType, ErrorKind, ExternOp, LinalgOp, Node, NodeId, Op, OperandInfo};
use lazulite_runtime::{compute, ArrayData};

struct Rng(u64);
impl Rng {
    fn f(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
    }
    fn vec(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.f()).collect()
    }
}

impl G {
    fn f64s(&mut self, v: &[f64], shape: &[usize]) -> NodeId {
        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.data(ArrayData::from_bytes(&bytes, DType::F64, shape).unwrap())
    }

    /// Every output of `op(operands)`, one node each.
    fn call(&mut self, op: LinalgOp, operands: &[NodeId]) -> Vec<NodeId> {
        let nodes: Vec<Node> = operands.iter().map(|&o| self.g.node(o).clone()).collect();
        let infos: Vec<OperandInfo> = nodes
            .iter()
            .map(|n| OperandInfo {
                dtype: n.dtype,
                shape: &n.shape,
            })
            .collect();
        let op = ExternOp::Linalg(op);
        let outs = op.infer(&infos).unwrap();
        outs.into_iter()
            .enumerate()
            .map(|(k, (dtype, shape))| {
                self.g.add(Node {
                    op: Op::Extern {
                        op,
                        output: k as u32,
                    },
                    inputs: operands.iter().copied().collect(),
                    dtype,
                    shape,
                })
            })
            .collect()
    }

    fn run(&self, roots: &[NodeId]) -> lazulite_ir::Result<Vec<Vec<f64>>> {
        Ok(compute(&self.g, roots, &self.inputs)?
            .iter()
            .map(|a| {
                assert_eq!(a.dtype, DType::F64);
                a.to_contiguous_bytes()
                    .chunks(8)
                    .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
                    .collect()
            })
            .collect())
    }
}

/// Row-major `(m, k) @ (k, n)`.
fn mm(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            out[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
        }
    }
    out
}

fn transpose(a: &[f64], m: usize, n: usize) -> Vec<f64> {
    (0..n * m).map(|f| a[(f % m) * n + f / m]).collect()
}

fn close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "element {i}: {x} vs {y}"
        );
    }
}

fn eye(n: usize) -> Vec<f64> {
    (0..n * n)
        .map(|f| if f / n == f % n { 1.0 } else { 0.0 })
        .collect()
}

/// Determinant by cofactor expansion along the first row.
fn cofactor_det(a: &[f64], n: usize) -> f64 {
    if n == 1 {
        return a[0];
    }
    (0..n)
        .map(|j| {
            let minor: Vec<f64> = (1..n)
                .flat_map(|i| (0..n).filter(move |&c| c != j).map(move |c| (i, c)))
                .map(|(i, c)| a[i * n + c])
                .collect();
            let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
            sign * a[j] * cofactor_det(&minor, n - 1)
        })
        .sum()
}

#[test]
fn solve_inv_det_slogdet_on_small_and_large_stacks() {
    // Order 3 runs the small-matrix path, order 11 faer's LU.
    for (n, batch) in [(3usize, 5usize), (11, 2)] {
        let mut rng = Rng(n as u64);
        let a = rng.vec(batch * n * n);
        let b = rng.vec(batch * n * 2);
        let mut g = G::default();
        let an = g.f64s(&a, &[batch, n, n]);
        let bn = g.f64s(&b, &[batch, n, 2]);
        let x = g.call(LinalgOp::Solve, &[an, bn])[0];
        let inv = g.call(LinalgOp::Inv, &[an])[0];
        let det = g.call(LinalgOp::Det, &[an])[0];
        let sl = g.call(LinalgOp::SlogDet, &[an]);
        let r = g.run(&[x, inv, det, sl[0], sl[1]]).unwrap();
        for t in 0..batch {
            let at = &a[t * n * n..(t + 1) * n * n];
            close(
                &mm(at, &r[0][t * n * 2..(t + 1) * n * 2], n, n, 2),
                &b[t * n * 2..(t + 1) * n * 2],
                1e-9,
            );
            close(
                &mm(at, &r[1][t * n * n..(t + 1) * n * n], n, n, n),
                &eye(n),
                1e-9,
            );
            if n <= 8 {
                close(&[r[2][t]], &[cofactor_det(at, n)], 1e-10);
            }
            // det = sign * exp(logabsdet)
            close(&[r[3][t] * r[4][t].exp()], &[r[2][t]], 1e-9);
        }
    }
}

#[test]
fn strided_operands_are_read_in_place() {
    // The transpose of a row-major matrix, as a view: inv(A^T) = inv(A)^T.
    let n = 4;
    let a = Rng(7).vec(n * n);
    let mut g = G::default();
    let mut data = {
        let bytes: Vec<u8> = a.iter().flat_map(|x| x.to_le_bytes()).collect();
        ArrayData::from_bytes(&bytes, DType::F64, &[n, n]).unwrap()
    };
    data.strides = [1isize, n as isize].into_iter().collect();
    let at = g.data(data);
    let inv = g.call(LinalgOp::Inv, &[at])[0];
    let r = g.run(&[inv]).unwrap();
    close(&mm(&transpose(&a, n, n), &r[0], n, n, n), &eye(n), 1e-10);
}

#[test]
fn decompositions_satisfy_their_identities() {
    let (m, n) = (6usize, 4usize);
    let mut rng = Rng(3);
    let a = rng.vec(m * n);
    let mut g = G::default();
    let an = g.f64s(&a, &[m, n]);
    let svd = g.call(
        LinalgOp::Svd {
            full_matrices: false,
        },
        &[an],
    );
    let qr = g.call(LinalgOp::Qr { complete: true }, &[an]);
    let sv = g.call(LinalgOp::SvdVals, &[an])[0];
    let r = g.run(&[svd[0], svd[1], svd[2], qr[0], qr[1], sv]).unwrap();
    let (u, s, vh) = (&r[0], &r[1], &r[2]);
    let us: Vec<f64> = (0..m * n).map(|f| u[f] * s[f % n]).collect();
    close(&mm(&us, vh, m, n, n), &a, 1e-10);
    assert!(s.windows(2).all(|w| w[0] >= w[1]) && s[n - 1] >= 0.0);
    close(&mm(&transpose(u, m, n), u, n, m, n), &eye(n), 1e-10);
    close(&r[5], s, 1e-10);
    // Complete QR: Q is (6, 6) orthogonal, R (6, 4) upper triangular.
    let (q, rr) = (&r[3], &r[4]);
    close(&mm(q, rr, m, m, n), &a, 1e-10);
    close(&mm(&transpose(q, m, m), q, m, m, m), &eye(m), 1e-10);
    assert!((0..m * n).all(|f| f / n <= f % n || rr[f] == 0.0));

    // Symmetric positive definite: S = A^T A + I.
    let mut spd = mm(&transpose(&a, m, n), &a, n, m, n);
    for i in 0..n {
        spd[i * n + i] += 1.0;
    }
    let mut g = G::default();
    let sn = g.f64s(&spd, &[n, n]);
    let eigh = g.call(LinalgOp::Eigh, &[sn]);
    let w_only = g.call(LinalgOp::EigvalsH, &[sn])[0];
    let l = g.call(LinalgOp::Cholesky { upper: false }, &[sn])[0];
    let up = g.call(LinalgOp::Cholesky { upper: true }, &[sn])[0];
    let r = g.run(&[eigh[0], eigh[1], w_only, l, up]).unwrap();
    let (w, v) = (&r[0], &r[1]);
    let vw: Vec<f64> = (0..n * n).map(|f| v[f] * w[f % n]).collect();
    close(&mm(&spd, v, n, n, n), &vw, 1e-10);
    assert!(w.windows(2).all(|p| p[0] <= p[1]));
    close(&r[2], w, 1e-10);
    close(&mm(&r[3], &transpose(&r[3], n, n), n, n, n), &spd, 1e-10);
    close(&r[4], &transpose(&r[3], n, n), 1e-12);
}

#[test]
fn eig_of_a_rotation_gives_complex_pairs() {
    // [[0, -1], [1, 0]] has eigenvalues +-i.
    let mut g = G::default();
    let a = g.f64s(&[0.0, -1.0, 1.0, 0.0], &[2, 2]);
    let e = g.call(LinalgOp::Eigvals, &[a])[0];
    let out = compute(&g.g, &[e], &g.inputs).unwrap();
    assert_eq!(out[0].dtype, DType::C128);
    let v: Vec<f64> = out[0]
        .to_contiguous_bytes()
        .chunks(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let mut im = [v[1], v[3]];
    im.sort_by(f64::total_cmp);
    close(&[v[0], v[2]], &[0.0, 0.0], 1e-12);
    close(&im, &[-1.0, 1.0], 1e-12);
}

#[test]
fn singular_and_indefinite_matrices_are_value_errors() {
    for n in [2usize, 10] {
        // Rank one: every row equal.
        let row: Vec<f64> = (0..n).map(|j| j as f64 + 1.0).collect();
        let a: Vec<f64> = (0..n).flat_map(|_| row.clone()).collect();
        let mut g = G::default();
        let an = g.f64s(&a, &[n, n]);
        let inv = g.call(LinalgOp::Inv, &[an])[0];
        let e = g.run(&[inv]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Value);
        assert!(e.message.starts_with("inv:") && e.message.contains("singular"));
        let det = g.call(LinalgOp::Det, &[an])[0];
        let sl = g.call(LinalgOp::SlogDet, &[an]);
        let r = g.run(&[det, sl[0], sl[1]]).unwrap();
        assert_eq!((r[0][0], r[1][0], r[2][0]), (0.0, 0.0, f64::NEG_INFINITY));
    }
    let mut g = G::default();
    let a = g.f64s(&[1.0, 2.0, 2.0, 1.0], &[2, 2]);
    let l = g.call(LinalgOp::Cholesky { upper: false }, &[a])[0];
    let e = g.run(&[l]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Value);
    assert!(e.message.starts_with("cholesky:"));
}
