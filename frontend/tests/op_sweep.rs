//! Every unary and binary op on every real and bool dtype it accepts, through the frontend (promotion,
//! broadcasting, weak scalars) and the runtime, against `lazulite_ir::semantics` per element.

use lazulite_frontend::{
    self as lz, ArrayData, BinaryOp, DType, LazyArray, Operand, Scalar, UnaryOp,
};
use lazulite_ir::semantics as sem;
use DType::*;

const DTYPES: [DType; 8] = [Bool, I8, U8, I32, I64, U64, F32, F64];

fn values(d: DType) -> Vec<Scalar> {
    match d {
        Bool => vec![Scalar::Bool(false), Scalar::Bool(true)],
        d if d.is_integer() => [-128i64, -7, -1, 0, 1, 2, 3, 7, 100]
            .iter()
            .map(|&v| Scalar::Int(v).cast(d))
            .collect(),
        _ => [
            -2.5f64,
            -1.0,
            -0.0,
            0.0,
            0.5,
            1.0,
            3.0,
            f64::INFINITY,
            f64::NAN,
        ]
        .iter()
        .map(|&v| Scalar::Float(v).cast(d))
        .collect(),
    }
}

fn array(vals: &[Scalar], d: DType, shape: &[usize]) -> LazyArray {
    let bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_bytes(d)).collect();
    lz::from_bytes(&bytes, d, shape).unwrap()
}

fn elements(d: &ArrayData) -> Vec<Scalar> {
    let size = d.dtype.size();
    d.to_contiguous_bytes()
        .chunks(size)
        .map(|c| Scalar::from_bytes(d.dtype, c))
        .collect()
}

fn round_to(d: DType, v: f64) -> Scalar {
    Scalar::Float(v).cast(d)
}

fn unary_oracle(op: UnaryOp, d: DType, x: Scalar) -> Scalar {
    let out = op.result_dtype(d).unwrap();
    match d {
        Bool => Scalar::Bool(sem::bool_unary(op, matches!(x, Scalar::Bool(true)))),
        d if d.is_integer() => match op {
            UnaryOp::IsNan | UnaryOp::IsInf => Scalar::Bool(false),
            UnaryOp::IsFinite => Scalar::Bool(true),
            _ => {
                let v = sem::int_unary(op, x.as_i128().unwrap(), d);
                Scalar::Int(v as i64).cast(out)
            }
        },
        _ if out == Bool => Scalar::Bool(sem::float_predicate(op, x.as_f64())),
        _ => round_to(out, sem::float_unary(op, x.as_f64())),
    }
}

fn binary_oracle(op: BinaryOp, d: DType, a: Scalar, b: Scalar) -> Scalar {
    let (a, b) = (a.cast(d), b.cast(d));
    let out = op.result_dtype_promoted(d).unwrap();
    match d {
        Bool => Scalar::Bool(sem::bool_binary(
            op,
            matches!(a, Scalar::Bool(true)),
            matches!(b, Scalar::Bool(true)),
        )),
        d if d.is_integer() => {
            let (x, y) = (a.as_i128().unwrap(), b.as_i128().unwrap());
            if op.is_comparison() {
                Scalar::Bool(sem::compare(op, x, y))
            } else {
                let v = sem::int_binary(op, x, y, d);
                if d.is_unsigned_int() {
                    Scalar::UInt(v as u64)
                } else {
                    Scalar::Int(v as i64)
                }
            }
        }
        _ if op.is_comparison() => Scalar::Bool(sem::compare(op, a.as_f64(), b.as_f64())),
        _ => round_to(out, sem::float_binary(op, a.as_f64(), b.as_f64(), d)),
    }
}

#[track_caller]
fn agree(what: &str, got: Scalar, want: Scalar, d: DType) {
    let ok = match (got, want) {
        (Scalar::Float(g), Scalar::Float(w)) => {
            let tol = if d == F32 { 2e-6 } else { 1e-13 };
            (g.is_nan() && w.is_nan())
                || g == w
                || (g - w).abs() <= tol * w.abs().max(f64::MIN_POSITIVE)
        }
        _ => got == want,
    };
    assert!(ok, "{what}: got {got:?}, want {want:?}");
}

#[test]
fn every_unary_op() {
    for &op in UnaryOp::ALL {
        for d in DTYPES {
            if op.result_dtype(d).is_err() {
                continue;
            }
            let vals = values(d);
            let x = array(&vals, d, &[vals.len()]);
            let y = lz::unary(op, &x).unwrap();
            let got = elements(
                &y.compute()
                    .unwrap_or_else(|e| panic!("{} {d}: {}", op.name(), e.message)),
            );
            for (v, g) in vals.iter().zip(got) {
                let what = format!("{}({v:?}) as {d}", op.name());
                agree(&what, g, unary_oracle(op, d, *v), d);
            }
        }
    }
}

#[test]
fn every_binary_op_same_dtype_broadcast() {
    for &op in BinaryOp::ALL {
        for d in DTYPES {
            if op.result_dtype_promoted(d).is_err() {
                continue;
            }
            let vals = values(d);
            let n = vals.len();
            let a = array(&vals, d, &[n, 1]);
            let b = array(&vals, d, &[n]);
            let y = lz::binary(op, Operand::Array(&a), Operand::Array(&b)).unwrap();
            let got = elements(
                &y.compute()
                    .unwrap_or_else(|e| panic!("{} {d}: {}", op.name(), e.message)),
            );
            for i in 0..n {
                for j in 0..n {
                    let what = format!("{}({:?}, {:?}) as {d}", op.name(), vals[i], vals[j]);
                    agree(
                        &what,
                        got[i * n + j],
                        binary_oracle(op, d, vals[i], vals[j]),
                        d,
                    );
                }
            }
        }
    }
}

#[test]
fn mixed_dtypes_and_weak_scalars() {
    let pairs = [(I8, U8), (U8, I32), (I32, I64), (F32, F64), (U8, U64)];
    for &op in [
        BinaryOp::Add,
        BinaryOp::Mul,
        BinaryOp::Sub,
        BinaryOp::Lt,
        BinaryOp::Maximum,
    ]
    .iter()
    {
        for (da, db) in pairs {
            let d = lazulite_ir::promote("t", da, db).unwrap();
            let (va, vb) = (values(da), values(db));
            let a = array(&va, da, &[va.len(), 1]);
            let b = array(&vb, db, &[vb.len()]);
            let y = lz::binary(op, Operand::Array(&a), Operand::Array(&b)).unwrap();
            let got = elements(&y.compute().unwrap());
            for (i, x) in va.iter().enumerate() {
                for (j, z) in vb.iter().enumerate() {
                    let what = format!("{}({x:?}: {da}, {z:?}: {db})", op.name());
                    agree(
                        &what,
                        got[i * vb.len() + j],
                        binary_oracle(op, d, *x, *z),
                        d,
                    );
                }
            }
        }
        for d in [I8, U8, I64, F32, F64] {
            let va = values(d);
            let a = array(&va, d, &[va.len()]);
            let s = Scalar::Int(3);
            let left = lz::binary(op, Operand::Scalar(s), Operand::Array(&a)).unwrap();
            let right = lz::binary(op, Operand::Array(&a), Operand::Scalar(s)).unwrap();
            let out = lz::compute_many(&[&left, &right]).unwrap();
            let (gl, gr) = (elements(&out[0]), elements(&out[1]));
            for (k, x) in va.iter().enumerate() {
                agree(
                    &format!("{}(3, {x:?}) {d}", op.name()),
                    gl[k],
                    binary_oracle(op, d, s, *x),
                    d,
                );
                agree(
                    &format!("{}({x:?}, 3) {d}", op.name()),
                    gr[k],
                    binary_oracle(op, d, *x, s),
                    d,
                );
            }
        }
    }
}
