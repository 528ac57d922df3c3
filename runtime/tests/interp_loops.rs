//! The interpreter's loop nest: ranks 0..4, strided / broadcast / negative-stride operands, reductions
//! with epilogues and several outputs, empty axes, and calls on sub-ranges of dimension 0 — against plain
//! Rust loops over the raw data.

mod common;
use common::*;
use lazulite_ir::{BinaryOp, DType, ErrorKind, Inst, Kernel, ReduceOp, Scalar};
use lazulite_runtime::KernelArgs;

/// A random layout (`random_strides`) over `shape` with quarter-integer values: (physical values,
/// offset, strides).
fn random_layout(rng: &mut Rng, shape: &[usize]) -> (Vec<f64>, isize, Vec<isize>) {
    let (n, offset, strides) = random_strides(rng, shape);
    let vals = (0..n).map(|_| (rng.f() * 8.0).round() / 4.0).collect();
    (vals, offset, strides)
}

fn read(vals: &[f64], offset: isize, strides: &[isize], idx: &[usize]) -> f64 {
    let e = offset
        + idx
            .iter()
            .zip(strides)
            .map(|(&i, &s)| i as isize * s)
            .sum::<isize>();
    vals[e as usize]
}

fn all_indices(shape: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![vec![]];
    for &n in shape {
        out = out
            .into_iter()
            .flat_map(|p| {
                (0..n).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    out
}

fn f64_array(vals: &[f64]) -> lazulite_runtime::ArrayData {
    let s: Vec<Scalar> = vals.iter().map(|&v| Scalar::Float(v)).collect();
    array(&s, DType::F64, &[vals.len()])
}

fn random_shape(rng: &mut Rng, rank: usize) -> Vec<usize> {
    (0..rank).map(|_| 1 + rng.below(5)).collect()
}

#[test]
fn fused_chain_over_random_layouts_ranks_0_to_4() {
    let d = DType::F64;
    // out = (a * b + c, a - c as f32)
    let kernel = |ndim: u32, inner: [isize; 3]| Kernel {
        ndim,
        n_reduce: 0,
        inputs: vec![input(d, inner[0]), input(d, inner[1]), input(d, inner[2])],
        body: vec![
            ins(Inst::Load { input: 0 }, d),
            ins(Inst::Load { input: 1 }, d),
            ins(Inst::Load { input: 2 }, d),
            ins(Inst::Binary(BinaryOp::Mul, 0, 1), d),
            ins(Inst::Binary(BinaryOp::Add, 3, 2), d),
            ins(Inst::Binary(BinaryOp::Sub, 0, 2), d),
            ins(Inst::Cast(5), DType::F32),
        ],
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![output(4, d), output(6, DType::F32)],
    };
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for trial in 0..200 {
        let rank = trial % 5;
        let mut shape = random_shape(&mut rng, rank);
        if trial % 7 == 3 && rank > 0 {
            shape[rank - 1] = 600 + rng.below(700); // longer than a tile
        }
        let ops: Vec<_> = (0..3).map(|_| random_layout(&mut rng, &shape)).collect();
        let inner: Vec<isize> = ops
            .iter()
            .map(|o| o.2.last().copied().unwrap_or(0))
            .collect();
        let inputs: Vec<In> = ops
            .iter()
            .map(|(v, off, st)| In {
                data: f64_array(v),
                offset: *off,
                strides: st.clone(),
            })
            .collect();
        let got = run(
            kernel(rank as u32, [inner[0], inner[1], inner[2]]),
            &shape,
            &inputs,
        );
        let mut want0 = Vec::new();
        let mut want1 = Vec::new();
        for idx in all_indices(&shape) {
            let x: Vec<f64> = ops.iter().map(|(v, o, s)| read(v, *o, s, &idx)).collect();
            want0.push(Scalar::Float(x[0] * x[1] + x[2]));
            want1.push(Scalar::Float((x[0] - x[2]) as f32 as f64));
        }
        assert_same(&got[0], &want0, &format!("trial {trial} shape {shape:?}"));
        assert_same(
            &got[1],
            &want1,
            &format!("trial {trial} shape {shape:?} (f32)"),
        );
    }
}

#[test]
fn reductions_with_epilogue_and_several_outputs() {
    let d = DType::F64;
    let mut rng = Rng(12345);
    for trial in 0..150 {
        let rank = 1 + trial % 4;
        let n_reduce = 1 + rng.below(rank);
        let mut shape = random_shape(&mut rng, rank);
        if trial % 5 == 0 {
            shape[rank - 1] = 700 + rng.below(400); // a reduced run longer than a tile
        }
        let n_outer = rank - n_reduce;
        let count: usize = shape[n_outer..].iter().product();
        let x = random_layout(&mut rng, &shape);
        let y = random_layout(&mut rng, &shape);
        // z varies only along outer axes (broadcast along the reduced ones)
        let mut z = random_layout(&mut rng, &shape);
        for s in &mut z.2[n_outer..] {
            *s = 0;
        }
        // body: x*y; reduce sum(x*y), max(x), min(y); epilogue: sum / count + load z (outer), max, min
        let k = Kernel {
            ndim: rank as u32,
            n_reduce: n_reduce as u32,
            inputs: vec![
                input(d, x.2[rank - 1]),
                input(d, y.2[rank - 1]),
                input(d, z.2[rank - 1]),
            ],
            body: vec![
                ins(Inst::Load { input: 0 }, d),
                ins(Inst::Load { input: 1 }, d),
                ins(Inst::Binary(BinaryOp::Mul, 0, 1), d),
            ],
            reduces: vec![
                reduce(ReduceOp::Sum, 2),
                reduce(ReduceOp::Max, 0),
                reduce(ReduceOp::Min, 1),
            ],
            epilogue: vec![
                ins(Inst::Reduced(0), d),
                ins(Inst::Const(Scalar::Float(count as f64)), d),
                ins(Inst::Binary(BinaryOp::Div, 0, 1), d),
                ins(Inst::Load { input: 2 }, d),
                ins(Inst::Binary(BinaryOp::Add, 2, 3), d),
                ins(Inst::Reduced(1), d),
                ins(Inst::Reduced(2), d),
            ],
            outputs: vec![output(4, d), output(5, d), output(6, d)],
        };
        let inputs: Vec<In> = [&x, &y, &z]
            .iter()
            .map(|(v, off, st)| In {
                data: f64_array(v),
                offset: *off,
                strides: st.clone(),
            })
            .collect();
        let got = run(k, &shape, &inputs);
        let (mut w0, mut w1, mut w2) = (vec![], vec![], vec![]);
        for o in all_indices(&shape[..n_outer]) {
            let (mut s, mut mx, mut mn) = (0.0f64, f64::NAN, f64::NAN);
            for (j, r) in all_indices(&shape[n_outer..]).into_iter().enumerate() {
                let idx: Vec<usize> = o.iter().chain(&r).copied().collect();
                let (a, b) = (read(&x.0, x.1, &x.2, &idx), read(&y.0, y.1, &y.2, &idx));
                s += a * b;
                mx = if j == 0 { a } else { mx.max(a) };
                mn = if j == 0 { b } else { mn.min(b) };
            }
            let mut zi = o.clone();
            zi.resize(rank, 0);
            w0.push(Scalar::Float(s / count as f64 + read(&z.0, z.1, &z.2, &zi)));
            w1.push(Scalar::Float(mx));
            w2.push(Scalar::Float(mn));
        }
        let what = format!("trial {trial} shape {shape:?} n_reduce {n_reduce}");
        assert_same(&got[0], &w0, &what);
        // max/min of values that hold no signed zeros or NaNs: f64::max/min agree with semantics
        let fix = |v: &[Scalar]| -> Vec<Scalar> {
            v.iter().map(|s| Scalar::Float(s.as_f64() + 0.0)).collect()
        };
        assert_same(&fix(&got[1]), &fix(&w1), &what);
        assert_same(&fix(&got[2]), &fix(&w2), &what);
    }
}

#[test]
fn integer_and_bool_reductions_wrap_and_start_right() {
    let cases: Vec<(ReduceOp, DType)> = vec![
        (ReduceOp::Sum, DType::I8),
        (ReduceOp::Sum, DType::U64),
        (ReduceOp::Prod, DType::U16),
        (ReduceOp::Prod, DType::I32),
        (ReduceOp::Min, DType::I16),
        (ReduceOp::Max, DType::U8),
        (ReduceOp::Min, DType::F32),
        (ReduceOp::Sum, DType::F32),
        (ReduceOp::Any, DType::Bool),
        (ReduceOp::All, DType::Bool),
        (ReduceOp::Sum, DType::C64),
        (ReduceOp::Prod, DType::C128),
    ];
    let mut rng = Rng(777);
    for (op, d) in cases {
        let (rows, cols) = (3usize, 1000usize);
        let vals: Vec<Scalar> = (0..rows * cols)
            .map(|i| match d {
                DType::Bool => Scalar::Bool(rng.below(if i < cols { 2000 } else { 2 }) != 0),
                d if d.is_complex() => Scalar::Complex(rng.f() + 0.5, rng.f() * 0.1),
                d if d.is_float() => Scalar::Float(rng.f() * 100.0),
                _ => Scalar::Int(rng.below(600) as i64 - 300),
            })
            .map(|v| v.cast(d))
            .collect();
        let a = array(&vals, d, &[rows, cols]);
        let k = Kernel {
            ndim: 2,
            n_reduce: 1,
            inputs: vec![input(d, 1)],
            body: vec![ins(Inst::Load { input: 0 }, d)],
            reduces: vec![reduce(op, 0)],
            epilogue: vec![ins(Inst::Reduced(0), d)],
            outputs: vec![output(0, d)],
        };
        let got = run(k, &[rows, cols], &[contiguous_in(a)]);
        for r in 0..rows {
            let row = &vals[r * cols..(r + 1) * cols];
            let mut acc = op.identity(d).unwrap_or(row[0]);
            let start = if op.identity(d).is_some() { 0 } else { 1 };
            for &v in &row[start..] {
                acc = combine_oracle(op, d, acc, v);
            }
            assert_eq!(got[0][r], acc, "{} over {d}, row {r}", op.name());
        }
    }
}

/// One step of a reduction on scalars, from `semantics` (complex by the textbook formulas).
fn combine_oracle(op: ReduceOp, d: DType, a: Scalar, b: Scalar) -> Scalar {
    if d.is_complex() {
        let ((ar, ai), (br, bi)) = (a.as_complex(), b.as_complex());
        return match op {
            ReduceOp::Sum => Scalar::Complex(ar + br, ai + bi),
            _ => Scalar::Complex(ar * br - ai * bi, ar * bi + ai * br),
        }
        .cast(d);
    }
    oracle_binary(op.combiner(), d, a, b)
}

#[test]
fn nan_propagates_through_min_and_max() {
    for d in [DType::F32, DType::F64] {
        for op in [ReduceOp::Min, ReduceOp::Max] {
            for nan_at in [0usize, 5, 999] {
                let vals: Vec<Scalar> = (0..1000)
                    .map(|i| Scalar::Float(if i == nan_at { f64::NAN } else { i as f64 }))
                    .collect();
                let a = array(&vals, d, &[1000]);
                let k = Kernel {
                    ndim: 1,
                    n_reduce: 1,
                    inputs: vec![input(d, 1)],
                    body: vec![ins(Inst::Load { input: 0 }, d)],
                    reduces: vec![reduce(op, 0)],
                    epilogue: vec![ins(Inst::Reduced(0), d)],
                    outputs: vec![output(0, d)],
                };
                let got = run(k, &[1000], &[contiguous_in(a)]);
                assert!(
                    got[0][0].as_f64().is_nan(),
                    "{} {d} NaN at {nan_at}",
                    op.name()
                );
            }
        }
    }
}

#[test]
fn empty_reductions_give_identities_and_min_errors() {
    let d = DType::I32;
    let a = array(&[], d, &[3, 0]);
    for op in [ReduceOp::Sum, ReduceOp::Prod] {
        let k = Kernel {
            ndim: 2,
            n_reduce: 1,
            inputs: vec![input(d, 1)],
            body: vec![ins(Inst::Load { input: 0 }, d)],
            reduces: vec![reduce(op, 0)],
            epilogue: vec![ins(Inst::Reduced(0), d)],
            outputs: vec![output(0, d)],
        };
        let got = run(
            k,
            &[3, 0],
            &[In {
                data: a.clone(),
                offset: 0,
                strides: vec![0, 1],
            }],
        );
        assert_eq!(got[0], vec![op.identity(d).unwrap(); 3], "{}", op.name());
    }
    let k = Kernel {
        ndim: 2,
        n_reduce: 1,
        inputs: vec![input(d, 1)],
        body: vec![ins(Inst::Load { input: 0 }, d)],
        reduces: vec![reduce(ReduceOp::Min, 0)],
        epilogue: vec![ins(Inst::Reduced(0), d)],
        outputs: vec![output(0, d)],
    };
    let (s, data) = one_step(
        k,
        &[3, 0],
        &[In {
            data: a,
            offset: 0,
            strides: vec![0, 1],
        }],
    );
    interpret_only();
    let e = lazulite_runtime::execute(&s, &data).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Value);
    assert!(e.message.contains("min"), "{}", e.message);
}

/// Calls `interpret` directly on sub-ranges: elementwise over rows, and a reduction over dimension 0
/// whose partial results the caller combines.
#[test]
fn sub_ranges_of_dimension_zero() {
    let (n, m) = (37usize, 11usize);
    let x: Vec<f64> = (0..n * m).map(|i| (i % 17) as f64 - 8.0).collect();
    let mut out = vec![0.0f64; n * m];
    let k = unary_kernel(lazulite_ir::UnaryOp::Square, DType::F64, 2, 1);
    let shape = [n as i64, m as i64];
    let in_ptrs = [x.as_ptr() as *const u8];
    let in_strides = [m as i64, 1];
    let out_ptrs = [out.as_mut_ptr() as *mut u8];
    let out_strides = [m as i64, 1];
    let args = KernelArgs {
        shape: shape.as_ptr(),
        inputs: in_ptrs.as_ptr(),
        in_strides: in_strides.as_ptr(),
        outputs: out_ptrs.as_ptr(),
        out_strides: out_strides.as_ptr(),
    };
    for (s, e) in [(0, 5), (5, 6), (6, 30), (30, 37)] {
        lazulite_runtime::interpret(&k, &args, s, e).unwrap();
    }
    let want: Vec<f64> = x.iter().map(|v| v * v).collect();
    assert_eq!(out, want);
    assert_eq!(
        lazulite_runtime::interpret(&k, &args, 30, 38)
            .unwrap_err()
            .kind,
        ErrorKind::Internal
    );

    // sum over both dims (no outer dims): partial sums per range, combined by the caller
    let d = DType::F64;
    let ksum = Kernel {
        ndim: 2,
        n_reduce: 2,
        inputs: vec![input(d, 1)],
        body: vec![ins(Inst::Load { input: 0 }, d)],
        reduces: vec![reduce(ReduceOp::Sum, 0)],
        epilogue: vec![ins(Inst::Reduced(0), d)],
        outputs: vec![output(0, d)],
    };
    let mut total = 0.0;
    for (s, e) in [(0i64, 10i64), (10, 37)] {
        let mut part = [0.0f64];
        let outs = [part.as_mut_ptr() as *mut u8];
        let a = KernelArgs {
            outputs: outs.as_ptr(),
            out_strides: std::ptr::null(),
            ..args
        };
        lazulite_runtime::interpret(&ksum, &a, s, e).unwrap();
        let want: f64 = x[s as usize * m..e as usize * m].iter().sum();
        assert_eq!(part[0], want, "partial [{s}, {e})");
        total += part[0];
    }
    assert_eq!(total, x.iter().sum::<f64>());
}

#[test]
fn rank_zero_kernels() {
    let d = DType::I64;
    let a = array(&[Scalar::Int(-9)], d, &[]);
    let k = unary_kernel(lazulite_ir::UnaryOp::Abs, d, 0, 0);
    let got = run(
        k,
        &[],
        &[In {
            data: a,
            offset: 0,
            strides: vec![],
        }],
    );
    assert_eq!(got[0], vec![Scalar::Int(9)]);
}
