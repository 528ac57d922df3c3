//! Fusion decisions: which nodes get a buffer of their own ("materialised"). Every materialised node
//! becomes one kernel that computes it from buffers (inputs and earlier materialised nodes) and
//! constants; everything else is fused into the kernels that read it:
//!
//! - elementwise chains fuse, and movement ops (views, reshapes) fuse as index maps;
//! - elementwise producers fuse into a reduction as its prologue;
//! - elementwise consumers of a reduction fuse as its epilogue when they all end in one kernel (an
//!   epilogue may use a value twice) and the reduction keeps at least two output elements (a full
//!   reduction is split into partials across threads, so its epilogue would run once per partial);
//! - a node is materialised when it is a root, when recomputing it in each reader costs more than a
//!   round trip through memory (several readers of an expensive node, or a broadcasting view that would
//!   recompute an expensive node many times), when a reshape of it is not expressible as strides (NumPy's
//!   no-copy reshape rule), or when a kernel would otherwise hold reductions over two different loop
//!   domains (reductions of one domain, reduced over the same axes of operands of one shape, share a
//!   kernel: one pass over the data feeds several accumulators, e.g. a variance's two sums);
//! - extern ops (matmul, sort, ...) are barriers: each is materialised, and so is each of its operands
//!   that is not already a buffer of the layout the op reads (C-contiguous for most).

use crate::layout::{nocopy_reshape, reshape_is_split_only};
use crate::PassConfig;
use lazulite_ir::shape::{contiguous_strides, numel};
use lazulite_ir::{bail, Graph, NodeId, Op, ReduceOp, Result, Strides};
use smallvec::SmallVec;

/// Cost units of one cheap elementwise op; a transcendental costs [`TRANSCENDENTAL_COST`].
const TRANSCENDENTAL_COST: u32 = 8;
/// Recomputing this much (per element, summed over the extra readers) costs more than storing the node
/// and loading it again: a store and a load move 2 x 8 bytes per element (about 1 ns at memory speed),
/// while one transcendental costs several ns, so any transcendental read twice is stored.
const RECOMPUTE_LIMIT: u32 = TRANSCENDENTAL_COST;
/// A node read through a broadcasting view is materialised from this cost on.
const BROADCAST_LIMIT: u32 = 8;
const INFINITE: u32 = u32::MAX;
/// Most reductions one kernel folds together (each is an accumulator in the loop, and on CUDA a
/// shared-memory slot per thread).
const MAX_REDUCTIONS: usize = 4;

/// Which nodes have a temp buffer of their own, and why (what ended the fusion group there).
#[derive(Clone, Debug)]
pub struct Fusion {
    pub materialised: Vec<bool>,
    /// Per node, why it is materialised (`""` when it is not), for `explain`.
    pub reasons: Vec<&'static str>,
}

/// Marks `i` materialised for `why`, keeping the first reason given.
fn mark(mat: &mut [bool], reasons: &mut [&'static str], i: usize, why: &'static str) {
    if !mat[i] {
        mat[i] = true;
        reasons[i] = why;
    }
}

/// Where the elements of a movement chain live: a leaf (an input, or a materialised node) read with
/// strides from an offset.
#[derive(Clone, Debug)]
pub struct LeafLayout {
    pub leaf: NodeId,
    pub strides: Strides,
    pub offset: isize,
}

/// The layout of `id` over the buffer at the bottom of its movement chain, if that chain ends at a
/// buffer and every reshape on it is a no-copy reshape. `contiguous_leaf` treats a non-input chain end
/// as if it were materialised.
pub fn leaf_layout(
    g: &Graph,
    materialised: &[bool],
    id: NodeId,
    contiguous_leaf: bool,
) -> Option<LeafLayout> {
    let mut chain = vec![];
    let mut cur = id;
    while g.node(cur).op.is_movement() && !materialised[cur.index()] {
        chain.push(cur);
        cur = g.node(cur).inputs[0];
    }
    let leaf = g.node(cur);
    let mut strides = if materialised[cur.index()] {
        contiguous_strides(&leaf.shape)
    } else {
        match &leaf.op {
            Op::Input { strides, .. } => strides.clone(),
            Op::Fill(_) => return None,
            _ if contiguous_leaf => contiguous_strides(&leaf.shape),
            _ => return None,
        }
    };
    let mut offset = 0isize;
    let mut shape = &leaf.shape;
    for &m in chain.iter().rev() {
        let node = g.node(m);
        match &node.op {
            Op::View(v) => (strides, offset) = v.apply(&strides, offset),
            Op::Reshape => strides = nocopy_reshape(shape, &strides, &node.shape)?,
            _ => unreachable!("the chain holds movement nodes only"),
        }
        shape = &node.shape;
    }
    Some(LeafLayout {
        leaf: cur,
        strides,
        offset,
    })
}

fn own_cost(op: &Op) -> u32 {
    match op {
        Op::Unary(u) if u.is_transcendental() => TRANSCENDENTAL_COST,
        Op::Binary(b) if b.is_transcendental() => TRANSCENDENTAL_COST,
        Op::Unary(_) | Op::Binary(_) | Op::Where | Op::Cast => 1,
        Op::Reduce { .. } | Op::Extern { .. } => INFINITE,
        Op::Input { .. } | Op::Fill(_) | Op::View(_) | Op::Reshape => 0,
    }
}

/// True for a view that repeats elements: an axis of extent > 1 that does not move in the source.
fn is_broadcasting(g: &Graph, id: NodeId) -> bool {
    let n = g.node(id);
    match &n.op {
        Op::View(v) => v
            .axes
            .iter()
            .zip(&n.shape)
            .any(|(a, &e)| e > 1 && a.is_none_or(|(_, step)| step == 0)),
        _ => false,
    }
}

/// Whether reductions `a` and `b` walk one loop domain: operands of one shape reduced over the same
/// axes, so that one kernel can fold both in the same loop nest (`sum(d)` and `sum(d * d)` of a
/// variance, `min` and `max` of one array).
fn same_domain(g: &Graph, a: NodeId, b: NodeId) -> bool {
    let (na, nb) = (g.node(a), g.node(b));
    match (&na.op, &nb.op) {
        (Op::Reduce { axes: xa, .. }, Op::Reduce { axes: xb, .. }) => {
            xa == xb && g.node(na.inputs[0]).shape == g.node(nb.inputs[0]).shape
        }
        _ => false,
    }
}

/// Decides which nodes are materialised. Runs in index (topological) order, with no recursion.
pub fn decide(g: &Graph, roots: &[NodeId], cfg: &PassConfig) -> Result<Fusion> {
    let n = g.len();
    // Readers of each node: non-movement consumers reached through chains of movement nodes, plus
    // roots; and whether one of those chains broadcasts.
    let mut readers = vec![0u32; n];
    let mut via_broadcast = vec![false; n];
    // Non-movement readers of each node (each once), for the epilogue check below.
    let mut consumers: Vec<SmallVec<[NodeId; 2]>> = vec![SmallVec::new(); n];
    let mut only_elementwise_consumers = vec![true; n];
    let mut is_root = vec![false; n];
    for r in roots {
        readers[r.index()] += 1;
        is_root[r.index()] = true;
    }
    for i in (0..n).rev() {
        let id = NodeId(i as u32);
        let node = g.node(id);
        let mut seen: smallvec::SmallVec<[NodeId; 3]> = smallvec::SmallVec::new();
        for &inp in &node.inputs {
            if seen.contains(&inp) {
                continue;
            }
            seen.push(inp);
            consumers[inp.index()].push(id);
            if node.op.is_movement() {
                readers[inp.index()] = readers[inp.index()].saturating_add(readers[i]);
                via_broadcast[inp.index()] |= via_broadcast[i] || is_broadcasting(g, id);
            } else {
                readers[inp.index()] = readers[inp.index()].saturating_add(1);
            }
            if !node.op.is_elementwise() {
                only_elementwise_consumers[inp.index()] = false;
            }
        }
    }

    let mut mat = vec![false; n];
    let mut why = vec![""; n];
    // Roots: a root that is a movement chain over a buffer is a view of that buffer; over a computed
    // node, the node is materialised and the root is a view of it when that computes no more elements.
    for &r in roots {
        let node = g.node(r);
        if matches!(node.op, Op::Input { .. }) {
            continue;
        }
        if node.op.is_movement() {
            if let Some(l) = leaf_layout(g, &mat, r, true) {
                let leaf = g.node(l.leaf);
                match leaf.op {
                    Op::Input { .. } => continue,
                    Op::Fill(_) => {}
                    _ if numel(&node.shape) >= numel(&leaf.shape) => {
                        mark(&mut mat, &mut why, l.leaf.index(), "result (viewed)");
                        continue;
                    }
                    _ => {}
                }
            }
        }
        mark(&mut mat, &mut why, r.index(), "result");
    }

    let mut cost = vec![0u32; n];
    // The reductions fused into each node's expression (several only when they share one loop
    // domain, see [`same_domain`]).
    let mut reduction: Vec<SmallVec<[NodeId; 2]>> = vec![SmallVec::new(); n];
    for (id, node) in g.nodes() {
        let i = id.index();
        match &node.op {
            Op::Input { .. } | Op::Fill(_) => continue,
            // A materialised reshape is computed in its source's row-major order, so it needs no
            // layout; a fused one must be an index map or a no-copy view.
            Op::Reshape if !mat[i] => {
                let src = node.inputs[0];
                let ok = reshape_is_split_only(&g.node(src).shape, &node.shape)
                    || leaf_layout(g, &mat, id, false).is_some();
                if !ok {
                    mark(&mut mat, &mut why, src.index(), "reshaped without strides");
                }
            }
            Op::Reduce { op, axes } => {
                let src = g.node(node.inputs[0]);
                let reduced: usize = axes.iter().map(|&a| src.shape[a as usize]).product();
                if matches!(op, ReduceOp::Min | ReduceOp::Max)
                    && reduced == 0
                    && numel(&node.shape) > 0
                {
                    bail!(
                        Value,
                        "{}: zero-size reduction over axes {axes:?} of an array of shape {:?} has no \
                         identity; reduce a non-empty axis or give an initial value",
                        op.name(),
                        src.shape.as_slice()
                    );
                }
            }
            _ => {}
        }
        // Several reductions share a kernel only when they walk one loop domain (a multi-output
        // reduction: one pass over the data feeds every accumulator, and the epilogue combines
        // them); an operand carrying a reduction of another domain, or one past
        // `MAX_REDUCTIONS`, is materialised. Movement ops and reductions fuse no reduction below
        // them.
        let mut kept: SmallVec<[NodeId; 2]> = SmallVec::new();
        for &inp in &node.inputs {
            if mat[inp.index()] || reduction[inp.index()].is_empty() {
                continue;
            }
            let carried = &reduction[inp.index()];
            let mut union = kept.clone();
            for &r in carried {
                if !union.contains(&r) {
                    union.push(r);
                }
            }
            let fusable = node.op.is_elementwise()
                && union.len() <= MAX_REDUCTIONS
                && kept.first().is_none_or(|&k| same_domain(g, k, carried[0]));
            if fusable {
                kept = union;
            } else {
                mark(&mut mat, &mut why, inp.index(), "second reduction");
            }
        }
        reduction[i] = if matches!(node.op, Op::Reduce { .. }) {
            smallvec::smallvec![id]
        } else {
            kept
        };
        cost[i] = node
            .inputs
            .iter()
            .filter(|inp| !mat[inp.index()])
            .fold(own_cost(&node.op), |c, inp| {
                c.saturating_add(cost[inp.index()])
            });
        if !reduction[i].is_empty() {
            cost[i] = INFINITE;
        }

        let reason = if node.op.is_extern() {
            "extern op"
        } else if node.op.is_movement() {
            ""
        } else if !cfg.fuse {
            "fusion off"
        } else if let Some(&r) = reduction[i].first() {
            // A reduction (or an epilogue over one) fuses into its readers when they are
            // elementwise and the reduction keeps several output elements (and, checked by
            // `one_kernel_per_reduction` once every node is decided, when they end in one kernel).
            if is_root[i] {
                "result"
            } else if numel(&g.node(r).shape) < 2 {
                "full reduction"
            } else if !only_elementwise_consumers[i] {
                "reduction read by a non-elementwise op"
            } else {
                ""
            }
        } else {
            let extra = readers[i].saturating_sub(1);
            if extra.saturating_mul(cost[i]) >= RECOMPUTE_LIMIT {
                "read by several, costly to recompute"
            } else if via_broadcast[i] && cost[i] >= BROADCAST_LIMIT {
                "broadcast, costly to recompute"
            } else {
                ""
            }
        };
        if !reason.is_empty() {
            mark(&mut mat, &mut why, i, reason);
        }
    }
    one_kernel_per_reduction(g, &consumers, &reduction, &mut mat, &mut why);
    materialise_extern_operands(g, &mut mat, &mut why);
    Ok(Fusion {
        materialised: mat,
        reasons: why,
    })
}

/// A fused reduction (or an epilogue node over one) whose readers end in different kernels would be
/// computed once per kernel: it is materialised instead. Readers that meet again in one kernel (an
/// epilogue using a value twice, like a variance's `s1 * s1`) keep it fused. Walks the nodes in
/// reverse index order, so each reader's kernel is known when its operands are looked at.
fn one_kernel_per_reduction(
    g: &Graph,
    consumers: &[SmallVec<[NodeId; 2]>],
    reduction: &[SmallVec<[NodeId; 2]>],
    mat: &mut [bool],
    why: &mut [&'static str],
) {
    // The materialised node whose kernel computes each node (`None`: not computed by a kernel, or
    // not looked at).
    let mut owner: Vec<Option<NodeId>> = vec![None; g.len()];
    for i in (0..g.len()).rev() {
        if mat[i] {
            owner[i] = Some(NodeId(i as u32));
            continue;
        }
        if reduction[i].is_empty() {
            continue;
        }
        let mut kernels = consumers[i].iter().map(|c| owner[c.index()]);
        let first = kernels.next().flatten();
        if first.is_some() && kernels.all(|k| k == first) {
            owner[i] = first;
        } else {
            mark(mat, why, i, "reduction read by several kernels");
            owner[i] = Some(NodeId(i as u32));
        }
    }
}

/// Every operand of an extern op must be a buffer: a materialised node, an input, or a movement chain
/// over one with a no-copy layout, and C-contiguous unless the op reads strided operands. Any other
/// operand is materialised (a computed operand gets its own kernel; a strided view becomes a copy
/// kernel). Materialising one node can change the layout of a chain above it, so this repeats until
/// nothing changes (it only ever adds buffers, so it ends).
fn materialise_extern_operands(g: &Graph, mat: &mut [bool], why: &mut [&'static str]) {
    let externs: Vec<NodeId> = g
        .nodes()
        .filter(|(_, n)| n.op.is_extern())
        .map(|(id, _)| id)
        .collect();
    let mut changed = true;
    while changed {
        changed = false;
        for &e in &externs {
            let Op::Extern { op, .. } = &g.node(e).op else {
                continue;
            };
            for (k, &o) in g.node(e).inputs.iter().enumerate() {
                if mat[o.index()] {
                    continue;
                }
                let usable = leaf_layout(g, mat, o, false).is_some_and(|l| {
                    op.reads_strided(k) || is_c_contiguous(&g.node(o).shape, &l.strides)
                });
                if !usable {
                    mark(mat, why, o.index(), "operand of an extern op");
                    changed = true;
                }
            }
        }
    }
}

/// True when `strides` lay out `shape` in C order without gaps (axes of extent 1 may have any stride).
pub fn is_c_contiguous(shape: &[usize], strides: &[isize]) -> bool {
    numel(shape) == 0
        || shape
            .iter()
            .zip(strides.iter().zip(&contiguous_strides(shape)))
            .all(|(&n, (&s, &w))| n == 1 || s == w)
}
