//! Elementwise vector loops that interleave several vectors per iteration (`plan::groups`): every
//! length around the `groups * lanes` step (full iterations, the staged remainder, both, neither),
//! split ranges, broadcast and outer-strided inputs, several outputs (a bool one among them), the
//! scalar fallback of `sin`/`cos`/`tan` shared by the groups, against the IR oracle.

mod common;
use common::*;
use lazulite_codegen_cpu::compile;
use lazulite_ir::*;
use StrideClass::*;
/// The 20-op chain: mul, add, sin, mul, cos repeated.
fn chain(d: DType, n: usize) -> Kernel {
    let mut body = vec![instr(Inst::Load { input: 0 }, d)];
    for i in 0..n {
        let prev = (body.len() - 1) as u32;
        let step = i % 5;
        let c = match step {
            0 | 3 => Some(0.5 + i as f64 * 1e-3),
            1 => Some(0.25 + i as f64 * 1e-3),
            _ => None,
        };
        match c {
            Some(c) => {
                body.push(instr(Inst::Const(Scalar::Float(c)), d));
                let op = if step == 1 {
                    BinaryOp::Add
                } else {
                    BinaryOp::Mul
                };
                body.push(instr(Inst::Binary(op, prev, prev + 1), d));
            }
            None => {
                let op = if step == 2 {
                    UnaryOp::Sin
                } else {
                    UnaryOp::Cos
                };
                body.push(instr(Inst::Unary(op, prev), d));
            }
        }
    }
    let last = (body.len() - 1) as u32;
    Kernel {
        ndim: 1,
        n_reduce: 0,
        inputs: vec![input(d, StrideClass::Contiguous)],
        body,
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![output(last, d, StrideClass::Contiguous)],
    }
}

/// Inputs `a` (walked), `b` (broadcast along the inner dim) and `c` (bool, walked); outputs
/// `sin(a)`, `a*b + 1.5`, `a > b`, `select(a > b, cos(a), b)`, `tan(a - 0.25)`,
/// `select(c, sin(a), a)` and, with `more`, five more `sin`/`cos` of
/// distinct operands (a longer body: fewer groups) and `cos(b)` (the same in every group).
fn mixed(d: DType, more: bool) -> Kernel {
    let mut body = vec![
        instr(Inst::Load { input: 0 }, d),                    // 0 a
        instr(Inst::Load { input: 1 }, d),                    // 1 b
        instr(Inst::Unary(UnaryOp::Sin, 0), d),               // 2
        instr(Inst::Binary(BinaryOp::Mul, 0, 1), d),          // 3
        instr(Inst::Const(Scalar::Float(1.5)), d),            // 4
        instr(Inst::Binary(BinaryOp::Add, 3, 4), d),          // 5
        instr(Inst::Binary(BinaryOp::Gt, 0, 1), DType::Bool), // 6
        instr(Inst::Unary(UnaryOp::Cos, 0), d),               // 7
        instr(
            Inst::Select {
                cond: 6,
                a: 7,
                b: 1,
            },
            d,
        ), // 8
        instr(Inst::Const(Scalar::Float(0.25)), d),           // 9
        instr(Inst::Binary(BinaryOp::Sub, 0, 9), d),          // 10
        instr(Inst::Unary(UnaryOp::Tan, 10), d),              // 11
        instr(Inst::Load { input: 2 }, DType::Bool),          // 12 c
        instr(
            Inst::Select {
                cond: 12,
                a: 2,
                b: 0,
            },
            d,
        ), // 13
    ];
    let mut outputs = vec![
        output(2, d, Contiguous),
        output(5, d, Contiguous),
        output(6, DType::Bool, Contiguous),
        output(8, d, Contiguous),
        output(11, d, Contiguous),
        output(13, d, Contiguous),
    ];
    if more {
        for (i, op) in [
            UnaryOp::Sin,
            UnaryOp::Cos,
            UnaryOp::Sin,
            UnaryOp::Cos,
            UnaryOp::Sin,
        ]
        .into_iter()
        .enumerate()
        {
            let n = body.len() as u32;
            body.push(instr(Inst::Const(Scalar::Float(0.75 + i as f64)), d));
            body.push(instr(Inst::Binary(BinaryOp::Mul, 0, n), d));
            body.push(instr(Inst::Unary(op, n + 1), d));
            outputs.push(output(n + 2, d, Contiguous));
        }
        let n = body.len() as u32;
        body.push(instr(Inst::Unary(UnaryOp::Cos, 1), d));
        outputs.push(output(n, d, Contiguous));
    }
    Kernel {
        ndim: 2,
        n_reduce: 0,
        inputs: vec![
            input(d, Contiguous),
            input(d, Broadcast),
            input(DType::Bool, Contiguous),
        ],
        body,
        reduces: vec![],
        epilogue: vec![],
        outputs,
    }
}

#[test]
fn lengths_around_the_group_step() {
    for d in [DType::F32, DType::F64] {
        for (more, want_groups) in [(false, 4), (true, 2)] {
            let k = mixed(d, more);
            let ck = compile(&k).unwrap();
            let (lanes, groups) = (ck.vector_lanes(), ck.vector_groups());
            assert_eq!(groups, want_groups, "{d} more={more}");
            let step = (lanes * groups) as i64;
            let mut k1 = k.clone();
            k1.ndim = 1;
            let ck1 = compile(&k1).unwrap();
            assert_eq!(ck1.vector_groups(), want_groups);
            for n in 0..=3 * step + 1 {
                let outs = |s: Vec<i64>| k.outputs.iter().map(|_| s.clone()).collect();
                // Rank 1: the vector loop over ranges that start and end mid-vector (splits).
                for splits in [1, 3] {
                    let case = Case {
                        shape: vec![n],
                        in_strides: vec![vec![1], vec![0], vec![1]],
                        out_strides: outs(vec![1]),
                        splits,
                        seed: n as u64 * 3 + splits as u64,
                        exact: false,
                    };
                    check_compiled(&k1, ck1.entry(), &case);
                }
                // Rank 2: `a` strided along the outer dim (rows padded by 5), `b` one per row.
                let case = Case {
                    shape: vec![3, n],
                    in_strides: vec![vec![n + 5, 1], vec![1, 0], vec![n, 1]],
                    out_strides: outs(vec![n, 1]),
                    splits: 2,
                    seed: n as u64,
                    exact: false,
                };
                check_compiled(&k, ck.entry(), &case);
            }
        }
    }
}

/// Short bodies keep one vector per iteration (no extra compile time for memory-bound loops), and
/// so do bodies with an op that runs as a call per lane; the 20-op chain gets two.
#[test]
fn short_bodies_run_one_vector() {
    let f = DType::F32;
    let add = binary_kernel(BinaryOp::Add, f, 1, Contiguous, Contiguous, Contiguous);
    assert_eq!(compile(&add).unwrap().vector_groups(), 1);
    let pow = binary_kernel(BinaryOp::Pow, f, 1, Contiguous, Contiguous, Contiguous);
    assert_eq!(compile(&pow).unwrap().vector_groups(), 1);
    let sin = unary_kernel(UnaryOp::Sin, f, 1, Contiguous);
    assert_eq!(compile(&sin).unwrap().vector_groups(), 1);
    let ck = compile(&chain(f, 20)).unwrap();
    assert_eq!((ck.vector_lanes(), ck.vector_groups()), (4, 2));
}

/// The runtime's two tiers of a long elementwise body: narrow code (`CodeQuality::Narrow`, its
/// first call) with one vector per iteration, and wide code (`CodeQuality::Wide`, its background
/// compile) with four where `compile` interleaves two; both against the IR oracle at lengths
/// around every step.
#[test]
fn narrow_and_wide_code() {
    use lazulite_codegen_cpu::{compile_with, planned_groups, CodeQuality};
    for d in [DType::F32, DType::F64] {
        let k = chain(d, 20);
        let optimized = compile(&k).unwrap();
        assert_eq!(optimized.vector_groups(), 2, "{d}");
        let lanes = optimized.vector_lanes();
        for (quality, groups) in [(CodeQuality::Narrow, 1), (CodeQuality::Wide, 4)] {
            assert_eq!(planned_groups(&k, quality), groups, "{d} {quality:?}");
            let ck = compile_with(&k, quality).unwrap();
            assert_eq!(ck.vector_groups(), groups, "{d} {quality:?}");
            assert_eq!(ck.vector_lanes(), lanes, "{d} {quality:?}");
            assert_eq!(ck.quality(), quality);
            let step = (lanes * 4) as i64;
            for n in (0..=2 * step + 1).chain([1000, 4099]) {
                for splits in [1u64, 3] {
                    let case = Case {
                        shape: vec![n],
                        in_strides: vec![vec![1]],
                        out_strides: vec![vec![1]],
                        splits: splits as i64,
                        seed: n as u64 * 5 + splits,
                        exact: false,
                    };
                    check_compiled(&k, ck.entry(), &case);
                }
            }
        }
        assert_eq!(planned_groups(&k, CodeQuality::Optimized), 2, "{d}");
    }
    // A short body stays at one vector whatever the quality.
    let sin = unary_kernel(UnaryOp::Sin, DType::F32, 1, Contiguous);
    for quality in [
        CodeQuality::Narrow,
        CodeQuality::Optimized,
        CodeQuality::Wide,
    ] {
        assert_eq!(planned_groups(&sin, quality), 1);
        let ck = compile_with(&sin, quality).unwrap();
        assert_eq!((ck.vector_lanes(), ck.vector_groups()), (4, 1));
    }
}
