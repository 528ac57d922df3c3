//! The main-namespace functions backed by extern ops (and `vecdot`), computed end to end and checked
//! against plain Rust: triple loops, tuple sorts, running loops and index arithmetic.

use lazulite_frontend::{
    self as lz, ArrayData, DType, ErrorKind, LazyArray, Operand, Scalar, Side, TensordotAxes,
};
use std::cmp::{Ordering, Reverse};

fn f64s(d: &ArrayData) -> Vec<f64> {
    d.to_contiguous_bytes()
        .chunks(d.dtype.size())
        .map(|c| Scalar::from_bytes(d.dtype, c).as_f64())
        .collect()
}

fn i128s(d: &ArrayData) -> Vec<i128> {
    d.to_contiguous_bytes()
        .chunks(d.dtype.size())
        .map(|c| Scalar::from_bytes(d.dtype, c).as_i128().expect("integer"))
        .collect()
}

fn compute(a: &LazyArray) -> ArrayData {
    let d = a
        .compute()
        .unwrap_or_else(|e| panic!("compute failed: {:?}: {}", e.kind, e.message));
    assert_eq!((d.dtype, d.shape.as_slice()), (a.dtype(), a.shape()));
    d
}

#[track_caller]
fn close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "element {i}: got {g}, want {w}"
        );
    }
}

#[track_caller]
fn err_kind(r: lz::Result<LazyArray>) -> ErrorKind {
    match r {
        Ok(a) => panic!("expected an error, got {a:?}"),
        Err(e) => {
            assert!(!e.message.is_empty());
            e.kind
        }
    }
}

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

/// Row-major index of `idx` in `shape`, with broadcasting of size-1 axes (and missing leading axes).
fn at(shape: &[usize], idx: &[usize]) -> usize {
    let lead = idx.len() - shape.len();
    shape.iter().enumerate().fold(0, |acc, (d, &n)| {
        acc * n + if n == 1 { 0 } else { idx[lead + d] }
    })
}

fn unravel(mut f: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        idx[d] = f % shape[d];
        f /= shape[d];
    }
    idx
}

/// The spec's matmul on row-major f64 data, written from its definition: vectors promoted, batch
/// broadcast, each element a dot product.
fn naive_matmul(a: &[f64], sa: &[usize], b: &[f64], sb: &[usize]) -> (Vec<f64>, Vec<usize>) {
    let sa2: Vec<usize> = if sa.len() == 1 {
        vec![1, sa[0]]
    } else {
        sa.to_vec()
    };
    let sb2: Vec<usize> = if sb.len() == 1 {
        vec![sb[0], 1]
    } else {
        sb.to_vec()
    };
    let (ra, rb) = (sa2.len(), sb2.len());
    let (m, k, n) = (sa2[ra - 2], sa2[ra - 1], sb2[rb - 1]);
    let nb = (ra - 2).max(rb - 2);
    let bat: Vec<usize> = (0..nb)
        .map(|d| {
            let pa = (d + ra - 2).checked_sub(nb).map_or(1, |i| sa2[i]);
            let pb = (d + rb - 2).checked_sub(nb).map_or(1, |i| sb2[i]);
            pa.max(pb)
        })
        .collect();
    let mut full: Vec<usize> = bat.clone();
    full.extend([m, n]);
    let mut out = vec![];
    for f in 0..full.iter().product::<usize>() {
        let idx = unravel(f, &full);
        let (bi, i, j) = (&idx[..nb], idx[nb], idx[nb + 1]);
        let mut acc = 0.0;
        for p in 0..k {
            let ia: Vec<usize> = bi.iter().copied().chain([i, p]).collect();
            let ib: Vec<usize> = bi.iter().copied().chain([p, j]).collect();
            acc += a[at(&sa2, &ia)] * b[at(&sb2, &ib)];
        }
        out.push(acc);
    }
    let mut shape = bat;
    if sa.len() > 1 {
        shape.push(m);
    }
    if sb.len() > 1 {
        shape.push(n);
    }
    (out, shape)
}

#[test]
fn matmul_shapes_vectors_and_batches() {
    let mut rng = Rng(1);
    let cases: &[(&[usize], &[usize])] = &[
        (&[3, 4], &[4, 5]),
        (&[4], &[4, 5]),
        (&[3, 4], &[4]),
        (&[4], &[4]),
        (&[2, 3, 4], &[4, 5]),
        (&[4], &[2, 4, 5]),
        (&[2, 1, 3, 4], &[5, 4, 2]),
        (&[1, 3, 4], &[2, 1, 4, 6]),
        (&[0, 3], &[3, 2]),
        (&[3, 0], &[0, 2]),
    ];
    for &(sa, sb) in cases {
        let a = rng.vec(sa.iter().product());
        let b = rng.vec(sb.iter().product());
        let (want, wshape) = naive_matmul(&a, sa, &b, sb);
        let x = lz::from_vec(a.clone(), sa).unwrap();
        let y = lz::from_vec(b.clone(), sb).unwrap();
        let r = lz::matmul(&x, &y).unwrap();
        assert_eq!(r.shape(), wshape.as_slice(), "{sa:?} @ {sb:?}");
        assert_eq!(r.dtype(), DType::F64);
        close(&f64s(&compute(&r)), &want, 1e-12);
        // f32 against the same loop on f32-rounded inputs.
        let x32 = lz::astype(&x, DType::F32).unwrap();
        let y32 = lz::astype(&y, DType::F32).unwrap();
        let r32 = lz::matmul(&x32, &y32).unwrap();
        let a32: Vec<f64> = a.iter().map(|&v| v as f32 as f64).collect();
        let b32: Vec<f64> = b.iter().map(|&v| v as f32 as f64).collect();
        close(
            &f64s(&compute(&r32)),
            &naive_matmul(&a32, sa, &b32, sb).0,
            1e-5,
        );
    }
}

#[test]
fn integer_matmul_wraps_and_promotes() {
    let a: Vec<i8> = (0..12).map(|v| (v * 37 % 256 - 128) as i8).collect();
    let b: Vec<i8> = (0..8).map(|v| (v * 91 % 256 - 128) as i8).collect();
    let x = lz::from_vec(a.clone(), &[3, 4]).unwrap();
    let y = lz::from_vec(b.clone(), &[4, 2]).unwrap();
    let r = lz::matmul(&x, &y).unwrap();
    assert_eq!(r.dtype(), DType::I8);
    let mut want = vec![];
    for i in 0..3 {
        for j in 0..2 {
            let mut acc = 0i8;
            for p in 0..4 {
                acc = acc.wrapping_add(a[i * 4 + p].wrapping_mul(b[p * 2 + j]));
            }
            want.push(acc as i128);
        }
    }
    assert_eq!(i128s(&compute(&r)), want);
    // int8 @ int32 promotes to int32, without wrapping at 8 bits.
    let y32 = lz::from_vec(b.iter().map(|&v| v as i32).collect(), &[4, 2]).unwrap();
    let r = lz::matmul(&x, &y32).unwrap();
    assert_eq!(r.dtype(), DType::I32);
    let want32: Vec<i128> = (0..6)
        .map(|f| {
            let (i, j) = (f / 2, f % 2);
            (0..4)
                .map(|p| a[i * 4 + p] as i128 * b[p * 2 + j] as i128)
                .sum()
        })
        .collect();
    assert_eq!(i128s(&compute(&r)), want32);
}

#[test]
fn matmul_errors() {
    let x = lz::from_vec(vec![1.0f64; 6], &[2, 3]).unwrap();
    let y = lz::from_vec(vec![1.0f64; 8], &[4, 2]).unwrap();
    let e = lz::matmul(&x, &y).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Value);
    assert!(
        e.message.contains("[2, 3]") && e.message.contains("[4, 2]"),
        "{e}"
    );
    let b = lz::from_vec(vec![true; 4], &[2, 2]).unwrap();
    assert_eq!(err_kind(lz::matmul(&b, &b)), ErrorKind::Type);
    let i = lz::from_vec(vec![1i32; 6], &[3, 2]).unwrap();
    assert_eq!(err_kind(lz::matmul(&x, &i)), ErrorKind::Type);
    let s = lz::from_vec(vec![1.0f64], &[]).unwrap();
    assert_eq!(err_kind(lz::matmul(&s, &x)), ErrorKind::Value);
    let b1 = lz::from_vec(vec![1.0f64; 2 * 2 * 3], &[2, 2, 3]).unwrap();
    let b2 = lz::from_vec(vec![1.0f64; 3 * 3 * 2], &[3, 3, 2]).unwrap();
    assert_eq!(err_kind(lz::matmul(&b1, &b2)), ErrorKind::Value);
}

#[test]
fn tensordot_against_explicit_sums() {
    let mut rng = Rng(2);
    let (a, b) = (rng.vec(2 * 3 * 4), rng.vec(4 * 3 * 5));
    let x = lz::from_vec(a.clone(), &[2, 3, 4]).unwrap();
    let y = lz::from_vec(b.clone(), &[4, 3, 5]).unwrap();
    // Contract x axes (1, 2) with y axes (1, 0): out[i, l] = Σ_j Σ_k x[i, j, k] y[k, j, l].
    let r = lz::tensordot(&x, &y, &TensordotAxes::Pairs(vec![1, -1], vec![1, 0])).unwrap();
    assert_eq!(r.shape(), &[2, 5]);
    let mut want = vec![];
    for i in 0..2 {
        for l in 0..5 {
            let mut acc = 0.0;
            for j in 0..3 {
                for k in 0..4 {
                    acc += a[(i * 3 + j) * 4 + k] * b[(k * 3 + j) * 5 + l];
                }
            }
            want.push(acc);
        }
    }
    close(&f64s(&compute(&r)), &want, 1e-12);
    // axes=0 is the outer product; axes=1 a matrix product.
    let (p, q) = (rng.vec(3), rng.vec(2));
    let xp = lz::from_vec(p.clone(), &[3]).unwrap();
    let xq = lz::from_vec(q.clone(), &[2]).unwrap();
    let outer = lz::tensordot(&xp, &xq, &TensordotAxes::Count(0)).unwrap();
    assert_eq!(outer.shape(), &[3, 2]);
    let want: Vec<f64> = (0..6).map(|f| p[f / 2] * q[f % 2]).collect();
    close(&f64s(&compute(&outer)), &want, 1e-15);
    let m = lz::from_vec(a[..12].to_vec(), &[3, 4]).unwrap();
    let n = lz::from_vec(b[..8].to_vec(), &[4, 2]).unwrap();
    let mm = lz::tensordot(&m, &n, &TensordotAxes::Count(1)).unwrap();
    close(
        &f64s(&compute(&mm)),
        &naive_matmul(&a[..12], &[3, 4], &b[..8], &[4, 2]).0,
        1e-12,
    );
    // Errors: negative count, mismatched sizes, repeated axes, too many axes.
    assert_eq!(
        err_kind(lz::tensordot(&x, &y, &TensordotAxes::Count(-1))),
        ErrorKind::Value
    );
    assert_eq!(
        err_kind(lz::tensordot(&x, &y, &TensordotAxes::Count(2))),
        ErrorKind::Value
    );
    assert_eq!(
        err_kind(lz::tensordot(
            &x,
            &y,
            &TensordotAxes::Pairs(vec![2, 2], vec![0, 1])
        )),
        ErrorKind::Value
    );
    assert_eq!(
        err_kind(lz::tensordot(&xp, &xq, &TensordotAxes::Count(2))),
        ErrorKind::Value
    );
}

#[test]
fn vecdot_conjugates_and_broadcasts() {
    let mut rng = Rng(3);
    let (a, b) = (rng.vec(3 * 4), rng.vec(4));
    let x = lz::from_vec(a.clone(), &[3, 4]).unwrap();
    let y = lz::from_vec(b.clone(), &[4]).unwrap();
    let r = lz::vecdot(&x, &y, -1).unwrap();
    assert_eq!(r.shape(), &[3]);
    let want: Vec<f64> = (0..3)
        .map(|i| (0..4).map(|k| a[i * 4 + k] * b[k]).sum())
        .collect();
    close(&f64s(&compute(&r)), &want, 1e-12);
    // Along axis -2 of (4, 3) arrays.
    let xt = lz::from_vec(a.clone(), &[4, 3]).unwrap();
    let r2 = lz::vecdot(&xt, &xt, -2).unwrap();
    let want2: Vec<f64> = (0..3)
        .map(|j| (0..4).map(|k| a[k * 3 + j] * a[k * 3 + j]).sum())
        .collect();
    close(&f64s(&compute(&r2)), &want2, 1e-12);
    // Complex: conj(x1) * x2. x1 = [1+2j, 3-1j], x2 = [2-1j, 1+1j]:
    // conj(1+2j)(2-1j) = (1-2j)(2-1j) = 0-5j; conj(3-1j)(1+1j) = (3+1j)(1+1j) = 2+4j; sum = 2-1j.
    let re = lz::from_vec(vec![1.0f64, 3.0], &[2]).unwrap();
    let im = lz::from_vec(vec![2.0f64, -1.0], &[2]).unwrap();
    let j = lz::full(&[2], Scalar::Complex(0.0, 1.0), Some(DType::C128)).unwrap();
    let z1 = lz::add(
        &lz::astype(&re, DType::C128).unwrap(),
        &lz::multiply(&lz::astype(&im, DType::C128).unwrap(), &j).unwrap(),
    )
    .unwrap();
    let re2 = lz::from_vec(vec![2.0f64, 1.0], &[2]).unwrap();
    let im2 = lz::from_vec(vec![-1.0f64, 1.0], &[2]).unwrap();
    let z2 = lz::add(
        &lz::astype(&re2, DType::C128).unwrap(),
        &lz::multiply(&lz::astype(&im2, DType::C128).unwrap(), &j).unwrap(),
    )
    .unwrap();
    let v = compute(&lz::vecdot(&z1, &z2, -1).unwrap());
    assert_eq!(v.get(&[]).as_complex(), (2.0, -1.0));
    // Integer vecdot keeps the promoted dtype (no widening like sum).
    let i8s = lz::from_vec(vec![100i8, 100], &[2]).unwrap();
    let d = lz::vecdot(&i8s, &i8s, -1).unwrap();
    assert_eq!(d.dtype(), DType::I8);
    assert_eq!(
        i128s(&compute(&d)),
        vec![100i8
            .wrapping_mul(100)
            .wrapping_add(100i8.wrapping_mul(100)) as i128]
    );
    assert_eq!(err_kind(lz::vecdot(&x, &y, 0)), ErrorKind::Value);
    assert_eq!(err_kind(lz::vecdot(&x, &xt, -1)), ErrorKind::Value);
    let bools = lz::from_vec(vec![true, false], &[2]).unwrap();
    assert_eq!(err_kind(lz::vecdot(&bools, &bools, -1)), ErrorKind::Type);
}

/// NumPy's order of floats: numbers by value (-0.0 == 0.0), NaNs after them.
#[derive(Clone, Copy, PartialEq)]
struct Key(bool, f64);
impl Eq for Key {}
impl Ord for Key {
    fn cmp(&self, o: &Self) -> Ordering {
        // The f64 is never NaN (NaNs are flagged by the bool and stored as 0.0).
        self.0.cmp(&o.0).then(self.1.partial_cmp(&o.1).unwrap())
    }
}
impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
fn key(v: f64) -> Key {
    Key(v.is_nan(), if v.is_nan() { 0.0 } else { v })
}

#[test]
fn sort_and_argsort_stability_and_nans() {
    let nan = f64::NAN;
    let data = vec![
        3.0, nan, 1.0, 3.0, -0.0, 0.0, nan, 1.0, //
        2.0, 2.0, nan, -4.0, 2.0, 5.0, 5.0, -4.0,
    ];
    let x = lz::from_vec(data.clone(), &[2, 8]).unwrap();
    for descending in [false, true] {
        let a = lz::argsort(&x, -1, descending, true).unwrap();
        let s = lz::sort(&x, 1, descending, true).unwrap();
        assert_eq!((a.dtype(), s.dtype()), (DType::I64, DType::F64));
        let (got_a, got_s) = (i128s(&compute(&a)), f64s(&compute(&s)));
        for r in 0..2 {
            let row = &data[r * 8..(r + 1) * 8];
            let mut idx: Vec<usize> = (0..8).collect();
            if descending {
                idx.sort_by_key(|&i| (Reverse(key(row[i])), i));
            } else {
                idx.sort_by_key(|&i| (key(row[i]), i));
            }
            let want: Vec<i128> = idx.iter().map(|&i| i as i128).collect();
            assert_eq!(
                &got_a[r * 8..(r + 1) * 8],
                want.as_slice(),
                "descending={descending}"
            );
            for (k, &i) in idx.iter().enumerate() {
                let (g, w) = (got_s[r * 8 + k], row[i]);
                assert!(g == w || (g.is_nan() && w.is_nan()));
            }
        }
    }
    // Along axis 0 of a transposed view (the extern reads a contiguous copy).
    let xt = lz::permute_dims(&x, &[1, 0]).unwrap();
    let a0 = compute(&lz::argsort(&xt, 0, false, true).unwrap());
    assert_eq!(a0.shape.as_slice(), &[8, 2]);
    for c in 0..2 {
        let col: Vec<i128> = (0..8).map(|i| a0.get(&[i, c]).as_i128().unwrap()).collect();
        let row = &data[c * 8..(c + 1) * 8];
        let mut idx: Vec<usize> = (0..8).collect();
        idx.sort_by_key(|&i| (key(row[i]), i));
        assert_eq!(col, idx.iter().map(|&i| i as i128).collect::<Vec<_>>());
    }
    let c = lz::from_vec(vec![true, false], &[2]).unwrap();
    assert_eq!(err_kind(lz::sort(&c, -1, false, true)), ErrorKind::Type);
    assert_eq!(err_kind(lz::argsort(&x, 2, false, true)), ErrorKind::Index);
}

#[test]
fn cumulative_sum_and_prod() {
    let data: Vec<i8> = vec![100, 50, -3, 7, 1, -128];
    let x = lz::from_vec(data.clone(), &[2, 3]).unwrap();
    // int8 accumulates in int64 by default: no wrapping.
    let c = lz::cumulative_sum(&x, Some(1), None, true).unwrap();
    assert_eq!((c.dtype(), c.shape()), (DType::I64, &[2, 4][..]));
    let mut want = vec![];
    for r in 0..2 {
        let mut acc = 0i128;
        want.push(0);
        for k in 0..3 {
            acc += data[r * 3 + k] as i128;
            want.push(acc);
        }
    }
    assert_eq!(i128s(&compute(&c)), want);
    // With dtype=int8 the sum wraps.
    let c8 = lz::cumulative_sum(&x, Some(0), Some(DType::I8), false).unwrap();
    let want8: Vec<i128> = (0..6)
        .map(|f| {
            if f < 3 {
                data[f] as i128
            } else {
                data[f - 3].wrapping_add(data[f]) as i128
            }
        })
        .collect();
    assert_eq!(i128s(&compute(&c8)), want8);
    let u = lz::from_vec(vec![3u16, 4, 5], &[3]).unwrap();
    let p = lz::cumulative_prod(&u, None, None, true).unwrap();
    assert_eq!(p.dtype(), DType::U64);
    assert_eq!(i128s(&compute(&p)), vec![1, 3, 12, 60]);
    let f = lz::from_vec(vec![0.5f32, 2.0, -4.0], &[3]).unwrap();
    let pf = lz::cumulative_prod(&f, Some(-1), None, false).unwrap();
    assert_eq!(pf.dtype(), DType::F32);
    assert_eq!(f64s(&compute(&pf)), vec![0.5, 1.0, -4.0]);
    assert_eq!(
        err_kind(lz::cumulative_sum(&x, None, None, false)),
        ErrorKind::Value
    );
    let b = lz::from_vec(vec![true], &[1]).unwrap();
    assert_eq!(
        err_kind(lz::cumulative_sum(&b, None, None, false)),
        ErrorKind::Type
    );
    let s = lz::from_vec(vec![1.0f64], &[]).unwrap();
    assert_eq!(
        err_kind(lz::cumulative_prod(&s, None, None, false)),
        ErrorKind::Value
    );
}

#[test]
fn concat_and_stack_of_mixed_dtypes() {
    let a = lz::from_vec(vec![1i8, 2, 3, 4], &[2, 2]).unwrap();
    let b = lz::from_vec(vec![300i16, 400], &[2, 1]).unwrap();
    let c = lz::from_vec(vec![-1i32, -2, -3, -4, -5, -6], &[2, 3]).unwrap();
    let r = lz::concat(&[&a, &b, &c], Some(-1)).unwrap();
    assert_eq!((r.dtype(), r.shape()), (DType::I32, &[2, 6][..]));
    assert_eq!(
        i128s(&compute(&r)),
        vec![1, 2, 300, -1, -2, -3, 3, 4, 400, -4, -5, -6]
    );
    let flat = lz::concat(&[&a, &b], None).unwrap();
    assert_eq!(i128s(&compute(&flat)), vec![1, 2, 3, 4, 300, 400]);
    let u = lz::from_vec(vec![7u8, 8], &[1, 2]).unwrap();
    let r0 = lz::concat(&[&a, &u], Some(0)).unwrap();
    assert_eq!((r0.dtype(), r0.shape()), (DType::I16, &[3, 2][..]));
    assert_eq!(i128s(&compute(&r0)), vec![1, 2, 3, 4, 7, 8]);
    // stack: a new axis at each position.
    let p = lz::from_vec(vec![1.0f32, 2.0, 3.0], &[3]).unwrap();
    let q = lz::from_vec(vec![10.0f64, 20.0, 30.0], &[3]).unwrap();
    let s0 = lz::stack(&[&p, &q], 0).unwrap();
    assert_eq!((s0.dtype(), s0.shape()), (DType::F64, &[2, 3][..]));
    assert_eq!(f64s(&compute(&s0)), vec![1.0, 2.0, 3.0, 10.0, 20.0, 30.0]);
    let s1 = lz::stack(&[&p, &q, &p], -1).unwrap();
    assert_eq!(s1.shape(), &[3, 3]);
    assert_eq!(
        f64s(&compute(&s1)),
        vec![1.0, 10.0, 1.0, 2.0, 20.0, 2.0, 3.0, 30.0, 3.0]
    );
    // Errors.
    assert_eq!(err_kind(lz::concat(&[], Some(0))), ErrorKind::Value);
    assert_eq!(err_kind(lz::concat(&[&a, &p], Some(0))), ErrorKind::Type);
    assert_eq!(err_kind(lz::concat(&[&a, &c], Some(0))), ErrorKind::Value);
    assert_eq!(err_kind(lz::concat(&[&a, &p], Some(0))), ErrorKind::Type);
    assert_eq!(err_kind(lz::concat(&[&a, &b], Some(2))), ErrorKind::Index);
    assert_eq!(err_kind(lz::stack(&[&a, &b], 0)), ErrorKind::Value);
    assert_eq!(err_kind(lz::stack(&[&p, &q], 2)), ErrorKind::Index);
    let bools = lz::from_vec(vec![true, false], &[2]).unwrap();
    let bb = compute(&lz::concat(&[&bools, &bools], Some(0)).unwrap());
    assert_eq!(i128s(&bb), vec![1, 0, 1, 0]);
}

#[test]
fn take_and_take_along_axis() {
    let data: Vec<f64> = (0..12).map(|v| v as f64 * 1.5).collect();
    let x = lz::from_vec(data.clone(), &[3, 4]).unwrap();
    let idx = lz::from_vec(vec![2i64, -1, 0, 0], &[4]).unwrap();
    let t = lz::take(&x, &idx, Some(0)).unwrap();
    assert_eq!(t.shape(), &[4, 4]);
    let want: Vec<f64> = [2usize, 2, 0, 0]
        .iter()
        .flat_map(|&r| data[r * 4..r * 4 + 4].to_vec())
        .collect();
    assert_eq!(f64s(&compute(&t)), want);
    let t1 = lz::take(&x, &idx, Some(1)).unwrap();
    let want1: Vec<f64> = (0..3)
        .flat_map(|r| [2usize, 3, 0, 0].map(|c| data[r * 4 + c]))
        .collect();
    assert_eq!(f64s(&compute(&t1)), want1);
    // Known out-of-range indices fail at build time; computed ones at compute time.
    let bad = lz::from_vec(vec![0i32, 3], &[2]).unwrap();
    assert_eq!(err_kind(lz::take(&x, &bad, Some(0))), ErrorKind::Index);
    let lazy_bad = lz::add(&bad, &lz::from_vec(vec![0i32, 1], &[2]).unwrap()).unwrap();
    let t = lz::take(&x, &lazy_bad, Some(0)).unwrap();
    assert_eq!(t.compute().unwrap_err().kind, ErrorKind::Index);
    assert_eq!(err_kind(lz::take(&x, &idx, None)), ErrorKind::Value);
    let fidx = lz::from_vec(vec![0.0f64], &[1]).unwrap();
    assert_eq!(err_kind(lz::take(&x, &fidx, Some(0))), ErrorKind::Type);
    // take_along_axis with broadcasting off the axis: indices (3, 1) pick one column per row.
    let ia = lz::from_vec(vec![3i64, 0, -2], &[3, 1]).unwrap();
    let ta = lz::take_along_axis(&x, &ia, -1).unwrap();
    assert_eq!(ta.shape(), &[3, 1]);
    assert_eq!(f64s(&compute(&ta)), vec![data[3], data[4], data[8 + 2]]);
    // argsort + take_along_axis sorts.
    let order = lz::argsort(&x, 0, true, true).unwrap();
    let sorted = lz::take_along_axis(&x, &order, 0).unwrap();
    let want_sorted: Vec<f64> = (0..12).map(|f| data[(2 - f / 4) * 4 + f % 4]).collect();
    assert_eq!(f64s(&compute(&sorted)), want_sorted);
    // Indices (1, 4) broadcast over x's rows along axis 0 -> x rows picked per column.
    let ib = lz::from_vec(vec![0i64, 1, 2, 1], &[1, 4]).unwrap();
    let tb = lz::take_along_axis(&x, &ib, 0).unwrap();
    assert_eq!(
        f64s(&compute(&tb)),
        vec![data[0], data[5], data[10], data[7]]
    );
    let wrong = lz::from_vec(vec![0i64; 2], &[2]).unwrap();
    assert_eq!(
        err_kind(lz::take_along_axis(&x, &wrong, 0)),
        ErrorKind::Value
    );
    let oob = lz::from_vec(vec![4i64, 0, 0], &[3, 1]).unwrap();
    assert_eq!(err_kind(lz::take_along_axis(&x, &oob, 1)), ErrorKind::Index);
}

#[test]
fn argmax_and_argmin_with_nan_ties_and_keepdims() {
    let nan = f64::NAN;
    let data = vec![1.0, 5.0, 5.0, 2.0, nan, 7.0, nan, -1.0, -1.0];
    let x = lz::from_vec(data.clone(), &[3, 3]).unwrap();
    let oracle = |row: &[f64], max: bool| -> i128 {
        if let Some(i) = row.iter().position(|v| v.is_nan()) {
            return i as i128;
        }
        let mut b = 0;
        for i in 1..row.len() {
            if (max && row[i] > row[b]) || (!max && row[i] < row[b]) {
                b = i;
            }
        }
        b as i128
    };
    for max in [true, false] {
        let f = if max { lz::argmax } else { lz::argmin };
        let r = f(&x, Some(1), false).unwrap();
        assert_eq!(r.dtype(), DType::I64);
        let want: Vec<i128> = (0..3)
            .map(|i| oracle(&data[i * 3..i * 3 + 3], max))
            .collect();
        assert_eq!(i128s(&compute(&r)), want);
        let k = f(&x, Some(0), true).unwrap();
        assert_eq!(k.shape(), &[1, 3]);
        let want0: Vec<i128> = (0..3)
            .map(|j| oracle(&[data[j], data[3 + j], data[6 + j]], max))
            .collect();
        assert_eq!(i128s(&compute(&k)), want0);
        let all = f(&x, None, false).unwrap();
        assert_eq!(all.shape(), &[] as &[usize]);
        assert_eq!(i128s(&compute(&all)), vec![oracle(&data, max)]);
        let allk = f(&x, None, true).unwrap();
        assert_eq!(allk.shape(), &[1, 1]);
    }
    let ints = lz::from_vec(vec![4u32, 9, 9, 0, 0], &[5]).unwrap();
    assert_eq!(
        i128s(&compute(&lz::argmax(&ints, None, false).unwrap())),
        vec![1]
    );
    assert_eq!(
        i128s(&compute(&lz::argmin(&ints, None, false).unwrap())),
        vec![3]
    );
    let empty = lz::from_vec(Vec::<f64>::new(), &[0, 2]).unwrap();
    assert_eq!(err_kind(lz::argmax(&empty, None, false)), ErrorKind::Value);
    assert_eq!(
        err_kind(lz::argmax(&empty, Some(0), false)),
        ErrorKind::Value
    );
    assert_eq!(lz::argmax(&empty, Some(1), false).unwrap().shape(), &[0]);
    let b = lz::from_vec(vec![true], &[1]).unwrap();
    assert_eq!(err_kind(lz::argmin(&b, None, false)), ErrorKind::Type);
}

#[test]
fn searchsorted_sides_scalars_and_sorter() {
    let nan = f64::NAN;
    let hay = vec![-2.0, 0.0, 0.0, 1.5, 9.0, nan];
    let x1 = lz::from_vec(hay.clone(), &[6]).unwrap();
    let needles = vec![-3.0, 0.0, -0.0, 1.0, 1.5, 9.0, 10.0, nan];
    let x2 = lz::from_vec(needles.clone(), &[2, 4]).unwrap();
    for side in [Side::Left, Side::Right] {
        let r = lz::searchsorted(&x1, Operand::Array(&x2), side, None).unwrap();
        assert_eq!((r.dtype(), r.shape()), (DType::I64, &[2, 4][..]));
        let want: Vec<i128> = needles
            .iter()
            .map(|&v| {
                hay.iter()
                    .filter(|&&a| match key(a).cmp(&key(v)) {
                        Ordering::Less => true,
                        Ordering::Equal => side == Side::Right,
                        Ordering::Greater => false,
                    })
                    .count() as i128
            })
            .collect();
        assert_eq!(i128s(&compute(&r)), want, "{side:?}");
    }
    // A Python scalar takes x1's dtype; the result is 0-d.
    let s = lz::searchsorted(&x1, Operand::Scalar(Scalar::Int(0)), Side::Right, None).unwrap();
    assert_eq!(s.shape(), &[] as &[usize]);
    assert_eq!(i128s(&compute(&s)), vec![3]);
    // An unsorted x1 with the sorter that sorts it.
    let unsorted = lz::from_vec(vec![5i32, -1, 3, 3], &[4]).unwrap();
    let sorter = lz::argsort(&unsorted, -1, false, true).unwrap();
    let q = lz::from_vec(vec![3i32, 4, -5, 6], &[4]).unwrap();
    let r = lz::searchsorted(&unsorted, Operand::Array(&q), Side::Left, Some(&sorter)).unwrap();
    assert_eq!(i128s(&compute(&r)), vec![1, 3, 0, 4]);
    // Errors.
    let m = lz::from_vec(vec![1.0f64; 4], &[2, 2]).unwrap();
    assert_eq!(
        err_kind(lz::searchsorted(&m, Operand::Array(&x2), Side::Left, None)),
        ErrorKind::Value
    );
    assert_eq!(
        err_kind(lz::searchsorted(
            &unsorted,
            Operand::Array(&x2),
            Side::Left,
            None
        )),
        ErrorKind::Type
    );
    assert_eq!(
        err_kind(lz::searchsorted(
            &unsorted,
            Operand::Scalar(Scalar::Float(0.5)),
            Side::Left,
            None
        )),
        ErrorKind::Type
    );
    assert_eq!(
        err_kind(lz::searchsorted(
            &x1,
            Operand::Scalar(Scalar::Complex(0.5, 1.0)),
            Side::Left,
            None
        )),
        ErrorKind::Type
    );
}

#[test]
fn extern_is_a_barrier_that_elementwise_work_fuses_around() {
    let mut rng = Rng(9);
    let (a, b) = (rng.vec(3 * 4), rng.vec(4 * 5));
    let x = lz::from_vec(a.clone(), &[3, 4]).unwrap();
    let y = lz::from_vec(b.clone(), &[4, 5]).unwrap();
    let m = lz::matmul(&x, &y).unwrap();
    let two = lz::full(&[], Scalar::Float(2.0), Some(DType::F64)).unwrap();
    let one = lz::full(&[], Scalar::Float(1.0), Some(DType::F64)).unwrap();
    let t = lz::add(&lz::multiply(&m, &two).unwrap(), &one).unwrap();
    let total = lz::sum(&t, None, false, None).unwrap();
    let plan = lz::explain(&[&total]).unwrap();
    assert!(
        plan.starts_with("1 kernel, 1 extern op"),
        "expected one fused kernel and the matmul:\n{plan}"
    );
    assert!(plan.contains("extern matmul"), "{plan}");
    let want: f64 = naive_matmul(&a, &[3, 4], &b, &[4, 5])
        .0
        .iter()
        .map(|v| v * 2.0 + 1.0)
        .sum();
    close(&f64s(&compute(&total)), &[want], 1e-12);
}
