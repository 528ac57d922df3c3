//! Extern ops end to end through the runtime (planned by `lazulite_passes`, run by the executor), each
//! against a plain Rust computation: naive triple loops for matmul, tuple sorts for sort/argsort,
//! running loops for scans, index arithmetic for joins and gathers.

mod common;

use common::G;
use lazulite_ir::shape::numel;
use lazulite_ir::{DType, ErrorKind, ExternOp, Node, NodeId, Op, OperandInfo};
use lazulite_runtime::{compute, config, set_config, ArrayData, Config};
use std::cmp::{Ordering, Reverse};

trait El: Copy + std::fmt::Debug + PartialEq {
    const D: DType;
    fn le(self) -> Vec<u8>;
    fn from_le(b: &[u8]) -> Self;
}

macro_rules! el {
    ($($t:ty => $d:ident),*) => {$(
        impl El for $t {
            const D: DType = DType::$d;
            fn le(self) -> Vec<u8> { self.to_le_bytes().to_vec() }
            fn from_le(b: &[u8]) -> Self { <$t>::from_le_bytes(b.try_into().unwrap()) }
        }
    )*};
}
el!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u32 => U32, u64 => U64, f32 => F32, f64 => F64);

fn bytes<T: El>(v: &[T]) -> Vec<u8> {
    v.iter().flat_map(|x| x.le()).collect()
}

fn values<T: El>(a: &ArrayData) -> Vec<T> {
    assert_eq!(a.dtype, T::D);
    a.to_contiguous_bytes()
        .chunks(T::D.size())
        .map(T::from_le)
        .collect()
}

/// A small deterministic generator of values in [-2, 2).
struct Rng(u64);
impl Rng {
    fn f(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
    }
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + ((self.f() + 2.0) / 4.0 * (hi - lo) as f64) as i64
    }
}

impl G {
    fn input<T: El>(&mut self, v: &[T], shape: &[usize]) -> NodeId {
        self.data(ArrayData::from_bytes(&bytes(v), T::D, shape).unwrap())
    }

    /// A `(rows, cols)` matrix stored column-major: element (i, j) is `v[j * rows + i]`.
    fn input_col_major<T: El>(&mut self, v: &[T], rows: usize, cols: usize) -> NodeId {
        let mut a = ArrayData::from_bytes(&bytes(v), T::D, &[cols, rows]).unwrap();
        a.shape = [rows, cols].into_iter().collect();
        a.strides = [1isize, rows as isize].into_iter().collect();
        self.data(a)
    }

    fn ext(&mut self, op: ExternOp, operands: &[NodeId]) -> NodeId {
        let nodes: Vec<Node> = operands.iter().map(|&o| self.g.node(o).clone()).collect();
        let infos: Vec<OperandInfo> = nodes
            .iter()
            .map(|n| OperandInfo {
                dtype: n.dtype,
                shape: &n.shape,
            })
            .collect();
        let (dtype, shape) = op.infer(&infos).unwrap().remove(0);
        self.g.add(Node {
            op: Op::Extern { op, output: 0 },
            inputs: operands.iter().copied().collect(),
            dtype,
            shape,
        })
    }

    fn broadcast(&mut self, x: NodeId, to: &[usize]) -> NodeId {
        let n = self.g.node(x).clone();
        self.g.add(Node {
            op: Op::View(Box::new(lazulite_ir::ViewMap::broadcast(&n.shape, to))),
            inputs: [x].into_iter().collect(),
            dtype: n.dtype,
            shape: to.into(),
        })
    }

    fn run(&self, roots: &[NodeId]) -> lazulite_ir::Result<Vec<ArrayData>> {
        compute(&self.g, roots, &self.inputs)
    }

    fn run1(&self, root: NodeId) -> ArrayData {
        let mut r = self.run(&[root]).unwrap();
        r.pop().unwrap()
    }
}

// ---------------------------------------------------------------------------------------------
// matmul

/// `(batch, m, k) @ (batch, k, n)` in f64, row-major, by the textbook loop.
fn naive_matmul(a: &[f64], b: &[f64], batch: usize, m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; batch * m * n];
    for t in 0..batch {
        for i in 0..m {
            for j in 0..n {
                let mut acc = 0.0;
                for p in 0..k {
                    acc += a[(t * m + i) * k + p] * b[(t * k + p) * n + j];
                }
                out[(t * m + i) * n + j] = acc;
            }
        }
    }
    out
}

fn close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "element {i}: got {g}, want {w}"
        );
    }
}

#[test]
fn matmul_f64_and_f32_against_the_triple_loop() {
    let mut rng = Rng(1);
    for &(m, k, n) in &[(1, 1, 1), (3, 4, 5), (17, 33, 9), (64, 70, 65), (2, 0, 3)] {
        let a: Vec<f64> = (0..m * k).map(|_| rng.f()).collect();
        let b: Vec<f64> = (0..k * n).map(|_| rng.f()).collect();
        let want = naive_matmul(&a, &b, 1, m, k, n);
        let mut g = G::default();
        let (x, y) = (g.input(&a, &[m, k]), g.input(&b, &[k, n]));
        let r = g.ext(ExternOp::MatMul, &[x, y]);
        close(&values::<f64>(&g.run1(r)), &want, 1e-12);

        let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
        let b32: Vec<f32> = b.iter().map(|&v| v as f32).collect();
        let want32 = naive_matmul(
            &a32.iter().map(|&v| v as f64).collect::<Vec<_>>(),
            &b32.iter().map(|&v| v as f64).collect::<Vec<_>>(),
            1,
            m,
            k,
            n,
        );
        let mut g = G::default();
        let (x, y) = (g.input(&a32, &[m, k]), g.input(&b32, &[k, n]));
        let r = g.ext(ExternOp::MatMul, &[x, y]);
        let got: Vec<f64> = values::<f32>(&g.run1(r))
            .iter()
            .map(|&v| v as f64)
            .collect();
        close(&got, &want32, 1e-5);
    }
}

#[test]
fn matmul_reads_strided_and_broadcast_operands_in_place() {
    let mut rng = Rng(2);
    let (batch, m, k, n) = (3, 4, 5, 6);
    let a: Vec<f64> = (0..batch * m * k).map(|_| rng.f()).collect();
    // The right matrix stored column-major, shared by every batch entry (a stride-0 batch axis).
    let bt: Vec<f64> = (0..k * n).map(|_| rng.f()).collect();
    let b_row: Vec<f64> = (0..k * n).map(|f| bt[(f % n) * k + f / n]).collect();
    let b_batched: Vec<f64> = (0..batch).flat_map(|_| b_row.clone()).collect();
    let want = naive_matmul(&a, &b_batched, batch, m, k, n);
    let mut g = G::default();
    let x = g.input(&a, &[batch, m, k]);
    let w = g.input_col_major(&bt, k, n);
    let wb = g.broadcast(w, &[batch, k, n]);
    let r = g.ext(ExternOp::MatMul, &[x, wb]);
    let out = g.run1(r);
    assert_eq!(out.shape.as_slice(), &[batch, m, n]);
    close(&values::<f64>(&out), &want, 1e-12);
}

#[test]
fn matmul_of_empty_and_single_element_extents() {
    // (batch, m, k, n) with a zero somewhere, and ones: the output is empty, zeros (k = 0) or a
    // single product.
    for &(batch, m, k, n) in &[
        (0, 2, 3, 4),
        (2, 0, 3, 4),
        (2, 3, 4, 0),
        (2, 3, 0, 4),
        (1, 1, 1, 1),
        (3, 1, 5, 1),
        (2, 1, 1, 6),
    ] {
        let mut rng = Rng(5);
        let a: Vec<f64> = (0..batch * m * k).map(|_| rng.f()).collect();
        let b: Vec<f64> = (0..batch * k * n).map(|_| rng.f()).collect();
        let want = naive_matmul(&a, &b, batch, m, k, n);
        let mut g = G::default();
        let (x, y) = (g.input(&a, &[batch, m, k]), g.input(&b, &[batch, k, n]));
        let r = g.ext(ExternOp::MatMul, &[x, y]);
        let out = g.run1(r);
        assert_eq!(out.shape.as_slice(), &[batch, m, n]);
        close(&values::<f64>(&out), &want, 1e-12);
    }
}

/// A batch of small products runs across the pool (one sequential gemm call per matrix); with a
/// transposed, batch-broadcast right operand and a `(2, 1)`-by-`(1, 3)` broadcast batch.
#[test]
fn matmul_batch_of_small_products_across_the_pool() {
    let before = config();
    set_config(Config {
        threads: 2,
        parallel_threshold: 1024,
        ..before.clone()
    });
    let mut rng = Rng(8);
    let (m, k, n) = (9, 13, 7);
    let a: Vec<f64> = (0..2 * m * k).map(|_| rng.f()).collect();
    let bt: Vec<f64> = (0..3 * k * n).map(|_| rng.f()).collect();
    // b[j][p][q] = bt[j][q][p]: each batch entry stored transposed.
    let b_row: Vec<f64> = (0..3 * k * n)
        .map(|f| {
            let (j, p, q) = (f / (k * n), f / n % k, f % n);
            bt[(j * n + q) * k + p]
        })
        .collect();
    let mut g = G::default();
    let x = g.input(&a, &[2, 1, m, k]);
    let xb = g.broadcast(x, &[2, 3, m, k]);
    let mut bd = ArrayData::from_bytes(&bytes(&bt), DType::F64, &[1, 3, n, k]).unwrap();
    bd.shape = [1, 3, k, n].into_iter().collect();
    bd.strides = [(3 * k * n) as isize, (k * n) as isize, 1, k as isize]
        .into_iter()
        .collect();
    let y = g.data(bd);
    let yb = g.broadcast(y, &[2, 3, k, n]);
    let r = g.ext(ExternOp::MatMul, &[xb, yb]);
    let out = g.run1(r);
    set_config(before);
    assert_eq!(out.shape.as_slice(), &[2, 3, m, n]);
    let a6: Vec<f64> = (0..6)
        .flat_map(|t| a[t / 3 * m * k..][..m * k].to_vec())
        .collect();
    let b6: Vec<f64> = (0..6)
        .flat_map(|t| b_row[t % 3 * k * n..][..k * n].to_vec())
        .collect();
    close(
        &values::<f64>(&out),
        &naive_matmul(&a6, &b6, 6, m, k, n),
        1e-12,
    );
}

/// A large float32 product goes to gemm in panels of output rows (here 256 + 44 rows of a
/// 300 x 2048 by 2048 x 2048 product, the right operand transposed in memory); sampled columns of
/// every row are checked against an f64 dot product.
#[test]
fn matmul_large_product_in_row_panels() {
    let (m, k, n) = (300, 2048, 2048);
    let mut rng = Rng(9);
    let a: Vec<f32> = (0..m * k).map(|_| rng.f() as f32).collect();
    let bt: Vec<f32> = (0..k * n).map(|_| rng.f() as f32).collect();
    let mut g = G::default();
    let x = g.input(&a, &[m, k]);
    let y = g.input_col_major(&bt, k, n);
    let r = g.ext(ExternOp::MatMul, &[x, y]);
    let got = values::<f32>(&g.run1(r));
    assert_eq!(got.len(), m * n);
    for i in 0..m {
        for j in [0, 1, 255, 256, 1000, n - 1] {
            let (mut want, mut bound) = (0.0f64, 0.0f64);
            for p in 0..k {
                let t = f64::from(a[i * k + p]) * f64::from(bt[j * k + p]);
                want += t;
                bound += t.abs();
            }
            let g = f64::from(got[i * n + j]);
            assert!(
                (g - want).abs() <= 1e-5 * bound,
                "({i}, {j}): got {g}, want {want}"
            );
        }
    }
}

/// Integer matmul wraps like repeated `multiply` and `add` in the dtype.
fn check_int_matmul<T: El>(
    gen: impl Fn(&mut Rng) -> T,
    wrap: impl Fn(i128) -> T,
    widen: impl Fn(T) -> i128,
) {
    let mut rng = Rng(3);
    let (batch, m, k, n) = (2, 7, 9, 5);
    let a: Vec<T> = (0..batch * m * k).map(|_| gen(&mut rng)).collect();
    let b: Vec<T> = (0..batch * k * n).map(|_| gen(&mut rng)).collect();
    let mut want = vec![];
    for t in 0..batch {
        for i in 0..m {
            for j in 0..n {
                let mut acc = wrap(0);
                for p in 0..k {
                    let prod = wrap(widen(a[(t * m + i) * k + p]) * widen(b[(t * k + p) * n + j]));
                    acc = wrap(widen(acc) + widen(prod));
                }
                want.push(acc);
            }
        }
    }
    let mut g = G::default();
    let (x, y) = (g.input(&a, &[batch, m, k]), g.input(&b, &[batch, k, n]));
    let r = g.ext(ExternOp::MatMul, &[x, y]);
    assert_eq!(values::<T>(&g.run1(r)), want);
}

#[test]
fn integer_matmul_wraps() {
    check_int_matmul::<i8>(|r| r.int(-128, 128) as i8, |v| v as i8, |x| x as i128);
    check_int_matmul::<i32>(
        |r| r.int(-1 << 20, 1 << 20) as i32,
        |v| v as i32,
        |x| x as i128,
    );
    check_int_matmul::<u64>(
        |r| (r.int(0, 1 << 40) as u64) << 20,
        |v| v as u64,
        |x| x as i128,
    );
}

#[test]
fn complex_matmul_against_the_triple_loop() {
    let mut rng = Rng(4);
    let (m, k, n) = (3, 4, 2);
    let a: Vec<(f64, f64)> = (0..m * k).map(|_| (rng.f(), rng.f())).collect();
    let b: Vec<(f64, f64)> = (0..k * n).map(|_| (rng.f(), rng.f())).collect();
    let enc = |v: &[(f64, f64)]| -> Vec<u8> {
        v.iter()
            .flat_map(|&(r, i)| [r.to_le_bytes(), i.to_le_bytes()].concat())
            .collect()
    };
    let mut g = G::default();
    let x = g.data(ArrayData::from_bytes(&enc(&a), DType::C128, &[m, k]).unwrap());
    let y = g.data(ArrayData::from_bytes(&enc(&b), DType::C128, &[k, n]).unwrap());
    let r = g.ext(ExternOp::MatMul, &[x, y]);
    let out = g.run1(r);
    for i in 0..m {
        for j in 0..n {
            let (mut re, mut im) = (0.0, 0.0);
            for p in 0..k {
                let (ar, ai) = a[i * k + p];
                let (br, bi) = b[p * n + j];
                re += ar * br - ai * bi;
                im += ar * bi + ai * br;
            }
            let got = out.get(&[i, j]).as_complex();
            assert!(
                (got.0 - re).abs() < 1e-12 && (got.1 - im).abs() < 1e-12,
                "({i}, {j}): {got:?} vs ({re}, {im})"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// sort, argsort

/// NumPy's order of floats as a sortable key: numbers by value, NaNs after them.
fn key(v: f64) -> (bool, OrdF64) {
    (v.is_nan(), OrdF64(if v.is_nan() { 0.0 } else { v }))
}

#[derive(Clone, Copy, PartialEq)]
struct OrdF64(f64);
impl Eq for OrdF64 {}
impl Ord for OrdF64 {
    fn cmp(&self, o: &Self) -> Ordering {
        // Never NaN here; -0.0 and 0.0 compare equal, as in NumPy.
        self.0.partial_cmp(&o.0).unwrap()
    }
}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// The stable argsort of `row`: positions ordered by (key, position), or by (reversed key, position).
fn oracle_argsort(row: &[f64], descending: bool) -> Vec<i64> {
    let mut idx: Vec<usize> = (0..row.len()).collect();
    if descending {
        idx.sort_by_key(|&i| (Reverse(key(row[i])), i));
    } else {
        idx.sort_by_key(|&i| (key(row[i]), i));
    }
    idx.into_iter().map(|i| i as i64).collect()
}

#[test]
fn sort_and_argsort_are_stable_with_nans_last() {
    let nan = f64::NAN;
    // 3 rows of 7 along axis 1, and the same data sorted along axis 0 (columns of 3).
    let x = [
        2.0, nan, 1.0, 2.0, -0.0, 0.0, 1.0, //
        nan, nan, 3.0, -1.0, 3.0, 3.0, -5.0, //
        0.5, 0.5, 0.5, nan, 0.5, -2.0, 7.0,
    ];
    for descending in [false, true] {
        for axis in [0usize, 1] {
            let mut g = G::default();
            let xi = g.input(&x, &[3, 7]);
            let s = g.ext(
                ExternOp::Sort {
                    axis: axis as u32,
                    descending,
                    stable: true,
                },
                &[xi],
            );
            let a = g.ext(
                ExternOp::ArgSort {
                    axis: axis as u32,
                    descending,
                    stable: true,
                },
                &[xi],
            );
            let out = g.run(&[s, a]).unwrap();
            let (sorted, order) = (values::<f64>(&out[0]), values::<i64>(&out[1]));
            let (rows, len) = if axis == 1 { (3, 7) } else { (7, 3) };
            let at = |r: usize, i: usize| if axis == 1 { r * 7 + i } else { i * 7 + r };
            for r in 0..rows {
                let row: Vec<f64> = (0..len).map(|i| x[at(r, i)]).collect();
                let want = oracle_argsort(&row, descending);
                let got: Vec<i64> = (0..len).map(|i| order[at(r, i)]).collect();
                assert_eq!(
                    got, want,
                    "argsort axis {axis} descending {descending} row {r}"
                );
                for i in 0..len {
                    let (s, w) = (sorted[at(r, i)], row[want[i] as usize]);
                    assert!(
                        s == w || (s.is_nan() && w.is_nan()),
                        "sort axis {axis} descending {descending} row {r}: {s} vs {w}"
                    );
                }
            }
        }
    }
}

#[test]
fn integer_sort_and_unstable_sort() {
    let mut rng = Rng(5);
    let x: Vec<i16> = (0..40).map(|_| rng.int(-5, 5) as i16).collect();
    let mut g = G::default();
    let xi = g.input(&x, &[40]);
    for stable in [true, false] {
        let s = g.ext(
            ExternOp::Sort {
                axis: 0,
                descending: true,
                stable,
            },
            &[xi],
        );
        let mut want = x.clone();
        want.sort_by(|a, b| b.cmp(a));
        assert_eq!(values::<i16>(&g.run1(s)), want);
    }
}

// ---------------------------------------------------------------------------------------------
// cumulative sum and product

#[test]
fn cumulative_sum_and_prod_with_include_initial() {
    let mut rng = Rng(6);
    let (a, b) = (3usize, 4usize);
    let x: Vec<f64> = (0..a * b).map(|_| rng.f()).collect();
    for axis in [0usize, 1] {
        for include_initial in [false, true] {
            for product in [false, true] {
                let op = if product {
                    ExternOp::CumProd {
                        axis: axis as u32,
                        include_initial,
                    }
                } else {
                    ExternOp::CumSum {
                        axis: axis as u32,
                        include_initial,
                    }
                };
                let mut g = G::default();
                let xi = g.input(&x, &[a, b]);
                let r = g.ext(op, &[xi]);
                let out = g.run1(r);
                let mut shape = [a, b];
                shape[axis] += include_initial as usize;
                assert_eq!(out.shape.as_slice(), &shape);
                for i in 0..shape[0] {
                    for j in 0..shape[1] {
                        let (pos, other) = if axis == 0 { (i, j) } else { (j, i) };
                        let taken = pos + 1 - include_initial as usize;
                        let mut acc = if product { 1.0 } else { 0.0 };
                        for p in 0..taken {
                            let v = if axis == 0 {
                                x[p * b + other]
                            } else {
                                x[other * b + p]
                            };
                            acc = if product { acc * v } else { acc + v };
                        }
                        assert_eq!(out.get(&[i, j]).as_f64(), acc, "{op:?} at ({i}, {j})");
                    }
                }
            }
        }
    }
}

#[test]
fn integer_cumulative_sum_wraps() {
    let x: Vec<i8> = vec![100, 100, -128, 27, 1];
    let mut g = G::default();
    let xi = g.input(&x, &[5]);
    let r = g.ext(
        ExternOp::CumSum {
            axis: 0,
            include_initial: false,
        },
        &[xi],
    );
    let mut acc = 0i8;
    let want: Vec<i8> = x
        .iter()
        .map(|&v| {
            acc = acc.wrapping_add(v);
            acc
        })
        .collect();
    assert_eq!(values::<i8>(&g.run1(r)), want);
}

// ---------------------------------------------------------------------------------------------
// concat, take, take_along_axis

#[test]
fn concat_along_each_axis() {
    let p: Vec<i32> = (0..6).collect(); // (2, 3)
    let q: Vec<i32> = (100..104).collect(); // (2, 2)
    let e: Vec<i32> = vec![]; // (2, 0)
    let mut g = G::default();
    let (pi, qi, ei) = (
        g.input(&p, &[2, 3]),
        g.input(&q, &[2, 2]),
        g.input(&e, &[2, 0]),
    );
    let r = g.ext(ExternOp::Concat { axis: 1 }, &[pi, ei, qi, pi]);
    let out = g.run1(r);
    assert_eq!(out.shape.as_slice(), &[2, 8]);
    let mut want = vec![];
    for row in 0..2 {
        want.extend_from_slice(&p[row * 3..row * 3 + 3]);
        want.extend_from_slice(&q[row * 2..row * 2 + 2]);
        want.extend_from_slice(&p[row * 3..row * 3 + 3]);
    }
    assert_eq!(values::<i32>(&out), want);
    let r0 = g.ext(ExternOp::Concat { axis: 0 }, &[pi, pi]);
    let want0: Vec<i32> = p.iter().chain(&p).copied().collect();
    assert_eq!(values::<i32>(&g.run1(r0)), want0);
}

#[test]
fn take_with_negative_indices_and_range_errors() {
    let x: Vec<f32> = (0..12).map(|v| v as f32).collect(); // (3, 4)
    let idx: Vec<i64> = vec![3, -1, 0, -4, 2];
    let mut g = G::default();
    let xi = g.input(&x, &[3, 4]);
    let ii = g.input(&idx, &[5]);
    let r = g.ext(ExternOp::Take { axis: 1 }, &[xi, ii]);
    let out = g.run1(r);
    assert_eq!(out.shape.as_slice(), &[3, 5]);
    for i in 0..3 {
        for (j, &t) in idx.iter().enumerate() {
            let col = if t < 0 { t + 4 } else { t } as usize;
            assert_eq!(out.get(&[i, j]).as_f64(), x[i * 4 + col] as f64);
        }
    }
    // Indices of another integer dtype along axis 0.
    let idx8: Vec<u8> = vec![2, 2, 0];
    let i8n = g.input(&idx8, &[3]);
    let r = g.ext(ExternOp::Take { axis: 0 }, &[xi, i8n]);
    let want: Vec<f32> = [2usize, 2, 0]
        .iter()
        .flat_map(|&row| x[row * 4..row * 4 + 4].to_vec())
        .collect();
    assert_eq!(values::<f32>(&g.run1(r)), want);
    // Out of range, both signs: an Index error, never a read outside the buffer.
    for bad in [4i64, -5, i64::MAX, i64::MIN] {
        let mut g = G::default();
        let xi = g.input(&x, &[3, 4]);
        let ii = g.input(&[0i64, bad], &[2]);
        let r = g.ext(ExternOp::Take { axis: 1 }, &[xi, ii]);
        let e = g.run(&[r]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Index, "{bad}: {e}");
        assert!(e.message.contains("take") && e.message.contains(&bad.to_string()));
    }
    let huge: Vec<u64> = vec![u64::MAX];
    let mut g = G::default();
    let xi = g.input(&x, &[12]);
    let ii = g.input(&huge, &[1]);
    let r = g.ext(ExternOp::Take { axis: 0 }, &[xi, ii]);
    assert_eq!(g.run(&[r]).unwrap_err().kind, ErrorKind::Index);
}

#[test]
fn take_along_axis_gathers_per_row() {
    let x: Vec<i64> = (0..12).map(|v| v * 10).collect(); // (3, 4)
    let idx: Vec<i32> = vec![3, 0, -1, 1, 1, 2]; // (3, 2) along axis 1
    let mut g = G::default();
    let xi = g.input(&x, &[3, 4]);
    let ii = g.input(&idx, &[3, 2]);
    let r = g.ext(ExternOp::TakeAlongAxis { axis: 1 }, &[xi, ii]);
    let out = values::<i64>(&g.run1(r));
    let want: Vec<i64> = (0..6)
        .map(|f| {
            let (row, t) = (f / 2, idx[f] as i64);
            x[row * 4 + if t < 0 { t + 4 } else { t } as usize]
        })
        .collect();
    assert_eq!(out, want);
    // Along axis 0: out[i, j] = x[idx[i, j], j].
    let idx0: Vec<i64> = vec![2, 0, 1, 2, 0, 0, 0, 1]; // (2, 4)
    let i0 = g.input(&idx0, &[2, 4]);
    let r0 = g.ext(ExternOp::TakeAlongAxis { axis: 0 }, &[xi, i0]);
    let want0: Vec<i64> = (0..8).map(|f| x[idx0[f] as usize * 4 + f % 4]).collect();
    assert_eq!(values::<i64>(&g.run1(r0)), want0);
    let bad = g.input(&[0i64, 9, 0, 0, 0, 0, 0, 0], &[2, 4]);
    let rb = g.ext(ExternOp::TakeAlongAxis { axis: 0 }, &[xi, bad]);
    assert_eq!(g.run(&[rb]).unwrap_err().kind, ErrorKind::Index);
}

// ---------------------------------------------------------------------------------------------
// argmax, argmin, searchsorted

fn oracle_arg(row: &[f64], max: bool) -> i64 {
    if let Some(i) = row.iter().position(|v| v.is_nan()) {
        return i as i64;
    }
    let mut best = 0;
    for i in 1..row.len() {
        if (max && row[i] > row[best]) || (!max && row[i] < row[best]) {
            best = i;
        }
    }
    best as i64
}

#[test]
fn argmax_and_argmin_take_the_first_and_nan_wins() {
    let nan = f64::NAN;
    let x = [
        1.0, 3.0, 3.0, -1.0, -1.0, //
        nan, 5.0, nan, 9.0, -9.0, //
        0.0, -0.0, 2.0, nan, 2.0, //
        4.0, 4.0, 4.0, 4.0, 4.0,
    ];
    for max in [true, false] {
        for axis in [0usize, 1] {
            let mut g = G::default();
            let xi = g.input(&x, &[4, 5]);
            let op = if max {
                ExternOp::ArgMax { axis: axis as u32 }
            } else {
                ExternOp::ArgMin { axis: axis as u32 }
            };
            let r = g.ext(op, &[xi]);
            let got = values::<i64>(&g.run1(r));
            let want: Vec<i64> = if axis == 1 {
                (0..4)
                    .map(|i| oracle_arg(&x[i * 5..i * 5 + 5], max))
                    .collect()
            } else {
                (0..5)
                    .map(|j| oracle_arg(&(0..4).map(|i| x[i * 5 + j]).collect::<Vec<_>>(), max))
                    .collect()
            };
            assert_eq!(got, want, "{op:?}");
        }
    }
    let xi: Vec<u8> = vec![3, 9, 9, 1, 1];
    let mut g = G::default();
    let i = g.input(&xi, &[5]);
    let (a, b) = (
        g.ext(ExternOp::ArgMax { axis: 0 }, &[i]),
        g.ext(ExternOp::ArgMin { axis: 0 }, &[i]),
    );
    let out = g.run(&[a, b]).unwrap();
    assert_eq!(
        (out[0].get(&[]).as_i128(), out[1].get(&[]).as_i128()),
        (Some(1), Some(3))
    );
}

#[test]
fn searchsorted_both_sides_with_nans() {
    let nan = f64::NAN;
    let hay = [-1.0, 0.0, 0.0, 2.5, 7.0, nan, nan];
    let needles = [-5.0, -1.0, 0.0, -0.0, 1.0, 2.5, 7.0, 8.0, nan];
    for right in [false, true] {
        let mut g = G::default();
        let h = g.input(&hay, &[7]);
        let v = g.input(&needles, &[3, 3]);
        let r = g.ext(ExternOp::SearchSorted { right }, &[h, v]);
        let got = values::<i64>(&g.run1(r));
        // The insertion point: count of elements that go before v (NaNs after every number and
        // equal to each other).
        let want: Vec<i64> = needles
            .iter()
            .map(|&v| {
                hay.iter()
                    .filter(|&&a| {
                        let c = key(a).cmp(&key(v));
                        c == Ordering::Less || (right && c == Ordering::Equal)
                    })
                    .count() as i64
            })
            .collect();
        assert_eq!(got, want, "right={right}");
    }
}

// ---------------------------------------------------------------------------------------------
// Threads and memory

#[test]
fn large_inputs_split_across_threads_agree_with_the_oracles() {
    let before = config();
    set_config(Config {
        threads: 4,
        parallel_threshold: 1024,
        ..before.clone()
    });
    let mut rng = Rng(7);
    let (rows, len) = (300usize, 50usize);
    let x: Vec<f64> = (0..rows * len)
        .map(|_| (rng.f() * 4.0).round() / 4.0)
        .collect();
    let mut g = G::default();
    let xi = g.input(&x, &[rows, len]);
    let a = g.ext(
        ExternOp::ArgSort {
            axis: 1,
            descending: false,
            stable: true,
        },
        &[xi],
    );
    let c = g.ext(
        ExternOp::CumSum {
            axis: 1,
            include_initial: false,
        },
        &[xi],
    );
    let m = g.ext(ExternOp::ArgMax { axis: 1 }, &[xi]);
    let y = g.input(&x, &[len, rows]);
    let mm = g.ext(ExternOp::MatMul, &[xi, y]);
    let out = g.run(&[a, c, m, mm]).unwrap();
    let (order, sums, arg) = (
        values::<i64>(&out[0]),
        values::<f64>(&out[1]),
        values::<i64>(&out[2]),
    );
    for r in 0..rows {
        let row = &x[r * len..(r + 1) * len];
        assert_eq!(&order[r * len..(r + 1) * len], oracle_argsort(row, false));
        let mut acc = 0.0;
        for i in 0..len {
            acc += row[i];
            assert_eq!(sums[r * len + i], acc);
        }
        assert_eq!(arg[r], oracle_arg(row, true));
    }
    close(
        &values::<f64>(&out[3]),
        &naive_matmul(&x, &x, 1, rows, len, rows),
        1e-12,
    );
    set_config(before);
}

#[test]
fn zero_size_operands() {
    let mut g = G::default();
    let x = g.input::<f64>(&[], &[0, 3]);
    let y = g.input::<f64>(&[], &[3, 0]);
    let z = g.input::<f64>(&[], &[0]);
    let mm = g.ext(ExternOp::MatMul, &[x, y]); // (0, 0)
    let inner = g.ext(ExternOp::MatMul, &[y, x]); // (3, 3) of zeros
    let s = g.ext(
        ExternOp::Sort {
            axis: 0,
            descending: false,
            stable: true,
        },
        &[x],
    );
    let c = g.ext(
        ExternOp::CumSum {
            axis: 0,
            include_initial: true,
        },
        &[z],
    );
    let out = g.run(&[mm, inner, s, c]).unwrap();
    assert_eq!(numel(&out[0].shape), 0);
    assert_eq!(values::<f64>(&out[1]), vec![0.0; 9]);
    assert_eq!(out[2].shape.as_slice(), &[0, 3]);
    assert_eq!(values::<f64>(&out[3]), vec![0.0]);
}
