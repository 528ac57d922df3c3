//! Test support: a graph builder, a naive reference evaluator of the graph, and a naive evaluator of a
//! schedule (per element, per instruction, with `lazulite_ir::semantics`). Values are f64 (integers and
//! bools as exact small values), which is enough for the small random inputs used here.

#![allow(dead_code)]

use lazulite_ir::semantics as sem;
use lazulite_ir::shape::{contiguous_strides, numel};
use lazulite_ir::{
    AxisIndex, BinaryOp, BufferRef, DType, ExternOp, ExternStep, Graph, Inst, Node, NodeId, Op,
    ReduceOp, Scalar, Schedule, Shape, Step, UnaryOp, ViewMap,
};
use lazulite_passes::{plan, plan_traced, PassConfig};

// ---------------------------------------------------------------------------------------------
// Building graphs

pub struct B {
    pub g: Graph,
}

impl B {
    pub fn new() -> B {
        B { g: Graph::new() }
    }

    fn add(&mut self, op: Op, inputs: &[NodeId], dtype: DType, shape: &[usize]) -> NodeId {
        self.g.add(Node {
            op,
            inputs: inputs.iter().copied().collect(),
            dtype,
            shape: shape.into(),
        })
    }

    pub fn shape(&self, a: NodeId) -> Shape {
        self.g.node(a).shape.clone()
    }

    pub fn dtype(&self, a: NodeId) -> DType {
        self.g.node(a).dtype
    }

    pub fn input_strided(
        &mut self,
        slot: u32,
        dtype: DType,
        shape: &[usize],
        strides: &[isize],
    ) -> NodeId {
        self.add(
            Op::Input {
                slot,
                device: lazulite_ir::Device::Cpu,
                strides: strides.into(),
            },
            &[],
            dtype,
            shape,
        )
    }

    pub fn input(&mut self, slot: u32, shape: &[usize]) -> NodeId {
        self.input_strided(slot, DType::F64, shape, &contiguous_strides(shape))
    }

    pub fn fill(&mut self, v: Scalar, dtype: DType, shape: &[usize]) -> NodeId {
        self.add(Op::Fill(v.cast(dtype)), &[], dtype, shape)
    }

    /// A float constant of `a`'s dtype and shape.
    pub fn c(&mut self, a: NodeId, v: f64) -> NodeId {
        let (d, s) = (self.dtype(a), self.shape(a));
        self.fill(Scalar::Float(v), d, &s)
    }

    pub fn un(&mut self, op: UnaryOp, a: NodeId) -> NodeId {
        let d = op.result_dtype(self.dtype(a)).unwrap();
        let s = self.shape(a);
        self.add(Op::Unary(op), &[a], d, &s)
    }

    pub fn bin(&mut self, op: BinaryOp, a: NodeId, b: NodeId) -> NodeId {
        assert_eq!(self.shape(a), self.shape(b));
        let d = op.result_dtype(self.dtype(a), self.dtype(b)).unwrap();
        let s = self.shape(a);
        self.add(Op::Binary(op), &[a, b], d, &s)
    }

    pub fn where_(&mut self, c: NodeId, a: NodeId, b: NodeId) -> NodeId {
        let (d, s) = (self.dtype(a), self.shape(a));
        self.add(Op::Where, &[c, a, b], d, &s)
    }

    pub fn cast(&mut self, a: NodeId, d: DType) -> NodeId {
        let s = self.shape(a);
        self.add(Op::Cast, &[a], d, &s)
    }

    pub fn reduce(&mut self, op: ReduceOp, a: NodeId, axes: &[u32]) -> NodeId {
        let src = self.shape(a);
        let s: Vec<usize> = (0..src.len())
            .filter(|k| !axes.contains(&(*k as u32)))
            .map(|k| src[k])
            .collect();
        let d = self.dtype(a);
        self.add(
            Op::Reduce {
                op,
                axes: axes.iter().copied().collect(),
            },
            &[a],
            d,
            &s,
        )
    }

    pub fn view(&mut self, a: NodeId, v: ViewMap, shape: &[usize]) -> NodeId {
        let d = self.dtype(a);
        self.add(Op::View(Box::new(v)), &[a], d, shape)
    }

    pub fn index(&mut self, a: NodeId, per_axis: &[AxisIndex], new_axes: &[usize]) -> NodeId {
        let (v, s) = ViewMap::index(&self.shape(a), per_axis, new_axes).unwrap();
        self.view(a, v, &s)
    }

    pub fn bcast(&mut self, a: NodeId, to: &[usize]) -> NodeId {
        let v = ViewMap::broadcast(&self.shape(a), to);
        self.view(a, v, to)
    }

    pub fn permute(&mut self, a: NodeId, perm: &[usize]) -> NodeId {
        let src = self.shape(a);
        let s: Vec<usize> = perm.iter().map(|&k| src[k]).collect();
        self.view(a, ViewMap::permute(perm), &s)
    }

    pub fn reshape(&mut self, a: NodeId, shape: &[usize]) -> NodeId {
        let d = self.dtype(a);
        self.add(Op::Reshape, &[a], d, shape)
    }

    /// An extern node, its dtype and shape by `ExternOp::infer`.
    pub fn ext(&mut self, op: ExternOp, operands: &[NodeId]) -> NodeId {
        let shapes: Vec<Shape> = operands.iter().map(|&o| self.shape(o)).collect();
        let infos: Vec<lazulite_ir::OperandInfo> = operands
            .iter()
            .zip(&shapes)
            .map(|(&o, s)| lazulite_ir::OperandInfo {
                dtype: self.dtype(o),
                shape: s,
            })
            .collect();
        let (d, s) = op.infer(&infos).unwrap().remove(0);
        self.add(Op::Extern { op, output: 0 }, operands, d, &s)
    }

    /// The node of every output of an extern call, in output order.
    pub fn ext_outputs(&mut self, op: ExternOp, operands: &[NodeId]) -> Vec<NodeId> {
        let shapes: Vec<Shape> = operands.iter().map(|&o| self.shape(o)).collect();
        let infos: Vec<lazulite_ir::OperandInfo> = operands
            .iter()
            .zip(&shapes)
            .map(|(&o, s)| lazulite_ir::OperandInfo {
                dtype: self.dtype(o),
                shape: s,
            })
            .collect();
        let outs = op.infer(&infos).unwrap();
        outs.into_iter()
            .enumerate()
            .map(|(k, (d, s))| {
                let out = Op::Extern {
                    op,
                    output: k as u32,
                };
                self.add(out, operands, d, &s)
            })
            .collect()
    }
}

pub fn full(len: usize) -> AxisIndex {
    AxisIndex::Range {
        start: 0,
        step: 1,
        len,
    }
}

// ---------------------------------------------------------------------------------------------
// Scalar meaning, straight from `lazulite_ir::semantics`

pub fn round_to(d: DType, x: f64) -> f64 {
    if d == DType::F32 {
        x as f32 as f64
    } else {
        x
    }
}

pub fn to_scalar(d: DType, x: f64) -> Scalar {
    match d {
        DType::Bool => Scalar::Bool(x != 0.0),
        d if d.is_signed_int() => Scalar::Int(x as i64),
        d if d.is_unsigned_int() => Scalar::UInt(x as u64),
        _ => Scalar::Float(x),
    }
}

pub fn cast(from: DType, to: DType, x: f64) -> f64 {
    to_scalar(from, x).cast(to).as_f64()
}

pub fn unary(op: UnaryOp, d: DType, out: DType, x: f64) -> f64 {
    use UnaryOp::*;
    if d.is_real_float() {
        if out == DType::Bool {
            sem::float_predicate(op, x) as u8 as f64
        } else {
            round_to(out, sem::float_unary(op, x))
        }
    } else if d.is_integer() {
        match op {
            IsNan | IsInf => 0.0,
            IsFinite => 1.0,
            _ => sem::int_unary(op, x as i128, d) as f64,
        }
    } else {
        sem::bool_unary(op, x != 0.0) as u8 as f64
    }
}

pub fn binary(op: BinaryOp, d: DType, out: DType, a: f64, b: f64) -> f64 {
    if d.is_real_float() {
        if op.is_comparison() {
            sem::compare(op, a, b) as u8 as f64
        } else {
            round_to(out, sem::float_binary(op, a, b, d))
        }
    } else if d.is_integer() {
        if op.is_comparison() {
            sem::compare(op, a as i128, b as i128) as u8 as f64
        } else {
            sem::int_binary(op, a as i128, b as i128, d) as f64
        }
    } else {
        sem::bool_binary(op, a != 0.0, b != 0.0) as u8 as f64
    }
}

/// Folds `xs` with a reduction in order (min/max start from the first element).
pub fn fold(op: ReduceOp, d: DType, xs: impl Iterator<Item = f64>) -> f64 {
    let mut acc = op.identity(d).map(|s| s.as_f64());
    for x in xs {
        acc = Some(match acc {
            None => x,
            Some(a) => binary(op.combiner(), d, d, a, x),
        });
    }
    acc.unwrap_or(f64::NAN)
}

fn unravel(mut f: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        idx[d] = f % shape[d];
        f /= shape[d];
    }
    idx
}

fn ravel(idx: &[usize], shape: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &n)| acc * n + i)
}

// ---------------------------------------------------------------------------------------------
// Caller data

/// One input buffer: its elements and the element that is index (0, .., 0).
#[derive(Clone, Debug)]
pub struct Buf {
    pub data: Vec<f64>,
    pub base: isize,
}

impl Buf {
    fn at(&self, off: isize) -> f64 {
        let i = self.base + off;
        assert!(
            i >= 0 && (i as usize) < self.data.len(),
            "read out of bounds: {i}"
        );
        self.data[i as usize]
    }
}

/// A small deterministic generator.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
    }
}

/// Random data for an input of `shape` read with `strides` (negative strides included).
pub fn random_buf(rng: &mut Rng, dtype: DType, shape: &[usize], strides: &[isize]) -> Buf {
    let (mut lo, mut hi) = (0isize, 0isize);
    for (&n, &s) in shape.iter().zip(strides) {
        if n > 0 {
            let span = (n as isize - 1) * s;
            if span < 0 {
                lo += span
            } else {
                hi += span
            }
        }
    }
    let data = (0..=(hi - lo))
        .map(|_| {
            let x = rng.next();
            match dtype {
                DType::Bool => (x > 0.0) as u8 as f64,
                d if d.is_signed_int() => (x * 20.0).round(),
                d if d.is_unsigned_int() => (x * 20.0).abs().round(),
                d => round_to(d, x),
            }
        })
        .collect();
    Buf { data, base: -lo }
}

/// Random buffers for every input node of the graph.
pub fn random_inputs(g: &Graph, seed: u64) -> Vec<Buf> {
    let mut rng = Rng(seed);
    let mut bufs: Vec<Option<Buf>> = vec![];
    for (_, n) in g.nodes() {
        if let Op::Input { slot, strides, .. } = &n.op {
            let s = *slot as usize;
            if bufs.len() <= s {
                bufs.resize(s + 1, None);
            }
            if bufs[s].is_none() {
                bufs[s] = Some(random_buf(&mut rng, n.dtype, &n.shape, strides));
            }
        }
    }
    bufs.into_iter()
        .map(|b| b.expect("input slots are dense"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The reference: the graph, node by node, element by element (row-major values)

pub fn eval_graph(g: &Graph, inputs: &[Buf]) -> Vec<Vec<f64>> {
    let mut vals: Vec<Vec<f64>> = Vec::with_capacity(g.len());
    for (_, n) in g.nodes() {
        let size = numel(&n.shape);
        let arg = |k: usize| &vals[n.inputs[k].index()];
        let v: Vec<f64> = match &n.op {
            Op::Input { slot, strides, .. } => (0..size)
                .map(|f| {
                    let idx = unravel(f, &n.shape);
                    let off: isize = idx.iter().zip(strides).map(|(&i, &s)| i as isize * s).sum();
                    inputs[*slot as usize].at(off)
                })
                .collect(),
            Op::Fill(s) => vec![s.as_f64(); size],
            Op::Unary(u) => {
                let d = g.node(n.inputs[0]).dtype;
                arg(0).iter().map(|&x| unary(*u, d, n.dtype, x)).collect()
            }
            Op::Binary(b) => {
                let d = g.node(n.inputs[0]).dtype;
                (0..size)
                    .map(|i| binary(*b, d, n.dtype, arg(0)[i], arg(1)[i]))
                    .collect()
            }
            Op::Where => (0..size)
                .map(|i| {
                    if arg(0)[i] != 0.0 {
                        arg(1)[i]
                    } else {
                        arg(2)[i]
                    }
                })
                .collect(),
            Op::Cast => {
                let d = g.node(n.inputs[0]).dtype;
                arg(0).iter().map(|&x| cast(d, n.dtype, x)).collect()
            }
            Op::Reduce { op, axes } => {
                let src = &g.node(n.inputs[0]).shape;
                let red_shape: Vec<usize> = axes.iter().map(|&a| src[a as usize]).collect();
                (0..size)
                    .map(|f| {
                        let out_idx = unravel(f, &n.shape);
                        let xs = (0..numel(&red_shape)).map(|r| {
                            let ridx = unravel(r, &red_shape);
                            let (mut oi, mut ri) = (0, 0);
                            let full: Vec<usize> = (0..src.len())
                                .map(|k| {
                                    if axes.contains(&(k as u32)) {
                                        ri += 1;
                                        ridx[ri - 1]
                                    } else {
                                        oi += 1;
                                        out_idx[oi - 1]
                                    }
                                })
                                .collect();
                            arg(0)[ravel(&full, src)]
                        });
                        fold(*op, n.dtype, xs)
                    })
                    .collect()
            }
            Op::View(vm) => {
                let src = &g.node(n.inputs[0]).shape;
                (0..size)
                    .map(|f| {
                        let idx = unravel(f, &n.shape);
                        let mut s: Vec<i64> = vm.start.to_vec();
                        for (j, a) in vm.axes.iter().enumerate() {
                            if let Some((k, step)) = *a {
                                s[k as usize] += step * idx[j] as i64;
                            }
                        }
                        let su: Vec<usize> = s.iter().map(|&x| x as usize).collect();
                        arg(0)[ravel(&su, src)]
                    })
                    .collect()
            }
            Op::Reshape => arg(0).clone(),
            Op::Extern { op: e, .. } => {
                let operands: Vec<(&[f64], &[usize])> = n
                    .inputs
                    .iter()
                    .map(|i| (vals[i.index()].as_slice(), g.node(*i).shape.as_slice()))
                    .collect();
                eval_extern(*e, &operands, &n.shape)
            }
        };
        vals.push(v);
    }
    vals
}

/// The extern ops the graph tests use, on row-major f64 values: a naive triple loop for `MatMul`, a
/// running sum, and a join. (The runtime's own tests check every extern op; here the point is where
/// the planner puts the barriers and which buffers and layouts it hands each step.)
pub fn eval_extern(op: ExternOp, operands: &[(&[f64], &[usize])], out_shape: &[usize]) -> Vec<f64> {
    match op {
        ExternOp::MatMul => {
            let (a, sa) = operands[0];
            let (b, sb) = operands[1];
            let r = sa.len();
            let (m, k, n) = (sa[r - 2], sa[r - 1], sb[r - 1]);
            let batch = numel(&sa[..r - 2]);
            let mut out = vec![0.0; batch * m * n];
            for t in 0..batch {
                for i in 0..m {
                    for j in 0..n {
                        out[(t * m + i) * n + j] = (0..k)
                            .map(|p| a[(t * m + i) * k + p] * b[(t * k + p) * n + j])
                            .sum();
                    }
                }
            }
            out
        }
        ExternOp::CumSum {
            axis,
            include_initial,
        } => {
            let (x, sx) = operands[0];
            let a = axis as usize;
            let (outer, len, inner) = (numel(&sx[..a]), sx[a], numel(&sx[a + 1..]));
            let olen = out_shape[a];
            let mut out = vec![0.0; numel(out_shape)];
            for o in 0..outer {
                for r in 0..inner {
                    let mut acc = 0.0;
                    if include_initial {
                        out[o * olen * inner + r] = 0.0;
                    }
                    for i in 0..len {
                        acc += x[(o * len + i) * inner + r];
                        out[(o * olen + i + include_initial as usize) * inner + r] = acc;
                    }
                }
            }
            out
        }
        ExternOp::Concat { axis } => {
            let a = axis as usize;
            let outer = numel(&out_shape[..a]);
            let mut out = Vec::with_capacity(numel(out_shape));
            for o in 0..outer {
                for (x, sx) in operands {
                    let chunk = numel(&sx[a..]);
                    out.extend_from_slice(&x[o * chunk..(o + 1) * chunk]);
                }
            }
            out
        }
        other => panic!("the test evaluator has no {}", other.name()),
    }
}

// ---------------------------------------------------------------------------------------------
// The schedule, kernel by kernel, loop point by loop point, instruction by instruction

pub struct Memory {
    pub inputs: Vec<Buf>,
    pub temps: Vec<Vec<f64>>,
}

impl Memory {
    fn read(&self, b: BufferRef, off: isize) -> f64 {
        match b {
            BufferRef::Input(s) => self.inputs[s as usize].at(off),
            BufferRef::Temp(t) => {
                let v = &self.temps[t as usize];
                assert!(
                    off >= 0 && (off as usize) < v.len(),
                    "temp read out of bounds: {off}"
                );
                v[off as usize]
            }
        }
    }

    fn write(&mut self, b: BufferRef, off: isize, x: f64) {
        match b {
            BufferRef::Input(_) => panic!("a kernel writes a caller input"),
            BufferRef::Temp(t) => {
                let v = &mut self.temps[t as usize];
                assert!(
                    off >= 0 && (off as usize) < v.len(),
                    "temp write out of bounds: {off}"
                );
                v[off as usize] = x;
            }
        }
    }
}

fn run_block(block: &[lazulite_ir::Instr], load: &dyn Fn(u32) -> f64, reduced: &[f64]) -> Vec<f64> {
    let mut vals: Vec<f64> = Vec::with_capacity(block.len());
    for ins in block {
        let dt = |v: u32| block[v as usize].dtype;
        let x = match &ins.inst {
            Inst::Load { input } => load(*input),
            Inst::Const(s) => s.cast(ins.dtype).as_f64(),
            Inst::Unary(op, a) => unary(*op, dt(*a), ins.dtype, vals[*a as usize]),
            Inst::Binary(op, a, b) => {
                binary(*op, dt(*a), ins.dtype, vals[*a as usize], vals[*b as usize])
            }
            Inst::Select { cond, a, b } => {
                if vals[*cond as usize] != 0.0 {
                    vals[*a as usize]
                } else {
                    vals[*b as usize]
                }
            }
            Inst::Cast(a) => cast(dt(*a), ins.dtype, vals[*a as usize]),
            Inst::Reduced(k) => reduced[*k as usize],
        };
        vals.push(x);
    }
    vals
}

pub fn run_schedule(s: &Schedule, inputs: &[Buf]) -> Memory {
    let mut mem = Memory {
        inputs: inputs.to_vec(),
        temps: s.temps.iter().map(|t| vec![f64::NAN; t.len]).collect(),
    };
    for step in &s.steps {
        let ks = match step {
            Step::Kernel(ks) => ks,
            Step::Extern(es) => {
                run_extern(&mut mem, es);
                continue;
            }
        };
        let k = &ks.kernel;
        let nd = k.ndim as usize;
        let n_outer = k.n_outer();
        assert_eq!(ks.shape.len(), nd);
        let outer_shape = &ks.shape[..n_outer];
        let red_shape = &ks.shape[n_outer..];
        for f in 0..numel(outer_shape) {
            let oidx = unravel(f, outer_shape);
            let addr = |inp: usize, idx: &[usize]| {
                let op = &ks.inputs[inp];
                op.offset
                    + idx
                        .iter()
                        .zip(&op.strides)
                        .map(|(&i, &st)| i as isize * st)
                        .sum::<isize>()
            };
            let results = if k.n_reduce == 0 {
                let load = |i: u32| mem.read(ks.inputs[i as usize].buffer, addr(i as usize, &oidx));
                run_block(&k.body, &load, &[])
            } else {
                let mut accs: Vec<Option<f64>> = k
                    .reduces
                    .iter()
                    .map(|r| {
                        r.op.identity(k.body[r.value as usize].dtype)
                            .map(|s| s.as_f64())
                    })
                    .collect();
                for r in 0..numel(red_shape) {
                    let mut idx = oidx.clone();
                    idx.extend(unravel(r, red_shape));
                    let load =
                        |i: u32| mem.read(ks.inputs[i as usize].buffer, addr(i as usize, &idx));
                    let vals = run_block(&k.body, &load, &[]);
                    for (acc, red) in accs.iter_mut().zip(&k.reduces) {
                        let x = vals[red.value as usize];
                        let d = k.body[red.value as usize].dtype;
                        *acc = Some(match *acc {
                            None => x,
                            Some(a) => binary(red.op.combiner(), d, d, a, x),
                        });
                    }
                }
                let reduced: Vec<f64> = accs.iter().map(|a| a.unwrap_or(f64::NAN)).collect();
                let mut idx = oidx.clone();
                idx.extend(std::iter::repeat_n(0, red_shape.len()));
                let load = |i: u32| mem.read(ks.inputs[i as usize].buffer, addr(i as usize, &idx));
                run_block(&k.epilogue, &load, &reduced)
            };
            for (o, out) in k.outputs.iter().zip(&ks.outputs) {
                let off = out.offset
                    + oidx
                        .iter()
                        .zip(&out.strides)
                        .map(|(&i, &st)| i as isize * st)
                        .sum::<isize>();
                mem.write(out.buffer, off, results[o.value as usize]);
            }
        }
    }
    mem
}

fn run_extern(mem: &mut Memory, es: &ExternStep) {
    let values: Vec<Vec<f64>> = es
        .inputs
        .iter()
        .enumerate()
        .map(|(k, o)| {
            assert_eq!(o.strides.len(), o.shape.len());
            if !es.op.reads_strided(k) {
                assert!(
                    lazulite_passes::fusion::is_c_contiguous(&o.shape, &o.strides),
                    "{} operand {k} is not C-contiguous: {o:?}",
                    es.op.name()
                );
            }
            (0..numel(&o.shape))
                .map(|f| {
                    let idx = unravel(f, &o.shape);
                    let off = o.offset
                        + idx
                            .iter()
                            .zip(&o.strides)
                            .map(|(&i, &st)| i as isize * st)
                            .sum::<isize>();
                    mem.read(o.buffer, off)
                })
                .collect()
        })
        .collect();
    let operands: Vec<(&[f64], &[usize])> = values
        .iter()
        .zip(&es.inputs)
        .map(|(v, o)| (v.as_slice(), o.shape.as_slice()))
        .collect();
    let output = &es.outputs[0];
    let out = eval_extern(es.op, &operands, &output.shape);
    assert_eq!(mem.temps[output.temp as usize].len(), out.len());
    for (i, x) in out.into_iter().enumerate() {
        mem.write(BufferRef::Temp(output.temp), i as isize, x);
    }
}

/// The values of every root, row-major, read through the schedule's result layouts.
pub fn schedule_results(s: &Schedule, mem: &Memory) -> Vec<Vec<f64>> {
    s.results
        .iter()
        .map(|r| {
            (0..numel(&r.shape))
                .map(|f| {
                    let idx = unravel(f, &r.shape);
                    let off = r.offset
                        + idx
                            .iter()
                            .zip(&r.strides)
                            .map(|(&i, &st)| i as isize * st)
                            .sum::<isize>();
                    mem.read(r.buffer, off)
                })
                .collect()
        })
        .collect()
}

pub fn same_value(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a == 0.0 && b == 0.0 {
        return a.is_sign_negative() == b.is_sign_negative();
    }
    a == b || (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

/// Plans `roots` under every configuration, runs each schedule naively and compares every root with
/// the reference evaluation of the graph. Returns the default schedule.
pub fn check_with(g: &Graph, roots: &[NodeId], inputs: &[Buf]) -> Schedule {
    let want = eval_graph(g, inputs);
    let configs = [
        PassConfig::default(),
        PassConfig {
            fuse: false,
            ..PassConfig::default()
        },
        PassConfig {
            simplify: false,
            ..PassConfig::default()
        },
    ];
    for cfg in configs {
        let (s, _) = plan_traced(g, roots, &cfg).unwrap_or_else(|e| panic!("{cfg:?}: {e}"));
        assert_eq!(s.results.len(), roots.len());
        let mem = run_schedule(&s, inputs);
        let got = schedule_results(&s, &mem);
        for (k, (&r, vals)) in roots.iter().zip(&got).enumerate() {
            let n = g.node(r);
            assert_eq!(s.results[k].shape, n.shape, "{cfg:?}: root {k} shape");
            assert_eq!(s.results[k].dtype, n.dtype, "{cfg:?}: root {k} dtype");
            let w = &want[r.index()];
            assert_eq!(w.len(), vals.len());
            for (i, (&a, &b)) in w.iter().zip(vals).enumerate() {
                assert!(
                    same_value(a, b),
                    "{cfg:?}: root {k} element {i}: graph {a}, schedule {b}\n{}",
                    describe(&s)
                );
            }
        }
    }
    plan(g, roots).unwrap()
}

pub fn check(g: &Graph, roots: &[NodeId], seed: u64) -> Schedule {
    let inputs = random_inputs(g, seed);
    check_with(g, roots, &inputs)
}

pub fn describe(s: &Schedule) -> String {
    let mut out = String::new();
    for k in s.kernel_steps() {
        out += &format!(
            "[{}] shape {:?} inputs {:?}\n{}",
            k.label,
            k.shape.as_slice(),
            k.inputs,
            k.kernel.pretty()
        );
    }
    out += &format!("results {:?}\n", s.results);
    out
}

pub fn n_kernels(s: &Schedule) -> usize {
    s.kernel_steps().count()
}

pub fn ops_in(s: &Schedule) -> Vec<String> {
    let mut v = vec![];
    for k in s.kernel_steps() {
        for ins in k.kernel.body.iter().chain(&k.kernel.epilogue) {
            match &ins.inst {
                Inst::Unary(op, _) => v.push(op.name().to_string()),
                Inst::Binary(op, _, _) => v.push(op.name().to_string()),
                _ => {}
            }
        }
    }
    v
}
