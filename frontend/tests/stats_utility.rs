//! `var`, `std`, `count_nonzero`, `diff` and `isin` against plain Rust loops.

mod common;

use common::*;
use lazulite_frontend::{self as lz, DType, ErrorKind, Operand, Scalar};

const XS: [f64; 24] = [
    0.25, -1.5, 2.0, 3.75, -0.125, 10.0, 7.0, -3.5, 0.0, 1.0, 1.0, 5.5, -2.25, 4.0, 8.0, -6.0, 0.5,
    2.5, 9.0, -0.75, 3.0, 3.0, -1.0, 6.25,
];

/// The elements of `x` (row-major, `shape`) grouped by their index outside `axes`, in the row-major
/// order of the kept axes.
fn groups(xs: &[f64], shape: &[usize], axes: &[usize]) -> Vec<Vec<f64>> {
    let kept: Vec<usize> = (0..shape.len()).filter(|a| !axes.contains(a)).collect();
    let kept_shape: Vec<usize> = kept.iter().map(|&a| shape[a]).collect();
    let mut out = vec![Vec::new(); kept_shape.iter().product()];
    for ix in indices(shape) {
        let k: Vec<usize> = kept.iter().map(|&a| ix[a]).collect();
        out[flat(&k, &kept_shape)].push(xs[flat(&ix, shape)]);
    }
    out
}

fn variance_oracle(v: &[f64], correction: f64) -> f64 {
    let n = v.len() as f64;
    if n - correction <= 0.0 {
        return f64::NAN;
    }
    let mean = v.iter().sum::<f64>() / n;
    v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - correction)
}

#[test]
fn var_and_std_values() {
    let shape = [2usize, 3, 4];
    for d in [DType::F64, DType::F32] {
        let x = lz::astype(&lz::from_vec(XS.to_vec(), &shape).unwrap(), d).unwrap();
        let xs = f64s(&x);
        let tol = if d == DType::F64 { 1e-12 } else { 1e-5 };
        let axis_cases: &[(Option<&[isize]>, &[usize])] = &[
            (None, &[0, 1, 2]),
            (Some(&[-1]), &[2]),
            (Some(&[0]), &[0]),
            (Some(&[0, 2]), &[0, 2]),
            (Some(&[-2, -3]), &[0, 1]),
            (Some(&[]), &[]),
        ];
        for &(axis, axes) in axis_cases {
            for correction in [0.0, 1.0, 1.5, 2.0, 4.0] {
                for keepdims in [false, true] {
                    let v = lz::var(&x, axis, correction, keepdims).unwrap();
                    let s = lz::std(&x, axis, correction, keepdims).unwrap();
                    let want_shape: Vec<usize> = (0..3)
                        .filter_map(|a| match (axes.contains(&a), keepdims) {
                            (false, _) => Some(shape[a]),
                            (true, true) => Some(1),
                            (true, false) => None,
                        })
                        .collect();
                    for r in [&v, &s] {
                        assert_eq!((r.dtype(), r.shape()), (d, want_shape.as_slice()));
                    }
                    let want: Vec<f64> = groups(&xs, &shape, axes)
                        .iter()
                        .map(|g| variance_oracle(g, correction))
                        .collect();
                    let ctx =
                        format!("{d} axis {axis:?} correction {correction} keepdims {keepdims}");
                    let got = f64s(&v);
                    assert_eq!(got.len(), want.len(), "{ctx}");
                    close(&got, &want, tol);
                    let want_std: Vec<f64> = want.iter().map(|w| w.sqrt()).collect();
                    close(&f64s(&s), &want_std, tol);
                }
            }
        }
    }
}

#[test]
fn var_special_cases() {
    // N - correction <= 0 gives NaN (also where the squared deviations are positive)
    let x = lz::from_vec(vec![1.0f64, 3.0], &[2]).unwrap();
    assert!(f64s(&lz::var(&x, None, 2.0, false).unwrap())[0].is_nan());
    assert!(f64s(&lz::std(&x, None, 3.0, false).unwrap())[0].is_nan());
    assert_eq!(f64s(&lz::var(&x, None, 1.0, false).unwrap()), vec![2.0]);
    // an empty reduction is NaN; NaN inputs propagate
    let e = lz::zeros(&[0, 3], DType::F32).unwrap();
    let v = lz::var(&e, Some(&[0]), 0.0, false).unwrap();
    assert_eq!(v.shape(), &[3]);
    assert!(f64s(&v).iter().all(|v| v.is_nan()));
    assert!(f64s(&lz::var(&e, Some(&[1]), 0.0, true).unwrap()).is_empty());
    let n = lz::from_vec(vec![1.0f64, f64::NAN, 2.0, 4.0], &[2, 2]).unwrap();
    let v = f64s(&lz::var(&n, Some(&[1]), 0.0, false).unwrap());
    assert!(v[0].is_nan() && v[1] == 1.0);
    // a 0-D array: one element
    let s = lz::from_vec(vec![5.0f64], &[]).unwrap();
    assert_eq!(f64s(&lz::var(&s, None, 0.0, false).unwrap()), vec![0.0]);
}

/// `v * 2^e` in two exact steps (`2^e` alone may be past float64's range).
fn times_pow2(v: f64, e: i32) -> f64 {
    v * 2f64.powi(e / 2) * 2f64.powi(e - e / 2)
}

/// The variance and standard deviation of finite data by two passes over the data scaled by a power
/// of two (so that neither the deviations nor their squares overflow), computed in float64 and
/// scaled back: inf only where the true result overflows float64.
fn scaled_oracle(v: &[f64], correction: f64) -> (f64, f64) {
    if !v.iter().all(|x| x.is_finite()) || v.len() as f64 - correction <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let top = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if top == 0.0 {
        return (0.0, 0.0);
    }
    let e = top.log2().ceil() as i32; // |x| * 2^-e <= 1
    let y: Vec<f64> = v.iter().map(|&x| times_pow2(x, -e)).collect();
    let var = variance_oracle(&y, correction);
    (times_pow2(times_pow2(var, e), e), times_pow2(var.sqrt(), e))
}

#[test]
fn var_std_over_the_whole_range() {
    // rows of 4: NumPy gives nan, inf, nan, 1e308, nan, nan for the first six rows
    let max = f64::MAX;
    let rows: [[f64; 4]; 8] = [
        [-max, max, -max, max],         // true variance overflows: inf
        [max, max, max, max],           // 0
        [1e154, -1e154, 1e154, -1e154], // (x - x[0])^2 overflows, (x - mean)^2 does not: 1e308
        [0.0, 1e300, -1e300, 5.0],      // finite, the squares from x[0] overflow
        [max, -max, 0.0, 1.0],          // x - x[0] itself overflows, the variance too
        [f64::INFINITY, 1.0, 2.0, 3.0], // an infinity or a NaN: NaN
        [1.0, 2.0, f64::NAN, 3.0],
        [1e-160, 3e-160, -2e-160, 0.0], // tiny
    ];
    let xs: Vec<f64> = rows.iter().flatten().copied().collect();
    let x = lz::from_vec(xs, &[8, 4]).unwrap();
    for correction in [0.0, 1.0] {
        let (want, want_std): (Vec<f64>, Vec<f64>) =
            rows.iter().map(|r| scaled_oracle(r, correction)).unzip();
        assert_eq!(want[..2], [f64::INFINITY, 0.0]);
        close(&want[2..3], &[1e308 * 4.0 / (4.0 - correction)], 1e-15);
        // std([-max, max, -max, max]) = max (N - 1: past max)
        assert_eq!(want_std[0].is_finite(), correction == 0.0);
        assert!(want[4].is_infinite() && want[5].is_nan());
        let v = f64s(&lz::var(&x, Some(&[1]), correction, false).unwrap());
        close(&v, &want, 1e-13);
        let s = f64s(&lz::std(&x, Some(&[1]), correction, false).unwrap());
        close(&s, &want_std, 1e-13);
    }
    // float32: the same rules at its range
    let m = f32::MAX as f64;
    let rows32: [[f64; 2]; 3] = [[3e38, -3e38], [m, m], [1e19, -1e19]];
    let xs: Vec<f64> = rows32.iter().flatten().copied().collect();
    let x = lz::astype(&lz::from_vec(xs, &[3, 2]).unwrap(), DType::F32).unwrap();
    let v = f64s(&lz::var(&x, Some(&[-1]), 0.0, true).unwrap());
    assert_eq!(v[0], f64::INFINITY);
    assert_eq!(v[1], 0.0);
    let (want, want_std) = scaled_oracle(&[1e19f32 as f64, -1e19f32 as f64], 0.0);
    close(&v[2..], &[want], 1e-6);
    let s = f64s(&lz::std(&x, Some(&[-1]), 0.0, true).unwrap());
    close(&s, &[3e38f32 as f64, 0.0, want_std], 1e-6);
}

#[test]
fn var_std_errors() {
    for d in [DType::I32, DType::U8, DType::Bool, DType::C128] {
        let x = lz::zeros(&[3], d).unwrap();
        err(lz::var(&x, None, 0.0, false), ErrorKind::Type, "var");
        err(lz::std(&x, None, 0.0, false), ErrorKind::Type, "std");
    }
    let x = lz::zeros(&[3, 2], DType::F64).unwrap();
    err(lz::var(&x, Some(&[2]), 0.0, false), ErrorKind::Index, "var");
    err(
        lz::std(&x, Some(&[0, -2]), 0.0, false),
        ErrorKind::Value,
        "std",
    );
}

#[test]
fn std_over_the_last_axis_plans_into_few_kernels() {
    let x = lz::from_vec(XS.to_vec(), &[6, 4]).unwrap();
    let s = lz::std(&x, Some(&[-1]), 1.0, false).unwrap();
    let k = kernel_count(&[&s]);
    assert!(k <= 3, "std planned into {k} kernels");
    // exp(x) is read twice (by the mean and by the deviations): it is stored once, not recomputed
    let v = lz::var(&lz::exp(&x).unwrap(), Some(&[-1]), 0.0, true).unwrap();
    let plan = lz::explain_ir(&[&v]).unwrap();
    let k = kernel_count(&[&v]);
    assert!(k <= 4, "var of exp planned into {k} kernels:\n{plan}");
    assert_eq!(
        plan.matches("= exp(").count(),
        1,
        "exp evaluated more than once:\n{plan}"
    );
}

#[test]
fn count_nonzero_values() {
    let shape = [2usize, 3, 2];
    let raw: Vec<i64> = vec![0, 1, 2, 0, 0, 0, -3, 4, 0, 5, 0, 6];
    let nz: Vec<f64> = raw.iter().map(|&v| f64::from(v != 0)).collect();
    for d in [DType::I64, DType::U8, DType::F32, DType::Bool, DType::I8] {
        let x = lz::astype(&lz::from_vec(raw.clone(), &shape).unwrap(), d).unwrap();
        let cases: &[(Option<&[isize]>, &[usize])] = &[
            (None, &[0, 1, 2]),
            (Some(&[1]), &[1]),
            (Some(&[-1, 0]), &[0, 2]),
            (Some(&[]), &[]),
        ];
        for &(axis, axes) in cases {
            for keepdims in [false, true] {
                let c = lz::count_nonzero(&x, axis, keepdims).unwrap();
                assert_eq!(c.dtype(), DType::I64);
                let want: Vec<i128> = groups(&nz, &shape, axes)
                    .iter()
                    .map(|g| g.iter().sum::<f64>() as i128)
                    .collect();
                assert_eq!(i128s(&c), want, "{d} {axis:?}");
                assert_eq!(c.ndim(), if keepdims { 3 } else { 3 - axes.len() });
            }
        }
    }
    // complex: nonzero when either part is
    let parts = [
        (0.0f64, 0.0f64),
        (0.0, 2.0),
        (-1.0, 0.0),
        (0.0, -0.0),
        (3.0, 4.0),
    ];
    let bytes: Vec<u8> = parts
        .iter()
        .flat_map(|&(r, i)| Scalar::Complex(r, i).to_bytes(DType::C128))
        .collect();
    let z = lz::from_bytes(&bytes, DType::C128, &[5]).unwrap();
    assert_eq!(i128s(&lz::count_nonzero(&z, None, false).unwrap()), vec![3]);
    // -0.0 is zero, NaN is not; size-0 counts nothing
    let f = lz::from_vec(vec![-0.0f64, f64::NAN, 0.0, 1e-300], &[4]).unwrap();
    assert_eq!(i128s(&lz::count_nonzero(&f, None, false).unwrap()), vec![2]);
    let e = lz::zeros(&[0, 2], DType::F64).unwrap();
    assert_eq!(i128s(&lz::count_nonzero(&e, None, false).unwrap()), vec![0]);
    assert_eq!(
        i128s(&lz::count_nonzero(&e, Some(&[0]), false).unwrap()),
        vec![0, 0]
    );
    err(
        lz::count_nonzero(&e, Some(&[2]), false),
        ErrorKind::Index,
        "count_nonzero",
    );
}

/// The `n`-th forward difference along `axis` of a row-major array, by repeated differencing.
fn diff_oracle(
    v: &[i128],
    shape: &[usize],
    axis: usize,
    n: usize,
    wrap: impl Fn(i128) -> i128,
) -> (Vec<i128>, Vec<usize>) {
    let (mut cur, mut sh) = (v.to_vec(), shape.to_vec());
    for _ in 0..n {
        if sh[axis] == 0 {
            break;
        }
        let mut out_shape = sh.clone();
        out_shape[axis] -= 1;
        cur = indices(&out_shape)
            .iter()
            .map(|ix| {
                let mut hi = ix.clone();
                hi[axis] += 1;
                wrap(cur[flat(&hi, &sh)] - cur[flat(ix, &sh)])
            })
            .collect();
        sh = out_shape;
    }
    (cur, sh)
}

#[test]
fn diff_values() {
    let shape = [3usize, 5];
    let raw: Vec<i64> = vec![3, 9, 1, 4, 4, 0, 7, 2, 8, 1, 5, 5, 10, 2, 6];
    for d in [DType::I32, DType::I64, DType::F64, DType::U8] {
        let x = lz::astype(&lz::from_vec(raw.clone(), &shape).unwrap(), d).unwrap();
        let xv: Vec<i128> = raw.iter().map(|&v| v as i128).collect();
        let wrap = |v: i128| if d == DType::U8 { v.rem_euclid(256) } else { v };
        for (axis, a) in [(-1isize, 1usize), (1, 1), (0, 0), (-2, 0)] {
            for n in [0i64, 1, 2, 3, 6] {
                let y = lz::diff(&x, axis, n, None, None).unwrap();
                let (want, want_shape) = diff_oracle(&xv, &shape, a, n as usize, wrap);
                assert_eq!(
                    (y.dtype(), y.shape()),
                    (d, want_shape.as_slice()),
                    "{d} {axis} {n}"
                );
                assert_eq!(i128s(&y), want, "{d} axis {axis} n {n}");
            }
        }
    }
    // a lazy operand: the differences fuse into one kernel over it
    let x = lz::from_vec(raw.clone(), &shape).unwrap();
    let t = lz::matrix_transpose(&x).unwrap();
    let y = lz::diff(&t, 0, 2, None, None).unwrap();
    assert_eq!(kernel_count(&[&y]), 1);
    let tv = i128s(&t);
    assert_eq!(i128s(&y), diff_oracle(&tv, &[5, 3], 0, 2, |v| v).0);
}

#[test]
fn diff_with_prepend_and_append() {
    let x = lz::from_vec(vec![1i32, 4, 9, 16, 25, 36], &[2, 3]).unwrap();
    let p = lz::from_vec(vec![0i32, 2, 10, 20], &[2, 2]).unwrap();
    let q = lz::from_vec(vec![100i64, 200], &[2, 1]).unwrap();
    // along axis 1: rows [0, 2, 1, 4, 9, 100] and [10, 20, 16, 25, 36, 200]
    let y = lz::diff(&x, -1, 1, Some(&p), Some(&q)).unwrap();
    assert_eq!((y.dtype(), y.shape()), (DType::I64, &[2, 5][..]));
    let rows = [[0i128, 2, 1, 4, 9, 100], [10, 20, 16, 25, 36, 200]];
    let want: Vec<i128> = rows
        .iter()
        .flat_map(|r| r.windows(2).map(|w| w[1] - w[0]))
        .collect();
    assert_eq!(i128s(&y), want);
    let (y2, _) = diff_oracle(&rows.concat(), &[2, 6], 1, 3, |v| v);
    assert_eq!(i128s(&lz::diff(&x, 1, 3, Some(&p), Some(&q)).unwrap()), y2);
    // only one side, longer than x; 0-D edges broadcast to one element along the axis
    let long = lz::from_vec((0..14).map(|v| v * v).collect::<Vec<i32>>(), &[2, 7]).unwrap();
    let y = lz::diff(&x, 1, 1, None, Some(&long)).unwrap();
    let joined: Vec<i128> = (0..2)
        .flat_map(|r| {
            let xr = [[1i128, 4, 9], [16, 25, 36]][r];
            xr.into_iter()
                .chain((0..7).map(move |c| ((7 * r + c) * (7 * r + c)) as i128))
        })
        .collect();
    assert_eq!(i128s(&y), diff_oracle(&joined, &[2, 10], 1, 1, |v| v).0);
    let zero = lz::from_vec(vec![-5i32], &[]).unwrap();
    let y = lz::diff(&x, 0, 1, Some(&zero), None).unwrap();
    assert_eq!(y.shape(), &[2, 3]);
    assert_eq!(i128s(&y), vec![6, 9, 14, 15, 21, 27]);
    // along an axis of x that is empty
    let e = lz::zeros(&[2, 0], DType::F64).unwrap();
    let one = lz::from_vec(vec![1.0f64, 2.0], &[2, 1]).unwrap();
    let y = lz::diff(&e, 1, 1, Some(&one), Some(&one)).unwrap();
    assert_eq!((y.shape(), f64s(&y)), (&[2, 1][..], vec![0.0, 0.0]));
}

#[test]
fn diff_errors() {
    let x = lz::zeros(&[2, 3], DType::I32).unwrap();
    err(
        lz::diff(&lz::zeros(&[3], DType::Bool).unwrap(), -1, 1, None, None),
        ErrorKind::Type,
        "diff",
    );
    err(
        lz::diff(&lz::zeros(&[], DType::I32).unwrap(), -1, 1, None, None),
        ErrorKind::Value,
        "diff",
    );
    err(lz::diff(&x, 2, 1, None, None), ErrorKind::Index, "diff");
    err(lz::diff(&x, 0, -1, None, None), ErrorKind::Value, "diff");
    let bad = lz::zeros(&[3, 3], DType::I32).unwrap();
    err(
        lz::diff(&x, 1, 1, Some(&bad), None),
        ErrorKind::Value,
        "diff",
    );
    let fl = lz::zeros(&[2, 1], DType::F64).unwrap();
    err(lz::diff(&x, 1, 1, None, Some(&fl)), ErrorKind::Type, "diff");
}

/// Whether each of `a` is in `b`.
fn isin_oracle(a: &[i128], b: &[i128], invert: bool) -> Vec<bool> {
    a.iter().map(|v| b.contains(v) != invert).collect()
}

#[test]
fn isin_values() {
    let x1v = [1i64, 5, -3, 7, 0, 5, 2, 9];
    let x1 = lz::from_vec(x1v.iter().map(|&v| v as i32).collect(), &[2, 4]).unwrap();
    let x2 = lz::from_vec(vec![5i64, 9, 11, -3, 5, 100], &[3, 2]).unwrap();
    let a: Vec<i128> = x1v.iter().map(|&v| v as i128).collect();
    let b: Vec<i128> = vec![5, 9, 11, -3, 5, 100];
    for invert in [false, true] {
        let y = lz::isin(Operand::Array(&x1), Operand::Array(&x2), invert).unwrap();
        assert_eq!((y.dtype(), y.shape()), (DType::Bool, &[2, 4][..]));
        assert_eq!(bools(&y), isin_oracle(&a, &b, invert));
        // scalar x2
        let y = lz::isin(Operand::Array(&x1), Operand::Scalar(Scalar::Int(5)), invert).unwrap();
        assert_eq!(bools(&y), isin_oracle(&a, &[5], invert));
        // scalar x1: a 0-D result
        let y = lz::isin(
            Operand::Scalar(Scalar::Int(11)),
            Operand::Array(&x2),
            invert,
        )
        .unwrap();
        assert_eq!((y.shape(), bools(&y)), (&[][..], vec![!invert]));
        // empty x2: nothing is in it
        let e = lz::zeros(&[0], DType::I64).unwrap();
        let y = lz::isin(Operand::Array(&x1), Operand::Array(&e), invert).unwrap();
        assert_eq!(bools(&y), vec![invert; 8]);
    }
    // mixed signedness promotes (uint8 with int8 -> int16): 200u8 is not -56i8
    let u = lz::from_vec(vec![200u8, 3, 0], &[3]).unwrap();
    let s = lz::from_vec(vec![-56i8, 3], &[2]).unwrap();
    let y = lz::isin(Operand::Array(&u), Operand::Array(&s), false).unwrap();
    assert_eq!(bools(&y), vec![false, true, false]);
    // a 0-D x1 array and a size-0 x1
    let z = lz::from_vec(vec![9i64], &[]).unwrap();
    assert_eq!(
        bools(&lz::isin(Operand::Array(&z), Operand::Array(&x2), false).unwrap()),
        vec![true]
    );
    let e = lz::zeros(&[2, 0], DType::I32).unwrap();
    assert_eq!(
        lz::isin(Operand::Array(&e), Operand::Array(&x2), false)
            .unwrap()
            .shape(),
        &[2, 0]
    );
}

#[test]
fn isin_errors() {
    let i = lz::zeros(&[3], DType::I32).unwrap();
    let f = lz::zeros(&[3], DType::F64).unwrap();
    err(
        lz::isin(Operand::Array(&f), Operand::Array(&i), false),
        ErrorKind::Type,
        "isin",
    );
    err(
        lz::isin(
            Operand::Array(&i),
            Operand::Array(&lz::zeros(&[2], DType::Bool).unwrap()),
            false,
        ),
        ErrorKind::Type,
        "isin",
    );
    err(
        lz::isin(
            Operand::Scalar(Scalar::Int(1)),
            Operand::Scalar(Scalar::Int(1)),
            false,
        ),
        ErrorKind::Type,
        "isin",
    );
    err(
        lz::isin(
            Operand::Array(&i),
            Operand::Scalar(Scalar::Float(1.0)),
            false,
        ),
        ErrorKind::Type,
        "isin",
    );
    let b = lz::zeros(&[3], DType::I8).unwrap();
    err(
        lz::isin(Operand::Array(&b), Operand::Scalar(Scalar::Int(300)), false),
        ErrorKind::Overflow,
        "isin",
    );
    let u = lz::zeros(&[3], DType::U64).unwrap();
    err(
        lz::isin(Operand::Array(&u), Operand::Array(&i), false),
        ErrorKind::Type,
        "isin",
    );
}

#[test]
fn fusion_of_the_compositions() {
    // isin: the comparison of every pair and the `any` over x2 are one kernel (no size(x1)*size(x2)
    // temporary)
    let a = lz::from_vec((0..24).map(|v| v * 3 % 17).collect::<Vec<i64>>(), &[4, 6]).unwrap();
    let b = lz::from_vec((0..10).collect::<Vec<i64>>(), &[2, 5]).unwrap();
    let y = lz::isin(Operand::Array(&a), Operand::Array(&b), true).unwrap();
    assert_eq!(kernel_count(&[&y]), 1);
    let want: Vec<bool> = (0..24).map(|v| v * 3 % 17 >= 10).collect();
    assert_eq!(bools(&y), want);
    let x = lz::from_vec(XS.to_vec(), &[4, 6]).unwrap();
    let c = lz::count_nonzero(&x, Some(&[0]), false).unwrap();
    assert_eq!(kernel_count(&[&c]), 1);
}
