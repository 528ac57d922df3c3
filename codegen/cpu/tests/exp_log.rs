//! The inline vector `exp` and `log` (f64 and f32) against `lazulite_ir::semantics` over millions of
//! random and edge inputs: at most 2 ulp apart on finite results, the spec's special cases exact.

mod common;
use common::ulp::*;
use common::*;
use lazulite_codegen_cpu::compile;
use lazulite_ir::*;

/// Random inputs: all bit patterns, the ranges where the op's result is interesting, and edges.
fn inputs(op: UnaryOp, d: DType, rng: &mut Rng) -> Vec<f64> {
    let f32 = d == DType::F32;
    // Every exponent and sign: random bit patterns of the dtype.
    let mut xs = bit_patterns(d, rng, 1_000_000);
    let round = |v: f64| if f32 { v as f32 as f64 } else { v };
    let (max_ln, min_ln) = if f32 { (88.8, -104.0) } else { (709.9, -745.2) };
    let sub_ln = if f32 { -87.4 } else { -708.4 };
    if op == UnaryOp::Exp {
        for _ in 0..1_000_000 {
            xs.push(round(rng.uniform(min_ln - 1.0, max_ln + 1.0)));
        }
        // the hot path's range (`|x|` up to 87 / 708): whole vectors of it
        let fast = if f32 { 87.0 } else { 708.0 };
        for _ in 0..1_000_000 {
            xs.push(round(rng.uniform(-fast, fast)));
        }
        // subnormal results
        for _ in 0..500_000 {
            xs.push(round(rng.uniform(min_ln, sub_ln)));
        }
        // near zero, both signs
        for _ in 0..500_000 {
            let m = rng.uniform(-60.0, 0.0).exp2();
            xs.push(round(if rng.next() & 1 == 0 { m } else { -m }));
        }
    } else {
        // positive values of every exponent, subnormals included
        for _ in 0..1_000_000 {
            let b = rng.next();
            xs.push(if f32 {
                f32::from_bits((b as u32) & 0x7fff_ffff) as f64
            } else {
                f64::from_bits(b & 0x7fff_ffff_ffff_ffff)
            });
        }
        for _ in 0..500_000 {
            let b = rng.next();
            xs.push(if f32 {
                f32::from_bits((b as u32) & 0x007f_ffff) as f64
            } else {
                f64::from_bits(b & 0x000f_ffff_ffff_ffff)
            });
        }
        // near 1, where log cancels
        for _ in 0..500_000 {
            let e = rng.uniform(-50.0, -1.0).exp2();
            xs.push(round(1.0 + if rng.next() & 1 == 0 { e } else { -e / 2.0 }));
        }
        for _ in 0..200_000 {
            xs.push(round(rng.uniform(0.5, 2.0)));
        }
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
    if d == DType::F32 {
        v.extend([
            f32::MIN_POSITIVE as f64,
            f32::from_bits(1) as f64,
            -(f32::from_bits(1) as f64),
            f32::MAX as f64,
            f32::MIN as f64,
        ]);
        // exp's overflow threshold, the start of its subnormal results and its underflow, and 1,
        // with their neighbours
        // and the hot path's bound
        for t in [88.722_83f32, -87.336_55, -103.972_08, 1.0, 87.0, -87.0] {
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
        // exp's overflow and underflow thresholds, the start of its subnormal results, ln 2, and 1,
        // with their neighbours
        for t in [
            f64::from_bits(0x4086_2e42_fefa_39ef),
            f64::from_bits(0xc087_4910_d52d_3051),
            -708.396_418_532_264_1,
            std::f64::consts::LN_2,
            -std::f64::consts::LN_2 / 2.0,
            1.0,
            708.0,
            -708.0,
        ] {
            v.extend([t, t.next_up(), t.next_down()]);
        }
    }
    v
}

/// The spec's special cases for `exp` and `log`, exactly (sign of zero included).
fn spec_special(op: UnaryOp, x: f64) -> Option<f64> {
    match op {
        UnaryOp::Exp if x.is_nan() => Some(f64::NAN),
        UnaryOp::Exp if x == 0.0 => Some(1.0),
        UnaryOp::Exp if x == f64::INFINITY => Some(f64::INFINITY),
        UnaryOp::Exp if x == f64::NEG_INFINITY => Some(0.0),
        UnaryOp::Log if x.is_nan() || x < 0.0 => Some(f64::NAN),
        UnaryOp::Log if x == 0.0 => Some(f64::NEG_INFINITY),
        UnaryOp::Log if x == 1.0 => Some(0.0),
        UnaryOp::Log if x == f64::INFINITY => Some(f64::INFINITY),
        _ => None,
    }
}

fn check_op(op: UnaryOp, d: DType, seed: u64) {
    let mut rng = Rng(seed);
    let mut xs = special_inputs(d);
    xs.extend(inputs(op, d, &mut rng));
    check_within_2_ulp(op, d, xs, spec_special);
}

#[test]
fn exp_f64_within_2_ulp() {
    check_op(UnaryOp::Exp, DType::F64, 0x1234_5678_9abc_def1);
}

/// float64 `exp` over a dense grid (there is no exhaustive float64 test): 2^23 evenly spaced inputs
/// over the whole range where the result is finite and nonzero, and 2^22 over `[-2 ln2, 2 ln2]`
/// (the reduction's seams at odd multiples of `ln2/2`), each within 2 ulp.
#[test]
fn exp_f64_dense_within_2_ulp() {
    let mut xs = Vec::with_capacity(3 << 22);
    let (lo, hi) = (-745.2, 709.8);
    let n = 1 << 23;
    xs.extend((0..n).map(|i| lo + (hi - lo) * (i as f64 / n as f64)));
    let l = 2.0 * std::f64::consts::LN_2;
    let n = 1 << 22;
    xs.extend((0..n).map(|i| -l + 2.0 * l * (i as f64 / n as f64)));
    check_within_2_ulp(UnaryOp::Exp, DType::F64, xs, spec_special);
}

/// A lane's float64 `exp` does not depend on its neighbour: the inputs alone, and each paired with
/// a lane that takes the vector's cold path (NaN, infinities, overflow, subnormal results), give the
/// same bits.
#[test]
fn exp_f64_lane_independent() {
    let mut rng = Rng(0x0bad_cafe_f00d_d00d);
    let xs: Vec<f64> = (0..200_000).map(|_| rng.uniform(-720.0, 720.0)).collect();
    let alone = run(UnaryOp::Exp, DType::F64, &xs);
    for cold in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        709.5,
        -740.0,
        -708.5,
    ] {
        let paired: Vec<f64> = xs.iter().flat_map(|&x| [x, cold]).collect();
        let got = run(UnaryOp::Exp, DType::F64, &paired);
        for (i, (&x, &a)) in xs.iter().zip(&alone).enumerate() {
            assert_eq!(
                got[2 * i].to_bits(),
                a.to_bits(),
                "exp({x:e}) next to {cold:e}: {:e}, alone {a:e}",
                got[2 * i]
            );
        }
    }
}

#[test]
fn exp_f32_within_2_ulp() {
    check_op(UnaryOp::Exp, DType::F32, 0x0fed_cba9_8765_4321);
}

#[test]
fn log_f64_within_2_ulp() {
    check_op(UnaryOp::Log, DType::F64, 0x5555_aaaa_1234_9876);
}

#[test]
fn log_f32_within_2_ulp() {
    check_op(UnaryOp::Log, DType::F32, 0x2468_ace0_1357_9bdf);
}

/// `exp` and `log` inside vector reductions (the unrolled main loop and the padded tail) and inside a
/// reduction vectorized across the outer dim: `sum(exp(x))`, `max(log(x))`, bit for bit against the
/// oracle where the fold order is the scalar one, and the element results within 2 ulp.
#[test]
fn exp_and_log_inside_reductions() {
    for (op, rop) in [(UnaryOp::Exp, ReduceOp::Max), (UnaryOp::Log, ReduceOp::Min)] {
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
                // Loop dims [kept, reduced]: contiguous reduces along rows of a (13, 37) array, strided
                // reduces down its columns.
                let (shape, strides) = if class == StrideClass::Contiguous {
                    ([rows, cols], [cols, 1])
                } else {
                    ([cols, rows], [1, cols])
                };
                let mut x = View::new(d, &shape, &strides);
                let mut rng = Rng(7);
                for idx in indices(&shape) {
                    let v = if op == UnaryOp::Exp {
                        rng.uniform(-30.0, 30.0)
                    } else {
                        rng.uniform(1e-3, 1e3)
                    };
                    x.set(&idx, Scalar::Float(v).cast(d));
                }
                let ins = [x];
                let mut out = [View::new(d, &shape[..1], &[1])];
                call(ck.entry(), &shape, &ins, &mut out, 0, shape[0]);
                for i in 0..shape[0] {
                    let vals: Vec<f64> = (0..shape[1])
                        .map(|j| want(op, d, ins[0].get(&[i, j]).as_f64()))
                        .collect();
                    let w = if rop == ReduceOp::Max {
                        vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
                    } else {
                        vals.iter().cloned().fold(f64::INFINITY, f64::min)
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

/// Every f32 bit pattern through `exp` and `log` (minutes in a release build each; run with
/// `cargo test --release -p lazulite-codegen-cpu --test exp_log -- --ignored`).
#[test]
#[ignore]
fn exp_f32_exhaustive() {
    f32_exhaustive(UnaryOp::Exp);
}

#[test]
#[ignore]
fn log_f32_exhaustive() {
    f32_exhaustive(UnaryOp::Log);
}

fn f32_exhaustive(op: UnaryOp) {
    {
        let mut inexact = 0u64;
        let chunk = 1u64 << 24;
        for c in 0..(1u64 << 32) / chunk {
            let xs: Vec<f64> = (c * chunk..(c + 1) * chunk)
                .map(|b| f32::from_bits(b as u32) as f64)
                .collect();
            let got = run(op, DType::F32, &xs);
            for (&x, &g) in xs.iter().zip(&got) {
                let w = want(op, DType::F32, x);
                if w.is_finite() && g.is_finite() {
                    let u = ulps(DType::F32, g, w);
                    assert!(u <= 2, "{} f32 of {x:e}: got {g:e}, want {w:e}", op.name());
                    inexact += (u > 0) as u64;
                } else {
                    assert!(
                        same(Scalar::Float(g), Scalar::Float(w)),
                        "{} f32 of {x:e}: got {g:e}, want {w:e}",
                        op.name()
                    );
                }
            }
        }
        eprintln!(
            "{} f32: all 2^32 inputs within 2 ulp, {inexact} not bit-exact",
            op.name()
        );
    }
}
