//! The graph IR: array operations in an arena, each node interned once (hash-consing gives CSE for free).
//! A node's dtype and shape are fixed when it is built, by the rules in `dtype`, `ops` and `shape`.

use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result;
use crate::extern_op::ExternOp;
use crate::ops::{BinaryOp, ReduceOp, UnaryOp};
use crate::scalar::Scalar;
use crate::shape::{Shape, Strides};
use crate::{bail, ensure};
use hashbrown::hash_table::{Entry, HashTable};
use smallvec::{smallvec, SmallVec};
use std::hash::BuildHasher;

/// Index of a node in a [`Graph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An affine view: it maps an output multi-index to a source multi-index, each output axis walking at
/// most one source axis. Permutations, broadcasting, basic slicing with any step, flips, integer
/// indexing, `expand_dims` and `squeeze` are all views, and views compose into views. (Reshape is not a
/// view: it is [`Op::Reshape`].)
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ViewMap {
    /// Per output axis: `Some((source_axis, step))`, or `None` for an axis that reads no source axis
    /// (a broadcast or inserted axis).
    pub axes: SmallVec<[Option<(u32, i64)>; 4]>,
    /// Per source axis: the source index read at output index 0.
    pub start: SmallVec<[i64; 4]>,
}

impl ViewMap {
    pub fn identity(rank: usize) -> ViewMap {
        ViewMap {
            axes: (0..rank).map(|k| Some((k as u32, 1))).collect(),
            start: smallvec![0; rank],
        }
    }

    pub fn is_identity(&self) -> bool {
        self.start.len() == self.axes.len()
            && self.start.iter().all(|&s| s == 0)
            && self
                .axes
                .iter()
                .enumerate()
                .all(|(j, a)| *a == Some((j as u32, 1)))
    }

    /// `self` after `first`: the view that reads `first`'s source through `self` (`self` maps output ->
    /// middle, `first` maps middle -> source).
    pub fn compose(&self, first: &ViewMap) -> ViewMap {
        let mut start = first.start.clone();
        for (m, &s) in self.start.iter().enumerate() {
            if let Some((k, step)) = first.axes[m] {
                start[k as usize] += step * s;
            }
        }
        let axes = self
            .axes
            .iter()
            .map(|a| {
                a.and_then(|(m, step)| first.axes[m as usize].map(|(k, step2)| (k, step * step2)))
            })
            .collect();
        ViewMap { axes, start }
    }

    /// Element strides and offset of this view over a source laid out with `strides` from `offset`.
    pub fn apply(&self, strides: &[isize], offset: isize) -> (Strides, isize) {
        let off = offset
            + self
                .start
                .iter()
                .zip(strides)
                .map(|(&s, &st)| s as isize * st)
                .sum::<isize>();
        let out = self
            .axes
            .iter()
            .map(|a| a.map_or(0, |(k, step)| step as isize * strides[k as usize]))
            .collect();
        (out, off)
    }

    /// `permute_dims`: output axis `j` is source axis `perm[j]`.
    pub fn permute(perm: &[usize]) -> ViewMap {
        ViewMap {
            axes: perm.iter().map(|&k| Some((k as u32, 1))).collect(),
            start: smallvec![0; perm.len()],
        }
    }

    /// `broadcast_to` from `src` to `to` (already checked compatible, `to.len() >= src.len()`).
    pub fn broadcast(src: &[usize], to: &[usize]) -> ViewMap {
        let lead = to.len() - src.len();
        let axes = (0..to.len())
            .map(|j| {
                if j < lead {
                    None
                } else {
                    let k = j - lead;
                    Some((k as u32, if src[k] == 1 && to[j] != 1 { 0 } else { 1 }))
                }
            })
            .collect();
        ViewMap {
            axes,
            start: smallvec![0; src.len()],
        }
    }

    /// Basic indexing: one entry per source axis, then `None`-axes inserted at output positions
    /// `new_axes` (positions in the output, ascending).
    pub fn index(
        src: &[usize],
        per_axis: &[AxisIndex],
        new_axes: &[usize],
    ) -> Result<(ViewMap, Shape)> {
        ensure!(
            per_axis.len() == src.len(),
            Internal,
            "ViewMap::index: {} entries for rank {}",
            per_axis.len(),
            src.len()
        );
        let mut axes: SmallVec<[Option<(u32, i64)>; 4]> = SmallVec::new();
        let mut shape = Shape::new();
        let mut start: SmallVec<[i64; 4]> = smallvec![0; src.len()];
        for (k, ix) in per_axis.iter().enumerate() {
            match *ix {
                AxisIndex::At(i) => {
                    ensure!(i < src[k], Internal, "index {i} out of range for axis {k}");
                    start[k] = i as i64;
                }
                AxisIndex::Range {
                    start: s,
                    step,
                    len,
                } => {
                    if len > 0 {
                        let last = s as i64 + step * (len as i64 - 1);
                        ensure!(
                            s < src[k] && last >= 0 && (last as usize) < src[k],
                            Internal,
                            "slice out of range for axis {k}"
                        );
                        start[k] = s as i64;
                    }
                    axes.push(Some((k as u32, step)));
                    shape.push(len);
                }
            }
        }
        for &p in new_axes {
            if p > axes.len() {
                bail!(
                    Internal,
                    "ViewMap::index: new axis position {p} past rank {}",
                    axes.len()
                );
            }
            axes.insert(p, None);
            shape.insert(p, 1);
        }
        Ok((ViewMap { axes, start }, shape))
    }
}

/// How basic indexing treats one source axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AxisIndex {
    /// A single (non-negative, in-range) index: the axis disappears.
    At(usize),
    /// `len` elements from `start` in steps of `step` (negative steps walk backwards).
    Range { start: usize, step: i64, len: usize },
}

/// One array operation. The node's own dtype and shape say what it produces.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Realized data: the executor binds it to input buffer `slot`, read with `strides` (elements) from
    /// the buffer's start; the buffer lives on `device`.
    Input {
        slot: u32,
        device: Device,
        strides: Strides,
    },
    /// Every element equals the scalar (stored in the node's dtype).
    Fill(Scalar),
    Unary(UnaryOp),
    /// Both operands have the node's shape and one dtype (the frontend broadcasts and casts first).
    Binary(BinaryOp),
    /// `where(cond, a, b)`: three operands of the node's shape; `a` and `b` of the node's dtype.
    Where,
    /// Conversion to the node's dtype.
    Cast,
    /// Reduction over `axes` (sorted, of the operand); the output drops them.
    Reduce {
        op: ReduceOp,
        axes: SmallVec<[u32; 4]>,
    },
    /// An affine view of the operand (boxed: a view map is large, and every node pays for the largest
    /// variant).
    View(Box<ViewMap>),
    /// The operand's elements in row-major order, in the node's shape.
    Reshape,
    /// Output `output` of a fusion barrier run by a library routine (matmul, sort, svd, ...); its rules
    /// are [`ExternOp::infer`]. Any number of operands (`Concat`), so `Node::inputs` may hold more than
    /// 3. An op with several outputs has one node per output, all with the same operands; the passes
    /// run the op once for all of them.
    Extern {
        op: ExternOp,
        output: u32,
    },
}

impl Op {
    pub fn name(&self) -> &'static str {
        match self {
            Op::Input { .. } => "input",
            Op::Fill(_) => "fill",
            Op::Unary(u) => u.name(),
            Op::Binary(b) => b.name(),
            Op::Where => "where",
            Op::Cast => "astype",
            Op::Reduce { op, .. } => op.name(),
            Op::View(_) => "view",
            Op::Reshape => "reshape",
            Op::Extern { op, .. } => op.name(),
        }
    }

    pub fn is_elementwise(&self) -> bool {
        matches!(
            self,
            Op::Unary(_) | Op::Binary(_) | Op::Where | Op::Cast | Op::Fill(_)
        )
    }

    pub fn is_movement(&self) -> bool {
        matches!(self, Op::View(_) | Op::Reshape)
    }

    pub fn is_extern(&self) -> bool {
        matches!(self, Op::Extern { .. })
    }
}

/// A node: op, operands, and the dtype and shape it produces.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    pub op: Op,
    pub inputs: SmallVec<[NodeId; 3]>,
    pub dtype: DType,
    pub shape: Shape,
}

/// An arena of interned nodes. Operands always precede their users, so index order is a topological
/// order.
///
/// Each node is stored once: the intern table holds only ids and finds a node's equal by hashing the
/// node in the arena (a map keyed by `Node` would hold a second copy of every node).
#[derive(Clone, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    interned: HashTable<NodeId>,
    /// [`structure_hash`] of `nodes`, kept up to date by `add` (nodes are never changed or removed).
    structure: u64,
}

/// A node's hash, the same in every graph and process (a fixed seed): what the intern table and
/// [`structure_hash`] use.
pub fn node_hash(node: &Node) -> u64 {
    foldhash::fast::FixedState::with_seed(0x6c61_7a75_6c69_7465).hash_one(node)
}

/// One order-dependent hash of a node list from its nodes' [`node_hash`]es: equal lists hash alike in
/// every graph, so the plan cache hashes a graph's structure without hashing its nodes again
/// ([`Graph::structure_hash`]).
pub fn structure_hash(nodes: &[Node]) -> u64 {
    nodes
        .iter()
        .fold(0, |acc, n| fold_structure(acc, node_hash(n)))
}

fn fold_structure(acc: u64, node: u64) -> u64 {
    (acc.rotate_left(23) ^ node).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph").field("nodes", &self.nodes).finish()
    }
}

impl Graph {
    pub fn new() -> Graph {
        Graph::default()
    }

    /// An empty graph with room for `nodes` nodes (no reallocation or rehash below that).
    pub fn with_capacity(nodes: usize) -> Graph {
        Graph {
            nodes: Vec::with_capacity(nodes),
            interned: HashTable::with_capacity(nodes),
            structure: 0,
        }
    }

    /// [`structure_hash`] of the node list, without hashing the nodes again (computed as they were
    /// added).
    pub fn structure_hash(&self) -> u64 {
        self.structure
    }

    /// Adds a node, or returns the id of the equal node already present.
    pub fn add(&mut self, node: Node) -> NodeId {
        debug_assert!(
            node.inputs.iter().all(|i| i.index() < self.nodes.len()),
            "operands must exist"
        );
        let nodes = &self.nodes;
        let hash = node_hash(&node);
        match self.interned.entry(
            hash,
            |id| nodes[id.index()] == node,
            |id| node_hash(&nodes[id.index()]),
        ) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(e) => {
                let id = NodeId(nodes.len() as u32);
                e.insert(id);
                self.nodes.push(node);
                self.structure = fold_structure(self.structure, hash);
                id
            }
        }
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every node, in id order (for keys and hashing without copies).
    pub fn node_slice(&self) -> &[Node] {
        &self.nodes
    }

    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (NodeId(i as u32), n))
    }

    /// Number of users of each node (operand references plus one per root).
    pub fn use_counts(&self, roots: &[NodeId]) -> Vec<u32> {
        let mut counts = vec![0u32; self.nodes.len()];
        for n in &self.nodes {
            for i in &n.inputs {
                counts[i.index()] += 1;
            }
        }
        for r in roots {
            counts[r.index()] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::contiguous_strides;

    fn input(g: &mut Graph, slot: u32, shape: &[usize]) -> NodeId {
        g.add(Node {
            op: Op::Input {
                slot,
                device: Device::Cpu,
                strides: contiguous_strides(shape),
            },
            inputs: SmallVec::new(),
            dtype: DType::F64,
            shape: shape.into(),
        })
    }

    #[test]
    fn an_op_stays_48_bytes() {
        // every graph node pays for the largest variant (see "Graph memory per node")
        assert!(
            std::mem::size_of::<Op>() <= 48,
            "{}",
            std::mem::size_of::<Op>()
        );
    }

    #[test]
    fn hash_consing_interns_equal_nodes() {
        let mut g = Graph::new();
        let a = input(&mut g, 0, &[3]);
        let n = Node {
            op: Op::Unary(UnaryOp::Sin),
            inputs: smallvec![a],
            dtype: DType::F64,
            shape: smallvec![3],
        };
        let s1 = g.add(n.clone());
        let s2 = g.add(n);
        assert_eq!(s1, s2);
        assert_eq!(g.len(), 2);
    }

    #[test]
    fn views_compose() {
        // x: (2, 3); transpose then flip axis 0 of the transpose, then take [1:3] of it.
        let t = ViewMap::permute(&[1, 0]);
        let (f, fshape) = ViewMap::index(
            &[3, 2],
            &[
                AxisIndex::Range {
                    start: 2,
                    step: -1,
                    len: 3,
                },
                AxisIndex::Range {
                    start: 0,
                    step: 1,
                    len: 2,
                },
            ],
            &[],
        )
        .unwrap();
        assert_eq!(fshape.as_slice(), &[3, 2]);
        let v = f.compose(&t);
        let (strides, off) = v.apply(&[3, 1], 0);
        // out[i, j] = xT[2 - i, j] = x[j, 2 - i] -> flat = 3 j + 2 - i
        assert_eq!(off, 2);
        assert_eq!(strides.as_slice(), &[-1, 3]);
        let b = ViewMap::broadcast(&[3, 1], &[2, 3, 4]);
        let (bs, boff) = b.apply(&[1, 1], 0);
        assert_eq!((bs.as_slice(), boff), (&[0, 1, 0][..], 0));
    }
}
