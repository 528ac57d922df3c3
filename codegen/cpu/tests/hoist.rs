//! What a vectorized reduction makes once before its loops (`jit/hoist.rs`): the element of an input
//! broadcast along the reduced dim, the sign mask of a float `abs`, and the float adds and subtracts
//! emitted as fused multiply-adds by `±1`. Every result is checked bit for bit against the reference
//! evaluator on inputs whose sums are exact in any order (powers of two, zeros of both signs, and NaN
//! and inf for some seeds), for lengths around the lane and unroll counts, full and row reductions;
//! and an empty reduced dim must not read the broadcast input at all.

mod common;
use common::*;
use lazulite_codegen_cpu::{compile, KernelArgs};
use lazulite_ir::*;
use StrideClass::*;

/// `reduce(f(u, v))` with `u` broadcast along the innermost dim and `v` contiguous along it; `f`
/// built from the body's two loads (values 0 and 1).
fn kernel(d: DType, n_reduce: u32, tail: &[Inst]) -> Kernel {
    let mut body = vec![
        instr(Inst::Load { input: 0 }, d),
        instr(Inst::Load { input: 1 }, d),
    ];
    body.extend(tail.iter().map(|inst| instr(inst.clone(), d)));
    Kernel {
        ndim: 2,
        n_reduce,
        inputs: vec![input(d, Broadcast), input(d, Contiguous)],
        reduces: vec![KernelReduce {
            op: ReduceOp::Sum,
            value: body.len() as u32 - 1,
        }],
        body,
        epilogue: vec![instr(Inst::Reduced(0), d)],
        outputs: vec![output(0, d, Contiguous)],
    }
}

/// Same bits, or both NaN; a zero's sign is not compared (the compiled sum starts from `+0`, the
/// reference from the first element, so a sum of only `-0`s differs in the sign alone).
fn same_value(a: Scalar, b: Scalar) -> bool {
    match (a, b) {
        (Scalar::Float(x), Scalar::Float(y)) if x == 0.0 && y == 0.0 => true,
        _ => same(a, b),
    }
}

#[test]
fn broadcast_abs_and_fused_adds_match_the_reference_exactly() {
    use BinaryOp::{Add, Mul, Sub};
    let bodies: [&[Inst]; 4] = [
        // sum(abs(u - v)): the bench's broadcast-reduce
        &[Inst::Binary(Sub, 0, 1), Inst::Unary(UnaryOp::Abs, 2)],
        // sum(u - v), sum(v + u)
        &[Inst::Binary(Sub, 0, 1)],
        &[Inst::Binary(Add, 1, 0)],
        // sum((u - v) * (u + v)): one multiply, three adds with the accumulating one
        &[
            Inst::Binary(Sub, 0, 1),
            Inst::Binary(Add, 0, 1),
            Inst::Binary(Mul, 2, 3),
        ],
    ];
    let mut compared = 0;
    for d in [DType::F32, DType::F64] {
        for body in bodies {
            for n_reduce in [1, 2] {
                let k = kernel(d, n_reduce, body);
                let ck = compile(&k).unwrap_or_else(|e| panic!("{e}\n{}", k.pretty()));
                assert!(ck.vector_lanes() > 1, "{}", k.pretty());
                for cols in (0..=40).chain([63, 64, 65, 127, 128, 129, 131, 1000]) {
                    // seed 3: an inf in `u` and in `v` (inf - inf is NaN), seed 6: a NaN in `v`
                    for (rows, seed) in [(1, 1), (3, 3), (5, 4), (2, 6)] {
                        let shape = [rows, cols];
                        let mut u = View::new(d, &shape, &[1, 0]);
                        let mut v = View::new(d, &shape, &[0, 1]);
                        for i in 0..rows {
                            u.set(&[i, 0], exact_value(i as usize, seed));
                        }
                        for j in 0..cols {
                            v.set(&[0, j], exact_value(j as usize, seed + 7));
                        }
                        if cols > 0 && seed == 3 {
                            u.set(&[1, 0], Scalar::Float(f64::INFINITY));
                            v.set(&[0, cols - 1], Scalar::Float(f64::INFINITY));
                        }
                        if cols > 0 && seed == 6 {
                            v.set(&[0, cols / 2], Scalar::Float(f64::NAN));
                        }
                        let ins = [u, v];
                        let outer: &[i64] = if n_reduce == 2 { &[] } else { &[rows] };
                        let ostrides: &[i64] = if n_reduce == 2 { &[] } else { &[1] };
                        let mut got = [View::new(d, outer, ostrides)];
                        let mut want = [View::new(d, outer, ostrides)];
                        call(ck.entry(), &shape, &ins, &mut got, 0, rows);
                        reference(&k, &shape, &ins, &mut want, 0, rows);
                        for idx in indices(outer) {
                            let (g, w) = (got[0].get(&idx), want[0].get(&idx));
                            assert!(
                                same_value(g, w),
                                "{d} {rows}x{cols} seed {seed} at {idx:?}: got {g:?}, want {w:?}\n{}",
                                k.pretty()
                            );
                            compared += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(compared > 1000, "{compared}");
}

#[test]
fn empty_reduced_dim_never_reads_the_broadcast_input() {
    for d in [DType::F32, DType::F64] {
        let k = kernel(
            d,
            1,
            &[
                Inst::Binary(BinaryOp::Sub, 0, 1),
                Inst::Unary(UnaryOp::Abs, 2),
            ],
        );
        let ck = compile(&k).unwrap();
        let rows = 3i64;
        let shape = [rows, 0];
        let strides = [1i64, 0, 0, 1];
        // Nothing is there to read: a zero-extent dim has no elements, whatever the pointers.
        let ins = [std::ptr::null::<u8>(), std::ptr::null::<u8>()];
        let mut out = vec![0xffu8; rows as usize * d.size()];
        let outs = [out.as_mut_ptr()];
        let out_strides = [1i64];
        let args = KernelArgs {
            shape: shape.as_ptr(),
            inputs: ins.as_ptr(),
            in_strides: strides.as_ptr(),
            outputs: outs.as_ptr(),
            out_strides: out_strides.as_ptr(),
        };
        // SAFETY: the reduced dim is empty, so the kernel may read no input element; `out` has
        // room for the `rows` outputs.
        unsafe { ck.entry()(&args, 0, rows) };
        for r in 0..rows as usize {
            let s = Scalar::from_bytes(d, &out[r * d.size()..(r + 1) * d.size()]);
            assert!(same(s, Scalar::Float(0.0)), "{d} row {r}: {s:?}");
        }
    }
}
