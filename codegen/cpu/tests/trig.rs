//! The inline vector `sin`, `cos`, `tan` and `atan` (f64x2 and f32x4) against
//! `lazulite_ir::semantics`: at most 2 ulp apart on finite results over special values, random bit
//! patterns (mostly the scalar fallback for huge arguments, mixed with fast lanes in one vector),
//! the fast range, both sides of its bound, tiny arguments, and arguments next to multiples of pi/2
//! (where the reduction cancels); the spec's special cases exact.

mod common;
use common::ulp::*;
use common::*;
use lazulite_codegen_cpu::compile;
use lazulite_ir::*;

/// The fast ranges' bounds of the JIT (`codegen/cpu/src/jit/trig.rs`), to test both sides of
/// them: f32 has the compensated reduction's (without FMA) and the FMA reduction's.
fn fast_bounds(d: DType) -> &'static [f64] {
    if d == DType::F32 {
        &[6_283.0, 100_000.0]
    } else {
        &[1_647_099.0]
    }
}

fn inputs(d: DType, rng: &mut Rng) -> Vec<f64> {
    let f32 = d == DType::F32;
    let round = |v: f64| if f32 { v as f32 as f64 } else { v };
    let mut xs = bit_patterns(d, rng, 300_000);
    let bounds = fast_bounds(d);
    let mut ranges = vec![(-8.0, 8.0, 600_000), (-1e12, 1e12, 50_000)];
    for &bound in bounds {
        ranges.push((-bound, bound, 600_000));
        ranges.push((-2.0 * bound, 2.0 * bound, 100_000));
    }
    for (lo, hi, count) in ranges {
        xs.extend((0..count).map(|_| round(rng.uniform(lo, hi))));
    }
    let bound = bounds[bounds.len() - 1];
    // tiny and small magnitudes, both signs
    for _ in 0..200_000 {
        let m = rng.uniform(-40.0, 1.0).exp2();
        xs.push(round(if rng.next() & 1 == 0 { m } else { -m }));
    }
    // next to multiples of pi/2: the representable neighbours of n pi/2
    for _ in 0..200_000 {
        let n = (rng.uniform(-1.0, 1.0) * bound / std::f64::consts::FRAC_PI_2).round();
        let mut v = round(n * std::f64::consts::FRAC_PI_2);
        for _ in 0..(rng.next() % 4) {
            v = if f32 {
                (v as f32).next_up() as f64
            } else {
                v.next_up()
            };
        }
        xs.push(v);
    }
    xs
}

fn special_inputs(d: DType) -> Vec<f64> {
    let mut v = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
    ];
    let bounds = fast_bounds(d);
    if d == DType::F32 {
        v.extend([
            f32::MIN_POSITIVE as f64,
            f32::from_bits(1) as f64,
            -(f32::from_bits(1) as f64),
            f32::MAX as f64,
            f32::MIN as f64,
        ]);
        for &b in bounds {
            let b = b as f32;
            v.extend([b, -b].map(f64::from));
            v.extend([b, -b].map(|t| t.next_up() as f64));
            v.extend([b, -b].map(|t| t.next_down() as f64));
        }
        for t in [2.441_406_3e-4, std::f32::consts::FRAC_PI_4, 1.0e4] {
            v.extend([t, t.next_up(), t.next_down()].map(f64::from));
        }
    } else {
        v.extend([
            f64::MIN_POSITIVE,
            f64::from_bits(1),
            -f64::from_bits(1),
            f64::MAX,
            f64::MIN,
        ]);
        for t in [
            bounds[0],
            -bounds[0],
            7.450_580_596_923_828e-9,
            std::f64::consts::FRAC_PI_4,
            1e22,
        ] {
            v.extend([t, t.next_up(), t.next_down()]);
        }
    }
    v
}

/// The spec's special cases for `sin`, `cos` and `tan`, exactly (sign of zero included).
fn spec_special(op: UnaryOp, x: f64) -> Option<f64> {
    match op {
        _ if x.is_nan() || x.is_infinite() => Some(f64::NAN),
        UnaryOp::Sin | UnaryOp::Tan if x == 0.0 => Some(x),
        UnaryOp::Cos if x == 0.0 => Some(1.0),
        _ => None,
    }
}

fn check_op(op: UnaryOp, d: DType, seed: u64) {
    let mut rng = Rng(seed);
    let mut xs = special_inputs(d);
    xs.extend(inputs(d, &mut rng));
    check_within_2_ulp(op, d, xs, spec_special);
}

#[test]
fn sin_f64_within_2_ulp() {
    check_op(UnaryOp::Sin, DType::F64, 0x1357_9bdf_0246_8ace);
}

#[test]
fn sin_f32_within_2_ulp() {
    check_op(UnaryOp::Sin, DType::F32, 0x0f1e_2d3c_4b5a_6978);
}

#[test]
fn tan_f64_within_2_ulp() {
    check_op(UnaryOp::Tan, DType::F64, 0x0123_4567_89ab_cdef);
}

#[test]
fn tan_f32_within_2_ulp() {
    check_op(UnaryOp::Tan, DType::F32, 0x3c3c_a5a5_5a5a_c3c3);
}

/// `atan`: bit patterns, its breakpoints (7/16, 11/16, 19/16, 39/16) and their neighbours, moderate
/// and huge magnitudes, tiny ones.
fn atan_inputs(d: DType, rng: &mut Rng) -> Vec<f64> {
    let f32 = d == DType::F32;
    let round = |v: f64| if f32 { v as f32 as f64 } else { v };
    let mut xs = special_inputs(d);
    xs.extend(bit_patterns(d, rng, 300_000));
    for (lo, hi, count) in [(-4.0, 4.0, 800_000), (-1e4, 1e4, 200_000)] {
        xs.extend((0..count).map(|_| round(rng.uniform(lo, hi))));
    }
    for _ in 0..300_000 {
        let m = rng.uniform(-40.0, 80.0).exp2();
        xs.push(round(if rng.next() & 1 == 0 { m } else { -m }));
    }
    for b in [7.0 / 16.0, 11.0 / 16.0, 19.0 / 16.0, 39.0 / 16.0] {
        for s in [1.0, -1.0] {
            let (mut lo, mut hi) = (s * b, s * b);
            for _ in 0..64 {
                xs.extend([lo, hi]);
                if f32 {
                    lo = (lo as f32).next_down() as f64;
                    hi = (hi as f32).next_up() as f64;
                } else {
                    lo = lo.next_down();
                    hi = hi.next_up();
                }
            }
        }
    }
    xs
}

#[test]
fn atan_within_2_ulp() {
    for (d, seed) in [
        (DType::F64, 0x4242_1313_5757_9191),
        (DType::F32, 0x6161_2323_8989_4545),
    ] {
        let xs = atan_inputs(d, &mut Rng(seed));
        check_within_2_ulp(UnaryOp::Atan, d, xs, |_, x| {
            (x.is_nan() || x == 0.0).then_some(x)
        });
    }
}

#[test]
fn cos_f64_within_2_ulp() {
    check_op(UnaryOp::Cos, DType::F64, 0x7777_1111_3333_5555);
}

#[test]
fn cos_f32_within_2_ulp() {
    check_op(UnaryOp::Cos, DType::F32, 0x1111_2222_4444_8888);
}

/// `sin` and `cos` inside vector reductions (the unrolled main loop, the padded tail, and a
/// reduction vectorized across the outer dim), with some huge arguments so that the cold fallback
/// block sits in the unrolled loop: each row's max (sin) or min (cos) within 2 ulp of the oracle's.
#[test]
fn sin_and_cos_inside_reductions() {
    for (op, rop) in [(UnaryOp::Sin, ReduceOp::Max), (UnaryOp::Cos, ReduceOp::Min)] {
        for d in [DType::F64, DType::F32] {
            for class in [StrideClass::Contiguous, StrideClass::Strided] {
                let k = Kernel {
                    ndim: 2,
                    n_reduce: 1,
                    inputs: vec![input(d, class)],
                    body: vec![
                        instr(Inst::Load { input: 0 }, d),
                        instr(Inst::Unary(op, 0), d),
                    ],
                    reduces: vec![KernelReduce { op: rop, value: 1 }],
                    epilogue: vec![instr(Inst::Reduced(0), d)],
                    outputs: vec![output(0, d, StrideClass::Contiguous)],
                };
                let ck = compile(&k).unwrap();
                assert!(ck.vector_lanes() > 1);
                let (rows, cols) = (13i64, 37i64);
                let (shape, strides) = if class == StrideClass::Contiguous {
                    ([rows, cols], [cols, 1])
                } else {
                    ([cols, rows], [1, cols])
                };
                let mut x = View::new(d, &shape, &strides);
                let mut rng = Rng(11);
                for idx in indices(&shape) {
                    let v = if rng.next().is_multiple_of(7) {
                        rng.uniform(-1e9, 1e9)
                    } else {
                        rng.uniform(-20.0, 20.0)
                    };
                    x.set(&idx, Scalar::Float(v).cast(d));
                }
                let ins = [x];
                let mut out = [View::new(d, &shape[..1], &[1])];
                call(ck.entry(), &shape, &ins, &mut out, 0, shape[0]);
                for i in 0..shape[0] {
                    let vals = (0..shape[1]).map(|j| want(op, d, ins[0].get(&[i, j]).as_f64()));
                    let w = if rop == ReduceOp::Max {
                        vals.fold(f64::NEG_INFINITY, f64::max)
                    } else {
                        vals.fold(f64::INFINITY, f64::min)
                    };
                    let g = out[0].get(&[i]).as_f64();
                    assert!(
                        ulps(d, g, w) <= 2,
                        "{} {d} {class:?} row {i}: {g} vs {w}",
                        op.name()
                    );
                }
            }
        }
    }
}

/// `sin`, `cos` and `tan` of one operand share its reduction in the JIT (`trig::SinCos`), and `sin`
/// of another operand (`-x`) must not reuse it: one kernel with four outputs, every one within 2 ulp
/// of the oracle (special cases exact) over the same inputs as the one-op tests.
#[test]
fn sin_cos_tan_of_one_operand_share_the_reduction() {
    for d in [DType::F64, DType::F32] {
        let ops = [UnaryOp::Sin, UnaryOp::Cos, UnaryOp::Tan];
        let mut body = vec![instr(Inst::Load { input: 0 }, d)];
        body.extend(ops.map(|op| instr(Inst::Unary(op, 0), d)));
        body.push(instr(Inst::Unary(UnaryOp::Neg, 0), d));
        body.push(instr(Inst::Unary(UnaryOp::Sin, 4), d));
        let k = Kernel {
            ndim: 1,
            n_reduce: 0,
            inputs: vec![input(d, StrideClass::Contiguous)],
            body,
            reduces: vec![],
            epilogue: vec![],
            outputs: [1, 2, 3, 5]
                .map(|v| output(v, d, StrideClass::Contiguous))
                .to_vec(),
        };
        let ck = compile(&k).unwrap();
        assert!(ck.vector_lanes() > 1);
        let mut rng = Rng(0x05ee_d005_1c05);
        let mut xs = special_inputs(d);
        xs.extend(inputs(d, &mut rng).into_iter().step_by(4));
        xs.push(0.5); // an odd count: the padded tail too
        let n = xs.len() as i64;
        let mut x = View::new(d, &[n], &[1]);
        for (i, &v) in xs.iter().enumerate() {
            x.set(&[i as i64], Scalar::Float(v).cast(d));
        }
        let mut outs: Vec<View> = (0..4).map(|_| View::new(d, &[n], &[1])).collect();
        call(ck.entry(), &[n], &[x], &mut outs, 0, n);
        for (o, (op, neg)) in ops
            .iter()
            .map(|&op| (op, false))
            .chain([(UnaryOp::Sin, true)])
            .enumerate()
        {
            for (i, &v) in xs.iter().enumerate() {
                let v = if neg { -v } else { v };
                let g = outs[o].get(&[i as i64]).as_f64();
                let w = want(op, d, v);
                if let Some(s) = spec_special(op, v) {
                    assert!(
                        same(Scalar::Float(g), Scalar::Float(s)),
                        "{} {d} of {v:e}: {g:e}",
                        op.name()
                    );
                } else if !w.is_finite() || !g.is_finite() {
                    assert!(
                        same(Scalar::Float(g), Scalar::Float(w)),
                        "{} {d} of {v:e}: {g:e}",
                        op.name()
                    );
                } else {
                    let u = ulps(d, g, w);
                    assert!(
                        u <= 2,
                        "{} {d} of {v:e}: got {g:e}, want {w:e}: {u} ulp",
                        op.name()
                    );
                }
            }
        }
    }
}

// Every f32 bit pattern, one op per test (minutes each in a release build; run with
// `cargo test --release -p lazulite-codegen-cpu --test trig -- --ignored`).

#[test]
#[ignore]
fn sin_f32_exhaustive() {
    check_f32_exhaustive(UnaryOp::Sin);
}

#[test]
#[ignore]
fn cos_f32_exhaustive() {
    check_f32_exhaustive(UnaryOp::Cos);
}

#[test]
#[ignore]
fn tan_f32_exhaustive() {
    check_f32_exhaustive(UnaryOp::Tan);
}

#[test]
#[ignore]
fn atan_f32_exhaustive() {
    check_f32_exhaustive(UnaryOp::Atan);
}
