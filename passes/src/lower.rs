//! Lowering: one kernel per materialised node, in index (topological) order; a materialised extern
//! node becomes one [`ExternStep`] over its operands' buffers instead. The nodes of the outputs of one
//! extern call (same op, same operands) share one step, placed at the first of them; an output no node
//! asks for is written to a scratch temp that is freed right after the step.
//!
//! The loop domain of a kernel is its node's shape, or for a reduction its operand's shape with the
//! reduced axes moved innermost. Values are lowered from the kernel's node down to buffers and
//! constants; each node is reached with an [`IndexMap`] from the loop point to its own multi-index, and
//! movement ops transform that map (views compose, reshapes split). At a buffer (an input, a
//! materialised node, or a movement chain over one with a no-copy layout) the map becomes per-loop-dim
//! element strides and an offset. Finally loop dims are collapsed: size-1 dims dropped, and adjacent
//! dims merged where every operand walks them contiguously.

use crate::fusion::{leaf_layout, Fusion, LeafLayout};
use crate::layout::IndexMap;
use hashbrown::{HashMap, HashSet};
use lazulite_ir::shape::{contiguous_strides, numel};
use lazulite_ir::{
    bail, BufferRef, DType, Device, ExternOp, ExternOperand, ExternOutput, ExternStep, Graph, Inst,
    Instr, Kernel, KernelInput, KernelOutput, KernelReduce, KernelStep, NodeId, Op, Operand,
    Result, ResultRef, Schedule, Shape, Step, StrideClass, Strides, TempBuffer, ValueId,
};
use std::sync::Arc;

const BODY: usize = 0;
const EPILOGUE: usize = 1;
/// Labels list at most this many fused ops.
const LABEL_OPS: usize = 8;

/// Lowers every materialised node to a kernel step and says where each root lives.
pub fn lower(g: &Graph, roots: &[NodeId], fusion: &Fusion) -> Result<Schedule> {
    let mat = &fusion.materialised;
    // Everything runs where the inputs live (the standard allows no implicit transfers).
    let device = Device::common(
        "compute",
        g.nodes().filter_map(|(_, n)| match n.op {
            Op::Input { device, .. } => Some(device),
            _ => None,
        }),
    )?;
    let mut schedule = Schedule {
        device,
        ..Schedule::default()
    };
    let mut temp_of = vec![u32::MAX; g.len()];
    for (id, n) in g.nodes() {
        if mat[id.index()] {
            temp_of[id.index()] = schedule.temps.len() as u32;
            schedule.temps.push(TempBuffer {
                dtype: n.dtype,
                len: numel(&n.shape),
                device,
            });
        }
    }
    let mut ctx = Context {
        g,
        mat,
        temp_of,
        layouts: HashMap::new(),
        device,
    };
    // Equal kernels of one schedule share one `Arc` (the set holds the `Arc`s, not copies).
    let mut kernels: HashSet<Arc<Kernel>> = HashSet::new();
    // The materialised extern nodes by (op with output index, operands), to find a call's outputs.
    let extern_nodes: HashMap<(&Op, &[NodeId]), NodeId> = g
        .nodes()
        .filter(|(id, n)| mat[id.index()] && n.op.is_extern())
        .map(|(id, n)| ((&n.op, n.inputs.as_slice()), id))
        .collect();
    let siblings = crate::siblings::sibling_reductions(g, mat);
    // Per extern call (op and operands): the temp of each output, once its step exists.
    let mut calls: HashMap<(ExternOp, &[NodeId]), Vec<u32>> = HashMap::new();
    for (id, n) in g.nodes() {
        if let (true, Op::Extern { op, output }) = (mat[id.index()], &n.op) {
            match calls.get(&(*op, n.inputs.as_slice())) {
                Some(temps) => {
                    // A later output of a call whose step already runs: it writes this node's temp.
                    let written = temps.get(*output as usize).copied();
                    ensure_written(written, ctx.temp_of[id.index()], op)?;
                }
                None => {
                    let step = extern_step(&mut ctx, &mut schedule.temps, &extern_nodes, id, *op)?;
                    calls.insert(
                        (*op, n.inputs.as_slice()),
                        step.outputs.iter().map(|o| o.temp).collect(),
                    );
                    schedule.steps.push(Step::Extern(step));
                }
            }
        } else if mat[id.index()] {
            let Some(siblings) = siblings.get(&id) else {
                continue; // computed by an earlier sibling's kernel
            };
            let mut builder = KernelBuilder::new(&mut ctx, id);
            builder.add_siblings(siblings);
            let mut step = builder.build()?;
            step.end = fusion.reasons[id.index()];
            if cfg!(debug_assertions) {
                lazulite_ir::verify::verify_kernel(&step.kernel)?;
            }
            match kernels.get(&*step.kernel) {
                Some(shared) => step.kernel = shared.clone(),
                None => {
                    kernels.insert(step.kernel.clone());
                }
            }
            schedule.steps.push(Step::Kernel(step));
        }
    }
    for &r in roots {
        let n = g.node(r);
        let (buffer, strides, offset) = if mat[r.index()] {
            (ctx.buffer(r)?, contiguous_strides(&n.shape), 0)
        } else {
            match ctx.layout(r) {
                Some(l) => (ctx.buffer(l.leaf)?, l.strides, l.offset),
                None => bail!(
                    Internal,
                    "plan: root node {} ({}) is neither a buffer nor a view of one",
                    r.0,
                    n.op.name()
                ),
            }
        };
        schedule.results.push(ResultRef {
            buffer,
            offset,
            strides,
            shape: n.shape.clone(),
            dtype: n.dtype,
        });
    }
    Ok(schedule)
}

/// What every kernel of one schedule shares.
struct Context<'a> {
    g: &'a Graph,
    mat: &'a [bool],
    temp_of: Vec<u32>,
    layouts: HashMap<NodeId, Option<LeafLayout>>,
    /// Where the schedule runs (every temp lives there).
    device: Device,
}

impl Context<'_> {
    /// The buffer layout of a node: a materialised node, an input, or a movement chain over one.
    fn layout(&mut self, id: NodeId) -> Option<LeafLayout> {
        let (g, mat) = (self.g, self.mat);
        self.layouts
            .entry(id)
            .or_insert_with(|| leaf_layout(g, mat, id, false))
            .clone()
    }

    fn buffer(&self, leaf: NodeId) -> Result<BufferRef> {
        if self.mat[leaf.index()] {
            return Ok(BufferRef::Temp(self.temp_of[leaf.index()]));
        }
        match self.g.node(leaf).op {
            Op::Input { slot, .. } => Ok(BufferRef::Input(slot)),
            ref op => bail!(
                Internal,
                "plan: node {} ({}) has no buffer",
                leaf.0,
                op.name()
            ),
        }
    }
}

fn ensure_written(written: Option<u32>, temp: u32, op: &ExternOp) -> Result<()> {
    if written != Some(temp) {
        bail!(
            Internal,
            "plan: an output node of {} has temp {temp}, but its call's step writes {written:?}",
            op.name()
        );
    }
    Ok(())
}

/// The step of an extern call, built at the first node of its outputs: its operands as buffers with
/// layouts (the fusion pass made each one a buffer of the layout the op reads), each output the temp
/// of the graph node of that output, or a new scratch temp when the graph has none.
fn extern_step(
    ctx: &mut Context,
    temps: &mut Vec<TempBuffer>,
    extern_nodes: &HashMap<(&Op, &[NodeId]), NodeId>,
    id: NodeId,
    op: ExternOp,
) -> Result<ExternStep> {
    let g = ctx.g;
    let n = g.node(id);
    let infos: Vec<lazulite_ir::OperandInfo> = n
        .inputs
        .iter()
        .map(|&o| lazulite_ir::OperandInfo {
            dtype: g.node(o).dtype,
            shape: &g.node(o).shape,
        })
        .collect();
    let mut outputs = Vec::with_capacity(op.num_outputs());
    for (k, (dtype, shape)) in op.infer(&infos)?.into_iter().enumerate() {
        let sibling = Op::Extern {
            op,
            output: k as u32,
        };
        // The graph interns nodes, so at most one node is output `k` of this call.
        let temp = match extern_nodes.get(&(&sibling, n.inputs.as_slice())) {
            Some(s) => ctx.temp_of[s.index()],
            None => {
                temps.push(TempBuffer {
                    dtype,
                    len: numel(&shape),
                    device: ctx.device,
                });
                temps.len() as u32 - 1
            }
        };
        outputs.push(ExternOutput { temp, shape, dtype });
    }
    let mut inputs = Vec::with_capacity(n.inputs.len());
    for &o in &n.inputs {
        let on = g.node(o);
        let (buffer, strides, offset) = if ctx.mat[o.index()] {
            (ctx.buffer(o)?, contiguous_strides(&on.shape), 0)
        } else {
            match ctx.layout(o) {
                Some(l) => (ctx.buffer(l.leaf)?, l.strides, l.offset),
                None => bail!(
                    Internal,
                    "plan: operand node {} ({}) of {} is not a buffer",
                    o.0,
                    on.op.name(),
                    op.name()
                ),
            }
        };
        inputs.push(ExternOperand {
            buffer,
            offset,
            strides,
            shape: on.shape.clone(),
            dtype: on.dtype,
        });
    }
    Ok(ExternStep {
        op,
        inputs,
        outputs,
    })
}

struct KernelBuilder<'a, 'b> {
    ctx: &'b mut Context<'a>,
    g: &'a Graph,
    /// The node this kernel computes.
    root: NodeId,
    /// More nodes it computes: bare reductions of the root's loop domain (the root is one too), each
    /// an output of its own (see [`crate::siblings::sibling_reductions`]).
    siblings: Vec<NodeId>,
    /// The reductions fused into it (several only when they share one loop domain).
    reduce: Vec<NodeId>,
    maps: Vec<IndexMap>,
    map_ids: HashMap<IndexMap, u32>,
    inputs: Vec<(DType, Operand)>,
    input_ids: HashMap<(BufferRef, isize, Strides), u32>,
    blocks: [Vec<Instr>; 2],
    memo: [HashMap<(NodeId, u32), ValueId>; 2],
    ops: [Vec<&'static str>; 2],
}

impl<'a, 'b> KernelBuilder<'a, 'b> {
    fn new(ctx: &'b mut Context<'a>, root: NodeId) -> Self {
        let g = ctx.g;
        let reduce = find_reductions(g, ctx.mat, root);
        KernelBuilder {
            ctx,
            g,
            root,
            siblings: vec![],
            reduce,
            maps: vec![],
            map_ids: HashMap::new(),
            inputs: vec![],
            input_ids: HashMap::new(),
            blocks: [vec![], vec![]],
            memo: [HashMap::new(), HashMap::new()],
            ops: [vec![], vec![]],
        }
    }

    /// Makes this kernel compute `siblings` too (bare reductions of the root's domain).
    fn add_siblings(&mut self, siblings: &[NodeId]) {
        self.siblings = siblings.to_vec();
        self.reduce.extend_from_slice(siblings);
    }

    /// Whether `id` is an output of this kernel.
    fn is_root(&self, id: NodeId) -> bool {
        id == self.root || self.siblings.contains(&id)
    }

    fn intern(&mut self, m: IndexMap) -> u32 {
        if let Some(&id) = self.map_ids.get(&m) {
            return id;
        }
        let id = self.maps.len() as u32;
        self.maps.push(m.clone());
        self.map_ids.insert(m, id);
        id
    }

    fn build(mut self) -> Result<KernelStep> {
        let g = self.g;
        let tn = g.node(self.root);
        let (shape, n_reduce, reduces, value) = match self.reduce.first().copied() {
            None => {
                // A reshape writes its source's elements in row-major order: loop over the source.
                let computed = match tn.op {
                    Op::Reshape => tn.inputs[0],
                    _ => self.root,
                };
                let shape = g.node(computed).shape.clone();
                let rank = shape.len();
                let m = self.intern(IndexMap::from_dims(&(0..rank).collect::<Vec<_>>(), rank));
                let v = self.value(BODY, computed, m)?;
                (shape, 0, vec![], v)
            }
            Some(r) => {
                let rn = g.node(r);
                let Op::Reduce { axes, .. } = &rn.op else {
                    bail!(Internal, "plan: node {} is not a reduction", r.0);
                };
                let operand = rn.inputs[0];
                let src = &g.node(operand).shape;
                let is_reduced = |k: usize| axes.contains(&(k as u32));
                let order: Vec<usize> = (0..src.len())
                    .filter(|&k| !is_reduced(k))
                    .chain(axes.iter().map(|&a| a as usize))
                    .collect();
                let shape: Shape = order.iter().map(|&k| src[k]).collect();
                let ndim = shape.len();
                let mut dim_of = vec![0; src.len()];
                for (d, &k) in order.iter().enumerate() {
                    dim_of[k] = d;
                }
                let m = self.intern(IndexMap::from_dims(&dim_of, ndim));
                // Every reduction of the kernel has an operand of this shape reduced over these
                // axes (`fusion::same_domain`), so one map serves all of their bodies.
                let mut reduces = Vec::with_capacity(self.reduce.len());
                for &ri in &self.reduce.clone() {
                    let rn = g.node(ri);
                    let Op::Reduce {
                        op: rop,
                        axes: raxes,
                    } = &rn.op
                    else {
                        bail!(Internal, "plan: node {} is not a reduction", ri.0);
                    };
                    if raxes != axes || g.node(rn.inputs[0]).shape != *src {
                        bail!(
                            Internal,
                            "plan: reductions {} and {} fused into one kernel walk different domains",
                            r.0,
                            ri.0
                        );
                    }
                    let v = self.value(BODY, rn.inputs[0], m)?;
                    reduces.push(KernelReduce { op: *rop, value: v });
                }
                let n_outer = ndim - axes.len();
                let out = self.intern(IndexMap::from_dims(&(0..n_outer).collect::<Vec<_>>(), ndim));
                let e = self.value(EPILOGUE, self.root, out)?;
                (shape, axes.len(), reduces, e)
            }
        };
        // The siblings' outputs: each a bare reduction, read in the epilogue.
        let mut sibling_values = Vec::with_capacity(self.siblings.len());
        if n_reduce > 0 {
            let out = self.intern(IndexMap::from_dims(
                &(0..shape.len() - n_reduce).collect::<Vec<_>>(),
                shape.len(),
            ));
            for s in self.siblings.clone() {
                sibling_values.push((s, self.value(EPILOGUE, s, out)?));
            }
        }
        let out_strides = contiguous_strides(&shape[..shape.len() - n_reduce]);
        let mut in_strides: Vec<Strides> =
            self.inputs.iter().map(|(_, o)| o.strides.clone()).collect();
        let mut outs = vec![out_strides; 1 + sibling_values.len()];
        let (shape, n_reduce) = collapse(&shape, n_reduce, &mut in_strides, &mut outs);
        let ndim = shape.len();
        let n_outer = ndim - n_reduce;
        let class = |s: &Strides, n: usize| {
            if n == 0 {
                StrideClass::Contiguous
            } else {
                StrideClass::of(s[n - 1])
            }
        };
        let kernel = Kernel {
            ndim: ndim as u32,
            n_reduce: n_reduce as u32,
            inputs: self
                .inputs
                .iter()
                .zip(&in_strides)
                .map(|((dtype, _), s)| KernelInput {
                    dtype: *dtype,
                    inner: class(s, ndim),
                })
                .collect(),
            body: std::mem::take(&mut self.blocks[BODY]),
            reduces,
            epilogue: std::mem::take(&mut self.blocks[EPILOGUE]),
            outputs: std::iter::once((value, tn.dtype))
                .chain(sibling_values.iter().map(|&(s, v)| (v, g.node(s).dtype)))
                .zip(&outs)
                .map(|((value, dtype), o)| KernelOutput {
                    value,
                    dtype,
                    inner: class(o, n_outer),
                })
                .collect(),
        };
        let label = self.label();
        let inputs = self
            .inputs
            .into_iter()
            .zip(in_strides)
            .map(|((_, o), strides)| Operand { strides, ..o })
            .collect();
        let outputs = std::iter::once(self.root)
            .chain(self.siblings.iter().copied())
            .zip(outs)
            .map(|(r, strides)| Operand {
                buffer: BufferRef::Temp(self.ctx.temp_of[r.index()]),
                offset: 0,
                strides,
            })
            .collect();
        Ok(KernelStep {
            kernel: Arc::new(kernel),
            shape,
            inputs,
            outputs,
            label,
            end: "",
        })
    }

    fn label(&self) -> String {
        let list = |ops: &[&str]| {
            let mut s = ops[..ops.len().min(LABEL_OPS)].join(", ");
            if ops.len() > LABEL_OPS {
                s.push_str(&format!(", ... ({} ops)", ops.len()));
            }
            s
        };
        let mut parts = vec![];
        if !self.ops[BODY].is_empty() {
            parts.push(list(&self.ops[BODY]));
        }
        if !self.reduce.is_empty() {
            let names: Vec<&str> = self
                .reduce
                .iter()
                .map(|&r| self.g.node(r).op.name())
                .collect();
            parts.push(names.join(" + "));
            if !self.ops[EPILOGUE].is_empty() {
                parts.push(list(&self.ops[EPILOGUE]));
            }
        }
        if parts.is_empty() {
            return match self.g.node(self.root).op {
                Op::Fill(_) => "fill".into(),
                _ => "copy".into(),
            };
        }
        parts.join(" -> ")
    }

    fn emit(&mut self, block: usize, inst: Inst, dtype: DType) -> ValueId {
        self.blocks[block].push(lazulite_ir::Instr { inst, dtype });
        (self.blocks[block].len() - 1) as ValueId
    }

    fn load(
        &mut self,
        block: usize,
        dtype: DType,
        buffer: BufferRef,
        strides: &[isize],
        offset: isize,
        map: u32,
    ) -> ValueId {
        let (strides, offset) = self.maps[map as usize].strides_over(strides, offset);
        let key = (buffer, offset, strides);
        let input = match self.input_ids.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.inputs.len() as u32;
                self.inputs.push((
                    dtype,
                    Operand {
                        buffer,
                        offset,
                        strides: key.2.clone(),
                    },
                ));
                self.input_ids.insert(key, i);
                i
            }
        };
        self.emit(block, Inst::Load { input }, dtype)
    }

    /// The value of `id` at this leaf, when `id` is a buffer, a constant or the fused reduction.
    fn leaf(&mut self, block: usize, id: NodeId, map: u32) -> Result<Option<ValueId>> {
        let n = self.g.node(id);
        if block == EPILOGUE {
            if let Some(k) = self.reduce.iter().position(|&r| r == id) {
                return Ok(Some(self.emit(block, Inst::Reduced(k as u32), n.dtype)));
            }
        }
        if !self.is_root(id) && self.ctx.mat[id.index()] {
            let b = self.ctx.buffer(id)?;
            let s = contiguous_strides(&n.shape);
            return Ok(Some(self.load(block, n.dtype, b, &s, 0, map)));
        }
        match &n.op {
            Op::Input { slot, strides, .. } => Ok(Some(self.load(
                block,
                n.dtype,
                BufferRef::Input(*slot),
                &strides.clone(),
                0,
                map,
            ))),
            Op::Fill(s) => Ok(Some(self.emit(block, Inst::Const(*s), n.dtype))),
            Op::View(_) | Op::Reshape if !self.is_root(id) => match self.ctx.layout(id) {
                Some(l) => {
                    let b = self.ctx.buffer(l.leaf)?;
                    Ok(Some(
                        self.load(block, n.dtype, b, &l.strides, l.offset, map),
                    ))
                }
                None => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// The map into a movement node's operand.
    fn transport(&mut self, id: NodeId, map: u32) -> Result<u32> {
        let n = self.g.node(id);
        let m = &self.maps[map as usize];
        let next = match &n.op {
            Op::View(v) => m.through_view(v),
            Op::Reshape => {
                let src = &self.g.node(n.inputs[0]).shape;
                match m.through_reshape(&n.shape, src) {
                    Some(m) => m,
                    None => bail!(
                        Internal,
                        "plan: reshape node {} from {:?} to {:?} is neither split-only nor over a \
                         buffer",
                        id.0,
                        src.as_slice(),
                        n.shape.as_slice()
                    ),
                }
            }
            op => bail!(Internal, "plan: {} is not a movement op", op.name()),
        };
        Ok(self.intern(next))
    }

    /// Lowers `start` read through `map` into `block`, with an explicit stack (graphs can be deep).
    fn value(&mut self, block: usize, start: NodeId, map: u32) -> Result<ValueId> {
        let mut stack = vec![(start, map, false)];
        while let Some((id, m, expanded)) = stack.pop() {
            if self.memo[block].contains_key(&(id, m)) {
                continue;
            }
            if !expanded {
                if let Some(v) = self.leaf(block, id, m)? {
                    self.memo[block].insert((id, m), v);
                    continue;
                }
            }
            let n = self.g.node(id);
            if n.op.is_movement() {
                let next = self.transport(id, m)?;
                let src = n.inputs[0];
                if expanded {
                    let v = self.memo[block][&(src, next)];
                    self.memo[block].insert((id, m), v);
                } else {
                    stack.push((id, m, true));
                    stack.push((src, next, false));
                }
                continue;
            }
            if !expanded {
                stack.push((id, m, true));
                for &i in n.inputs.iter().rev() {
                    stack.push((i, m, false));
                }
                continue;
            }
            let args: Vec<ValueId> = n
                .inputs
                .iter()
                .map(|&i| self.memo[block][&(i, m)])
                .collect();
            let inst = match &n.op {
                Op::Unary(u) => Inst::Unary(*u, args[0]),
                Op::Binary(b) => Inst::Binary(*b, args[0], args[1]),
                Op::Where => Inst::Select {
                    cond: args[0],
                    a: args[1],
                    b: args[2],
                },
                Op::Cast => Inst::Cast(args[0]),
                op => bail!(
                    Internal,
                    "plan: node {} ({}) cannot be fused here; it should have been materialised",
                    id.0,
                    op.name()
                ),
            };
            self.ops[block].push(n.op.name());
            let v = self.emit(block, inst, n.dtype);
            self.memo[block].insert((id, m), v);
        }
        Ok(self.memo[block][&(start, map)])
    }
}

/// The reductions computed by the kernel of `root`: `root` itself, or those its fused elementwise
/// expression reads (several only when they share one loop domain), in the order a depth-first walk
/// from `root` meets them.
fn find_reductions(g: &Graph, mat: &[bool], root: NodeId) -> Vec<NodeId> {
    let mut stack = vec![root];
    let mut seen = HashSet::new();
    let mut found = vec![];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) || (id != root && mat[id.index()]) {
            continue;
        }
        let n = g.node(id);
        match n.op {
            Op::Reduce { .. } => found.push(id),
            _ if n.op.is_elementwise() => stack.extend(n.inputs.iter().rev().copied()),
            _ => {}
        }
    }
    found
}

/// Collapses loop dims: drops size-1 dims (keeping one reduced dim in a reduction) and merges adjacent
/// dims of the same kind that every operand walks contiguously. `ins` hold strides over all loop dims,
/// `outs` over the outer dims. Returns the new extents and the new number of reduced dims.
pub fn collapse(
    shape: &[usize],
    n_reduce: usize,
    ins: &mut [Strides],
    outs: &mut [Strides],
) -> (Shape, usize) {
    let n_outer = shape.len() - n_reduce;
    let mut segments: [Vec<usize>; 2] = [
        (0..n_outer).filter(|&d| shape[d] != 1).collect(),
        (n_outer..shape.len()).filter(|&d| shape[d] != 1).collect(),
    ];
    if n_reduce > 0 && segments[1].is_empty() {
        segments[1].push(shape.len() - 1);
    }
    let mut new_shape = Shape::new();
    let mut new_ins: Vec<Strides> = vec![Strides::new(); ins.len()];
    let mut new_outs: Vec<Strides> = vec![Strides::new(); outs.len()];
    let mut new_reduce = 0;
    for (seg, dims) in segments.iter().enumerate() {
        let outer = seg == 0;
        let first = new_shape.len();
        for &d in dims {
            let e = shape[d] as isize;
            let mergeable = new_shape.len() > first
                && ins
                    .iter()
                    .zip(&new_ins)
                    .all(|(s, n)| n[n.len() - 1] == s[d] * e)
                && (!outer
                    || outs
                        .iter()
                        .zip(&new_outs)
                        .all(|(s, n)| n[n.len() - 1] == s[d] * e));
            if mergeable {
                let last = new_shape.len() - 1;
                new_shape[last] *= shape[d];
                for (s, n) in ins.iter().zip(new_ins.iter_mut()) {
                    let l = n.len() - 1;
                    n[l] = s[d];
                }
                if outer {
                    for (s, n) in outs.iter().zip(new_outs.iter_mut()) {
                        let l = n.len() - 1;
                        n[l] = s[d];
                    }
                }
            } else {
                new_shape.push(shape[d]);
                for (s, n) in ins.iter().zip(new_ins.iter_mut()) {
                    n.push(s[d]);
                }
                if outer {
                    for (s, n) in outs.iter().zip(new_outs.iter_mut()) {
                        n.push(s[d]);
                    }
                }
            }
        }
        if !outer {
            new_reduce = new_shape.len() - first;
        }
    }
    for (s, n) in ins.iter_mut().zip(new_ins) {
        *s = n;
    }
    for (s, n) in outs.iter_mut().zip(new_outs) {
        *s = n;
    }
    (new_shape, new_reduce)
}
