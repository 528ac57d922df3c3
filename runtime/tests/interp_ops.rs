//! The interpreter against an element-by-element oracle (`semantics`, `Scalar::cast`) for every op
//! family and every real dtype.

mod common;
use common::*;
use lazulite_ir::{BinaryOp, DType, Inst, Kernel, Scalar, UnaryOp};

const REAL: [DType; 11] = [
    DType::Bool,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::U8,
    DType::U16,
    DType::U32,
    DType::U64,
    DType::F32,
    DType::F64,
];

#[test]
fn every_unary_op_on_every_real_dtype() {
    let mut checked = 0;
    for d in REAL {
        let vals = sample_values(d);
        let a = array(&vals, d, &[vals.len()]);
        for &op in UnaryOp::ALL {
            if !op.accepts().allows(d) {
                continue;
            }
            let got = run(
                unary_kernel(op, d, 1, 1),
                &[vals.len()],
                &[contiguous_in(a.clone())],
            );
            let want: Vec<Scalar> = vals.iter().map(|&x| oracle_unary(op, d, x)).collect();
            assert_same(&got[0], &want, &format!("{} on {d}", op.name()));
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} op/dtype pairs checked");
}

#[test]
fn every_binary_op_on_every_real_dtype_with_broadcasting() {
    let mut checked = 0;
    for d in REAL {
        let vals = sample_values(d);
        let n = vals.len();
        let a = array(&vals, d, &[n]);
        for &op in BinaryOp::ALL {
            if !op.accepts().allows(d) {
                continue;
            }
            // out[i, j] = op(vals[i], vals[j]): in0 strides [1, 0], in1 strides [0, 1]
            let got = run(
                binary_kernel(op, d),
                &[n, n],
                &[
                    In {
                        data: a.clone(),
                        offset: 0,
                        strides: vec![1, 0],
                    },
                    In {
                        data: a.clone(),
                        offset: 0,
                        strides: vec![0, 1],
                    },
                ],
            );
            let mut want = Vec::new();
            for &x in &vals {
                for &y in &vals {
                    want.push(oracle_binary(op, d, x, y));
                }
            }
            assert_same(&got[0], &want, &format!("{} on {d}", op.name()));
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} op/dtype pairs checked");
}

#[test]
fn casts_between_all_dtypes_follow_scalar_cast() {
    for from in DType::ALL {
        let mut vals = sample_values(from);
        if from.is_complex() {
            vals.push(Scalar::Complex(1.5, -2.0).cast(from));
            vals.push(Scalar::Complex(0.0, 3.0).cast(from));
        }
        let a = array(&vals, from, &[vals.len()]);
        for to in DType::ALL {
            let k = Kernel {
                ndim: 1,
                n_reduce: 0,
                inputs: vec![input(from, 1)],
                body: vec![ins(Inst::Load { input: 0 }, from), ins(Inst::Cast(0), to)],
                reduces: vec![],
                epilogue: vec![],
                outputs: vec![output(1, to)],
            };
            let got = run(k, &[vals.len()], &[contiguous_in(a.clone())]);
            let want: Vec<Scalar> = vals.iter().map(|v| v.cast(to)).collect();
            assert_same(&got[0], &want, &format!("cast {from} -> {to}"));
        }
    }
}

#[test]
fn select_and_constants() {
    // out = x > 0 ? x : 0.5 * x, for i32 -> cast f64 path too
    for d in [DType::F32, DType::F64, DType::I16, DType::U8] {
        let vals = sample_values(d);
        let a = array(&vals, d, &[vals.len()]);
        let k = Kernel {
            ndim: 1,
            n_reduce: 0,
            inputs: vec![input(d, 1)],
            body: vec![
                ins(Inst::Load { input: 0 }, d),
                ins(Inst::Const(Scalar::Int(2).cast(d)), d),
                ins(Inst::Binary(BinaryOp::Gt, 0, 1), DType::Bool),
                ins(Inst::Binary(BinaryOp::Mul, 0, 1), d),
                ins(
                    Inst::Select {
                        cond: 2,
                        a: 0,
                        b: 3,
                    },
                    d,
                ),
            ],
            reduces: vec![],
            epilogue: vec![],
            outputs: vec![output(4, d), output(2, DType::Bool)],
        };
        let got = run(k, &[vals.len()], &[contiguous_in(a)]);
        let two = Scalar::Int(2).cast(d);
        let gt: Vec<Scalar> = vals
            .iter()
            .map(|&x| oracle_binary(BinaryOp::Gt, d, x, two))
            .collect();
        let want: Vec<Scalar> = vals
            .iter()
            .zip(&gt)
            .map(|(&x, c)| {
                if *c == Scalar::Bool(true) {
                    x
                } else {
                    oracle_binary(BinaryOp::Mul, d, x, two)
                }
            })
            .collect();
        assert_same(&got[0], &want, &format!("select on {d}"));
        assert_same(&got[1], &gt, &format!("mask on {d}"));
    }
}

#[test]
fn complex_arithmetic_matches_textbook_formulas() {
    let zs = [(1.5, -2.0), (0.0, 3.0), (-4.0, 0.5), (2.0, 2.0)];
    for d in [DType::C64, DType::C128] {
        let vals: Vec<Scalar> = zs
            .iter()
            .map(|&(r, i)| Scalar::Complex(r, i).cast(d))
            .collect();
        let a = array(&vals, d, &[4]);
        let rd = d.real_part();
        let k = Kernel {
            ndim: 1,
            n_reduce: 0,
            inputs: vec![input(d, 1), input(d, -1)],
            body: vec![
                ins(Inst::Load { input: 0 }, d),
                ins(Inst::Load { input: 1 }, d),
                ins(Inst::Binary(BinaryOp::Mul, 0, 1), d),
                ins(Inst::Binary(BinaryOp::Add, 0, 2), d),
                ins(Inst::Unary(UnaryOp::Abs, 0), rd),
                ins(Inst::Binary(BinaryOp::Eq, 0, 1), DType::Bool),
                ins(Inst::Unary(UnaryOp::Conj, 0), d),
                ins(Inst::Binary(BinaryOp::Div, 0, 1), d),
            ],
            reduces: vec![],
            epilogue: vec![],
            outputs: vec![
                output(3, d),
                output(4, rd),
                output(5, DType::Bool),
                output(6, d),
                output(7, d),
            ],
        };
        // second input: reversed
        let b = In {
            data: a.clone(),
            offset: 3,
            strides: vec![-1],
        };
        let got = run(k, &[4], &[contiguous_in(a.clone()), b]);
        let round = |r: f64, i: f64| Scalar::Complex(r, i).cast(d);
        for j in 0..4 {
            let (ar, ai) = vals[j].as_complex();
            let (br, bi) = vals[3 - j].as_complex();
            let m = round(ar * br - ai * bi, ar * bi + ai * br);
            let (mr, mi) = m.as_complex();
            assert_eq!(got[0][j], round(ar + mr, ai + mi), "{d} a + a*b at {j}");
            assert_eq!(
                got[1][j],
                Scalar::Float(ar.hypot(ai)).cast(rd),
                "{d} abs at {j}"
            );
            assert_eq!(
                got[2][j],
                Scalar::Bool(ar == br && ai == bi),
                "{d} eq at {j}"
            );
            assert_eq!(got[3][j], round(ar, -ai), "{d} conj at {j}");
            let (qr, qi) = got[4][j].as_complex();
            let den = br * br + bi * bi;
            let (er, ei) = ((ar * br + ai * bi) / den, (ai * br - ar * bi) / den);
            let tol = if d == DType::C64 { 1e-6 } else { 1e-14 };
            assert!(
                (qr - er).abs() <= tol * (1.0 + er.abs())
                    && (qi - ei).abs() <= tol * (1.0 + ei.abs()),
                "{d} div at {j}: got {qr}+{qi}i, want {er}+{ei}i"
            );
        }
    }
}

#[test]
fn complex_transcendentals_run_in_the_interpreter() {
    let d = DType::C128;
    let a = array(&[Scalar::Complex(1.0, 0.5)], d, &[1]);
    let k = unary_kernel(UnaryOp::Sin, d, 1, 1);
    interpret_only();
    let (s, data) = one_step(k, &[1], &[contiguous_in(a)]);
    let out = lazulite_runtime::execute(&s, &data).unwrap();
    let (re, im) = out[0].get(&[0]).as_complex();
    // sin(a + bi) == sin(a) cosh(b) + i cos(a) sinh(b)
    let (er, ei) = (1.0f64.sin() * 0.5f64.cosh(), 1.0f64.cos() * 0.5f64.sinh());
    assert!(
        (re - er).abs() < 1e-15 && (im - ei).abs() < 1e-15,
        "{re}+{im}i"
    );
}
