//! Full float `max`/`min` reductions in vector code fold with `maxp*`/`minp*` and fix NaN and signed
//! zeros at the end: every result is checked bit for bit against a fold with
//! `lazulite_ir::semantics` over inputs built to hit those cases at every position (the unrolled
//! main loop, its vector rest and the padded tail), for lengths around the lane and unroll counts.

mod common;
use common::reduce_kernel;
use common::ulp::{call_contiguous, Rng};
use lazulite_codegen_cpu::{compile, KernelFn};
use lazulite_ir::semantics as sem;
use lazulite_ir::*;

/// Runs the compiled full reduction `entry` over `xs` (as `d`).
fn run(entry: KernelFn, d: DType, xs: &[f64]) -> f64 {
    call_contiguous(entry, d, xs, 1)[0]
}

fn oracle(op: ReduceOp, d: DType, xs: &[f64]) -> f64 {
    let bop = if op == ReduceOp::Max {
        BinaryOp::Maximum
    } else {
        BinaryOp::Minimum
    };
    xs[1..]
        .iter()
        .fold(xs[0], |a, &x| sem::float_binary(bop, a, x, d))
}

#[test]
fn float_max_min_nan_and_signed_zeros_exact() {
    let mut rng = Rng(0x6d69_6e6d_6178_0001);
    let mut cases = 0;
    for d in [DType::F32, DType::F64] {
        for op in [ReduceOp::Max, ReduceOp::Min] {
            let k = reduce_kernel(op, d, 1, 1, StrideClass::Contiguous);
            let ck = compile(&k).unwrap();
            assert!(ck.vector_lanes() > 1, "{}", k.pretty());
            let (win, lose) = if op == ReduceOp::Max {
                (0.0, -0.0)
            } else {
                (-0.0, 0.0)
            };
            let far = if op == ReduceOp::Max { -1.5 } else { 1.5 };
            for n in (1..=40).chain([63, 64, 65, 67, 131]) {
                for p in 0..n {
                    // one winning zero among losing zeros (and among values past them), one NaN
                    // among ordinary values, one losing zero among values past it
                    let mut zeros = vec![lose; n];
                    zeros[p] = win;
                    let mut mixed: Vec<f64> = (0..n)
                        .map(|i| if i % 3 == 0 { far } else { lose })
                        .collect();
                    mixed[p] = win;
                    let mut nan: Vec<f64> = (0..n).map(|_| rng.uniform(-4.0, 4.0)).collect();
                    nan[p] = f64::NAN;
                    let mut one_zero = vec![far; n];
                    one_zero[p] = lose;
                    for xs in [zeros, mixed, nan, one_zero, vec![lose; n], vec![win; n]] {
                        let xs: Vec<f64> = if d == DType::F32 {
                            xs.iter().map(|&x| x as f32 as f64).collect()
                        } else {
                            xs
                        };
                        let (got, want) = (run(ck.entry(), d, &xs), oracle(op, d, &xs));
                        assert!(
                            (got.is_nan() && want.is_nan()) || got.to_bits() == want.to_bits(),
                            "{op:?} {d} n={n} p={p}: got {got:e}, want {want:e} over {xs:?}"
                        );
                        cases += 1;
                    }
                }
            }
        }
    }
    assert!(cases > 10_000, "{cases}");
}
