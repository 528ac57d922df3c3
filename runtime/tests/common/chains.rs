//! The float32 trig chains of the tiering tests (`tiering.rs`, `narrow_first.rs`): a graph of
//! `ops` steps, its input, one `compute`, and the comparison with the interpreter's values.

use super::{array, elements};
use lazulite_ir::{BinaryOp, DType, Graph, Node, NodeId, Op, Scalar, UnaryOp};
use smallvec::smallvec;

/// `ops` steps of `y = f(y * 1.25 + 0.5)` over a float32 input of `n` elements, `f` cycling through
/// sin, cos and `last` (distinct `ops` or `last` give distinct kernels).
pub fn chain(n: usize, ops: usize, last: UnaryOp) -> (Graph, NodeId) {
    let d = DType::F32;
    let mut g = Graph::new();
    let node = |op: Op, inputs: &[NodeId]| Node {
        op,
        inputs: inputs.iter().copied().collect(),
        dtype: d,
        shape: smallvec![n],
    };
    let mut y = g.add(node(
        Op::Input {
            slot: 0,
            device: lazulite_ir::Device::Cpu,
            strides: smallvec![1],
        },
        &[],
    ));
    let k = g.add(node(Op::Fill(Scalar::Float(1.25)), &[]));
    let c = g.add(node(Op::Fill(Scalar::Float(0.5)), &[]));
    for i in 0..ops {
        let m = g.add(node(Op::Binary(BinaryOp::Mul), &[y, k]));
        let a = g.add(node(Op::Binary(BinaryOp::Add), &[m, c]));
        let f = [UnaryOp::Sin, UnaryOp::Cos, last][i % 3];
        y = g.add(node(Op::Unary(f), &[a]));
    }
    (g, y)
}

pub fn input(n: usize) -> lazulite_runtime::ArrayData {
    let vals: Vec<Scalar> = (0..n)
        .map(|i| Scalar::Float(i as f64 / n as f64 * 8.0 - 4.0))
        .collect();
    array(&vals, DType::F32, &[n])
}

pub fn run(g: &Graph, y: NodeId, x: &lazulite_runtime::ArrayData) -> Vec<Scalar> {
    let out = lazulite_runtime::compute(g, &[y], std::slice::from_ref(x)).expect("compute");
    elements(&out[0])
}

/// float32 results within a few ulp of the interpreter's (vector sin/cos are within 2 ulp of
/// `semantics` per op; the chain carries them through a few more).
pub fn assert_close(got: &[Scalar], want: &[Scalar], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let (Scalar::Float(g), Scalar::Float(w)) = (g, w) else {
            panic!("{what}: element {i} is not a float: {g:?} / {w:?}");
        };
        assert!(
            (g - w).abs() <= 1e-5 * w.abs().max(1.0),
            "{what}: element {i}: {g} against the interpreter's {w}"
        );
    }
}
