//! Complex arrays end to end through the frontend: creation, weak complex scalars, dtype rules of
//! `abs`/`real`/`imag`/`astype`, elementwise math against `lazulite_ir::semantics_complex`, reductions
//! and `mean`.

use lazulite_frontend::{
    self as lz, ArrayData, BinaryOp, Complex128, Complex64, DType, ErrorKind, LazyArray, Operand,
    Scalar, UnaryOp,
};
use lazulite_ir::semantics_complex as cs;

fn values(d: &ArrayData) -> Vec<Scalar> {
    let size = d.dtype.size();
    d.to_contiguous_bytes()
        .chunks(size)
        .map(|c| Scalar::from_bytes(d.dtype, c))
        .collect()
}

fn compute(a: &LazyArray) -> Vec<Scalar> {
    let d = a
        .compute()
        .unwrap_or_else(|e| panic!("{:?}: {}", e.kind, e.message));
    assert_eq!((d.dtype, d.shape.as_slice()), (a.dtype(), a.shape()));
    values(&d)
}

const ZS: [(f64, f64); 6] = [
    (1.5, -2.0),
    (-0.25, 0.5),
    (3.0, 4.0),
    (0.0, -1.0),
    (-2.0, 0.0),
    (0.75, 0.125),
];

fn z128() -> LazyArray {
    lz::from_vec(
        ZS.iter().map(|&(r, i)| Complex128::new(r, i)).collect(),
        &[2, 3],
    )
    .unwrap()
}

fn z64() -> LazyArray {
    lz::from_vec(
        ZS.iter()
            .map(|&(r, i)| Complex64::new(r as f32, i as f32))
            .collect(),
        &[2, 3],
    )
    .unwrap()
}

#[test]
fn complex_elements_round_trip() {
    assert_eq!(z128().dtype(), DType::C128);
    assert_eq!(z64().dtype(), DType::C64);
    let want: Vec<Scalar> = ZS.iter().map(|&(r, i)| Scalar::Complex(r, i)).collect();
    assert_eq!(compute(&z128()), want);
    assert_eq!(compute(&z64()), want);
}

#[test]
fn every_complex_unary_op_matches_the_semantics() {
    for x in [z128(), z64()] {
        let d = x.dtype();
        for &op in UnaryOp::ALL {
            let Ok(od) = op.result_dtype(d) else {
                continue;
            };
            let y = lz::unary(op, &x).unwrap();
            assert_eq!(y.dtype(), od, "{}", op.name());
            let got = compute(&y);
            for (k, &(r, i)) in ZS.iter().enumerate() {
                let z = [r, i];
                let want = if od == DType::Bool {
                    Scalar::Bool(cs::complex_predicate(op, z))
                } else if od.is_real_float() {
                    Scalar::Float(cs::complex_to_real(op, z)).cast(od)
                } else {
                    let w = cs::complex_unary_in(op, z, d);
                    Scalar::Complex(w[0], w[1])
                };
                assert_eq!(got[k], want, "{}({r}+{i}j) [{d}]", op.name());
            }
        }
    }
}

#[test]
fn abs_real_imag_return_real_dtypes() {
    for (x, rd) in [(z128(), DType::F64), (z64(), DType::F32)] {
        assert_eq!(lz::abs(&x).unwrap().dtype(), rd);
        assert_eq!(lz::real(&x).unwrap().dtype(), rd);
        assert_eq!(lz::imag(&x).unwrap().dtype(), rd);
    }
    let got = compute(&lz::abs(&z128()).unwrap());
    assert_eq!(got[2], Scalar::Float(5.0));
    // imag of a real array is a TypeError (the standard takes complex only)
    let r = lz::from_vec(vec![1.0f64], &[1]).unwrap();
    assert_eq!(lz::imag(&r).unwrap_err().kind, ErrorKind::Type);
}

#[test]
fn weak_complex_scalars_promote_float_arrays() {
    let x = lz::from_vec(vec![1.0f32, -2.0], &[2]).unwrap();
    let y = lz::binary(
        BinaryOp::Mul,
        Operand::Array(&x),
        Operand::Scalar(Scalar::Complex(0.0, 2.0)),
    )
    .unwrap();
    assert_eq!(y.dtype(), DType::C64);
    assert_eq!(
        compute(&y),
        vec![Scalar::Complex(0.0, 2.0), Scalar::Complex(-0.0, -4.0)]
    );
    let x = lz::from_vec(vec![0.5f64], &[1]).unwrap();
    let y = lz::binary(
        BinaryOp::Add,
        Operand::Scalar(Scalar::Complex(1.0, -1.0)),
        Operand::Array(&x),
    )
    .unwrap();
    assert_eq!(y.dtype(), DType::C128);
    assert_eq!(compute(&y), vec![Scalar::Complex(1.5, -1.0)]);
    // complex scalars do not combine with integer arrays
    let i = lz::from_vec(vec![1i32], &[1]).unwrap();
    let e = lz::binary(
        BinaryOp::Add,
        Operand::Array(&i),
        Operand::Scalar(Scalar::Complex(1.0, 0.0)),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Type);
    // float and int scalars keep a complex array's dtype
    let y = lz::binary(
        BinaryOp::Div,
        Operand::Array(&z64()),
        Operand::Scalar(Scalar::Int(2)),
    )
    .unwrap();
    assert_eq!(y.dtype(), DType::C64);
    assert_eq!(compute(&y)[2], Scalar::Complex(1.5, 2.0));
}

#[test]
fn binary_ops_on_complex_arrays() {
    let a = z128();
    let b = lz::flip(&z128(), None).unwrap();
    let rev: Vec<(f64, f64)> = ZS.iter().rev().copied().collect();
    for op in [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Pow,
        BinaryOp::Eq,
        BinaryOp::Ne,
    ] {
        let y = lz::binary(op, Operand::Array(&a), Operand::Array(&b)).unwrap();
        let got = compute(&y);
        for k in 0..ZS.len() {
            let (x, w) = ([ZS[k].0, ZS[k].1], [rev[k].0, rev[k].1]);
            let want = if op.is_comparison() {
                Scalar::Bool(cs::complex_compare(op, x, w))
            } else {
                let v = cs::complex_binary(op, x, w);
                Scalar::Complex(v[0], v[1])
            };
            assert_eq!(got[k], want, "{} at {k}", op.name());
        }
    }
    // mixed precision promotes to complex128; complex with float promotes to complex
    let m = lz::multiply(&z64(), &lz::from_vec(vec![2.0f64; 6], &[2, 3]).unwrap()).unwrap();
    assert_eq!(m.dtype(), DType::C128);
    assert_eq!(compute(&m)[0], Scalar::Complex(3.0, -4.0));
    // ordering comparisons and maximum are TypeErrors for complex
    assert_eq!(lz::less(&a, &a).unwrap_err().kind, ErrorKind::Type);
    assert_eq!(lz::maximum(&a, &a).unwrap_err().kind, ErrorKind::Type);
}

#[test]
fn full_and_astype() {
    let f = lz::full(&[2], Scalar::Complex(1.0, -0.5), None).unwrap();
    assert_eq!(f.dtype(), DType::C128);
    assert_eq!(compute(&f), vec![Scalar::Complex(1.0, -0.5); 2]);
    let f = lz::full(&[1], Scalar::Complex(1.0, 2.0), Some(DType::C64)).unwrap();
    assert_eq!(compute(&f), vec![Scalar::Complex(1.0, 2.0)]);
    assert_eq!(
        lz::full(&[1], Scalar::Complex(1.0, 2.0), Some(DType::F64))
            .unwrap_err()
            .kind,
        ErrorKind::Type
    );
    // complex -> real raises like array_api_strict; real -> complex and complex -> complex work
    for to in [DType::F64, DType::F32, DType::I32, DType::Bool] {
        let e = lz::astype(&z128(), to).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type, "{to}");
        assert!(e.message.contains("astype") && e.message.contains("complex128"));
    }
    let c = lz::astype(&z128(), DType::C64).unwrap();
    assert_eq!(compute(&c)[0], Scalar::Complex(1.5, -2.0));
    let r = lz::astype(&lz::from_vec(vec![1i16, -3], &[2]).unwrap(), DType::C128).unwrap();
    assert_eq!(
        compute(&r),
        vec![Scalar::Complex(1.0, 0.0), Scalar::Complex(-3.0, 0.0)]
    );
}

#[test]
fn reductions_and_mean() {
    let x = z128();
    let s = lz::sum(&x, Some(&[1]), false, None).unwrap();
    assert_eq!(s.dtype(), DType::C128);
    let got = compute(&s);
    for row in 0..2 {
        let (mut r, mut i) = (0.0, 0.0);
        for k in 0..3 {
            r += ZS[row * 3 + k].0;
            i += ZS[row * 3 + k].1;
        }
        assert_eq!(got[row], Scalar::Complex(r, i));
    }
    let p = lz::prod(&x, None, false, None).unwrap();
    let mut acc = [1.0, 0.0];
    for &(r, i) in &ZS {
        acc = cs::complex_binary(BinaryOp::Mul, acc, [r, i]);
    }
    assert_eq!(compute(&p), vec![Scalar::Complex(acc[0], acc[1])]);
    let m = lz::mean(&z64(), None, false).unwrap();
    assert_eq!(m.dtype(), DType::C64);
    let (mr, mi) = compute(&m)[0].as_complex();
    let (sr, si) = ZS.iter().fold((0.0, 0.0), |(a, b), &(r, i)| (a + r, b + i));
    assert!(
        (mr - sr / 6.0).abs() < 1e-6 && (mi - si / 6.0).abs() < 1e-6,
        "{mr}+{mi}j"
    );
    // sum of complex into a real dtype is a TypeError; min/max of complex too
    assert_eq!(
        lz::sum(&x, None, false, Some(DType::F64)).unwrap_err().kind,
        ErrorKind::Type
    );
    assert_eq!(lz::max(&x, None, false).unwrap_err().kind, ErrorKind::Type);
    // any / all compare with zero
    let a = lz::all(&x, None, false).unwrap();
    assert_eq!(compute(&a), vec![Scalar::Bool(true)]);
}

#[test]
fn spec_special_values_end_to_end() {
    let inf = f64::INFINITY;
    let x = lz::from_vec(
        vec![
            Complex128::new(-inf, 1.0),
            Complex128::new(0.0, inf),
            Complex128::new(-0.0, 0.0),
        ],
        &[3],
    )
    .unwrap();
    // sqrt: -inf + 1j -> +0 + inf j; a + inf j -> inf + inf j; -0 + 0j -> +0 + 0j
    let got = compute(&lz::sqrt(&x).unwrap());
    assert_eq!(got[0], Scalar::Complex(0.0, inf));
    assert_eq!(got[1], Scalar::Complex(inf, inf));
    assert_eq!(got[2], Scalar::Complex(0.0, 0.0));
    // expm1(-inf + 1j) == -1 + 0 * sin(1) j (NumPy's exp(z) - 1 gives the same here; the table wins
    // where they differ)
    let got = compute(&lz::expm1(&x).unwrap());
    assert_eq!(got[0], Scalar::Complex(-1.0, 0.0));
    // log(-0 + 0j) == -inf + pi j
    let got = compute(&lz::log(&x).unwrap());
    assert_eq!(got[2], Scalar::Complex(-inf, std::f64::consts::PI));
}
