//! Helpers shared by the runtime's integration tests: kernels and schedules built by hand, and an
//! element-by-element oracle written directly against `lazulite_ir::semantics` / `Scalar::cast`.
#![allow(dead_code)]

pub mod chains;

use lazulite_ir::semantics as sem;
use lazulite_ir::shape::{contiguous_strides, numel};
use lazulite_ir::{
    BinaryOp, BufferRef, DType, Inst, Instr, Kernel, KernelInput, KernelOutput, KernelReduce,
    KernelStep, Operand, ResultRef, Scalar, Schedule, Step, StrideClass, TempBuffer, UnaryOp,
};
use lazulite_runtime::ArrayData;
use std::sync::Arc;

pub fn ins(inst: Inst, dtype: DType) -> Instr {
    Instr { inst, dtype }
}

pub fn input(dtype: DType, inner_stride: isize) -> KernelInput {
    KernelInput {
        dtype,
        inner: StrideClass::of(inner_stride),
    }
}

pub fn output(value: u32, dtype: DType) -> KernelOutput {
    KernelOutput {
        value,
        dtype,
        inner: StrideClass::Contiguous,
    }
}

pub fn reduce(op: lazulite_ir::ReduceOp, value: u32) -> KernelReduce {
    KernelReduce { op, value }
}

/// An input operand of a step: an array, element offset into its buffer and loop strides.
pub struct In {
    pub data: ArrayData,
    pub offset: isize,
    pub strides: Vec<isize>,
}

/// A one-step schedule: inputs are the given arrays (slots 0..), each output a fresh C-contiguous temp
/// over the outer shape, results the temps.
pub fn one_step(kernel: Kernel, shape: &[usize], inputs: &[In]) -> (Schedule, Vec<ArrayData>) {
    let outer = &shape[..kernel.n_outer()];
    let n = numel(outer);
    let temps: Vec<TempBuffer> = kernel
        .outputs
        .iter()
        .map(|o| TempBuffer {
            dtype: o.dtype,
            len: n,
            device: lazulite_ir::Device::Cpu,
        })
        .collect();
    let outs: Vec<Operand> = (0..kernel.outputs.len())
        .map(|k| Operand {
            buffer: BufferRef::Temp(k as u32),
            offset: 0,
            strides: contiguous_strides(outer),
        })
        .collect();
    let results = kernel
        .outputs
        .iter()
        .enumerate()
        .map(|(k, o)| ResultRef {
            buffer: BufferRef::Temp(k as u32),
            offset: 0,
            strides: contiguous_strides(outer),
            shape: outer.into(),
            dtype: o.dtype,
        })
        .collect();
    let step = KernelStep {
        kernel: Arc::new(kernel),
        shape: shape.into(),
        inputs: inputs
            .iter()
            .enumerate()
            .map(|(i, x)| Operand {
                buffer: BufferRef::Input(i as u32),
                offset: x.offset,
                strides: x.strides.iter().copied().collect(),
            })
            .collect(),
        outputs: outs,
        label: "test".into(),
        end: "",
    };
    let schedule = Schedule {
        device: lazulite_ir::Device::Cpu,
        temps,
        steps: vec![Step::Kernel(step)],
        results,
    };
    (schedule, inputs.iter().map(|x| x.data.clone()).collect())
}

/// Makes this test process run every kernel through the interpreter (the oracle under test here).
pub fn interpret_only() {
    let mut c = lazulite_runtime::config();
    if c.policy != lazulite_runtime::ExecPolicy::InterpretOnly {
        c.policy = lazulite_runtime::ExecPolicy::InterpretOnly;
        lazulite_runtime::set_config(c);
    }
}

/// Runs one kernel through the executor with the interpreter and
/// returns every output's elements in C order.
pub fn run(kernel: Kernel, shape: &[usize], inputs: &[In]) -> Vec<Vec<Scalar>> {
    interpret_only();
    let (s, data) = one_step(kernel, shape, inputs);
    let out = lazulite_runtime::execute(&s, &data).expect("execute");
    out.iter().map(elements).collect()
}

pub fn elements(a: &ArrayData) -> Vec<Scalar> {
    let size = a.dtype.size();
    a.to_contiguous_bytes()
        .chunks(size)
        .map(|c| Scalar::from_bytes(a.dtype, c))
        .collect()
}

pub fn array(vals: &[Scalar], dtype: DType, shape: &[usize]) -> ArrayData {
    ArrayData::from_scalars(vals, dtype, shape).expect("array")
}

pub fn contiguous_in(data: ArrayData) -> In {
    In {
        strides: contiguous_strides(&data.shape).to_vec(),
        offset: 0,
        data,
    }
}

/// Interesting values, cast to `d`.
pub fn sample_values(d: DType) -> Vec<Scalar> {
    let raw: Vec<Scalar> = vec![
        Scalar::Float(0.0),
        Scalar::Float(-0.0),
        Scalar::Float(1.0),
        Scalar::Float(-1.0),
        Scalar::Float(2.5),
        Scalar::Float(-3.5),
        Scalar::Float(0.1),
        Scalar::Float(7.0),
        Scalar::Float(-7.0),
        Scalar::Float(100.25),
        Scalar::Float(1e10),
        Scalar::Float(-1e-10),
        Scalar::Float(f64::NAN),
        Scalar::Float(f64::INFINITY),
        Scalar::Float(f64::NEG_INFINITY),
        Scalar::Int(127),
        Scalar::Int(-128),
        Scalar::Int(255),
        Scalar::Int(40000),
        Scalar::Int(i64::MIN),
        Scalar::Int(i64::MAX),
        Scalar::UInt(u64::MAX),
        Scalar::Int(3),
        Scalar::Int(-2),
        Scalar::Int(65),
    ];
    let mut out: Vec<Scalar> = Vec::new();
    for v in raw {
        // integers from non-finite floats are implementation noise; keep them out of integer samples
        if !d.is_float() {
            if let Scalar::Float(f) = v {
                if !f.is_finite() || f.abs() > 1e9 {
                    continue;
                }
            }
        }
        let c = v.cast(d);
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

fn real(s: Scalar) -> f64 {
    s.as_f64()
}

/// The meaning of a unary op on one element, straight from `semantics`.
pub fn oracle_unary(op: UnaryOp, d: DType, x: Scalar) -> Scalar {
    let od = op.result_dtype(d).expect("valid op");
    if d.is_bool() {
        let b = matches!(x, Scalar::Bool(true));
        return Scalar::Bool(sem::bool_unary(op, b));
    }
    if d.is_real_float() {
        return match op {
            UnaryOp::Signbit | UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite => {
                Scalar::Bool(sem::float_predicate(op, real(x)))
            }
            _ => Scalar::Float(sem::float_unary(op, real(x))).cast(od),
        };
    }
    // integers
    match op {
        UnaryOp::IsNan | UnaryOp::IsInf => Scalar::Bool(false),
        UnaryOp::IsFinite => Scalar::Bool(true),
        _ => {
            let v = sem::int_unary(op, x.as_i128().expect("integer"), d);
            int_scalar(v, od)
        }
    }
}

pub fn int_scalar(v: i128, d: DType) -> Scalar {
    if d.is_signed_int() {
        Scalar::Int(v as i64)
    } else {
        Scalar::UInt(v as u64)
    }
}

/// The meaning of a binary op on one element pair, straight from `semantics`.
pub fn oracle_binary(op: BinaryOp, d: DType, a: Scalar, b: Scalar) -> Scalar {
    let od = op.result_dtype_promoted(d).expect("valid op");
    if d.is_bool() {
        let (x, y) = (
            matches!(a, Scalar::Bool(true)),
            matches!(b, Scalar::Bool(true)),
        );
        return Scalar::Bool(sem::bool_binary(op, x, y));
    }
    if op.is_comparison() {
        return Scalar::Bool(if d.is_real_float() {
            sem::compare(op, real(a), real(b))
        } else {
            sem::compare(op, a.as_i128().unwrap(), b.as_i128().unwrap())
        });
    }
    if d.is_real_float() {
        return Scalar::Float(sem::float_binary(op, real(a), real(b), d)).cast(od);
    }
    int_scalar(
        sem::int_binary(op, a.as_i128().unwrap(), b.as_i128().unwrap(), d),
        od,
    )
}

/// Elementwise kernel of rank `ndim` computing `op(load in0)`.
pub fn unary_kernel(op: UnaryOp, d: DType, ndim: u32, inner: isize) -> Kernel {
    let od = op.result_dtype(d).unwrap();
    Kernel {
        ndim,
        n_reduce: 0,
        inputs: vec![input(d, inner)],
        body: vec![ins(Inst::Load { input: 0 }, d), ins(Inst::Unary(op, 0), od)],
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![output(1, od)],
    }
}

/// Rank-2 kernel `op(in0, in1)` over `[n, m]`, `in0` broadcast along axis 1 and `in1` along axis 0.
pub fn binary_kernel(op: BinaryOp, d: DType) -> Kernel {
    let od = op.result_dtype_promoted(d).unwrap();
    Kernel {
        ndim: 2,
        n_reduce: 0,
        inputs: vec![input(d, 0), input(d, 1)],
        body: vec![
            ins(Inst::Load { input: 0 }, d),
            ins(Inst::Load { input: 1 }, d),
            ins(Inst::Binary(op, 0, 1), od),
        ],
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![output(2, od)],
    }
}

/// Bitwise equality of scalars, with a message.
pub fn assert_same(got: &[Scalar], want: &[Scalar], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g, w, "{what}: element {i}");
    }
}

/// A tiny deterministic generator (xorshift).
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Uniform in [-1, 1).
    pub fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A random layout over `shape`: a physical C-contiguous array of permuted axes, some axes flipped
/// (negative strides), some broadcast (stride 0). Returns (physical element count, offset of element
/// (0, .., 0), strides), all in elements.
pub fn random_strides(rng: &mut Rng, shape: &[usize]) -> (usize, isize, Vec<isize>) {
    let r = shape.len();
    let mut perm: Vec<usize> = (0..r).collect();
    for i in (1..r).rev() {
        perm.swap(i, rng.below(i + 1));
    }
    let phys_shape: Vec<usize> = perm.iter().map(|&a| shape[a]).collect();
    let phys_strides = contiguous_strides(&phys_shape);
    let mut strides = vec![0isize; r];
    for (j, &a) in perm.iter().enumerate() {
        strides[a] = phys_strides[j];
    }
    let mut offset = 0isize;
    for a in 0..r {
        match rng.below(4) {
            0 => strides[a] = 0,
            1 => {
                offset += (shape[a] as isize - 1) * strides[a];
                strides[a] = -strides[a];
            }
            _ => {}
        }
    }
    (numel(&phys_shape).max(1), offset, strides)
}

/// A graph under construction, with its caller inputs (the extern-op tests add their builders to it).
#[derive(Default)]
pub struct G {
    pub g: lazulite_ir::Graph,
    pub inputs: Vec<ArrayData>,
}

impl G {
    /// A leaf reading caller input `a` (the next input slot).
    pub fn data(&mut self, a: ArrayData) -> lazulite_ir::NodeId {
        let slot = self.inputs.len() as u32;
        let node = lazulite_ir::Node {
            op: lazulite_ir::Op::Input {
                slot,
                device: lazulite_ir::Device::Cpu,
                strides: a.strides.clone(),
            },
            inputs: smallvec::SmallVec::new(),
            dtype: a.dtype,
            shape: a.shape.clone(),
        };
        self.inputs.push(a);
        self.g.add(node)
    }
}
