//! Every unary and binary op on every real dtype, vector and scalar loops, against the oracle.

mod common;
use common::*;
use lazulite_codegen_cpu::compile;
use lazulite_ir::*;

const N: i64 = 263; // odd: exercises the vector remainder

#[test]
fn every_unary_op_every_dtype() {
    let mut kernels = 0;
    for &op in UnaryOp::ALL {
        for d in REAL_DTYPES {
            if op.result_dtype(d).is_err() {
                continue;
            }
            for class in [StrideClass::Contiguous, StrideClass::Strided] {
                let k = unary_kernel(op, d, 1, class);
                let mut case = Case::contiguous(&k, &[N]);
                if class == StrideClass::Strided {
                    case.in_strides = vec![vec![-3]];
                    case.out_strides = vec![vec![2]];
                }
                for seed in [0, 1] {
                    case.seed = seed;
                    let (n, lanes) = check_lanes(&k, &case);
                    assert_eq!(n, N as usize);
                    assert_eq!(
                        lanes > 1,
                        class == StrideClass::Contiguous,
                        "{}",
                        k.pretty()
                    );
                }
                kernels += 1;
            }
        }
    }
    assert!(kernels > 150, "only {kernels} unary kernels");
}

#[test]
fn every_binary_op_every_dtype() {
    let mut kernels = 0;
    for &op in BinaryOp::ALL {
        for d in REAL_DTYPES {
            if op.result_dtype_promoted(d).is_err() {
                continue;
            }
            use StrideClass::*;
            for (c0, c1, co) in [
                (Contiguous, Contiguous, Contiguous),
                (Contiguous, Broadcast, Contiguous),
                (Strided, Contiguous, Strided),
            ] {
                let k = binary_kernel(op, d, 1, c0, c1, co);
                let mut case = Case::contiguous(&k, &[N]);
                let st = |c: StrideClass, s: i64| match c {
                    Contiguous => 1,
                    Broadcast => 0,
                    Strided => s,
                };
                case.in_strides = vec![vec![st(c0, -2)], vec![st(c1, 3)]];
                case.out_strides = vec![vec![st(co, 3)]];
                for seed in [0, 3, 5] {
                    case.seed = seed;
                    let (_, lanes) = check_lanes(&k, &case);
                    assert_eq!(lanes > 1, c0 != Strided, "{}", k.pretty());
                }
                kernels += 1;
            }
        }
    }
    assert!(kernels > 300, "only {kernels} binary kernels");
}

/// Integer division, remainder and shifts on every pair of edge values (both operand orders).
#[test]
fn integer_edge_pairs() {
    for d in REAL_DTYPES.into_iter().filter(|d| d.is_integer()) {
        let (lo, hi) = d.int_range().unwrap();
        let bits = d.bits() as i128;
        let edges: Vec<Scalar> = [
            0,
            1,
            -1,
            2,
            -2,
            3,
            -7,
            lo,
            hi,
            lo + 1,
            hi - 1,
            bits,
            bits - 1,
            bits + 1,
            100,
        ]
        .iter()
        .map(|&v| Scalar::Int(v as i64).cast(d))
        .collect();
        for op in [
            BinaryOp::FloorDiv,
            BinaryOp::Rem,
            BinaryOp::Shl,
            BinaryOp::Shr,
            BinaryOp::Pow,
            BinaryOp::Mul,
            BinaryOp::Maximum,
            BinaryOp::Lt,
        ] {
            for class in [StrideClass::Contiguous, StrideClass::Strided] {
                let k = binary_kernel(op, d, 1, class, class, class);
                let ck = compile(&k).unwrap();
                let n = (edges.len() * edges.len()) as i64;
                let s = if class == StrideClass::Strided { 2 } else { 1 };
                let mut a = View::new(d, &[n], &[s]);
                let mut b = View::new(d, &[n], &[s]);
                for (j, idx) in indices(&[n]).iter().enumerate() {
                    a.set(idx, edges[j % edges.len()]);
                    b.set(idx, edges[j / edges.len()]);
                }
                let r = op.result_dtype_promoted(d).unwrap();
                let mut out = [View::new(r, &[n], &[s])];
                call(ck.entry(), &[n], &[a, b].map(|v| v), &mut out, 0, n);
                // Re-read the inputs from the same edge table for the oracle.
                for (j, idx) in indices(&[n]).iter().enumerate() {
                    let want = eval_binary(op, d, edges[j % edges.len()], edges[j / edges.len()]);
                    let got = out[0].get(idx);
                    assert!(
                        same(got, want),
                        "{} {d}: {:?} {:?} -> got {got:?} want {want:?}",
                        op.name(),
                        edges[j % edges.len()],
                        edges[j / edges.len()]
                    );
                }
            }
        }
    }
}

#[test]
fn casts_between_all_real_dtypes() {
    for from in REAL_DTYPES {
        for to in REAL_DTYPES {
            for class in [StrideClass::Contiguous, StrideClass::Strided] {
                let k = Kernel {
                    ndim: 1,
                    n_reduce: 0,
                    inputs: vec![input(from, class)],
                    body: vec![
                        instr(Inst::Load { input: 0 }, from),
                        instr(Inst::Cast(0), to),
                    ],
                    reduces: vec![],
                    epilogue: vec![],
                    outputs: vec![output(1, to, class)],
                };
                let mut case = Case::contiguous(&k, &[N]);
                if class == StrideClass::Strided {
                    case.in_strides = vec![vec![5]];
                    case.out_strides = vec![vec![-1]];
                }
                for seed in [0, 3, 4] {
                    case.seed = seed;
                    check(&k, &case);
                }
            }
        }
    }
}

/// Float-to-integer casts of values outside the target's range (wrap through i64, NaN -> 0).
#[test]
fn float_to_int_cast_edges() {
    let vals = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e20,
        -1e20,
        4e9,
        -3e9,
        3e9,
        255.9,
        256.0,
        -1.5,
        -0.0,
        65535.7,
        9.3e18,
        1.8e19,
        -9.3e18,
    ];
    for from in [DType::F32, DType::F64] {
        for to in REAL_DTYPES {
            let k = Kernel {
                ndim: 1,
                n_reduce: 0,
                inputs: vec![input(from, StrideClass::Contiguous)],
                body: vec![
                    instr(Inst::Load { input: 0 }, from),
                    instr(Inst::Cast(0), to),
                ],
                reduces: vec![],
                epilogue: vec![],
                outputs: vec![output(1, to, StrideClass::Contiguous)],
            };
            let ck = compile(&k).unwrap();
            let n = vals.len() as i64;
            let mut a = View::new(from, &[n], &[1]);
            for (j, &v) in vals.iter().enumerate() {
                a.set(&[j as i64], Scalar::Float(v));
            }
            let mut out = [View::new(to, &[n], &[1])];
            let ins = [a];
            call(ck.entry(), &[n], &ins, &mut out, 0, n);
            for j in 0..n {
                let want = ins[0].get(&[j]).cast(to);
                let got = out[0].get(&[j]);
                assert!(
                    same(got, want),
                    "{from}->{to}: {:?} got {got:?} want {want:?}",
                    ins[0].get(&[j])
                );
            }
        }
    }
}

#[test]
fn common_kernels_are_vectorized() {
    use StrideClass::*;
    let cases = [
        (
            binary_kernel(
                BinaryOp::Add,
                DType::F64,
                1,
                Contiguous,
                Contiguous,
                Contiguous,
            ),
            2,
        ),
        (
            binary_kernel(
                BinaryOp::Mul,
                DType::F32,
                2,
                Contiguous,
                Broadcast,
                Contiguous,
            ),
            4,
        ),
        (
            binary_kernel(
                BinaryOp::Lt,
                DType::F64,
                1,
                Contiguous,
                Contiguous,
                Contiguous,
            ),
            2,
        ),
        (
            binary_kernel(
                BinaryOp::Add,
                DType::I16,
                1,
                Contiguous,
                Contiguous,
                Contiguous,
            ),
            8,
        ),
        (
            binary_kernel(
                BinaryOp::LogicalAnd,
                DType::Bool,
                1,
                Contiguous,
                Contiguous,
                Contiguous,
            ),
            16,
        ),
        (unary_kernel(UnaryOp::Sin, DType::F32, 1, Contiguous), 4),
        (
            reduce_kernel(ReduceOp::Sum, DType::F64, 1, 1, Contiguous),
            2,
        ),
        (
            binary_kernel(
                BinaryOp::Add,
                DType::F64,
                1,
                Strided,
                Contiguous,
                Contiguous,
            ),
            1,
        ),
    ];
    for (k, lanes) in cases {
        assert_eq!(compile(&k).unwrap().vector_lanes(), lanes, "{}", k.pretty());
    }
}

#[test]
fn complex_is_not_implemented() {
    let k = unary_kernel(UnaryOp::Neg, DType::C128, 1, StrideClass::Contiguous);
    let e = compile(&k).err().expect("complex kernels are not compiled");
    assert_eq!(e.kind, ErrorKind::NotImplemented);
    assert!(e.message.contains("complex128"), "{}", e.message);
}
