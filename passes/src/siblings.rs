//! Multi-output reduction kernels: which materialised bare reductions `lower` computes together in
//! one kernel (one pass over their common loop domain, one output each).

use hashbrown::{HashMap, HashSet};
use lazulite_ir::{Graph, NodeId, Op};

/// Multi-output reductions: materialised bare reductions of one loop domain (operands of one shape,
/// the same axes) share one kernel, with one output each, up to `MAX_SIBLINGS` per kernel. A
/// reduction joins the kernel of an earlier one only when everything its own fused expression reads
/// is computed before that earlier node (so the merged step can run at its place). Returns, per
/// materialised node that starts a kernel, the reductions it computes besides itself; a node merged
/// into an earlier kernel has no entry.
pub fn sibling_reductions(g: &Graph, mat: &[bool]) -> HashMap<NodeId, Vec<NodeId>> {
    const MAX_SIBLINGS: usize = 4;
    let mut starts: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
    // Open groups per domain: (leader, members besides it).
    let mut open: HashMap<(&[u32], &[usize]), Vec<NodeId>> = HashMap::new();
    for (id, n) in g.nodes() {
        if !mat[id.index()] {
            continue;
        }
        let Op::Reduce { axes, .. } = &n.op else {
            starts.insert(id, vec![]);
            continue;
        };
        let operand = n.inputs[0];
        let key = (axes.as_slice(), g.node(operand).shape.as_slice());
        let ready = last_buffer_read(g, mat, operand);
        let leaders = open.entry(key).or_default();
        let joined = leaders.iter().copied().find(|&l| {
            ready.is_none_or(|r| r < l)
                && starts.get(&l).is_some_and(|m| m.len() + 1 < MAX_SIBLINGS)
        });
        match joined {
            Some(l) => starts
                .get_mut(&l)
                .expect("a leader starts a kernel")
                .push(id),
            None => {
                leaders.push(id);
                starts.insert(id, vec![]);
            }
        }
    }
    starts
}

/// The last materialised node (in index order) that the fused expression of `start` reads, if any.
fn last_buffer_read(g: &Graph, mat: &[bool], start: NodeId) -> Option<NodeId> {
    let mut stack = vec![start];
    let mut seen = HashSet::new();
    let mut last: Option<NodeId> = None;
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if mat[id.index()] {
            last = last.max(Some(id));
            continue;
        }
        stack.extend(g.node(id).inputs.iter().copied());
    }
    last
}
