//! Compiled kernels (`lazulite_codegen_cpu`) against the interpreter on the same kernels and the same
//! arguments: elementwise chains over random layouts, unary math, reductions with epilogues.

mod common;
use common::*;
use lazulite_ir::shape::{contiguous_strides, numel};
use lazulite_ir::{BinaryOp, DType, Inst, Kernel, ReduceOp, Scalar, UnaryOp};
use lazulite_runtime::KernelArgs;

/// Every output's elements.
type Outputs = Vec<Vec<Scalar>>;

struct Operand {
    bytes: Vec<u64>, // 8-byte aligned backing store
    offset: isize,   // elements
    strides: Vec<isize>,
}

fn operand(vals: &[Scalar], d: DType, offset: isize, strides: Vec<isize>) -> Operand {
    let mut raw = Vec::new();
    for v in vals {
        raw.extend_from_slice(&v.to_bytes(d));
    }
    let mut bytes = vec![0u64; raw.len().div_ceil(8) + 2];
    // SAFETY: `bytes` has at least `raw.len()` bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(raw.as_ptr(), bytes.as_mut_ptr() as *mut u8, raw.len())
    };
    Operand {
        bytes,
        offset,
        strides,
    }
}

/// Runs `k` once compiled and once interpreted (whole range of dimension 0); returns both outputs.
fn run_both(k: &Kernel, shape: &[usize], ins: &[Operand]) -> Option<(Outputs, Outputs)> {
    let compiled = match lazulite_codegen_cpu::compile(k) {
        Ok(c) => c,
        Err(e) if e.kind == lazulite_ir::ErrorKind::NotImplemented => return None,
        Err(e) => panic!("compile failed: {e}\n{}", k.pretty()),
    };
    let outer = &shape[..k.n_outer()];
    let n = numel(outer);
    let shape64: Vec<i64> = shape.iter().map(|&x| x as i64).collect();
    let in_ptrs: Vec<*const u8> = ins
        .iter()
        .zip(&k.inputs)
        .map(|(o, ki)| {
            (o.bytes.as_ptr() as *const u8).wrapping_offset(o.offset * ki.dtype.size() as isize)
        })
        .collect();
    let in_strides: Vec<i64> = ins
        .iter()
        .flat_map(|o| o.strides.iter().map(|&s| s as i64))
        .collect();
    let out_strides: Vec<i64> = k
        .outputs
        .iter()
        .flat_map(|_| contiguous_strides(outer).into_iter().map(|s| s as i64))
        .collect();
    let end = if k.ndim == 0 { 1 } else { shape[0] as i64 };
    let mut results = Vec::new();
    for use_compiled in [true, false] {
        let mut outs: Vec<Vec<u64>> = k
            .outputs
            .iter()
            .map(|o| vec![0u64; (n * o.dtype.size()).div_ceil(8) + 1])
            .collect();
        let out_ptrs: Vec<*mut u8> = outs.iter_mut().map(|v| v.as_mut_ptr() as *mut u8).collect();
        let args = KernelArgs {
            shape: shape64.as_ptr(),
            inputs: in_ptrs.as_ptr(),
            in_strides: in_strides.as_ptr(),
            outputs: out_ptrs.as_ptr(),
            out_strides: out_strides.as_ptr(),
        };
        if use_compiled {
            // SAFETY: the operands hold every element the loop nest addresses (built by the test).
            unsafe { (compiled.entry())(&args, 0, end) };
        } else {
            lazulite_runtime::interpret(k, &args, 0, end).expect("interpret");
        }
        results.push(
            outs.iter()
                .zip(&k.outputs)
                .map(|(v, o)| {
                    // SAFETY: `v` holds at least n elements of the output dtype.
                    let b = unsafe {
                        std::slice::from_raw_parts(v.as_ptr() as *const u8, n * o.dtype.size())
                    };
                    b.chunks(o.dtype.size())
                        .map(|c| Scalar::from_bytes(o.dtype, c))
                        .collect()
                })
                .collect(),
        );
    }
    let interp = results.pop().unwrap();
    let comp = results.pop().unwrap();
    Some((comp, interp))
}

fn close(a: Scalar, b: Scalar, rel: f64) -> bool {
    match (a, b) {
        (Scalar::Float(x), Scalar::Float(y)) => {
            (x.is_nan() && y.is_nan()) || x == y || (x - y).abs() <= rel * x.abs().max(y.abs())
        }
        _ => a == b,
    }
}

/// A random layout (`random_strides`) over `shape`, filled with quarter-integers of dtype `d`.
fn layout(rng: &mut Rng, shape: &[usize], d: DType) -> Operand {
    let (n, offset, strides) = random_strides(rng, shape);
    let vals: Vec<Scalar> = (0..n)
        .map(|_| Scalar::Float((rng.f() * 8.0).round() / 4.0).cast(d))
        .collect();
    operand(&vals, d, offset, strides)
}

#[test]
fn elementwise_chains_agree_over_random_layouts() {
    let mut rng = Rng(4242);
    let mut ran = 0;
    for trial in 0..120 {
        let d = [DType::F64, DType::F32, DType::I32, DType::I64][trial % 4];
        let rank = 1 + trial % 4;
        let mut shape: Vec<usize> = (0..rank).map(|_| 1 + rng.below(6)).collect();
        if trial % 3 == 0 {
            shape[rank - 1] = 50 + rng.below(300);
        }
        let ins: Vec<Operand> = (0..3).map(|_| layout(&mut rng, &shape, d)).collect();
        let inner = |o: &Operand| *o.strides.last().unwrap();
        let k = Kernel {
            ndim: rank as u32,
            n_reduce: 0,
            inputs: ins.iter().map(|o| input(d, inner(o))).collect(),
            body: vec![
                ins_(Inst::Load { input: 0 }, d),
                ins_(Inst::Load { input: 1 }, d),
                ins_(Inst::Load { input: 2 }, d),
                ins_(Inst::Binary(BinaryOp::Mul, 0, 1), d),
                ins_(Inst::Binary(BinaryOp::Add, 3, 2), d),
                ins_(Inst::Binary(BinaryOp::Maximum, 4, 0), d),
                ins_(Inst::Binary(BinaryOp::Lt, 5, 1), DType::Bool),
                ins_(
                    Inst::Select {
                        cond: 6,
                        a: 5,
                        b: 2,
                    },
                    d,
                ),
            ],
            reduces: vec![],
            epilogue: vec![],
            outputs: vec![output(7, d), output(6, DType::Bool)],
        };
        let Some((c, i)) = run_both(&k, &shape, &ins) else {
            continue;
        };
        ran += 1;
        assert_same(&c[0], &i[0], &format!("trial {trial} {d} shape {shape:?}"));
        assert_same(
            &c[1],
            &i[1],
            &format!("trial {trial} {d} shape {shape:?} mask"),
        );
    }
    assert!(ran > 0, "the backend compiled none of the kernels");
}

fn ins_(inst: Inst, dtype: DType) -> lazulite_ir::Instr {
    ins(inst, dtype)
}

#[test]
fn unary_math_agrees_within_ulps() {
    let vals: Vec<f64> = (0..300).map(|i| (i as f64 - 150.0) / 37.0).collect();
    for d in [DType::F32, DType::F64] {
        let sv: Vec<Scalar> = vals.iter().map(|&v| Scalar::Float(v).cast(d)).collect();
        for &op in UnaryOp::ALL {
            if !op.accepts().allows(d) || op.result_dtype(d).unwrap() != d {
                continue;
            }
            let k = unary_kernel(op, d, 1, 1);
            let ins = [operand(&sv, d, 0, vec![1])];
            let Some((c, i)) = run_both(&k, &[sv.len()], &ins) else {
                continue;
            };
            let rel = if d == DType::F32 { 4e-7 } else { 1e-14 };
            for (j, (a, b)) in c[0].iter().zip(&i[0]).enumerate() {
                assert!(
                    close(*a, *b, rel),
                    "{} {d} at x={}: compiled {a:?}, interpreted {b:?}",
                    op.name(),
                    vals[j]
                );
            }
        }
    }
}

#[test]
fn several_reductions_agree_over_random_layouts() {
    let mut rng = Rng(99);
    for trial in 0..80 {
        let d = [DType::F64, DType::F32, DType::I32][trial % 3];
        let rank = 1 + trial % 4;
        let n_reduce = 1 + rng.below(rank);
        let mut shape: Vec<usize> = (0..rank).map(|_| 1 + rng.below(5)).collect();
        if trial % 4 == 0 {
            shape[rank - 1] = 100 + rng.below(900);
        }
        let x = layout(&mut rng, &shape, d);
        let k = Kernel {
            ndim: rank as u32,
            n_reduce: n_reduce as u32,
            inputs: vec![input(d, *x.strides.last().unwrap())],
            body: vec![ins_(Inst::Load { input: 0 }, d)],
            reduces: vec![reduce(ReduceOp::Sum, 0), reduce(ReduceOp::Max, 0)],
            epilogue: vec![ins_(Inst::Reduced(0), d), ins_(Inst::Reduced(1), d)],
            outputs: vec![output(0, d), output(1, d)],
        };
        let Some((c, i)) = run_both(&k, &shape, &[x]) else {
            continue;
        };
        // values are multiples of 1/4 of small magnitude: every summation order is exact
        let what = format!("trial {trial} {d} shape {shape:?} n_reduce {n_reduce}");
        assert_same(&c[0], &i[0], &what);
        assert_same(&c[1], &i[1], &what);
    }
}

#[test]
fn single_reductions_agree_over_random_layouts() {
    let mut rng = Rng(99);
    for trial in 0..120 {
        let d = [DType::F64, DType::F32, DType::I32, DType::U8][trial % 4];
        let rank = 1 + trial % 4;
        let n_reduce = 1 + rng.below(rank);
        let mut shape: Vec<usize> = (0..rank).map(|_| 1 + rng.below(5)).collect();
        if trial % 4 == 0 {
            shape[rank - 1] = 100 + rng.below(900);
        }
        let x = layout(&mut rng, &shape, d);
        let op = [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min, ReduceOp::Prod][trial % 4];
        let k = Kernel {
            ndim: rank as u32,
            n_reduce: n_reduce as u32,
            inputs: vec![input(d, *x.strides.last().unwrap())],
            body: vec![ins_(Inst::Load { input: 0 }, d)],
            reduces: vec![reduce(op, 0)],
            epilogue: vec![ins_(Inst::Reduced(0), d)],
            outputs: vec![output(0, d)],
        };
        let Some((c, i)) = run_both(&k, &shape, &[x]) else {
            continue;
        };
        let what = format!(
            "trial {trial} {} over {d} shape {shape:?} n_reduce {n_reduce}",
            op.name()
        );
        if op == ReduceOp::Prod && d.is_float() {
            for (a, b) in c[0].iter().zip(&i[0]) {
                assert!(close(*a, *b, 1e-5), "{what}: {a:?} vs {b:?}");
            }
        } else {
            assert_same(&c[0], &i[0], &what);
        }
    }
}

/// A full reduction (no outer dims) over a permuted, flipped and broadcast 4-d layout.
#[test]
fn full_sum_over_4d_permuted_layout() {
    let d = DType::F64;
    let shape = [4usize, 4, 4, 787];
    let vals: Vec<Scalar> = (0..50368)
        .map(|i| Scalar::Float((i % 16 == 0) as u8 as f64))
        .collect();
    let x = operand(&vals, d, 12, vec![-4, 0, 12592, 16]);
    let k = Kernel {
        ndim: 4,
        n_reduce: 4,
        inputs: vec![input(d, 16)],
        body: vec![ins_(Inst::Load { input: 0 }, d)],
        reduces: vec![reduce(ReduceOp::Sum, 0)],
        epilogue: vec![ins_(Inst::Reduced(0), d)],
        outputs: vec![output(0, d)],
    };
    if let Some((c, i)) = run_both(&k, &shape, &[x]) {
        // only i0 = 3 reads offsets that are multiples of 16: 4 * 4 * 787 ones
        assert_eq!(i[0][0], Scalar::Float(12592.0));
        assert_same(&c[0], &i[0], "compiled vs interpreted");
    }
}
