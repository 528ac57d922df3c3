//! End to end: graphs planned by `lazulite_passes` and run by the runtime, the plan cache, `explain`,
//! and concurrent `compute` calls.

mod common;
use common::*;
use lazulite_ir::shape::contiguous_strides;
use lazulite_ir::{BinaryOp, DType, Graph, Node, NodeId, Op, ReduceOp, Scalar, UnaryOp};
use smallvec::smallvec;

/// y = sin(x) * 2 + x; s = sum(y, axis 1); x: f64 [rows, cols] in slot 0.
fn graph(rows: usize, cols: usize) -> (Graph, NodeId, NodeId) {
    let d = DType::F64;
    let mut g = Graph::new();
    let sh: lazulite_ir::Shape = smallvec![rows, cols];
    let x = g.add(Node {
        op: Op::Input {
            slot: 0,
            device: lazulite_ir::Device::Cpu,
            strides: contiguous_strides(&sh),
        },
        inputs: smallvec![],
        dtype: d,
        shape: sh.clone(),
    });
    let node = |op: Op, inputs: &[NodeId], shape: &lazulite_ir::Shape| Node {
        op,
        inputs: inputs.iter().copied().collect(),
        dtype: d,
        shape: shape.clone(),
    };
    let s = g.add(node(Op::Unary(UnaryOp::Sin), &[x], &sh));
    let two = g.add(node(Op::Fill(Scalar::Float(2.0)), &[], &sh));
    let m = g.add(node(Op::Binary(BinaryOp::Mul), &[s, two], &sh));
    let y = g.add(node(Op::Binary(BinaryOp::Add), &[m, x], &sh));
    let r = g.add(node(
        Op::Reduce {
            op: ReduceOp::Sum,
            axes: smallvec![1],
        },
        &[y],
        &smallvec![rows],
    ));
    (g, y, r)
}

fn check(rows: usize, cols: usize, seed: u64) {
    let mut rng = Rng(seed);
    let vals: Vec<f64> = (0..rows * cols).map(|_| rng.f() * 10.0).collect();
    let sv: Vec<Scalar> = vals.iter().map(|&v| Scalar::Float(v)).collect();
    let x = array(&sv, DType::F64, &[rows, cols]);
    let (g, y, r) = graph(rows, cols);
    let out = lazulite_runtime::compute(&g, &[y, r], &[x]).unwrap();
    assert_eq!(out[0].shape.as_slice(), &[rows, cols]);
    assert_eq!(out[1].shape.as_slice(), &[rows]);
    let ys = elements(&out[0]);
    let sums = elements(&out[1]);
    for i in 0..rows {
        let mut acc = 0.0;
        for j in 0..cols {
            let v = vals[i * cols + j];
            let want = v.sin() * 2.0 + v;
            let got = ys[i * cols + j].as_f64();
            assert!(
                (got - want).abs() <= 1e-12 * (1.0 + want.abs()),
                "y[{i},{j}] {got} vs {want}"
            );
            acc += want;
        }
        let got = sums[i].as_f64();
        assert!(
            (got - acc).abs() <= 1e-9 * (1.0 + acc.abs()),
            "sum[{i}] {got} vs {acc}"
        );
    }
}

#[test]
fn fused_graph_end_to_end() {
    check(7, 13, 1);
    check(300, 500, 2); // large enough to compile and to split across threads
}

#[test]
fn plan_cache_hits_on_equal_structure() {
    let (rows, cols) = (5, 9);
    let x = array(
        &vec![Scalar::Float(0.5); rows * cols],
        DType::F64,
        &[rows, cols],
    );
    let (g1, y1, r1) = graph(rows, cols);
    lazulite_runtime::compute(&g1, &[y1, r1], std::slice::from_ref(&x)).unwrap();
    let before = lazulite_runtime::stats().plan_cache_hits;
    let (g2, y2, r2) = graph(rows, cols); // a fresh graph with the same structure
    lazulite_runtime::compute(&g2, &[y2, r2], &[x]).unwrap();
    assert!(lazulite_runtime::stats().plan_cache_hits > before);
    let a = lazulite_runtime::plan_cached(&g1, &[y1, r1]).unwrap();
    let b = lazulite_runtime::plan_cached(&g2, &[y2, r2]).unwrap();
    assert!(std::sync::Arc::ptr_eq(&a, &b), "one cached schedule");
}

#[test]
fn explain_lists_kernels_and_bytes() {
    let (rows, cols) = (4, 6);
    let x = array(
        &vec![Scalar::Float(1.0); rows * cols],
        DType::F64,
        &[rows, cols],
    );
    let (g, y, r) = graph(rows, cols);
    let inputs = [x];
    let text = lazulite_runtime::explain(&g, &[y, r], &inputs, false).unwrap();
    assert!(text.contains("kernel 0"), "{text}");
    assert!(text.contains("ends: result"), "{text}");
    assert!(!text.contains("load"), "no IR unless asked: {text}");
    let with_ir = lazulite_runtime::explain(&g, &[y, r], &inputs, true).unwrap();
    assert!(
        with_ir.len() > text.len() && with_ir.contains("load"),
        "{with_ir}"
    );
    let dot = lazulite_runtime::explain_dot(&g, &[y, r], &inputs).unwrap();
    assert!(
        dot.starts_with("digraph plan {") && dot.contains("in0 -> s0"),
        "{dot}"
    );
    assert!(text.contains("total: reads"), "{text}");
    assert!(
        text.contains("interpreted") || text.contains("compiled"),
        "{text}"
    );
}

#[test]
fn concurrent_compute_calls_are_safe() {
    std::thread::scope(|s| {
        for t in 0..4 {
            s.spawn(move || {
                for k in 0..5 {
                    check(3 + t, 50 + 7 * k, (t * 10 + k) as u64 + 5);
                }
            });
        }
    });
}
