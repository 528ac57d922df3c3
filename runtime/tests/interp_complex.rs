//! Complex ops in the interpreter against an independent oracle: `num-complex`'s textbook formulas on
//! values away from branch cuts and overflow, plus exact identities (`conj`, `real`, `imag`, casts,
//! reductions).

mod common;

use common::*;
use lazulite_ir::{BinaryOp, DType, Inst, Kernel, ReduceOp, Scalar, UnaryOp};
use num_complex::Complex64 as Nc;

/// Values in the box [-2.5, 2.5]^2, at least 0.2 away from the real and imaginary axes (the branch
/// cuts of every function lie on them) and from the unit circle's crossing points.
fn points(n: usize, seed: u64) -> Vec<[f64; 2]> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let (re, im) = (2.5 * rng.f(), 2.5 * rng.f());
        if re.abs() > 0.2 && im.abs() > 0.2 {
            out.push([re, im]);
        }
    }
    out
}

fn oracle_unary(op: UnaryOp, z: Nc) -> Option<Nc> {
    use UnaryOp::*;
    let one = Nc::new(1.0, 0.0);
    Some(match op {
        Neg => -z,
        Positive => z,
        Conj => z.conj(),
        Sqrt => z.sqrt(),
        Square => z * z,
        Reciprocal => one / z,
        Exp => z.exp(),
        Expm1 => z.exp() - one,
        Log => z.ln(),
        Log1p => (one + z).ln(),
        Log2 => z.ln() / std::f64::consts::LN_2,
        Log10 => z.ln() / std::f64::consts::LN_10,
        Sin => z.sin(),
        Cos => z.cos(),
        Tan => z.tan(),
        Asin => z.asin(),
        Acos => z.acos(),
        Atan => z.atan(),
        Sinh => z.sinh(),
        Cosh => z.cosh(),
        Tanh => z.tanh(),
        Asinh => z.asinh(),
        Acosh => z.acosh(),
        Atanh => z.atanh(),
        Sign => z / z.norm(),
        Round => Nc::new(z.re.round_ties_even(), z.im.round_ties_even()),
        _ => return None,
    })
}

fn close(got: [f64; 2], want: Nc, tol: f64) -> bool {
    let scale = want.norm().max(1.0);
    (got[0] - want.re).abs() <= tol * scale && (got[1] - want.im).abs() <= tol * scale
}

/// `op(a[i], b[j])` for every `i, j` (row-major), through `binary_kernel`.
fn outer(op: BinaryOp, d: DType, a: &[[f64; 2]], b: &[[f64; 2]]) -> Vec<Scalar> {
    let ins = [
        In {
            data: complex_array(a, d),
            offset: 0,
            strides: vec![1, 0],
        },
        In {
            data: complex_array(b, d),
            offset: 0,
            strides: vec![0, 1],
        },
    ];
    run(binary_kernel(op, d), &[a.len(), b.len()], &ins).remove(0)
}

fn complex_array(zs: &[[f64; 2]], d: DType) -> lazulite_runtime::ArrayData {
    let vals: Vec<Scalar> = zs.iter().map(|z| Scalar::Complex(z[0], z[1])).collect();
    array(&vals, d, &[zs.len()])
}

#[test]
fn unary_ops_match_num_complex() {
    let zs = points(300, 0x1234_5678);
    let mut tested = 0;
    for d in [DType::C128, DType::C64] {
        let tol = if d == DType::C64 { 2e-6 } else { 1e-13 };
        // inputs as stored in d
        let stored: Vec<[f64; 2]> = zs
            .iter()
            .map(|z| {
                let (r, i) = Scalar::Complex(z[0], z[1]).cast(d).as_complex();
                [r, i]
            })
            .collect();
        for &op in UnaryOp::ALL {
            if !op.accepts().allows(d) || op.result_dtype(d).unwrap() != d {
                continue;
            }
            let Some(_) = oracle_unary(op, Nc::new(1.0, 1.0)) else {
                continue;
            };
            let got = run(
                unary_kernel(op, d, 1, 1),
                &[zs.len()],
                &[contiguous_in(complex_array(&zs, d))],
            );
            for (k, z) in stored.iter().enumerate() {
                let want = oracle_unary(op, Nc::new(z[0], z[1])).unwrap();
                let (r, i) = got[0][k].as_complex();
                assert!(
                    close([r, i], want, tol),
                    "{}({z:?}) [{d}]: got {r}+{i}i, want {want}",
                    op.name()
                );
                tested += 1;
            }
        }
    }
    assert!(tested > 10_000, "{tested}");
}

#[test]
fn abs_real_imag_and_predicates() {
    let mut zs = points(50, 99);
    zs.extend([
        [f64::INFINITY, f64::NAN],
        [f64::NAN, 1.0],
        [0.0, -0.0],
        [3.0, 4.0],
    ]);
    for d in [DType::C128, DType::C64] {
        let rd = d.real_part();
        let data = complex_array(&zs, d);
        for op in [UnaryOp::Abs, UnaryOp::Real, UnaryOp::Imag] {
            let got = run(
                unary_kernel(op, d, 1, 1),
                &[zs.len()],
                &[contiguous_in(data.clone())],
            );
            for (k, z) in zs.iter().enumerate() {
                let (r, i) = Scalar::Complex(z[0], z[1]).cast(d).as_complex();
                let want = match op {
                    UnaryOp::Abs => Nc::new(r, i).norm(),
                    UnaryOp::Real => r,
                    _ => i,
                };
                let want = Scalar::Float(want).cast(rd);
                let ok = match (got[0][k], want) {
                    (Scalar::Float(g), Scalar::Float(w)) => (g.is_nan() && w.is_nan()) || g == w,
                    _ => false,
                };
                assert!(
                    ok,
                    "{}({z:?}) [{d}]: {:?} vs {want:?}",
                    op.name(),
                    got[0][k]
                );
            }
        }
        for (op, f) in [
            (
                UnaryOp::IsNan,
                (|z: [f64; 2]| z[0].is_nan() || z[1].is_nan()) as fn([f64; 2]) -> bool,
            ),
            (UnaryOp::IsInf, |z| z[0].is_infinite() || z[1].is_infinite()),
            (UnaryOp::IsFinite, |z| z[0].is_finite() && z[1].is_finite()),
        ] {
            let got = run(
                unary_kernel(op, d, 1, 1),
                &[zs.len()],
                &[contiguous_in(data.clone())],
            );
            let want: Vec<Scalar> = zs.iter().map(|&z| Scalar::Bool(f(z))).collect();
            assert_same(&got[0], &want, op.name());
        }
    }
}

#[test]
fn binary_ops_match_num_complex() {
    let a = points(24, 7);
    let b = points(24, 11);
    for d in [DType::C128, DType::C64] {
        let tol = if d == DType::C64 { 4e-6 } else { 1e-13 };
        let st = |z: &[f64; 2]| {
            let (r, i) = Scalar::Complex(z[0], z[1]).cast(d).as_complex();
            Nc::new(r, i)
        };
        for op in [
            BinaryOp::Add,
            BinaryOp::Sub,
            BinaryOp::Mul,
            BinaryOp::Div,
            BinaryOp::Pow,
        ] {
            // binary_kernel: out[i][j] = op(a[i], b[j])
            let got = outer(op, d, &a, &b);
            for (i, x) in a.iter().enumerate() {
                for (j, y) in b.iter().enumerate() {
                    let (x, y) = (st(x), st(y));
                    let want = match op {
                        BinaryOp::Add => x + y,
                        BinaryOp::Sub => x - y,
                        BinaryOp::Mul => x * y,
                        BinaryOp::Div => x / y,
                        _ => x.powc(y),
                    };
                    let (r, im) = got[i * b.len() + j].as_complex();
                    assert!(
                        close([r, im], want, tol),
                        "{}({x}, {y}) [{d}]: got {r}+{im}i, want {want}",
                        op.name()
                    );
                }
            }
        }
        for op in [BinaryOp::Eq, BinaryOp::Ne] {
            let got = outer(op, d, &a, &a);
            for i in 0..a.len() {
                for j in 0..a.len() {
                    let eq = st(&a[i]) == st(&a[j]);
                    let want = if op == BinaryOp::Eq { eq } else { !eq };
                    assert_eq!(got[i * a.len() + j], Scalar::Bool(want));
                }
            }
        }
    }
}

/// Small integer powers are exact (repeated multiplication), as for `x * x`.
#[test]
fn integer_powers_are_exact() {
    let base = [[1.0, 1.0], [0.5, -2.0], [3.0, 0.25]];
    let exps = [[2.0, 0.0], [3.0, 0.0], [0.0, 0.0], [-1.0, 0.0]];
    let got = outer(BinaryOp::Pow, DType::C128, &base, &exps);
    for (i, z) in base.iter().enumerate() {
        let z = Nc::new(z[0], z[1]);
        let wants = [z * z, z * z * z, Nc::new(1.0, 0.0), Nc::new(1.0, 0.0) / z];
        for (j, w) in wants.iter().enumerate() {
            assert_eq!(
                got[i * 4 + j],
                Scalar::Complex(w.re, w.im),
                "{z}^{exps:?}[{j}]"
            );
        }
    }
}

#[test]
fn casts_between_complex_and_every_dtype() {
    let zs = [[1.5, -2.0], [-3.25, 0.5], [0.0, 1.0]];
    for d in [DType::C64, DType::C128] {
        for to in DType::ALL {
            let k = Kernel {
                ndim: 1,
                n_reduce: 0,
                inputs: vec![input(d, 1)],
                body: vec![ins(Inst::Load { input: 0 }, d), ins(Inst::Cast(0), to)],
                reduces: vec![],
                epilogue: vec![],
                outputs: vec![output(1, to)],
            };
            let got = run(k, &[3], &[contiguous_in(complex_array(&zs, d))]);
            // the kernel cast follows Scalar::cast: the real part for real targets, != 0 for bool
            let want: Vec<Scalar> = zs
                .iter()
                .map(|z| Scalar::Complex(z[0], z[1]).cast(d).cast(to))
                .collect();
            assert_same(&got[0], &want, &format!("{d} -> {to}"));
            // and back: every real dtype casts to complex with a zero imaginary part
            if to.is_complex() {
                continue;
            }
            let back = Kernel {
                ndim: 1,
                n_reduce: 0,
                inputs: vec![input(to, 1)],
                body: vec![ins(Inst::Load { input: 0 }, to), ins(Inst::Cast(0), d)],
                reduces: vec![],
                epilogue: vec![],
                outputs: vec![output(1, d)],
            };
            let src = array(&want, to, &[3]);
            let got = run(back, &[3], &[contiguous_in(src)]);
            for (g, w) in got[0].iter().zip(&want) {
                let re = match *w {
                    Scalar::Bool(b) => b as u8 as f64,
                    s => s.as_f64(),
                };
                assert_eq!(*g, Scalar::Complex(re, 0.0).cast(d), "{to} -> {d}");
            }
        }
    }
}

#[test]
fn sum_and_prod_of_complex() {
    let zs = points(37, 5);
    for d in [DType::C128, DType::C64] {
        let stored: Vec<Nc> = zs
            .iter()
            .map(|z| {
                let (r, i) = Scalar::Complex(z[0], z[1]).cast(d).as_complex();
                Nc::new(r, i)
            })
            .collect();
        for op in [ReduceOp::Sum, ReduceOp::Prod] {
            let k = Kernel {
                ndim: 1,
                n_reduce: 1,
                inputs: vec![input(d, 1)],
                body: vec![ins(Inst::Load { input: 0 }, d)],
                reduces: vec![reduce(op, 0)],
                epilogue: vec![ins(Inst::Reduced(0), d)],
                outputs: vec![output(0, d)],
            };
            let got = run(k, &[zs.len()], &[contiguous_in(complex_array(&zs, d))]);
            let want = match op {
                ReduceOp::Sum => stored.iter().sum::<Nc>(),
                _ => stored.iter().product::<Nc>(),
            };
            let (r, i) = got[0][0].as_complex();
            let tol = if d == DType::C64 { 1e-5 } else { 1e-12 };
            assert!(
                close([r, i], want, tol),
                "{} [{d}]: {r}+{i}i vs {want}",
                op.name()
            );
        }
    }
}
