//! The compute walk: the unrealized part of the DAG below some arrays, interned into an [`ir::Graph`]
//! (realized nodes become `Op::Input` leaves), and the memo of the last graph and its schedule.
//!
//! A program computes graphs of one structure over and over (a loop body, the same expression with
//! new data or new scalar constants). The memo keeps the last graph the walk built and the schedule
//! the runtime planned for it; the next walk first checks the DAG against that graph node by node,
//! in the order the building walk would intern them, and when every node matches it has the
//! schedule and the inputs without building a graph or looking up the plan cache. The first
//! difference ends the check and the walk starts over, building (about a tenth of the cost of the
//! building walk when the check fails at its last node).

use super::{ArrayData, LazyArray, OperandsGuard};
use crate::rt;
use hashbrown::hash_map::Entry;
use hashbrown::HashMap;
use lazulite_ir::{self as ir, DType, Device, NodeId, Op, Result, Schedule, Shape};
use smallvec::SmallVec;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The part of the DAG below some arrays, as the runtime takes it.
pub(super) struct Lowered {
    /// The interned graph (`None` when the memo's graph matched, or once it moved into the memo).
    pub(super) graph: Option<ir::Graph>,
    pub(super) roots: Vec<NodeId>,
    pub(super) inputs: Vec<ArrayData>,
    /// How many nodes the walk visited (what freeing the computed DAG frees, about).
    nodes: usize,
}

impl Lowered {
    /// The nodes it holds when its inputs are host memory of at most [`super::LIGHT_INPUT_BYTES`]
    /// in all (freeing it may then wait), else `None`.
    pub(super) fn light_weight(&self) -> Option<usize> {
        let mut bytes = 0usize;
        for d in &self.inputs {
            if d.device() != Device::Cpu {
                return None;
            }
            bytes += d.buffer.len();
        }
        (self.graph.is_none() && bytes <= super::LIGHT_INPUT_BYTES).then_some(self.nodes)
    }
}

/// The last graph planned, with its schedule (see the module doc).
pub(super) struct Memo {
    graph: ir::Graph,
    roots: Vec<NodeId>,
    schedule: Arc<Schedule>,
    /// [`lazulite_runtime::plan_generation`] when it was planned: `clear_caches` voids it.
    generation: u64,
    /// How many inputs the graph has (the checking walk's list of them is made that long at once).
    inputs: usize,
}

static MEMO: Mutex<Option<Arc<Memo>>> = Mutex::new(None);

/// Graphs larger than this are not remembered (a copy of a 100,000-op chain kept alive would show in
/// the memory the suites measure; the walk's own cost dwarfs the plan lookup's there anyway).
const MEMO_MAX_NODES: usize = 1 << 14;

/// Walks the DAG below `arrays` and finds its schedule: from the memo when the DAG has the
/// remembered structure, else a graph is built and planned (plan cache first), and remembered.
/// Returns the replaced memo too, for the caller to release once the results are handed over.
pub(super) fn lower_and_plan(
    arrays: &[&LazyArray],
) -> Result<(Lowered, Arc<Schedule>, Option<Arc<Memo>>)> {
    if let Some((w, schedule)) = check_remembered(arrays)? {
        return Ok((w, schedule, None));
    }
    let t0 = std::time::Instant::now();
    let mut lowered = lower(arrays)?;
    lazulite_runtime::note_time(lazulite_runtime::Phase::Lower, t0);
    let graph = lowered.graph.take().ok_or_else(|| {
        ir::Error::new(ir::ErrorKind::Internal, "compute: the walk built no graph")
    })?;
    let generation = lazulite_runtime::plan_generation();
    let schedule = rt::plan(&graph, &lowered.roots)?;
    if graph.len() > MEMO_MAX_NODES {
        lowered.graph = Some(graph);
        return Ok((lowered, schedule, None));
    }
    let memo = Arc::new(Memo {
        graph,
        roots: lowered.roots.clone(),
        schedule: schedule.clone(),
        generation,
        inputs: lowered.inputs.len(),
    });
    let old = MEMO.lock().unwrap_or_else(|p| p.into_inner()).replace(memo);
    Ok((lowered, schedule, old))
}

/// The inputs and schedule of `arrays` when their DAG has the memo's structure (the checking walk
/// alone: nothing is built or planned), else `None`.
pub(super) fn check_remembered(arrays: &[&LazyArray]) -> Result<Option<(Lowered, Arc<Schedule>)>> {
    let t0 = std::time::Instant::now();
    let Some(memo) = remembered(arrays) else {
        return Ok(None);
    };
    let mut sink = Sink::Check {
        guide: memo.graph.node_slice(),
        len: 0,
    };
    match walk(arrays, &mut sink, memo.graph.len(), memo.inputs)? {
        Walked::Done(w) if sink.len() == memo.graph.len() && w.roots == memo.roots => {
            lazulite_runtime::note_time(lazulite_runtime::Phase::Lower, t0);
            lazulite_runtime::note_plan_reused();
            Ok(Some((w, memo.schedule.clone())))
        }
        _ => Ok(None),
    }
}

/// The memo, when it may fit `arrays`: planned in the current generation, as many roots, and the
/// first root's op, dtype and shape those of the remembered first root.
fn remembered(arrays: &[&LazyArray]) -> Option<Arc<Memo>> {
    let memo = MEMO.lock().unwrap_or_else(|p| p.into_inner()).clone()?;
    let first = arrays.first()?;
    let root = memo.graph.node_slice().get(memo.roots.first()?.index())?;
    (memo.generation == lazulite_runtime::plan_generation()
        && memo.roots.len() == arrays.len()
        && root.dtype == first.0.dtype
        && root.shape == first.0.shape
        && first.pending_op() == Some(&root.op))
    .then_some(memo)
}

/// Interns the DAG below `arrays` into a new graph.
pub(super) fn lower(arrays: &[&LazyArray]) -> Result<Lowered> {
    // Tables sized like the last walk's (a program computes graphs of similar size over and over):
    // a walk of a few thousand nodes then grows and rehashes nothing.
    static LAST_NODES: AtomicUsize = AtomicUsize::new(0);
    static LAST_INPUTS: AtomicUsize = AtomicUsize::new(0);
    let hint = LAST_NODES.load(Ordering::Relaxed).min(1 << 12);
    let inputs_hint = LAST_INPUTS.load(Ordering::Relaxed).min(1 << 12);
    let (mut lowered, sink) = loop {
        let mut sink = Sink::Build(ir::Graph::with_capacity(hint));
        match walk(arrays, &mut sink, hint, inputs_hint)? {
            Walked::Done(w) => break (w, sink),
            // computed with no guard held (computing empties operand lists)
            Walked::Transfer(t) => compute_transfer(&t)?,
            Walked::Differs => ir::bail!(Internal, "compute: a building walk stopped"),
        }
    };
    LAST_NODES.store(lowered.nodes, Ordering::Relaxed);
    LAST_INPUTS.store(lowered.inputs.len(), Ordering::Relaxed);
    if let Sink::Build(graph) = sink {
        lowered.graph = Some(graph);
    }
    Ok(lowered)
}

/// Where the walk's nodes go: into a new graph, or compared one by one with the nodes of a graph
/// built before, in order (nothing is built; the first difference ends the walk).
enum Sink<'g> {
    Build(ir::Graph),
    Check { guide: &'g [ir::Node], len: usize },
}

impl Sink<'_> {
    fn len(&self) -> usize {
        match self {
            Sink::Build(g) => g.len(),
            Sink::Check { len, .. } => *len,
        }
    }

    /// Whether `expanded` op nodes can still match: each expanded node takes one node of the guide
    /// when it exits, so a DAG with more op nodes than the guide has nodes differs. (The walk
    /// expands a whole chain before it compares the first node: without this bound, checking a
    /// 100,000-op chain against a 20-node guide would stack up the whole chain first.)
    fn has_room(&self, expanded: usize) -> bool {
        match self {
            Sink::Build(_) => true,
            Sink::Check { guide, .. } => expanded <= guide.len(),
        }
    }

    /// The id of the op node `(op, inputs, dtype, shape)`: interned into the graph, or the next
    /// node of the guide when it is that node (`None` when it is not).
    fn op(&mut self, op: &Op, inputs: &[NodeId], dtype: DType, shape: &Shape) -> Option<NodeId> {
        match self {
            Sink::Build(g) => Some(g.add(ir::Node {
                op: op.clone(),
                inputs: inputs.into(),
                dtype,
                shape: Shape::from_slice(shape),
            })),
            Sink::Check { guide, len } => {
                // The guide is an interned graph (no two nodes equal): a node equal to its next node
                // is new to the building walk too, which would give it this id.
                let n = guide.get(*len)?;
                let same = n.op == *op
                    && n.dtype == dtype
                    && n.shape == *shape
                    && n.inputs.as_slice() == inputs;
                same.then(|| Sink::next(len))
            }
        }
    }

    /// The id of input leaf `slot` (as [`Sink::op`]).
    fn input(
        &mut self,
        slot: u32,
        device: Device,
        strides: &[isize],
        dtype: DType,
        shape: &Shape,
    ) -> Option<NodeId> {
        match self {
            Sink::Build(g) => Some(g.add(ir::Node {
                op: Op::Input {
                    slot,
                    device,
                    strides: strides.into(),
                },
                inputs: SmallVec::new(),
                dtype,
                shape: Shape::from_slice(shape),
            })),
            Sink::Check { guide, len } => {
                let n = guide.get(*len)?;
                let same = matches!(&n.op, Op::Input { slot: s, device: d, strides: st }
                        if *s == slot && *d == device && st.as_slice() == strides)
                    && n.inputs.is_empty()
                    && n.dtype == dtype
                    && n.shape == *shape;
                same.then(|| Sink::next(len))
            }
        }
    }

    fn next(len: &mut usize) -> NodeId {
        *len += 1;
        NodeId(*len as u32 - 1)
    }
}

/// What the walk does at a node ([`expand`]).
enum Expanded {
    /// A leaf: its value is `a.realized_ref()`.
    Leaf,
    /// An op node: its exit and then its operands are on the stack.
    Op,
    /// A transfer node, not computed yet: a building walk computes it and starts over; a checking
    /// walk stops.
    Transfer,
}

/// Looks at `a` once: a leaf when it is realized; else, for an op node, pushes its exit and then
/// its operands onto `stack`.
///
/// An operand whose only references are this node's operand list and its own users' lists along
/// this path is reached along no other path (another user, or a second slot of this one, would
/// hold one more): the walk then neither looks it up nor records it in its table of nodes seen.
fn expand<'g>(
    a: &'g LazyArray,
    shared: bool,
    stack: &mut Vec<Visit<'g>>,
    guard: &'g OperandsGuard,
) -> Expanded {
    if a.0.realized.get().is_some() {
        return Expanded::Leaf;
    }
    if a.0.op.is_none() {
        return Expanded::Transfer;
    }
    // Under the guard no operand list is emptied; a node realized meanwhile by another thread
    // still has its operands until its list is emptied (after the value is set), so walking them
    // computes it once more, with the same result.
    let ops = a.operands_in(guard);
    if ops.is_empty() && a.0.realized.get().is_some() {
        return Expanded::Leaf;
    }
    // (an operand count past u32 would be 32 GiB of operand list)
    stack.push(Visit::Exit(a, ops.len() as u32, shared));
    stack.extend(ops.iter().rev().map(|o| {
        // one reference from this list and one from the node's own handle in the DAG above
        let shared = Arc::strong_count(&o.0) > 1;
        Visit::Enter(o, shared)
    }));
    Expanded::Op
}

/// Computes the transfer node `a` (its source on its device, then copied): it is data from then on.
fn compute_transfer(a: &LazyArray) -> Result<()> {
    let src = {
        let guard = super::operands_guard();
        match a.operands_in(&guard).as_slice() {
            [src] => src.clone(),
            ops => ir::bail!(
                Internal,
                "compute: a transfer node has {} operands",
                ops.len()
            ),
        }
    };
    let moved = lazulite_runtime::to_device(&src.compute()?, a.0.device)?;
    a.store(moved);
    Ok(())
}

/// One step of the walk: `bool` is whether the node may be reached along more than one path (then
/// the table of nodes seen gives its id the second time).
enum Visit<'g> {
    /// Look at a node: a node seen before or a leaf gives its id at once; an op node is expanded.
    Enter(&'g LazyArray, bool),
    /// All `u32` operands of this op node have given their ids (the top entries of the id
    /// stack, in order): intern the node. (16 bytes a step: a 100,000-op chain is on the stack
    /// whole before its first node is interned.)
    Exit(&'g LazyArray, u32, bool),
}

const _: () = assert!(std::mem::size_of::<Visit>() == 16);

fn too_many_inputs() -> ir::Error {
    ir::Error::new(
        ir::ErrorKind::NotImplemented,
        "compute: more than 2^32 input arrays in one graph",
    )
}

/// How a walk ended.
enum Walked {
    Done(Lowered),
    /// A checking sink found a difference.
    Differs,
    /// A building walk found this transfer node not computed yet: compute it and walk again.
    Transfer(LazyArray),
}

/// Walks the DAG below `arrays` into `sink`, iteratively (post-order with an explicit stack), under
/// one read guard of the operand lists: the nodes are borrowed, not cloned, and no node is locked.
/// `hint` and `inputs_hint`: about how many nodes and inputs to expect (the lists are made that long
/// at once: growing the list of 601 inputs of the 1000-op chain by doubling copied it ten times).
///
/// Each node is looked at once: entering it finds it in the table of nodes already seen, or (a leaf)
/// interns it, or (an op) pushes its exit and then its operands; every entered node leaves exactly
/// one id on an id stack, so an exit finds its operands' ids on top of that stack, in order, without
/// looking them up. (The operands of a node are entered after its exit is pushed, so they are done,
/// exits included, before anything below it on the stack: a node entered twice is finished the
/// second time.)
fn walk(arrays: &[&LazyArray], sink: &mut Sink, hint: usize, inputs_hint: usize) -> Result<Walked> {
    let guard = super::operands_guard();
    let mut inputs: Vec<ArrayData> = Vec::with_capacity(inputs_hint);
    // Nodes that may be reached twice (roots, nodes with other references), by address (unique:
    // every node of the DAG lives while the guard does).
    let mut ids: HashMap<usize, NodeId> = HashMap::new();
    // One-element leaves (Python scalars passed as parameters) by value and shape: equal values share
    // one input slot, so a chain with the same constant many times has one kernel input for it.
    let mut scalars: HashMap<(DType, ir::Scalar, Shape), NodeId> = HashMap::with_capacity(hint / 2);
    let mut roots = Vec::with_capacity(arrays.len());
    let mut stack: Vec<Visit> = Vec::with_capacity(hint.min(64));
    let mut done: Vec<NodeId> = Vec::with_capacity(hint.min(64));
    // scalar parameters go to the device of the computation (the first root's; roots on different
    // devices are an error of the plan, naming both)
    let param_device = arrays.first().map_or(Device::Cpu, |a| a.device());
    let (mut expanded, mut nodes) = (0usize, 0usize);
    for &root in arrays {
        stack.push(Visit::Enter(root, true));
        while let Some(visit) = stack.pop() {
            let (a, node, shared) = match visit {
                Visit::Enter(a, shared) => {
                    if shared {
                        if let Some(&id) = ids.get(&a.key()) {
                            done.push(id);
                            continue;
                        }
                    }
                    match expand(a, shared, &mut stack, &guard) {
                        Expanded::Leaf => {}
                        Expanded::Op => {
                            expanded += 1;
                            if !sink.has_room(expanded) {
                                return Ok(Walked::Differs);
                            }
                            continue;
                        }
                        Expanded::Transfer if matches!(sink, Sink::Build(_)) => {
                            return Ok(Walked::Transfer(a.clone()));
                        }
                        Expanded::Transfer => return Ok(Walked::Differs),
                    }
                    let data = a.realized_ref().ok_or_else(|| {
                        ir::Error::new(ir::ErrorKind::Internal, "compute: a leaf has no value")
                    })?;
                    nodes += 1;
                    // one element seen at every index: a scalar parameter (or a broadcast
                    // 0-d array); its element read straight from the (host) buffer
                    let scalar = (data.buffer.len() == data.dtype.size()
                        && data.offset == 0
                        && data.strides.iter().all(|&s| s == 0))
                    .then(|| data.buffer.as_slice().ok())
                    .flatten()
                    .map(|bytes| {
                        let v = ir::Scalar::from_bytes(data.dtype, bytes);
                        (data.dtype, v, Shape::from_slice(&data.shape))
                    });
                    // one hash per scalar: the slot it shares, or the place for its new one
                    let slot_entry = match scalar.map(|k| scalars.entry(k)) {
                        Some(Entry::Occupied(e)) => {
                            let id = *e.get();
                            if shared {
                                ids.insert(a.key(), id);
                            }
                            done.push(id);
                            continue;
                        }
                        Some(Entry::Vacant(e)) => Some(e),
                        None => None,
                    };
                    let slot = u32::try_from(inputs.len()).map_err(|_| too_many_inputs())?;
                    let device = match slot_entry.is_some() && data.device() == Device::Cpu {
                        true => param_device,
                        false => data.device(),
                    };
                    let Some(id) = sink.input(slot, device, &data.strides, a.0.dtype, &a.0.shape)
                    else {
                        return Ok(Walked::Differs);
                    };
                    inputs.push(ArrayData::clone(data));
                    if let Some(e) = slot_entry {
                        e.insert(id);
                    }
                    (a, id, shared)
                }
                Visit::Exit(a, n, shared) => {
                    let first = done.len().checked_sub(n as usize).ok_or_else(|| {
                        ir::Error::new(
                            ir::ErrorKind::Internal,
                            "compute: an operand was not lowered before its user",
                        )
                    })?;
                    let op = a.0.op.as_ref().ok_or_else(|| {
                        ir::Error::new(ir::ErrorKind::Internal, "compute: a data node has no value")
                    })?;
                    let Some(id) = sink.op(op, &done[first..], a.0.dtype, &a.0.shape) else {
                        return Ok(Walked::Differs);
                    };
                    done.truncate(first);
                    nodes += 1;
                    (a, id, shared)
                }
            };
            if shared {
                ids.insert(a.key(), node);
            }
            done.push(node);
        }
        let root_id = done.pop().ok_or_else(|| {
            ir::Error::new(
                ir::ErrorKind::Internal,
                "compute: the walk gave no id for a root",
            )
        })?;
        roots.push(root_id);
    }
    Ok(Walked::Done(Lowered {
        graph: None,
        roots,
        inputs,
        nodes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{binary, cos, from_slice, sin, Operand};

    /// The chain of the overhead benchmark over `x`: mul, add, sin, mul, cos, ... with the
    /// constants `c(i)`.
    fn chain(x: &LazyArray, n: usize, c: impl Fn(usize) -> f64) -> Result<LazyArray> {
        let mut y = x.clone();
        for i in 0..n {
            let k = Operand::Scalar(ir::Scalar::Float(c(i)));
            y = match i % 5 {
                0 | 3 => binary(ir::BinaryOp::Mul, Operand::Array(&y), k)?,
                1 => binary(ir::BinaryOp::Add, Operand::Array(&y), k)?,
                2 => sin(&y)?,
                _ => cos(&y)?,
            };
        }
        Ok(y)
    }

    fn oracle(xs: &[f64], n: usize, c: impl Fn(usize) -> f64) -> Vec<f64> {
        xs.iter()
            .map(|&v| {
                (0..n).fold(v, |y, i| match i % 5 {
                    0 | 3 => y * c(i),
                    1 => y + c(i),
                    2 => y.sin(),
                    _ => y.cos(),
                })
            })
            .collect()
    }

    fn done(w: Walked) -> Option<Lowered> {
        match w {
            Walked::Done(w) => Some(w),
            _ => None,
        }
    }

    /// Whether checking the DAG below `y` against `guide` matches it node for node.
    fn matches(y: &LazyArray, guide: &ir::Graph, roots: &[NodeId]) -> Result<bool> {
        let mut sink = Sink::Check {
            guide: guide.node_slice(),
            len: 0,
        };
        Ok(done(walk(&[y], &mut sink, guide.len(), 0)?)
            .is_some_and(|w| sink.len() == guide.len() && w.roots == roots))
    }

    /// A checking walk accepts a DAG of the same structure with other constants and other data, and
    /// gives the inputs in the building walk's order; it refuses a DAG that differs at its first or
    /// last node, in the pattern of equal constants (which share a slot), or in a shared node, and
    /// one with two equal nodes (which the building walk interns into one).
    #[test]
    fn check_walk_matches_exactly_the_built_structure() -> Result<()> {
        let xs = [0.1f64, 0.4, 0.7];
        let x = from_slice(&xs, &[3])?;
        let a = chain(&x, 12, |i| 0.5 + i as f64 * 1e-3)?;
        let built = lower(&[&a])?;
        let graph = built.graph.expect("a building walk builds a graph");
        let fresh = |i: usize| 0.75 + i as f64 * 1e-2;
        let b = chain(&from_slice(&[0.2f64, 0.3, 0.9], &[3])?, 12, fresh)?;
        assert!(matches(&b, &graph, &built.roots)?);
        let mut sink = Sink::Check {
            guide: graph.node_slice(),
            len: 0,
        };
        let checked = done(walk(&[&b], &mut sink, 0, 0)?).expect("same structure");
        let rebuilt = lower(&[&b])?;
        assert_eq!(checked.inputs.len(), rebuilt.inputs.len());
        for (c, r) in checked.inputs.iter().zip(&rebuilt.inputs) {
            assert!(Arc::ptr_eq(&c.buffer, &r.buffer), "inputs in another order");
        }
        // one op more at the end, one op other at the start
        let longer = chain(&x, 13, fresh)?;
        assert!(!matches(&longer, &graph, &built.roots)?);
        let first_differs = chain(&cos(&x)?, 12, fresh)?;
        assert!(!matches(&first_differs, &graph, &built.roots)?);
        // a much longer chain is refused before it is expanded whole
        let long = chain(&x, 5000, fresh)?;
        let mut sink = Sink::Check {
            guide: graph.node_slice(),
            len: 0,
        };
        assert!(done(walk(&[&long], &mut sink, 0, 0)?).is_none());
        assert_eq!(sink.len(), 0, "compared nodes of a DAG too large to match");
        // two equal constants share one input slot: another graph
        let equal = chain(&x, 12, |i| if i == 3 { 0.5 } else { 0.5 + i as f64 * 1e-3 })?;
        assert!(!matches(&equal, &graph, &built.roots)?);
        // `t` used twice (a shared node) against two equal but separate nodes
        let t = sin(&x)?;
        let shared = binary(ir::BinaryOp::Add, Operand::Array(&t), Operand::Array(&t))?;
        let two = binary(
            ir::BinaryOp::Add,
            Operand::Array(&sin(&x)?),
            Operand::Array(&sin(&x)?),
        )?;
        let s = lower(&[&shared])?;
        let sg = s.graph.expect("a graph");
        // the building walk interns the two equal `sin`s into one node, as for `shared`; the
        // checking walk does not intern, so it refuses (and the building walk runs)
        let t2 = lower(&[&two])?;
        assert_eq!(t2.graph.as_ref().map(|g| g.len()), Some(sg.len()));
        assert!(!matches(&two, &sg, &s.roots)?);
        assert!(matches(&shared, &sg, &s.roots)?);
        let other = binary(
            ir::BinaryOp::Add,
            Operand::Array(&sin(&x)?),
            Operand::Array(&cos(&x)?),
        )?;
        assert!(!matches(&other, &sg, &s.roots)?);
        Ok(())
    }

    /// What a computation of a remembered structure over small host inputs lets go of is light (a
    /// caller may pool it): it counts at least the nodes of the DAG. Over more than 64 KiB of inputs
    /// it is not.
    #[test]
    fn light_garbage_is_small_host_data_only() -> Result<()> {
        let c = |i: usize| 0.5 + i as f64 * 1e-3;
        let x = from_slice(&[0.5f64, 1.5], &[2])?;
        chain(&x, 10, c)?.compute()?;
        // the same structure again: 10 ops, 6 constants and `x` (other tests of this process may
        // replace the memo meanwhile: a few tries)
        let light = (0..20).find_map(|_| {
            let (r, released) = crate::deferring_release(|| chain(&x, 10, c)?.compute());
            r.ok().and(released.light_weight())
        });
        assert!(matches!(light, Some(n) if n >= 17), "{light:?}");
        let big = from_slice(&vec![0.25f64; 1 << 14], &[1 << 14])?; // 128 KiB
        let (r, _) = crate::deferring_release(|| chain(&big, 10, c)?.compute());
        r?;
        let (r, released) = crate::deferring_release(|| chain(&big, 10, c)?.compute());
        r?;
        assert_eq!(released.light_weight(), None);
        Ok(())
    }

    /// Computing chains of one structure again and again (new constants and data, the memo's
    /// path), of another structure in between, and after `clear_caches`, gives the oracle's values.
    #[test]
    fn remembered_plans_compute_the_right_values() -> Result<()> {
        let xs = [0.1f64, 0.5, 0.9, 1.3];
        for round in 0..6 {
            let c = move |i: usize| 0.5 + (round * 7 + i) as f64 * 1e-3;
            let n = if round == 3 { 9 } else { 10 };
            if round == 4 {
                lazulite_runtime::clear_caches();
            }
            let data: Vec<f64> = xs.iter().map(|v| v + round as f64).collect();
            let y = chain(&from_slice(&data, &[4])?, n, c)?;
            let got = y.compute()?;
            for (i, want) in oracle(&data, n, c).into_iter().enumerate() {
                let Ok(ir::Scalar::Float(v)) = got.try_get(&[i]) else {
                    panic!("element {i} is not a float");
                };
                assert!(
                    (v - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "round {round}: {v} vs {want}"
                );
            }
        }
        Ok(())
    }
}
