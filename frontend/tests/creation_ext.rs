//! `linspace`, `eye`, `tril`, `triu`, `meshgrid`, `empty` and the `*_like` fills against plain Rust.

mod common;

use common::*;
use lazulite_frontend::{self as lz, DType, ErrorKind, LazyArray, Scalar};

#[test]
fn linspace_values_and_endpoints() {
    let cases: &[(f64, f64, i64)] = &[
        (0.0, 1.0, 5),
        (-3.0, 7.5, 11),
        (2.0, -2.0, 4),
        (1.0, 1.0, 3),
        (0.1, 0.7, 7),
        (5.0, 6.0, 1),
        (5.0, 6.0, 0),
        (-1e10, 1e10, 9),
    ];
    for &(a, b, num) in cases {
        for endpoint in [true, false] {
            let y = lz::linspace(Scalar::Float(a), Scalar::Float(b), num, None, endpoint).unwrap();
            assert_eq!((y.dtype(), y.shape()), (DType::F64, &[num as usize][..]));
            let got = f64s(&y);
            let div = if endpoint { num - 1 } else { num };
            let want: Vec<f64> = (0..num)
                .map(|i| {
                    if div > 0 {
                        a + (b - a) * i as f64 / div as f64
                    } else {
                        a
                    }
                })
                .collect();
            close(&got, &want, 1e-14);
            if num > 0 {
                assert_eq!(got[0], a, "first value is start exactly");
            }
            if endpoint && num > 1 {
                assert_eq!(got[num as usize - 1], b, "last value is stop exactly");
            }
            if !endpoint {
                // endpoint=False gives the first num values of num+1 points with the endpoint
                let longer =
                    lz::linspace(Scalar::Float(a), Scalar::Float(b), num + 1, None, true).unwrap();
                assert_eq!(got, f64s(&longer)[..num as usize].to_vec());
            }
        }
    }
}

#[test]
fn linspace_dtypes() {
    // integer bounds give float64; float32 stores the double-precision values rounded
    let y = lz::linspace(Scalar::Int(0), Scalar::Int(10), 4, None, true).unwrap();
    assert_eq!(y.dtype(), DType::F64);
    close(&f64s(&y), &[0.0, 10.0 / 3.0, 20.0 / 3.0, 10.0], 1e-15);
    let y = lz::linspace(
        Scalar::Float(0.0),
        Scalar::Float(1.0),
        4,
        Some(DType::F32),
        true,
    )
    .unwrap();
    assert_eq!(y.dtype(), DType::F32);
    let want: Vec<f64> = (0..4).map(|i| (i as f64 / 3.0) as f32 as f64).collect();
    assert_eq!(f64s(&y), want);
    // complex bounds give complex128 with each part spaced linearly
    let y = lz::linspace(Scalar::Complex(0.0, 1.0), Scalar::Float(2.0), 3, None, true).unwrap();
    assert_eq!(y.dtype(), DType::C128);
    let got: Vec<(f64, f64)> = y
        .realized()
        .map(|d| (0..3).map(|i| d.get(&[i]).as_complex()).collect())
        .unwrap();
    assert_eq!(got, vec![(0.0, 1.0), (1.0, 0.5), (2.0, 0.0)]);
    let y = lz::linspace(
        Scalar::Float(0.0),
        Scalar::Float(1.0),
        2,
        Some(DType::C64),
        false,
    )
    .unwrap();
    assert_eq!(y.dtype(), DType::C64);
    assert_eq!(y.realized().unwrap().get(&[1]).as_complex(), (0.5, 0.0));
}

#[test]
fn linspace_errors() {
    let f = |v| Scalar::Float(v);
    err(
        lz::linspace(f(0.0), f(1.0), -1, None, true),
        ErrorKind::Value,
        "linspace",
    );
    err(
        lz::linspace(f(0.0), f(1.0), 3, Some(DType::I32), true),
        ErrorKind::Type,
        "linspace",
    );
    err(
        lz::linspace(f(0.0), f(1.0), 3, Some(DType::Bool), true),
        ErrorKind::Type,
        "linspace",
    );
    err(
        lz::linspace(Scalar::Complex(0.0, 1.0), f(1.0), 3, Some(DType::F64), true),
        ErrorKind::Type,
        "linspace",
    );
}

#[test]
fn eye_values() {
    for (n, m) in [
        (3usize, None),
        (2, Some(4usize)),
        (4, Some(2)),
        (0, Some(3)),
        (1, Some(1)),
    ] {
        for k in [-5i64, -2, -1, 0, 1, 3, 7, i64::MIN, i64::MAX] {
            let y = lz::eye(n as i64, m.map(|m| m as i64), k, None).unwrap();
            let cols = m.unwrap_or(n);
            assert_eq!((y.dtype(), y.shape()), (DType::F64, &[n, cols][..]));
            let want: Vec<f64> = indices(&[n, cols])
                .iter()
                .map(|ix| f64::from(ix[1] as i128 - ix[0] as i128 == k as i128))
                .collect();
            assert_eq!(f64s(&y), want, "eye({n}, {m:?}, k={k})");
        }
    }
    for d in [DType::I32, DType::U8, DType::Bool, DType::F32] {
        let y = lz::eye(3, Some(3), 1, Some(d)).unwrap();
        assert_eq!(y.dtype(), d);
        assert_eq!(
            i128s(&lz::astype(&y, DType::I64).unwrap()),
            vec![0, 1, 0, 0, 0, 1, 0, 0, 0]
        );
    }
    let c = lz::eye(2, Some(3), 0, Some(DType::C128)).unwrap();
    let got: Vec<(f64, f64)> = scalars(&c).iter().map(|s| s.as_complex()).collect();
    let one = (1.0, 0.0);
    let zero = (0.0, 0.0);
    assert_eq!(got, vec![one, zero, zero, zero, one, zero]);
    err(lz::eye(-1, None, 0, None), ErrorKind::Value, "eye");
    err(lz::eye(2, Some(-3), 0, None), ErrorKind::Value, "eye");
}

fn int_matrix(shape: &[usize], d: DType) -> LazyArray {
    let n: usize = shape.iter().product();
    let v: Vec<i64> = (0..n as i64).map(|i| i * 7 % 11 + 1).collect();
    lz::astype(&lz::from_vec(v, shape).unwrap(), d).unwrap()
}

#[test]
fn tril_and_triu_values() {
    let shapes: &[&[usize]] = &[
        &[3, 4],
        &[4, 2],
        &[2, 3, 5],
        &[2, 1, 2, 3],
        &[0, 3],
        &[2, 0, 4],
        &[1, 1],
    ];
    for &shape in shapes {
        for d in [DType::F64, DType::I32, DType::U8, DType::Bool] {
            let x = int_matrix(shape, d);
            let xs = i128s(&x);
            for k in [-4i64, -1, 0, 1, 2, 6, i64::MIN, i64::MAX] {
                let r = shape.len();
                for lower in [true, false] {
                    let y = if lower {
                        lz::tril(&x, k)
                    } else {
                        lz::triu(&x, k)
                    }
                    .unwrap();
                    assert_eq!((y.dtype(), y.shape()), (d, shape));
                    let want: Vec<i128> = indices(shape)
                        .iter()
                        .map(|ix| {
                            let (i, j) = (ix[r - 2] as i128, ix[r - 1] as i128);
                            let keep = if lower {
                                j - i <= k as i128
                            } else {
                                j - i >= k as i128
                            };
                            if keep {
                                xs[flat(ix, shape)]
                            } else {
                                0
                            }
                        })
                        .collect();
                    assert_eq!(
                        i128s(&y),
                        want,
                        "{} {shape:?} {d} k={k}",
                        if lower { "tril" } else { "triu" }
                    );
                }
            }
        }
    }
    // a lazy, non-contiguous operand
    let x = lz::matrix_transpose(&int_matrix(&[3, 2], DType::I64)).unwrap();
    let xs = i128s(&x);
    let want: Vec<i128> = indices(&[2, 3])
        .iter()
        .map(|ix| {
            if ix[1] <= ix[0] {
                xs[flat(ix, &[2, 3])]
            } else {
                0
            }
        })
        .collect();
    assert_eq!(i128s(&lz::tril(&x, 0).unwrap()), want);
}

#[test]
fn tril_triu_errors_and_fusion() {
    for shape in [&[3usize][..], &[]] {
        let x = lz::zeros(shape, DType::F64).unwrap();
        err(lz::tril(&x, 0), ErrorKind::Value, "tril");
        err(lz::triu(&x, 0), ErrorKind::Value, "triu");
    }
    let x = lz::sin(&lz::from_vec((0..24).map(f64::from).collect(), &[2, 3, 4]).unwrap()).unwrap();
    assert_eq!(kernel_count(&[&lz::tril(&x, 1).unwrap()]), 1);
    assert_eq!(kernel_count(&[&lz::triu(&x, -1).unwrap()]), 1);
    assert_eq!(
        kernel_count(&[&lz::eye(5, Some(7), 2, Some(DType::F32)).unwrap()]),
        1
    );
}

#[test]
fn meshgrid_values() {
    let a = lz::from_vec(vec![1i32, 2], &[2]).unwrap();
    let b = lz::from_vec(vec![10i32, 20, 30], &[3]).unwrap();
    let c = lz::from_vec(vec![100i32, 200, 300, 400], &[4]).unwrap();
    let vals = [vec![1i128, 2], vec![10, 20, 30], vec![100, 200, 300, 400]];
    for indexing in ["ij", "xy"] {
        let out = lz::meshgrid(&[&a, &b, &c], indexing).unwrap();
        let shape: Vec<usize> = if indexing == "ij" {
            vec![2, 3, 4]
        } else {
            vec![3, 2, 4]
        };
        assert_eq!(out.len(), 3);
        for (i, o) in out.iter().enumerate() {
            assert_eq!((o.dtype(), o.shape()), (DType::I32, shape.as_slice()));
            // which output axis walks input i
            let axis = match (indexing, i) {
                ("xy", 0) => 1,
                ("xy", 1) => 0,
                _ => i,
            };
            let want: Vec<i128> = indices(&shape).iter().map(|ix| vals[i][ix[axis]]).collect();
            assert_eq!(i128s(o), want, "{indexing} output {i}");
        }
    }
    // one array: indexing has no effect; none: no outputs
    for indexing in ["xy", "ij"] {
        let out = lz::meshgrid(&[&b], indexing).unwrap();
        assert_eq!(i128s(&out[0]), vec![10, 20, 30]);
        assert!(lz::meshgrid(&[], indexing).unwrap().is_empty());
    }
    // an empty vector gives empty grids
    let e = lz::zeros(&[0], DType::I32).unwrap();
    let out = lz::meshgrid(&[&a, &e], "xy").unwrap();
    assert_eq!(out[0].shape(), &[0, 2]);
    assert!(i128s(&out[1]).is_empty());
}

#[test]
fn meshgrid_errors() {
    let a = lz::zeros(&[2], DType::I32).unwrap();
    let b = lz::zeros(&[2], DType::I64).unwrap();
    let m = lz::zeros(&[2, 2], DType::I32).unwrap();
    err(lz::meshgrid(&[&a, &b], "xy"), ErrorKind::Value, "meshgrid");
    err(lz::meshgrid(&[&a, &m], "ij"), ErrorKind::Value, "meshgrid");
    err(lz::meshgrid(&[&a, &a], "yx"), ErrorKind::Value, "meshgrid");
}

#[test]
fn empty_and_like_fills() {
    let x = int_matrix(&[2, 3], DType::I16);
    let e = lz::empty(&[4, 0, 2], None).unwrap();
    assert_eq!((e.dtype(), e.shape()), (DType::F64, &[4, 0, 2][..]));
    assert!(f64s(&e).is_empty());
    let e = lz::empty(&[], Some(DType::U8)).unwrap();
    assert_eq!((e.dtype(), e.shape()), (DType::U8, &[][..]));
    assert_eq!(i128s(&e).len(), 1);
    assert_eq!(lz::empty_like(&x, None).shape(), &[2, 3]);
    assert_eq!(lz::empty_like(&x, Some(DType::Bool)).dtype(), DType::Bool);
    assert_eq!(f64s(&lz::empty_like(&x, Some(DType::F32))).len(), 6);

    let z = lz::zeros_like(&x, None);
    assert_eq!((z.dtype(), z.shape()), (DType::I16, &[2, 3][..]));
    assert_eq!(i128s(&z), vec![0; 6]);
    let o = lz::ones_like(&x, Some(DType::F32));
    assert_eq!((o.dtype(), f64s(&o)), (DType::F32, vec![1.0; 6]));
    let o = lz::ones_like(&x, Some(DType::Bool));
    assert_eq!(bools(&o), vec![true; 6]);
    let o = lz::ones_like(&x, Some(DType::C64));
    assert!(scalars(&o).iter().all(|s| s.as_complex() == (1.0, 0.0)));

    let f = lz::full_like(&x, Scalar::Int(-7), None).unwrap();
    assert_eq!((f.dtype(), i128s(&f)), (DType::I16, vec![-7; 6]));
    let f = lz::full_like(&x, Scalar::Float(2.5), Some(DType::F64)).unwrap();
    assert_eq!(f64s(&f), vec![2.5; 6]);
    let f = lz::full_like(
        &lz::zeros(&[], DType::Bool).unwrap(),
        Scalar::Bool(true),
        None,
    )
    .unwrap();
    assert_eq!((f.shape(), bools(&f)), (&[][..], vec![true]));
    err(
        lz::full_like(&x, Scalar::Float(2.5), None),
        ErrorKind::Type,
        "full_like",
    );
    err(
        lz::full_like(&x, Scalar::Int(40_000), None),
        ErrorKind::Overflow,
        "full_like",
    );
    err(lz::empty(&[usize::MAX, 2], None), ErrorKind::Value, "empty");
}
