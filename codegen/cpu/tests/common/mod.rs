//! Test harness: arrays with arbitrary strides, a reference evaluator of the kernel IR built on
//! `lazulite_ir::semantics` and `Scalar::cast` (the oracle), and a runner for compiled kernels.
#![allow(dead_code)]

pub mod ulp;

use lazulite_codegen_cpu::{compile, KernelArgs, KernelFn};
use lazulite_ir::semantics as sem;
use lazulite_ir::*;

/// A strided view into its own byte buffer.
pub struct View {
    pub dtype: DType,
    buf: Vec<u64>,
    /// Element offset of index (0, ..., 0) inside `buf`.
    origin: isize,
    pub strides: Vec<i64>,
}

impl View {
    /// A zeroed view of `shape` with element `strides` (any sign, 0 allowed).
    pub fn new(dtype: DType, shape: &[i64], strides: &[i64]) -> View {
        let (mut lo, mut hi) = (0i64, 0i64);
        for (&n, &s) in shape.iter().zip(strides) {
            if n > 0 {
                let e = (n - 1) * s;
                lo += e.min(0);
                hi += e.max(0);
            }
        }
        let elems = (hi - lo + 1) as usize;
        let words = (elems * dtype.size()).div_ceil(8) + 2;
        View {
            dtype,
            buf: vec![0; words],
            origin: -lo as isize,
            strides: strides.to_vec(),
        }
    }

    fn byte_off(&self, idx: &[i64]) -> usize {
        let e: i64 = idx.iter().zip(&self.strides).map(|(i, s)| i * s).sum();
        ((self.origin + e as isize) as usize) * self.dtype.size()
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: a u64 buffer reinterpreted as bytes, same length in bytes.
        unsafe { std::slice::from_raw_parts(self.buf.as_ptr() as *const u8, self.buf.len() * 8) }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above, exclusive.
        unsafe {
            std::slice::from_raw_parts_mut(self.buf.as_mut_ptr() as *mut u8, self.buf.len() * 8)
        }
    }

    pub fn get(&self, idx: &[i64]) -> Scalar {
        let o = self.byte_off(idx);
        Scalar::from_bytes(self.dtype, &self.bytes()[o..o + self.dtype.size()])
    }

    pub fn set(&mut self, idx: &[i64], v: Scalar) {
        let o = self.byte_off(idx);
        let b = v.to_bytes(self.dtype);
        let n = b.len();
        self.bytes_mut()[o..o + n].copy_from_slice(&b);
    }

    pub fn ptr(&self) -> *const u8 {
        // SAFETY: origin is inside the buffer.
        unsafe { (self.buf.as_ptr() as *const u8).add(self.origin as usize * self.dtype.size()) }
    }

    pub fn ptr_mut(&mut self) -> *mut u8 {
        // SAFETY: origin is inside the buffer.
        unsafe { (self.buf.as_mut_ptr() as *mut u8).add(self.origin as usize * self.dtype.size()) }
    }
}

/// All multi-indices of `shape`, row-major.
pub fn indices(shape: &[i64]) -> Vec<Vec<i64>> {
    let mut out = vec![vec![]];
    for &n in shape {
        let mut next = Vec::new();
        for p in &out {
            for i in 0..n {
                let mut q = p.clone();
                q.push(i);
                next.push(q);
            }
        }
        out = next;
    }
    out
}

/// Edge values of a dtype, then pseudo-random ones.
pub fn value(d: DType, i: usize, seed: u64) -> Scalar {
    let fl = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -2.5,
        2.5,
        3.0,
        -7.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1e300,
        -1e-300,
        4e9,
        -3e9,
        1e20,
        300.7,
        -0.75,
        1e-5,
    ];
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ seed.wrapping_mul(0xD1B5_4A32_D192_ED03);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    match d {
        DType::Bool => Scalar::Bool(x & 1 == 1),
        DType::F32 | DType::F64 => {
            let v = if i < fl.len() && seed.is_multiple_of(3) {
                fl[i]
            } else if (x >> 8).is_multiple_of(5) {
                fl[(x % fl.len() as u64) as usize]
            } else {
                ((x % 4001) as f64 - 2000.0) / 128.0
            };
            Scalar::Float(v).cast(d)
        }
        _ => {
            let (lo, hi) = d.int_range().unwrap();
            let bits = d.bits() as i128;
            let edges = [0, 1, -1, lo, hi, 2, 7, -7, bits, bits + 1, 3, -2, bits - 1];
            let v: i128 = if (x >> 8).is_multiple_of(3) {
                edges[(x % edges.len() as u64) as usize]
            } else if (x >> 12).is_multiple_of(2) {
                (x % 41) as i128 - 20
            } else {
                x as i128
            };
            Scalar::Int(v as i64).cast(d)
        }
    }
}

/// Powers of two (and zeros, plus NaN/inf for seeds divisible by 3): sums and products of a few
/// hundred of them are exact in any order, so vector reductions compare exactly.
pub fn exact_value(i: usize, seed: u64) -> Scalar {
    let set = [0.5, 1.0, 2.0, -0.5, -1.0, -2.0, 0.0, -0.0];
    let x = (i as u64 * 2654435761 + seed * 40503) % 1009;
    if seed.is_multiple_of(3) && x == 17 {
        return Scalar::Float(f64::NAN);
    }
    if seed.is_multiple_of(3) && x == 400 {
        return Scalar::Float(f64::INFINITY);
    }
    Scalar::Float(set[(x % set.len() as u64) as usize])
}

fn f(s: Scalar) -> f64 {
    s.as_f64()
}

fn i(s: Scalar) -> i128 {
    s.as_i128().unwrap()
}

fn int_scalar(v: i128, d: DType) -> Scalar {
    if d.is_signed_int() {
        Scalar::Int(v as i64)
    } else {
        Scalar::UInt(v as u64)
    }
}

/// The oracle for one unary op on an operand of dtype `d`.
pub fn eval_unary(op: UnaryOp, d: DType, x: Scalar) -> Scalar {
    use UnaryOp::*;
    if d.is_real_float() {
        match op {
            Signbit | IsNan | IsInf | IsFinite => Scalar::Bool(sem::float_predicate(op, f(x))),
            _ => Scalar::Float(sem::float_unary(op, f(x))).cast(d),
        }
    } else if d == DType::Bool {
        Scalar::Bool(sem::bool_unary(op, i(x) != 0))
    } else {
        match op {
            IsNan | IsInf => Scalar::Bool(false),
            IsFinite => Scalar::Bool(true),
            _ => int_scalar(sem::int_unary(op, i(x), d), d),
        }
    }
}

/// The oracle for one binary op on operands of dtype `d`.
pub fn eval_binary(op: BinaryOp, d: DType, a: Scalar, b: Scalar) -> Scalar {
    if d == DType::Bool {
        Scalar::Bool(sem::bool_binary(op, i(a) != 0, i(b) != 0))
    } else if op.is_comparison() {
        Scalar::Bool(if d.is_real_float() {
            sem::compare(op, f(a), f(b))
        } else {
            sem::compare(op, i(a), i(b))
        })
    } else if d.is_real_float() {
        Scalar::Float(sem::float_binary(op, f(a), f(b), d)).cast(d)
    } else {
        int_scalar(sem::int_binary(op, i(a), i(b), d), d)
    }
}

fn eval_block(block: &[Instr], load: &dyn Fn(usize) -> Scalar, reduced: &[Scalar]) -> Vec<Scalar> {
    let mut v: Vec<Scalar> = Vec::new();
    for ins in block {
        let r = match &ins.inst {
            Inst::Load { input } => load(*input as usize),
            Inst::Const(c) => c.cast(ins.dtype),
            Inst::Unary(op, a) => eval_unary(*op, block[*a as usize].dtype, v[*a as usize]),
            Inst::Binary(op, a, b) => eval_binary(
                *op,
                block[*a as usize].dtype,
                v[*a as usize],
                v[*b as usize],
            ),
            Inst::Select { cond, a, b } => {
                if v[*cond as usize].is_zero() {
                    v[*b as usize]
                } else {
                    v[*a as usize]
                }
            }
            Inst::Cast(a) => v[*a as usize].cast(ins.dtype),
            Inst::Reduced(k) => reduced[*k as usize],
        };
        v.push(r);
    }
    v
}

/// Reference evaluation of `k` over dim-0 range `[start, end)`; writes into `outs`.
pub fn reference(k: &Kernel, shape: &[i64], ins: &[View], outs: &mut [View], start: i64, end: i64) {
    let n_outer = k.n_outer();
    let mut sh = shape.to_vec();
    if k.ndim > 0 {
        sh[0] = end - start;
    } else if start >= end {
        return;
    }
    let shift = |idx: &[i64]| -> Vec<i64> {
        let mut j = idx.to_vec();
        if !j.is_empty() {
            j[0] += start;
        }
        j
    };
    for outer0 in indices(&sh[..n_outer]) {
        let outer = shift(&outer0);
        let vals = if k.n_reduce == 0 {
            eval_block(&k.body, &|n| ins[n].get(&outer), &[])
        } else {
            let mut accs: Vec<Option<Scalar>> = k
                .reduces
                .iter()
                .map(|r| r.op.identity(k.body[r.value as usize].dtype))
                .collect();
            for red in indices(&sh[n_outer..]) {
                let mut idx = outer0.clone();
                idx.extend(&red);
                let idx = shift(&idx);
                let v = eval_block(&k.body, &|n| ins[n].get(&idx), &[]);
                for (a, r) in accs.iter_mut().zip(&k.reduces) {
                    let x = v[r.value as usize];
                    let d = k.body[r.value as usize].dtype;
                    *a = Some(match *a {
                        None => x,
                        Some(acc) => eval_binary(r.op.combiner(), d, acc, x),
                    });
                }
            }
            let reduced: Vec<Scalar> = accs
                .into_iter()
                .map(|a| a.expect("non-empty min/max"))
                .collect();
            let mut at = outer.clone();
            at.extend(std::iter::repeat_n(0, k.ndim as usize - n_outer));
            eval_block(&k.epilogue, &|n| ins[n].get(&at), &reduced)
        };
        for (o, view) in k.outputs.iter().zip(outs.iter_mut()) {
            view.set(&outer, vals[o.value as usize]);
        }
    }
}

/// Calls the compiled kernel on `[start, end)`.
pub fn call(entry: KernelFn, shape: &[i64], ins: &[View], outs: &mut [View], start: i64, end: i64) {
    let in_ptrs: Vec<*const u8> = ins.iter().map(|v| v.ptr()).collect();
    let in_strides: Vec<i64> = ins.iter().flat_map(|v| v.strides.clone()).collect();
    let out_ptrs: Vec<*mut u8> = outs.iter_mut().map(|v| v.ptr_mut()).collect();
    let out_strides: Vec<i64> = outs.iter().flat_map(|v| v.strides.clone()).collect();
    let args = KernelArgs {
        shape: shape.as_ptr(),
        inputs: in_ptrs.as_ptr(),
        in_strides: in_strides.as_ptr(),
        outputs: out_ptrs.as_ptr(),
        out_strides: out_strides.as_ptr(),
    };
    // SAFETY: every pointer covers the elements the kernel addresses for this shape and range.
    unsafe { entry(&args, start, end) };
}

/// Same bits, or both NaN for floats.
pub fn same(a: Scalar, b: Scalar) -> bool {
    match (a, b) {
        (Scalar::Float(x), Scalar::Float(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        _ => a == b,
    }
}

/// How many ulps a compiled result may differ from the oracle: the vector `exp`, `log`, `sin`, `cos`,
/// `tan`, `atan`, `expm1`, `log1p`, `sinh`, `cosh` and `tanh` are inline polynomials within 2 ulp of
/// `lazulite_ir::semantics` (see `tests/exp_log.rs`, `tests/trig.rs`, `tests/hyperbolic.rs`,
/// `tests/log1p.rs`), not bit-exact; every other op is exact.
pub fn ulp_tolerance(k: &Kernel) -> u64 {
    let inline = k.body.iter().chain(&k.epilogue).any(|i| {
        // float32 `pow` too (`tests/pow.rs`)
        (i.dtype == DType::F32 && matches!(i.inst, Inst::Binary(BinaryOp::Pow, ..)))
            || matches!(
                i.inst,
                Inst::Unary(
                    UnaryOp::Exp
                        | UnaryOp::Log
                        | UnaryOp::Sin
                        | UnaryOp::Cos
                        | UnaryOp::Tan
                        | UnaryOp::Atan
                        | UnaryOp::Expm1
                        | UnaryOp::Log1p
                        | UnaryOp::Sinh
                        | UnaryOp::Cosh
                        | UnaryOp::Tanh,
                    _
                )
            )
    });
    if inline {
        2
    } else {
        0
    }
}

/// [`same`], or finite floats of dtype `d` at most `ulps` apart.
pub fn close(a: Scalar, b: Scalar, d: DType, ulps: u64) -> bool {
    if same(a, b) {
        return true;
    }
    let (x, y) = (a.as_f64(), b.as_f64());
    if ulps == 0 || !d.is_real_float() || !x.is_finite() || !y.is_finite() {
        return false;
    }
    let ord = |v: f64| -> i64 {
        let (bits, neg) = if d == DType::F32 {
            let b = (v as f32).to_bits();
            ((b & 0x7fff_ffff) as i64, b >> 31 == 1)
        } else {
            let b = v.to_bits();
            ((b & 0x7fff_ffff_ffff_ffff) as i64, b >> 63 == 1)
        };
        if neg {
            -bits
        } else {
            bits
        }
    };
    ord(x).abs_diff(ord(y)) <= ulps
}

/// A test case: shapes and strides of every operand.
pub struct Case {
    pub shape: Vec<i64>,
    pub in_strides: Vec<Vec<i64>>,
    pub out_strides: Vec<Vec<i64>>,
    /// How many pieces dim 0 is split into (calls of the kernel).
    pub splits: i64,
    pub seed: u64,
    /// Float inputs from a set whose sums and products are exact in any order (reductions).
    pub exact: bool,
}

impl Case {
    /// Contiguous row-major strides for all operands.
    pub fn contiguous(k: &Kernel, shape: &[i64]) -> Case {
        let rm = |sh: &[i64]| {
            let mut s = vec![1i64; sh.len()];
            for d in (0..sh.len().saturating_sub(1)).rev() {
                s[d] = s[d + 1] * sh[d + 1].max(1);
            }
            s
        };
        let n_outer = k.n_outer();
        Case {
            shape: shape.to_vec(),
            in_strides: k.inputs.iter().map(|_| rm(shape)).collect(),
            out_strides: k.outputs.iter().map(|_| rm(&shape[..n_outer])).collect(),
            splits: 1,
            seed: 0,
            exact: false,
        }
    }
}

/// Fills inputs, runs the compiled kernel and the oracle, and compares every output element. Returns
/// the number of elements compared. For reductions over dim 0, each split is a separate call whose
/// partial results are combined with the reduction's combiner (the kernel must have a plain epilogue).
pub fn check(k: &Kernel, case: &Case) -> usize {
    check_lanes(k, case).0
}

/// [`check`], also returning the vector lanes the kernel was compiled with.
pub fn check_lanes(k: &Kernel, case: &Case) -> (usize, u32) {
    let ck = compile(k).unwrap_or_else(|e| panic!("compile failed: {e}\n{}", k.pretty()));
    (check_compiled(k, ck.entry(), case), ck.vector_lanes())
}

pub fn check_compiled(k: &Kernel, entry: KernelFn, case: &Case) -> usize {
    let shape = &case.shape;
    let n_outer = k.n_outer();
    let mut ins: Vec<View> = k
        .inputs
        .iter()
        .zip(&case.in_strides)
        .map(|(inp, s)| View::new(inp.dtype, shape, s))
        .collect();
    for (n, v) in ins.iter_mut().enumerate() {
        for (j, idx) in indices(shape).iter().enumerate() {
            let seed = case.seed.wrapping_add(n as u64 * 7919);
            let s = if case.exact && v.dtype.is_real_float() {
                exact_value(j, seed)
            } else {
                value(v.dtype, j, seed)
            };
            v.set(idx, s);
        }
    }
    let outer_shape = &shape[..n_outer];
    let mk_outs = || -> Vec<View> {
        k.outputs
            .iter()
            .zip(&case.out_strides)
            .map(|(o, s)| View::new(o.dtype, outer_shape, s))
            .collect()
    };
    let total = if k.ndim == 0 { 1 } else { shape[0] };
    let splits = case.splits.max(1);
    let bounds: Vec<(i64, i64)> = (0..splits)
        .map(|p| (total * p / splits, total * (p + 1) / splits))
        .collect();
    let mut compared = 0;
    if k.n_reduce > 0 && n_outer == 0 {
        // Partial reductions: combine per split, both sides.
        let mut got: Vec<Option<Scalar>> = vec![None; k.outputs.len()];
        let mut want: Vec<Option<Scalar>> = vec![None; k.outputs.len()];
        for &(s, e) in &bounds {
            if s == e {
                continue;
            }
            let mut g = mk_outs();
            call(entry, shape, &ins, &mut g, s, e);
            let mut w = mk_outs();
            reference(k, shape, &ins, &mut w, s, e);
            for (o, out) in k.outputs.iter().enumerate() {
                let op = k.reduces[o.min(k.reduces.len() - 1)].op;
                let comb = |acc: Option<Scalar>, x: Scalar| match acc {
                    None => x,
                    Some(a) => eval_binary(op.combiner(), out.dtype, a, x),
                };
                got[o] = Some(comb(got[o], g[o].get(&[])));
                want[o] = Some(comb(want[o], w[o].get(&[])));
            }
        }
        for o in 0..k.outputs.len() {
            if let (Some(g), Some(w)) = (got[o], want[o]) {
                assert!(
                    close(g, w, k.outputs[o].dtype, ulp_tolerance(k)),
                    "output {o}: got {g:?}, want {w:?}\n{}",
                    k.pretty()
                );
                compared += 1;
            }
        }
        return compared;
    }
    let mut got = mk_outs();
    let mut want = mk_outs();
    for &(s, e) in &bounds {
        call(entry, shape, &ins, &mut got, s, e);
        reference(k, shape, &ins, &mut want, s, e);
    }
    for (o, (g, w)) in got.iter().zip(&want).enumerate() {
        for idx in indices(outer_shape) {
            let (a, b) = (g.get(&idx), w.get(&idx));
            if !close(a, b, k.outputs[o].dtype, ulp_tolerance(k)) {
                let inputs: Vec<String> = if k.n_reduce == 0 {
                    ins.iter().map(|v| format!("{:?}", v.get(&idx))).collect()
                } else {
                    vec![]
                };
                panic!(
                    "output {o} at {idx:?}: got {a:?}, want {b:?}; inputs {inputs:?}\n{}",
                    k.pretty()
                );
            }
            compared += 1;
        }
    }
    compared
}

// ---- kernel builders ----------------------------------------------------------------------------

pub fn instr(inst: Inst, dtype: DType) -> Instr {
    Instr { inst, dtype }
}

pub fn input(dtype: DType, inner: StrideClass) -> KernelInput {
    KernelInput { dtype, inner }
}

pub fn output(value: u32, dtype: DType, inner: StrideClass) -> KernelOutput {
    KernelOutput {
        value,
        dtype,
        inner,
    }
}

/// `out = op(in0)` over `ndim` dims.
pub fn unary_kernel(op: UnaryOp, d: DType, ndim: u32, class: StrideClass) -> Kernel {
    let r = op.result_dtype(d).unwrap();
    Kernel {
        ndim,
        n_reduce: 0,
        inputs: vec![input(d, class)],
        body: vec![
            instr(Inst::Load { input: 0 }, d),
            instr(Inst::Unary(op, 0), r),
        ],
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![output(1, r, class)],
    }
}

/// `out = op(in0, in1)` over `ndim` dims.
pub fn binary_kernel(
    op: BinaryOp,
    d: DType,
    ndim: u32,
    c0: StrideClass,
    c1: StrideClass,
    co: StrideClass,
) -> Kernel {
    let r = op.result_dtype_promoted(d).unwrap();
    Kernel {
        ndim,
        n_reduce: 0,
        inputs: vec![input(d, c0), input(d, c1)],
        body: vec![
            instr(Inst::Load { input: 0 }, d),
            instr(Inst::Load { input: 1 }, d),
            instr(Inst::Binary(op, 0, 1), r),
        ],
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![output(2, r, co)],
    }
}

/// `out = reduce_op(in0)` over the last `n_reduce` of `ndim` dims.
pub fn reduce_kernel(
    op: ReduceOp,
    d: DType,
    ndim: u32,
    n_reduce: u32,
    class: StrideClass,
) -> Kernel {
    Kernel {
        ndim,
        n_reduce,
        inputs: vec![input(d, class)],
        body: vec![instr(Inst::Load { input: 0 }, d)],
        reduces: vec![KernelReduce { op, value: 0 }],
        epilogue: vec![instr(Inst::Reduced(0), d)],
        outputs: vec![output(0, d, StrideClass::Contiguous)],
    }
}

pub const REAL_DTYPES: [DType; 11] = [
    DType::Bool,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::U8,
    DType::U16,
    DType::U32,
    DType::U64,
    DType::F32,
    DType::F64,
];
