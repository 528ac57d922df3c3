//! Random kernels for cross-backend tests (the property-test generator of `jit_vs_interpreter.rs`,
//! shared with the CUDA tests): op chains of one dtype family, comparisons and selects, casts,
//! reductions, epilogues, on random layouts (contiguous, broadcast, strided, negative strides, odd
//! sizes, ranks 0..=3), plus the runner and the comparison every backend test uses.

use lazulite_codegen_cpu::KernelArgs;
use lazulite_ir::ops::Returns;
use lazulite_ir::{
    BinaryOp, DType, Inst, Instr, Kernel, KernelInput, KernelOutput, KernelReduce, ReduceOp,
    Scalar, StrideClass, UnaryOp,
};
use proptest::prelude::*;

pub const FAMILIES: &[DType] = &[
    DType::F64,
    DType::F32,
    DType::I32,
    DType::I64,
    DType::I8,
    DType::U8,
    DType::U16,
    DType::U64,
];

/// A kernel plus concrete loop sizes and operand layouts.
#[derive(Debug, Clone)]
pub struct Case {
    pub kernel: Kernel,
    pub shape: Vec<usize>,
    /// Per input: strides per loop dim (elements); 0 = broadcast, negative = reversed.
    pub in_strides: Vec<Vec<isize>>,
    pub seed: u64,
    /// Explicit input buffers (one per input, spanning every element its layout touches, the element
    /// of index `(0, .., 0)` first when no stride is negative) instead of filling from `seed`.
    pub data: Option<Vec<Vec<u8>>>,
}

/// Ops the JIT may evaluate with inline approximations (within 2 ULP of `semantics` rather than bit for
/// bit; float32 `pow` too, see `build_kernel`): the chains apply them only as their last op, where the ULP comparison covers them, never
/// in front of a discontinuous op (floor, a comparison, a cast) that could magnify one ULP.
pub const APPROXIMATED: [UnaryOp; 11] = [
    UnaryOp::Exp,
    UnaryOp::Log,
    UnaryOp::Sin,
    UnaryOp::Cos,
    UnaryOp::Tan,
    UnaryOp::Atan,
    UnaryOp::Expm1,
    UnaryOp::Log1p,
    UnaryOp::Sinh,
    UnaryOp::Cosh,
    UnaryOp::Tanh,
];

fn same_dtype_ops(d: DType) -> (Vec<UnaryOp>, Vec<BinaryOp>) {
    let un = UnaryOp::ALL
        .iter()
        .copied()
        .filter(|u| {
            u.accepts().allows(d) && u.returns() == Returns::Same && !APPROXIMATED.contains(u)
        })
        .collect();
    let bin = BinaryOp::ALL
        .iter()
        .copied()
        .filter(|b| b.accepts().allows(d) && b.returns() == Returns::Same)
        .filter(|b| !(d == DType::F32 && *b == BinaryOp::Pow))
        .collect();
    (un, bin)
}

fn build_kernel(
    d: DType,
    ndim: u32,
    n_reduce: u32,
    n_in: usize,
    inner: &[StrideClass],
    choices: &[u32],
    reduce: ReduceOp,
) -> Kernel {
    let (un, bin) = same_dtype_ops(d);
    let mut body: Vec<Instr> = (0..n_in)
        .map(|i| Instr {
            inst: Inst::Load { input: i as u32 },
            dtype: d,
        })
        .collect();
    body.push(Instr {
        inst: Inst::Const(Scalar::Int(3).cast(d)),
        dtype: d,
    });
    // ids of the values of dtype `d`: only those may be operands of the chain
    let mut vals: Vec<u32> = (0..body.len() as u32).collect();
    for (step, &c) in choices.iter().enumerate() {
        let n = vals.len() as u32;
        let a = vals[(c % n) as usize];
        let b = vals[((c / 7 + step as u32) % n) as usize];
        let inst = match c % 5 {
            0 | 1 => match bin[(c / 3) as usize % bin.len()] {
                BinaryOp::Copysign => {
                    // The sign of a NaN is unspecified (IEEE 754 6.3): backends may create NaNs of
                    // either sign, so the sign operand is made NaN-free (a NaN becomes the constant).
                    body.push(Instr {
                        inst: Inst::Binary(BinaryOp::Ne, b, b),
                        dtype: DType::Bool,
                    });
                    let cond = body.len() as u32 - 1;
                    body.push(Instr {
                        inst: Inst::Select {
                            cond,
                            a: n_in as u32,
                            b,
                        },
                        dtype: d,
                    });
                    Inst::Binary(BinaryOp::Copysign, a, body.len() as u32 - 1)
                }
                op => Inst::Binary(op, a, b),
            },
            2 => Inst::Unary(un[(c / 3) as usize % un.len()], a),
            3 => {
                // a comparison feeding a select keeps the chain in one dtype
                let cmp =
                    [BinaryOp::Lt, BinaryOp::Ge, BinaryOp::Eq, BinaryOp::Ne][(c / 3) as usize % 4];
                body.push(Instr {
                    inst: Inst::Binary(cmp, a, b),
                    dtype: DType::Bool,
                });
                let cond = body.len() as u32 - 1;
                Inst::Select { cond, a: b, b: a }
            }
            _ => {
                // round trip through another dtype
                let other = if d.is_float() { DType::I32 } else { DType::F64 };
                body.push(Instr {
                    inst: Inst::Cast(a),
                    dtype: other,
                });
                Inst::Cast(body.len() as u32 - 1)
            }
        };
        body.push(Instr { inst, dtype: d });
        vals.push(body.len() as u32 - 1);
    }
    if d.is_float() && choices.len().is_multiple_of(3) {
        let op = APPROXIMATED[choices.len() / 3 % APPROXIMATED.len()];
        let a = *vals.last().expect("a value");
        body.push(Instr {
            inst: Inst::Unary(op, a),
            dtype: d,
        });
    }
    if d == DType::F32 && choices.len() % 3 == 1 {
        // float32 `pow` is inline too (`jit/pow.rs`, within 1 ulp): last op only, like the above
        let a = *vals.last().expect("a value");
        body.push(Instr {
            inst: Inst::Binary(BinaryOp::Pow, a, vals[0]),
            dtype: d,
        });
    }
    let last = body.len() as u32 - 1;
    let inputs = (0..n_in)
        .map(|i| KernelInput {
            dtype: d,
            inner: inner[i],
        })
        .collect();
    if n_reduce == 0 {
        Kernel {
            ndim,
            n_reduce,
            inputs,
            body,
            reduces: vec![],
            epilogue: vec![],
            outputs: vec![KernelOutput {
                value: last,
                dtype: d,
                inner: StrideClass::Contiguous,
            }],
        }
    } else {
        // a second reduction of the same value with another op: its tail padding differs
        let second = if reduce == ReduceOp::Max {
            ReduceOp::Sum
        } else {
            ReduceOp::Max
        };
        let ins = |inst: Inst| Instr { inst, dtype: d };
        let epilogue = vec![
            ins(Inst::Reduced(0)),
            ins(Inst::Const(Scalar::Int(2).cast(d))),
            ins(Inst::Binary(BinaryOp::Mul, 0, 1)),
            ins(Inst::Reduced(1)),
        ];
        let out = |value: u32| KernelOutput {
            value,
            dtype: d,
            inner: StrideClass::Contiguous,
        };
        Kernel {
            ndim,
            n_reduce,
            inputs,
            body,
            reduces: vec![
                KernelReduce {
                    op: reduce,
                    value: last,
                },
                KernelReduce {
                    op: second,
                    value: last,
                },
            ],
            epilogue,
            outputs: vec![out(2), out(0), out(3)],
        }
    }
}

pub fn case_strategy() -> impl Strategy<Value = Case> {
    (
        0..FAMILIES.len(),
        0u32..=3,
        any::<bool>(),
        1usize..=3,
        prop::collection::vec(0u32..1000, 1..12),
        prop::collection::vec(0usize..4, 3),
        prop::collection::vec(0usize..=9, 3),
        0usize..4,
        any::<u64>(),
    )
        .prop_map(
            |(fam, ndim, reduce, n_in, choices, layouts, sizes, rop, seed)| {
                let d = FAMILIES[fam];
                let n_reduce = if reduce && ndim > 0 { 1 } else { 0 };
                let rops = [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min, ReduceOp::Prod];
                let rop = rops[rop];
                let mut shape: Vec<usize> = (0..ndim as usize)
                    .map(|i| [1, 2, 3, 5, 7, 8, 16, 17, 33, 0][sizes[i]])
                    .collect();
                if n_reduce > 0 && shape[ndim as usize - 1] == 0 {
                    shape[ndim as usize - 1] = 3; // every reduction kernel here has a min or max, which the frontend never runs on an empty axis
                }
                // innermost layouts per input: 0 contiguous, 1 broadcast, 2 strided (2), 3 reversed
                let mut in_strides = Vec::new();
                let mut inner = Vec::new();
                for &layout in layouts.iter().take(n_in) {
                    let mut strides = vec![0isize; ndim as usize];
                    let mut acc = 1isize;
                    for k in (0..ndim as usize).rev() {
                        let s = match (k + 1 == ndim as usize, layout) {
                            (true, 1) => 0,
                            (true, 2) => 2,
                            (true, 3) => -1,
                            _ => 1,
                        };
                        strides[k] = s * acc;
                        acc *= (shape[k].max(1) as isize) * s.abs().max(1);
                    }
                    inner.push(StrideClass::of(strides.last().copied().unwrap_or(1)));
                    in_strides.push(strides);
                }
                let kernel = build_kernel(d, ndim, n_reduce, n_in, &inner, &choices, rop);
                Case {
                    kernel,
                    shape,
                    in_strides,
                    seed,
                    data: None,
                }
            },
        )
}

/// Deterministic pseudo-random bytes: small integers, and for floats a mix of normal values and specials
/// (complex values: each part drawn so).
pub fn fill(d: DType, n: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let specials = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        0.0,
        1e300,
        -1e-300,
    ];
    let mut out = Vec::with_capacity(n * d.size());
    for _ in 0..n {
        let r = next();
        let v = if d.is_complex() {
            let part = |r: u64| {
                if r.is_multiple_of(13) {
                    specials[(r >> 8) as usize % specials.len()]
                } else {
                    ((r >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 8.0
                }
            };
            let r2 = next();
            Scalar::Complex(part(r), part(r2))
        } else if d.is_float() {
            if r % 13 == 0 {
                Scalar::Float(specials[(r >> 8) as usize % specials.len()])
            } else {
                Scalar::Float(((r >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 8.0)
            }
        } else if r % 11 == 0 {
            Scalar::Int((r >> 3) as i64) // full-range bit patterns
        } else {
            Scalar::Int((r % 9) as i64 - 4)
        };
        out.extend(v.to_bytes(d));
    }
    out
}

/// A case's concrete operands: input buffers filled from the seed, output buffers zeroed, strides.
pub struct Operands {
    /// One buffer per input, spanning every element its layout touches.
    pub inputs: Vec<Vec<u8>>,
    /// Byte offset in each input buffer of the element of index `(0, .., 0)`.
    pub in_offsets: Vec<usize>,
    /// `inputs × ndim` strides in elements.
    pub in_strides: Vec<i64>,
    /// One C-contiguous buffer per output over the outer dims (at least one element).
    pub outputs: Vec<Vec<u8>>,
    /// `outputs × n_outer` strides in elements.
    pub out_strides: Vec<i64>,
    /// Elements per output (0 when an outer dim is 0).
    pub out_len: usize,
}

/// Allocates and fills the operands of `case` (the same bytes for every backend).
pub fn operands(case: &Case) -> Operands {
    let k = &case.kernel;
    let mut inputs = Vec::new();
    let mut in_offsets = Vec::new();
    let mut in_strides = Vec::new();
    for (i, strides) in case.in_strides.iter().enumerate() {
        let d = k.inputs[i].dtype;
        let (mut lo, mut hi) = (0isize, 0isize);
        for (s, &n) in strides.iter().zip(&case.shape) {
            let reach = s * (n.max(1) as isize - 1);
            if reach < 0 {
                lo += reach
            } else {
                hi += reach
            }
        }
        let len = (hi - lo + 1) as usize;
        match &case.data {
            Some(data) => {
                assert_eq!(
                    data[i].len(),
                    len * d.size(),
                    "explicit data of input {i} spans its layout"
                );
                inputs.push(data[i].clone());
            }
            None => inputs.push(fill(d, len, case.seed.wrapping_add(i as u64 * 7919))),
        }
        in_offsets.push((-lo) as usize * d.size());
        in_strides.extend(strides.iter().map(|&s| s as i64));
    }
    let outer: Vec<usize> = case.shape[..k.n_outer()].to_vec();
    let out_len: usize = outer.iter().product();
    let outputs = k
        .outputs
        .iter()
        .map(|o| vec![0u8; out_len.max(1) * o.dtype.size()])
        .collect();
    let mut out_strides = Vec::new();
    for _ in &k.outputs {
        out_strides.extend(
            lazulite_ir::shape::contiguous_strides(&outer)
                .iter()
                .map(|&s| s as i64),
        );
    }
    Operands {
        inputs,
        in_offsets,
        in_strides,
        outputs,
        out_strides,
        out_len,
    }
}

/// Runs the kernel over the whole dim-0 range in two calls (exercising `start > 0`) and returns the
/// output bytes. `run` is either the interpreter or the compiled entry.
pub fn run_case(case: &Case, run: &dyn Fn(&KernelArgs, i64, i64)) -> Vec<Vec<u8>> {
    let k = &case.kernel;
    let ndim = k.ndim as usize;
    let n_outer = k.n_outer();
    let shape: Vec<i64> = case.shape.iter().map(|&s| s as i64).collect();
    let mut ops = operands(case);
    let in_ptrs: Vec<*const u8> = ops
        .inputs
        .iter()
        .zip(&ops.in_offsets)
        .map(|(b, &off)| b[off..].as_ptr())
        .collect();
    let out_ptrs: Vec<*mut u8> = ops.outputs.iter_mut().map(|o| o.as_mut_ptr()).collect();
    let args = KernelArgs {
        shape: shape.as_ptr(),
        inputs: in_ptrs.as_ptr(),
        in_strides: ops.in_strides.as_ptr(),
        outputs: out_ptrs.as_ptr(),
        out_strides: ops.out_strides.as_ptr(),
    };
    let extent = if ndim == 0 { 1 } else { shape[0] };
    if n_outer == 0 || extent < 2 {
        run(&args, 0, extent);
    } else {
        let mid = extent / 2;
        run(&args, 0, mid);
        run(&args, mid, extent);
    }
    if ops.out_len == 0 {
        ops.outputs.iter_mut().for_each(Vec::clear);
    }
    ops.outputs
}

/// How far two evaluation orders of a sum or product may drift apart.
#[derive(Clone, Copy)]
pub struct Loose<'a> {
    /// The number of terms reduced into each output element.
    pub terms: usize,
    /// Per output element, the sum of the terms' magnitudes (for sums: a rounding error scales with
    /// it, not with the result, when the terms cancel); `None` for products.
    pub magnitude: Option<&'a [f64]>,
}

/// Floats equal bit for bit up to NaN payloads (or within 8 ULP), integers exactly; with `loose`,
/// floats within the rounding two association orders of a reduction can produce.
pub fn close(d: DType, a: &[u8], b: &[u8], loose: Option<Loose>) -> bool {
    if !d.is_float() {
        return a == b;
    }
    let ulps = if d == DType::F32 {
        f32::EPSILON as f64
    } else {
        f64::EPSILON
    };
    // Two orders of `n` roundings each stay within about `n` ulps of the exact result (relative for a
    // product, relative to the terms' magnitudes for a sum), so they differ by at most about `2n`.
    let (rel, magnitude) = match loose {
        Some(l) => ((2.0 * l.terms as f64 * ulps).max(1e-6), l.magnitude),
        None => (0.0, None),
    };
    let loose = loose.is_some();
    a.chunks(d.size())
        .zip(b.chunks(d.size()))
        .enumerate()
        .all(|(i, (x, y))| {
            let (x, y) = (
                Scalar::from_bytes(d, x).as_f64(),
                Scalar::from_bytes(d, y).as_f64(),
            );
            if x.is_nan() || y.is_nan() {
                // a float sum may meet inf - inf in one order and not in another
                return (x.is_nan() && y.is_nan())
                    || (loose && (x.abs() > 1e200 || y.abs() > 1e200));
            }
            if x == y {
                return x.is_sign_negative() == y.is_sign_negative() || loose;
            }
            if loose {
                // association order differs: accept rounding-level differences, and anything once overflow
                // is in play (the order decides where it happens)
                // (an epilogue here scales a sum by at most 2)
                let terms = magnitude.map_or(0.0, |m| 2.0 * m[i]);
                return (x - y).abs() <= rel * (1.0 + x.abs().max(y.abs()).max(terms))
                    || x.abs().max(y.abs()) > 1e200;
            }
            (x - y).abs() <= 8.0 * ulps * x.abs().max(y.abs())
        })
}
