//! Graph rewrites that never change a result: constant folding, algebraic simplification, view and
//! reshape composition, and dead-node elimination. Each pass builds a fresh [`Graph`] through
//! [`Graph::add`], so equal nodes produced by a rewrite are interned into one again (CSE).

use lazulite_ir::ops::Returns;
use lazulite_ir::semantics as sem;
use lazulite_ir::{BinaryOp, DType, Graph, Node, NodeId, Op, Scalar, UnaryOp, ViewMap};
use smallvec::{smallvec, SmallVec};

/// A graph and the nodes that are asked for.
pub struct Program {
    pub graph: Graph,
    pub roots: Vec<NodeId>,
}

/// Constant folding and algebraic simplification, in one forward sweep (operands are rewritten before
/// their users, so rewrites cascade).
pub fn simplify(graph: &Graph, roots: &[NodeId]) -> Program {
    let mut out = Graph::new();
    let mut map: Vec<NodeId> = Vec::with_capacity(graph.len());
    for (_, n) in graph.nodes() {
        let inputs = n.inputs.iter().map(|i| map[i.index()]).collect();
        map.push(rewrite(&mut out, n, inputs));
    }
    Program {
        roots: roots.iter().map(|r| map[r.index()]).collect(),
        graph: out,
    }
}

/// Which nodes the roots reach (index order is topological, so one backward sweep).
fn live_nodes(g: &Graph, roots: &[NodeId]) -> Vec<bool> {
    let mut live = vec![false; g.len()];
    for r in roots {
        live[r.index()] = true;
    }
    for i in (0..g.len()).rev() {
        if live[i] {
            for inp in &g.node(NodeId(i as u32)).inputs {
                live[inp.index()] = true;
            }
        }
    }
    live
}

/// Whether the roots reach every node (then [`eliminate_dead_nodes`] would only copy the graph).
pub fn all_live(g: &Graph, roots: &[NodeId]) -> bool {
    live_nodes(g, roots).into_iter().all(|l| l)
}

/// Keeps only what the roots reach.
pub fn eliminate_dead_nodes(g: &Graph, roots: &[NodeId]) -> Program {
    let live = live_nodes(g, roots);
    let mut out = Graph::new();
    let mut map = vec![NodeId(u32::MAX); g.len()];
    for (id, n) in g.nodes() {
        if live[id.index()] {
            let mut n = n.clone();
            for i in n.inputs.iter_mut() {
                *i = map[i.index()];
            }
            map[id.index()] = out.add(n);
        }
    }
    Program {
        roots: roots.iter().map(|r| map[r.index()]).collect(),
        graph: out,
    }
}

fn fill_value(g: &Graph, id: NodeId) -> Option<Scalar> {
    match g.node(id).op {
        Op::Fill(s) => Some(s),
        _ => None,
    }
}

fn add_fill(g: &mut Graph, v: Scalar, dtype: DType, shape: &[usize]) -> NodeId {
    g.add(Node {
        op: Op::Fill(v.cast(dtype)),
        inputs: SmallVec::new(),
        dtype,
        shape: shape.into(),
    })
}

/// The rewritten form of `n` (whose operands are already rewritten to `inputs`) in `g`.
fn rewrite(g: &mut Graph, n: &Node, inputs: SmallVec<[NodeId; 3]>) -> NodeId {
    let same = |g: &Graph, id: NodeId| g.node(id).shape == n.shape && g.node(id).dtype == n.dtype;
    match &n.op {
        Op::Unary(u) => {
            let a = inputs[0];
            let ad = g.node(a).dtype;
            if u.is_identity_for(ad) && same(g, a) {
                return a;
            }
            if let Some(v) = fill_value(g, a).and_then(|x| fold_unary(*u, ad, x, n.dtype)) {
                return add_fill(g, v, n.dtype, &n.shape);
            }
        }
        Op::Binary(b) => {
            let (a, c) = (inputs[0], inputs[1]);
            let d = g.node(a).dtype;
            if let (Some(x), Some(y)) = (fill_value(g, a), fill_value(g, c)) {
                if let Some(v) = fold_binary(*b, d, x, y, n.dtype) {
                    return add_fill(g, v, n.dtype, &n.shape);
                }
            }
            if *b == BinaryOp::Pow && d.is_real_numeric() {
                if let Some(e) = fill_value(g, c) {
                    if let Some(id) = simplify_pow(g, n, a, e) {
                        return id;
                    }
                }
            }
        }
        Op::Where => {
            if let Some(c) = fill_value(g, inputs[0]) {
                return if c.is_zero() { inputs[2] } else { inputs[1] };
            }
        }
        Op::Cast => {
            let a = inputs[0];
            if same(g, a) {
                return a;
            }
            if let Some(v) = fill_value(g, a) {
                return add_fill(g, v, n.dtype, &n.shape);
            }
        }
        Op::View(v) => {
            let a = inputs[0];
            if let Some(x) = fill_value(g, a) {
                return add_fill(g, x, n.dtype, &n.shape);
            }
            let (src, view) = match &g.node(a).op {
                Op::View(inner) => (g.node(a).inputs[0], v.compose(inner)),
                _ => (a, ViewMap::clone(v)),
            };
            if view.is_identity() && g.node(src).shape == n.shape {
                return src;
            }
            return g.add(Node {
                op: Op::View(Box::new(view)),
                inputs: smallvec![src],
                dtype: n.dtype,
                shape: n.shape.clone(),
            });
        }
        Op::Reshape => {
            let a = inputs[0];
            if let Some(x) = fill_value(g, a) {
                return add_fill(g, x, n.dtype, &n.shape);
            }
            let src = match g.node(a).op {
                Op::Reshape => g.node(a).inputs[0],
                _ => a,
            };
            if g.node(src).shape == n.shape {
                return src;
            }
            return g.add(Node {
                op: Op::Reshape,
                inputs: smallvec![src],
                dtype: n.dtype,
                shape: n.shape.clone(),
            });
        }
        Op::Reduce { axes, .. } => {
            // A reduction over no axis is its operand.
            if axes.is_empty() && same(g, inputs[0]) {
                return inputs[0];
            }
        }
        Op::Input { .. } | Op::Fill(_) | Op::Extern { .. } => {}
    }
    g.add(Node {
        op: n.op.clone(),
        inputs,
        dtype: n.dtype,
        shape: n.shape.clone(),
    })
}

/// `pow(x, 1) -> x`, `pow(x, 2) -> x * x`, `pow(x, 0.5) -> sqrt` (real floats), each exact.
fn simplify_pow(g: &mut Graph, n: &Node, x: NodeId, e: Scalar) -> Option<NodeId> {
    let bin = |g: &mut Graph, op: BinaryOp, a: NodeId, b: NodeId, dtype: DType| {
        g.add(Node {
            op: Op::Binary(op),
            inputs: smallvec![a, b],
            dtype,
            shape: n.shape.clone(),
        })
    };
    let (re, _) = e.as_complex();
    if re == 1.0 {
        return Some(x);
    }
    if re == 2.0 {
        return Some(bin(g, BinaryOp::Mul, x, x, n.dtype));
    }
    if re == 0.5 && n.dtype.is_real_float() {
        // pow(-0.0, 0.5) is +0.0 and pow(-inf, 0.5) is +inf, where sqrt gives -0.0 and NaN:
        // where(x == -inf, inf, sqrt(x) + 0.0) is exact everywhere.
        let s = g.add(Node {
            op: Op::Unary(UnaryOp::Sqrt),
            inputs: smallvec![x],
            dtype: n.dtype,
            shape: n.shape.clone(),
        });
        let zero = add_fill(g, Scalar::Float(0.0), n.dtype, &n.shape);
        let s0 = bin(g, BinaryOp::Add, s, zero, n.dtype);
        let neg_inf = add_fill(g, Scalar::Float(f64::NEG_INFINITY), n.dtype, &n.shape);
        let pos_inf = add_fill(g, Scalar::Float(f64::INFINITY), n.dtype, &n.shape);
        let is_neg_inf = bin(g, BinaryOp::Eq, x, neg_inf, DType::Bool);
        return Some(g.add(Node {
            op: Op::Where,
            inputs: smallvec![is_neg_inf, pos_inf, s0],
            dtype: n.dtype,
            shape: n.shape.clone(),
        }));
    }
    None
}

fn int_scalar(v: i128, d: DType) -> Scalar {
    if d.is_unsigned_int() {
        Scalar::UInt(v as u64)
    } else {
        Scalar::Int(v as i64)
    }
}

/// `op(x)` for a constant `x` of dtype `d`, by `lazulite_ir::semantics`; `None` where this does not fold
/// (complex values, ops the dtype does not accept).
pub fn fold_unary(op: UnaryOp, d: DType, x: Scalar, out: DType) -> Option<Scalar> {
    use UnaryOp::*;
    if !op.accepts().allows(d) {
        return None;
    }
    let v = if d.is_real_float() {
        let f = x.as_f64();
        match op.returns() {
            Returns::Bool => Scalar::Bool(sem::float_predicate(op, f)),
            _ => Scalar::Float(sem::float_unary(op, f)),
        }
    } else if d.is_integer() {
        let i = x.as_i128()?;
        match op {
            IsNan | IsInf => Scalar::Bool(false),
            IsFinite => Scalar::Bool(true),
            Abs | Neg | Positive | Floor | Ceil | Trunc | Round | Real | Conj | Square | Sign
            | BitwiseInvert => int_scalar(sem::int_unary(op, i, d), d),
            _ => return None,
        }
    } else if d.is_bool() {
        match op {
            LogicalNot | BitwiseInvert => Scalar::Bool(sem::bool_unary(op, x.as_i128()? != 0)),
            _ => return None,
        }
    } else {
        return None;
    };
    Some(v.cast(out))
}

/// `op(x, y)` for constants of dtype `d`; `None` where this does not fold.
pub fn fold_binary(op: BinaryOp, d: DType, x: Scalar, y: Scalar, out: DType) -> Option<Scalar> {
    use BinaryOp::*;
    if !op.accepts().allows(d) {
        return None;
    }
    let v = if d.is_real_float() {
        let (a, b) = (x.as_f64(), y.as_f64());
        if op.is_comparison() {
            Scalar::Bool(sem::compare(op, a, b))
        } else {
            Scalar::Float(sem::float_binary(op, a, b, d))
        }
    } else if d.is_integer() {
        let (a, b) = (x.as_i128()?, y.as_i128()?);
        match op {
            Eq | Ne | Lt | Le | Gt | Ge => Scalar::Bool(sem::compare(op, a, b)),
            Add | Sub | Mul | FloorDiv | Rem | Pow | Maximum | Minimum | BitAnd | BitOr
            | BitXor | Shl | Shr => int_scalar(sem::int_binary(op, a, b, d), d),
            _ => return None,
        }
    } else if d.is_bool() {
        let (a, b) = (x.as_i128()? != 0, y.as_i128()? != 0);
        match op {
            Eq | Ne | LogicalAnd | LogicalOr | LogicalXor | BitAnd | BitOr | BitXor => {
                Scalar::Bool(sem::bool_binary(op, a, b))
            }
            _ => return None,
        }
    } else {
        return None;
    };
    Some(v.cast(out))
}
