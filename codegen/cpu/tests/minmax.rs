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

/// A kernel reducing a `rows x cols` matrix (both dims) to its max, min and sum at once, so the fast
/// max/min share the loops (and the zero-sign pass over the same elements) with a sum.
fn max_min_sum_kernel(d: DType) -> Kernel {
    Kernel {
        ndim: 2,
        n_reduce: 2,
        inputs: vec![KernelInput {
            dtype: d,
            inner: StrideClass::Contiguous,
        }],
        body: vec![Instr {
            inst: Inst::Load { input: 0 },
            dtype: d,
        }],
        reduces: [ReduceOp::Max, ReduceOp::Min, ReduceOp::Sum]
            .map(|op| KernelReduce { op, value: 0 })
            .to_vec(),
        epilogue: (0..3)
            .map(|r| Instr {
                inst: Inst::Reduced(r),
                dtype: d,
            })
            .collect(),
        outputs: (0..3)
            .map(|value| KernelOutput {
                value,
                dtype: d,
                inner: StrideClass::Contiguous,
            })
            .collect(),
    }
}

/// Max, min and sum of one matrix in one kernel, over rows: a zero result's sign comes from every
/// row (the winning zero in a later row than the first, or in none), NaN from any row, and the sum
/// beside them is unaffected; bit for bit against folds with `lazulite_ir::semantics` (the sums are
/// of small integers, exact in any order).
#[test]
fn fast_max_min_beside_a_sum_over_two_dims() {
    let mut cases = 0;
    for d in [DType::F32, DType::F64] {
        let k = max_min_sum_kernel(d);
        let ck = compile(&k).unwrap();
        assert!(ck.vector_lanes() > 1, "{}", k.pretty());
        for (rows, cols) in [(1, 37), (3, 5), (3, 64), (2, 67), (4, 131)] {
            let n = (rows * cols) as usize;
            for p in (0..n).step_by(3) {
                let mut patterns: Vec<Vec<f64>> = Vec::new();
                for (win_max, lose_max) in [(0.0, -0.0), (-0.0, 0.0)] {
                    // non-positive values with zeros of one sign and one of the other at `p`
                    let mut v: Vec<f64> = (0..n)
                        .map(|i| {
                            if i % 4 == 1 {
                                -((i % 7) as f64) - 1.0
                            } else {
                                lose_max
                            }
                        })
                        .collect();
                    v[p] = win_max;
                    patterns.push(v.clone());
                    // the same mirrored (non-negative values), for min
                    patterns.push(v.iter().map(|&x| -x).collect());
                    // no winning zero at all
                    patterns.push(vec![lose_max; n]);
                }
                let mut nan: Vec<f64> = (0..n).map(|i| (i % 5) as f64 - 2.0).collect();
                nan[p] = f64::NAN;
                patterns.push(nan);
                for xs in patterns {
                    let (mut inb, mut outb) = (vec![0u8; n * d.size()], vec![0u8; 3 * 16]);
                    for (c, &x) in inb.chunks_mut(d.size()).zip(&xs) {
                        c.copy_from_slice(&Scalar::Float(x).to_bytes(d));
                    }
                    let shape = [rows, cols];
                    let strides = [cols, 1];
                    let ins = [inb.as_ptr()];
                    let base = outb.as_mut_ptr();
                    // SAFETY: three disjoint 16-byte slots of `outb`.
                    let outs = unsafe { [base, base.add(16), base.add(32)] };
                    let args = lazulite_codegen_cpu::KernelArgs {
                        shape: shape.as_ptr(),
                        inputs: ins.as_ptr(),
                        in_strides: strides.as_ptr(),
                        outputs: outs.as_ptr(),
                        out_strides: strides.as_ptr(),
                    };
                    // SAFETY: the input holds `rows * cols` contiguous elements of `d`; each output
                    // slot holds one element; all outlive the call.
                    unsafe { ck.entry()(&args, 0, rows) };
                    let got: Vec<f64> = (0..3)
                        .map(|o| Scalar::from_bytes(d, &outb[o * 16..o * 16 + d.size()]).as_f64())
                        .collect();
                    let sum = xs.iter().fold(0.0, |a, &x| a + x);
                    let want = [
                        oracle(ReduceOp::Max, d, &xs),
                        oracle(ReduceOp::Min, d, &xs),
                        sum,
                    ];
                    for (o, (&g, &w)) in got.iter().zip(&want).enumerate() {
                        assert!(
                            (g.is_nan() && w.is_nan()) || g.to_bits() == w.to_bits(),
                            "output {o} {d} {rows}x{cols} p={p}: got {g:e}, want {w:e} over {xs:?}"
                        );
                    }
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 500, "{cases}");
}
