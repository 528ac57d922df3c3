//! The compositions on arrays large enough that the runtime compiles their kernels (and splits them
//! across threads), against plain Rust loops: the small-array tests run through the interpreter.

mod common;

use common::*;
use lazulite_frontend::{self as lz, DType, Operand};

/// Deterministic pseudo-random values in [-50, 50).
fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) % 10_000) as f64 / 100.0 - 50.0
        })
        .collect()
}

const R: usize = 300;
const C: usize = 257;

#[test]
fn tril_triu_and_eye() {
    let v = values(2 * R * C, 1);
    let x = lz::from_vec(v.clone(), &[2, R, C]).unwrap();
    for k in [-7i64, 0, 40] {
        let want: Vec<f64> = indices(&[2, R, C])
            .iter()
            .map(|ix| {
                if ix[2] as i64 - ix[1] as i64 <= k {
                    v[flat(ix, &[2, R, C])]
                } else {
                    0.0
                }
            })
            .collect();
        assert_eq!(f64s(&lz::tril(&x, k).unwrap()), want, "tril k={k}");
        let want: Vec<f64> = indices(&[2, R, C])
            .iter()
            .map(|ix| {
                if ix[2] as i64 - ix[1] as i64 >= k {
                    v[flat(ix, &[2, R, C])]
                } else {
                    0.0
                }
            })
            .collect();
        assert_eq!(f64s(&lz::triu(&x, k).unwrap()), want, "triu k={k}");
    }
    let e = lz::eye(R as i64, Some(C as i64), -3, Some(DType::I32)).unwrap();
    let want: Vec<i128> = indices(&[R, C])
        .iter()
        .map(|ix| i128::from(ix[1] as i64 - ix[0] as i64 == -3))
        .collect();
    assert_eq!(i128s(&e), want);
}

#[test]
fn roll_tile_repeat() {
    let v: Vec<i64> = (0..(R * C) as i64).collect();
    let x = lz::from_vec(v.clone(), &[R, C]).unwrap();
    let y = lz::roll(&x, &[-5, 100], Some(&[0, 1])).unwrap();
    let want: Vec<i128> = indices(&[R, C])
        .iter()
        .map(|ix| {
            let i = (ix[0] as i64 + 5).rem_euclid(R as i64) as usize;
            let j = (ix[1] as i64 - 100).rem_euclid(C as i64) as usize;
            v[i * C + j] as i128
        })
        .collect();
    assert_eq!(i128s(&y), want);
    let t = lz::tile(&x, &[2, 1]).unwrap();
    let want: Vec<i128> = indices(&[2 * R, C])
        .iter()
        .map(|ix| v[(ix[0] % R) * C + ix[1]] as i128)
        .collect();
    assert_eq!(i128s(&t), want);
    let r = lz::repeat(&x, 3, Some(1)).unwrap();
    let want: Vec<i128> = indices(&[R, 3 * C])
        .iter()
        .map(|ix| v[ix[0] * C + ix[1] / 3] as i128)
        .collect();
    assert_eq!(i128s(&r), want);
}

#[test]
fn std_count_nonzero_diff_isin() {
    let v = values(R * C, 2);
    let x = lz::from_vec(v.clone(), &[R, C]).unwrap();
    let s = lz::std(&x, Some(&[-1]), 1.0, false).unwrap();
    let want: Vec<f64> = (0..R)
        .map(|i| {
            let row = &v[i * C..(i + 1) * C];
            let m = row.iter().sum::<f64>() / C as f64;
            (row.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / (C as f64 - 1.0)).sqrt()
        })
        .collect();
    close(&f64s(&s), &want, 1e-10);

    let c = lz::count_nonzero(&lz::floor(&x).unwrap(), Some(&[0]), false).unwrap();
    let want: Vec<i128> = (0..C)
        .map(|j| (0..R).filter(|&i| v[i * C + j].floor() != 0.0).count() as i128)
        .collect();
    assert_eq!(i128s(&c), want);

    let p = lz::from_vec(vec![1.5f64; C], &[1, C]).unwrap();
    let d = lz::diff(&x, 0, 2, Some(&p), None).unwrap();
    let joined: Vec<f64> = std::iter::repeat_n(1.5, C)
        .chain(v.iter().copied())
        .collect();
    let want: Vec<f64> = indices(&[R - 1, C])
        .iter()
        .map(|ix| {
            let at = |i: usize| joined[i * C + ix[1]];
            (at(ix[0] + 2) - at(ix[0] + 1)) - (at(ix[0] + 1) - at(ix[0]))
        })
        .collect();
    close(&f64s(&d), &want, 1e-12);

    let ints: Vec<i64> = v.iter().map(|f| *f as i64).collect();
    let a = lz::from_vec(ints.clone(), &[R, C]).unwrap();
    let set: Vec<i64> = (0..120).map(|k| k * 3 - 180).collect();
    let b = lz::from_vec(set.clone(), &[120]).unwrap();
    let y = lz::isin(Operand::Array(&a), Operand::Array(&b), false).unwrap();
    let want: Vec<bool> = ints.iter().map(|v| set.contains(v)).collect();
    assert_eq!(bools(&y), want);
}
