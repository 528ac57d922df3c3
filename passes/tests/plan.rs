//! Planning tests: kernel counts and shapes for the acceptance examples, and numeric agreement between
//! the naive graph evaluator and the naive schedule evaluator on random inputs (see `common`).

mod common;

use common::*;
use lazulite_ir::{AxisIndex, BinaryOp, BufferRef, DType, ReduceOp, Scalar, StrideClass, UnaryOp};
use lazulite_passes::plan;

use BinaryOp::{Add, Div, Mul, Sub};

#[test]
fn sum_of_hypot_expression_is_one_kernel() {
    let mut b = B::new();
    let x = b.input(0, &[5, 7]);
    let y = b.input(1, &[5, 7]);
    let xx = b.bin(Mul, x, x);
    let yy = b.bin(Mul, y, y);
    let s = b.bin(Add, xx, yy);
    let r = b.un(UnaryOp::Sqrt, s);
    let total = b.reduce(ReduceOp::Sum, r, &[0, 1]);
    let sched = check(&b.g, &[total], 1);
    assert_eq!(n_kernels(&sched), 1, "{}", describe(&sched));
    let k = sched.kernel_steps().next().unwrap();
    assert_eq!(k.label, "multiply, multiply, add, sqrt -> sum");
    // Both reads are contiguous over the whole array: one reduced loop dim of 35.
    assert_eq!(k.shape.as_slice(), &[35]);
    assert_eq!(k.kernel.n_reduce, 1);
}

#[test]
fn sum_of_pairwise_abs_differences_is_one_kernel() {
    let mut b = B::new();
    let x = b.input(0, &[4]);
    let y = b.input(1, &[6]);
    let xc = b.index(x, &[full(4)], &[1]); // x[:, None]
    let yr = b.index(y, &[full(6)], &[0]); // y[None, :]
    let xb = b.bcast(xc, &[4, 6]);
    let yb = b.bcast(yr, &[4, 6]);
    let d = b.bin(Sub, xb, yb);
    let a = b.un(UnaryOp::Abs, d);
    let total = b.reduce(ReduceOp::Sum, a, &[0, 1]);
    let sched = check(&b.g, &[total], 2);
    assert_eq!(n_kernels(&sched), 1, "{}", describe(&sched));
    let k = sched.kernel_steps().next().unwrap();
    assert_eq!(k.kernel.inputs.len(), 2);
    assert_eq!(k.kernel.inputs[0].inner, StrideClass::Broadcast);
    assert_eq!(k.kernel.inputs[1].inner, StrideClass::Contiguous);
}

#[test]
fn multiply_add_is_one_flat_kernel_with_three_loads() {
    let mut b = B::new();
    let x = b.input(0, &[4, 5, 6]);
    let y = b.input(1, &[4, 5, 6]);
    let z = b.input(2, &[4, 5, 6]);
    let m = b.bin(Mul, x, y);
    let r = b.bin(Add, m, z);
    let sched = check(&b.g, &[r], 3);
    assert_eq!(n_kernels(&sched), 1);
    let k = sched.kernel_steps().next().unwrap();
    assert_eq!(k.kernel.ndim, 1);
    assert_eq!(k.shape.as_slice(), &[120]);
    assert_eq!(k.kernel.inputs.len(), 3);
    assert!(k
        .kernel
        .inputs
        .iter()
        .all(|i| i.inner == StrideClass::Contiguous));
    assert_eq!(k.kernel.outputs[0].inner, StrideClass::Contiguous);
    assert_eq!(k.label, "multiply, add");
}

#[test]
fn large_contiguous_op_is_one_dimensional() {
    let mut b = B::new();
    let shape = [256, 256, 256];
    let x = b.input(0, &shape);
    let y = b.input(1, &shape);
    let s = b.bin(Add, x, y);
    let sched = plan(&b.g, &[s]).unwrap();
    let k = sched.kernel_steps().next().unwrap();
    assert_eq!(k.shape.as_slice(), &[1 << 24]);
    assert_eq!(sched.temps[0].len, 1 << 24);
}

#[test]
fn mean_along_axis_zero_fuses_the_divide_as_epilogue() {
    let mut b = B::new();
    let x = b.input(0, &[5, 3]);
    let s = b.reduce(ReduceOp::Sum, x, &[0]);
    let n = b.c(s, 5.0);
    let m = b.bin(Div, s, n);
    let sched = check(&b.g, &[m], 4);
    assert_eq!(n_kernels(&sched), 1, "{}", describe(&sched));
    let k = sched.kernel_steps().next().unwrap();
    assert_eq!((k.kernel.ndim, k.kernel.n_reduce), (2, 1));
    // Axis 0 is reduced, so it is the inner loop: a strided walk down the column.
    assert_eq!(k.shape.as_slice(), &[3, 5]);
    assert_eq!(k.inputs[0].strides.as_slice(), &[1, 3]);
    assert_eq!(k.label, "sum -> divide");
}

#[test]
fn full_mean_divides_in_a_separate_kernel() {
    let mut b = B::new();
    let x = b.input(0, &[5, 3]);
    let s = b.reduce(ReduceOp::Sum, x, &[0, 1]);
    let n = b.c(s, 15.0);
    let m = b.bin(Div, s, n);
    let sched = check(&b.g, &[m], 5);
    assert_eq!(n_kernels(&sched), 2, "{}", describe(&sched));
    let steps: Vec<_> = sched.kernel_steps().collect();
    assert_eq!(steps[0].kernel.n_outer(), 0);
    assert!(
        steps[0].kernel.epilogue.len() == 1,
        "no epilogue on a full reduction"
    );
}

fn softmax(b: &mut B, x: lazulite_ir::NodeId) -> lazulite_ir::NodeId {
    let shape = b.shape(x);
    let (m, n) = (shape[0], shape[1]);
    let mx = b.reduce(ReduceOp::Max, x, &[1]);
    let mxk = b.index(mx, &[full(m)], &[1]);
    let mxb = b.bcast(mxk, &[m, n]);
    let d = b.bin(Sub, x, mxb);
    let e = b.un(UnaryOp::Exp, d);
    let s = b.reduce(ReduceOp::Sum, e, &[1]);
    let sk = b.index(s, &[full(m)], &[1]);
    let sb = b.bcast(sk, &[m, n]);
    b.bin(Div, e, sb)
}

/// How many times a schedule evaluates `op` per element (summed over its kernels' bodies).
fn count_unary(sched: &lazulite_ir::Schedule, op: UnaryOp) -> usize {
    sched
        .kernel_steps()
        .flat_map(|k| k.kernel.body.iter().chain(&k.kernel.epilogue))
        .filter(|i| matches!(i.inst, lazulite_ir::Inst::Unary(u, _) if u == op))
        .count()
}

#[test]
fn softmax_computes_exp_once_in_at_most_four_kernels() {
    let mut b = B::new();
    let x = b.input(0, &[4, 9]);
    let y = softmax(&mut b, x);
    let sched = check(&b.g, &[y], 6);
    // exp(x - max) is read by the sum and the division: stored once rather than computed twice
    assert!(n_kernels(&sched) <= 4, "{}", describe(&sched));
    assert_eq!(count_unary(&sched, UnaryOp::Exp), 1, "{}", describe(&sched));
    // Rows sum to one.
    let mem = run_schedule(&sched, &random_inputs(&b.g, 6));
    let vals = &schedule_results(&sched, &mem)[0];
    for row in vals.chunks(9) {
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}

#[test]
fn softmax_of_a_transposed_input() {
    let mut b = B::new();
    let x = b.input_strided(0, DType::F64, &[4, 9], &[1, 4]);
    let y = softmax(&mut b, x);
    let sched = check(&b.g, &[y], 7);
    assert!(n_kernels(&sched) <= 4, "{}", describe(&sched));
    assert_eq!(count_unary(&sched, UnaryOp::Exp), 1, "{}", describe(&sched));
}

#[test]
fn deep_elementwise_chain_plans_without_recursion() {
    let mut b = B::new();
    let x = b.input(0, &[3]);
    let one = b.c(x, 1.0);
    let half = b.c(x, 0.5);
    let mut v = x;
    for i in 0..100_000 {
        v = if i % 2 == 0 {
            b.bin(Add, v, one)
        } else {
            b.bin(Mul, v, half)
        };
    }
    // Run on a thread with a small stack: recursion over the depth would overflow it.
    let g = b.g;
    let sched = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let s = plan(&g, &[v]).unwrap();
            let inputs = random_inputs(&g, 8);
            let want = eval_graph(&g, &inputs)[v.index()].clone();
            let got = schedule_results(&s, &run_schedule(&s, &inputs))[0].clone();
            for (a, c) in want.iter().zip(&got) {
                assert!(same_value(*a, *c));
            }
            s
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(n_kernels(&sched), 1);
    let k = sched.kernel_steps().next().unwrap();
    assert_eq!(k.kernel.body.len(), 100_000 + 3);
    assert!(k.label.ends_with("(100000 ops)"), "{}", k.label);
}

#[test]
fn transposed_flipped_broadcast_and_stepped_inputs() {
    let mut b = B::new();
    // A transposed (column-major) input, a flipped one and a broadcast one.
    let t = b.input_strided(0, DType::F64, &[3, 4], &[1, 3]);
    let f = b.input_strided(1, DType::F64, &[3, 4], &[4, -1]);
    let c = b.input_strided(2, DType::F64, &[3, 4], &[0, 1]);
    let tf = b.bin(Mul, t, f);
    let r = b.bin(Add, tf, c);
    // Slices with steps of a larger input: x[1::2, ::-3].
    let x = b.input(3, &[7, 10]);
    let sl = b.index(
        x,
        &[
            AxisIndex::Range {
                start: 1,
                step: 2,
                len: 3,
            },
            AxisIndex::Range {
                start: 9,
                step: -3,
                len: 4,
            },
        ],
        &[],
    );
    let out = b.bin(Sub, r, sl);
    let sched = check(&b.g, &[out], 9);
    assert_eq!(n_kernels(&sched), 1, "{}", describe(&sched));
}

#[test]
fn reshape_of_a_transposed_view() {
    let mut b = B::new();
    let x = b.input(0, &[3, 4]);
    let t = b.permute(x, &[1, 0]); // (4, 3), strides (1, 4)
                                   // Merging the axes of a transpose needs a copy; splitting its contiguous axis does not.
    let flat = b.reshape(t, &[12]);
    let e = b.un(UnaryOp::Exp, flat);
    let split = b.reshape(t, &[2, 2, 3]);
    let n = b.un(UnaryOp::Neg, split);
    let s = b.reduce(ReduceOp::Sum, flat, &[0]);
    check(&b.g, &[e, n, s], 10);
    // As roots, both reshapes of an input view come back without a kernel where no copy is needed.
    let sched = check(&b.g, &[split], 11);
    assert_eq!(n_kernels(&sched), 0);
    assert_eq!(sched.results[0].buffer, BufferRef::Input(0));
    let sched = check(&b.g, &[flat], 12);
    assert_eq!(n_kernels(&sched), 1);
}

#[test]
fn reshape_of_computed_values() {
    let mut b = B::new();
    let x = b.input(0, &[6, 4]);
    let y = b.un(UnaryOp::Sin, x);
    let split = b.reshape(y, &[2, 3, 4]); // split-only: fuses as an index map
    let z = b.un(UnaryOp::Cos, split);
    let s = b.reduce(ReduceOp::Sum, z, &[1]);
    let sched = check(&b.g, &[s], 13);
    assert_eq!(n_kernels(&sched), 1, "{}", describe(&sched));
    let merged = b.reshape(y, &[24]); // merge of a computed node
    let w = b.reduce(ReduceOp::Max, merged, &[0]);
    check(&b.g, &[w], 14);
    let yt = b.permute(y, &[1, 0]);
    let merged_t = b.reshape(yt, &[24]);
    let v = b.bin(Add, merged_t, merged);
    check(&b.g, &[v, s], 15);
}

#[test]
fn roots_that_are_views() {
    let mut b = B::new();
    let x = b.input(0, &[3, 4]);
    let t = b.permute(x, &[1, 0]);
    let sched = check(&b.g, &[t, x], 16);
    assert_eq!(n_kernels(&sched), 0);
    assert_eq!(sched.results[0].strides.as_slice(), &[1, 4]);
    // keepdims: a view after the reduction, no extra kernel.
    let s = b.reduce(ReduceOp::Sum, x, &[1]);
    let sk = b.index(s, &[full(3)], &[1]);
    let sched = check(&b.g, &[sk], 17);
    assert_eq!(n_kernels(&sched), 1);
    // Broadcast of a computed value: computed once, returned as a stride-0 view.
    let e = b.un(UnaryOp::Exp, x);
    let eb = b.index(e, &[full(3), full(4)], &[0]);
    let ebb = b.bcast(eb, &[5, 3, 4]);
    let sched = check(&b.g, &[ebb], 18);
    assert_eq!(n_kernels(&sched), 1);
    assert_eq!(sched.temps[0].len, 12);
    // A small slice of a computed value is computed directly.
    let corner = b.index(e, &[AxisIndex::At(1), full(4)], &[]);
    let sched = check(&b.g, &[corner], 19);
    assert_eq!(sched.temps[0].len, 4);
}

#[test]
fn fill_roots_and_constant_folding() {
    let mut b = B::new();
    let two = b.fill(Scalar::Float(2.0), DType::F64, &[2, 3]);
    let three = b.fill(Scalar::Float(3.0), DType::F64, &[2, 3]);
    let five = b.bin(Add, two, three);
    let sched = check(&b.g, &[five], 20);
    assert_eq!(n_kernels(&sched), 1);
    let k = sched.kernel_steps().next().unwrap();
    assert!(k.kernel.inputs.is_empty());
    assert!(ops_in(&sched).is_empty(), "folded: {}", describe(&sched));
    let x = b.input(0, &[2, 3]);
    let sq = b.un(UnaryOp::Sqrt, five);
    let e = b.un(UnaryOp::Exp, sq);
    let y = b.bin(Mul, x, e);
    let sched = check(&b.g, &[y], 21);
    assert_eq!(ops_in(&sched), vec!["multiply"]);
}

#[test]
fn integer_and_boolean_folding_wraps_like_the_kernels() {
    let mut b = B::new();
    let a = b.fill(Scalar::Int(100), DType::I8, &[4]);
    let c = b.fill(Scalar::Int(100), DType::I8, &[4]);
    let s = b.bin(Add, a, c); // wraps to -56
    let x = b.input_strided(0, DType::I8, &[4], &[1]);
    let y = b.bin(Mul, x, s);
    let lt = b.bin(BinaryOp::Lt, y, s);
    let nt = b.un(UnaryOp::LogicalNot, lt);
    let w = b.where_(nt, y, s);
    let f = b.cast(w, DType::F32);
    let h = b.fill(Scalar::Float(0.1), DType::F32, &[4]);
    let out = b.bin(Add, f, h);
    let sched = check(&b.g, &[out, s], 22);
    assert_eq!(sched.temps.len(), 2);
}

#[test]
fn pow_simplifications_are_exact() {
    let mut b = B::new();
    let x = b.input(0, &[8]);
    let two = b.c(x, 2.0);
    let one = b.c(x, 1.0);
    let half = b.c(x, 0.5);
    let p2 = b.bin(BinaryOp::Pow, x, two);
    let p1 = b.bin(BinaryOp::Pow, x, one);
    let ph = b.bin(BinaryOp::Pow, x, half);
    let inputs = vec![Buf {
        data: vec![
            -0.0,
            0.0,
            f64::NEG_INFINITY,
            f64::INFINITY,
            2.0,
            -3.0,
            f64::NAN,
            0.25,
        ],
        base: 0,
    }];
    let sched = check_with(&b.g, &[p2, p1, ph], &inputs);
    assert!(
        !ops_in(&sched).contains(&"pow".to_string()),
        "{}",
        describe(&sched)
    );
    assert_eq!(sched.results[1].buffer, BufferRef::Input(0));
    // Integer squares wrap exactly like pow.
    let i = b.input_strided(1, DType::I16, &[8], &[1]);
    let itwo = b.fill(Scalar::Int(2), DType::I16, &[8]);
    let ip = b.bin(BinaryOp::Pow, i, itwo);
    let ints = vec![
        inputs[0].clone(),
        Buf {
            data: vec![300.0, -300.0, 7.0, 0.0, -1.0, 181.0, 255.0, 1000.0],
            base: 0,
        },
    ];
    check_with(&b.g, &[ip], &ints);
}

#[test]
fn identities_are_removed_but_adding_zero_is_kept() {
    let mut b = B::new();
    let x = b.input(0, &[4]);
    let p = b.un(UnaryOp::Positive, x);
    let c = b.cast(p, DType::F64);
    let v = b.index(c, &[full(4)], &[]);
    let r = b.reshape(v, &[4]);
    let sched = check(&b.g, &[r], 23);
    assert_eq!(n_kernels(&sched), 0);
    let zero = b.c(x, 0.0);
    let z = b.bin(Add, x, zero);
    let inputs = vec![Buf {
        data: vec![-0.0, 1.0, -0.0, 2.0],
        base: 0,
    }];
    let sched = check_with(&b.g, &[z], &inputs);
    assert_eq!(ops_in(&sched), vec!["add"]);
}

#[test]
fn expensive_shared_values_are_materialised() {
    let mut b = B::new();
    let x = b.input(0, &[6, 5]);
    let e = b.un(UnaryOp::Exp, x);
    let l = b.un(UnaryOp::Log1p, e);
    let a = b.un(UnaryOp::Sin, l);
    let c = b.un(UnaryOp::Cos, l);
    let t = b.un(UnaryOp::Tan, l);
    let s1 = b.bin(Add, a, c);
    let s2 = b.bin(Add, s1, t);
    let sched = check(&b.g, &[s2], 24);
    // log1p(exp(x)) is read three times: computed once.
    assert_eq!(n_kernels(&sched), 2, "{}", describe(&sched));
    // A cheap shared value is recomputed instead.
    let y = b.input(1, &[6, 5]);
    let m = b.bin(Mul, y, y);
    let p = b.bin(Add, m, y);
    let q = b.bin(Sub, m, y);
    let r = b.bin(Mul, p, q);
    let sched = check(&b.g, &[r], 25);
    assert_eq!(n_kernels(&sched), 1);
}

#[test]
fn broadcast_reads_of_expensive_values_are_materialised() {
    let mut b = B::new();
    let x = b.input(0, &[50]);
    let y = b.input(1, &[40]);
    let ey = b.un(UnaryOp::Exp, y);
    let eyr = b.index(ey, &[full(40)], &[0]);
    let eyb = b.bcast(eyr, &[50, 40]);
    let xc = b.index(x, &[full(50)], &[1]);
    let xb = b.bcast(xc, &[50, 40]);
    let s = b.bin(Add, xb, eyb);
    let sched = check(&b.g, &[s], 26);
    assert_eq!(n_kernels(&sched), 2, "{}", describe(&sched));
    assert_eq!(sched.temps[0].len, 40);
}

#[test]
fn reductions_in_every_position() {
    let mut b = B::new();
    let x = b.input(0, &[3, 4, 5]);
    let y = b.input(1, &[3, 5]);
    // sum over the middle axis, with an epilogue reading another input.
    let s = b.reduce(ReduceOp::Sum, x, &[1]);
    let e = b.bin(Mul, s, y);
    let sched = check(&b.g, &[e], 27);
    assert_eq!(n_kernels(&sched), 1);
    // Two reductions meeting in one elementwise node: two kernels.
    let m = b.reduce(ReduceOp::Max, x, &[1]);
    let d = b.bin(Sub, m, e);
    check(&b.g, &[d], 28);
    // Centering: x - mean(x, axis=2, keepdims=True), then a sum of squares.
    let mean_s = b.reduce(ReduceOp::Sum, x, &[2]);
    let five = b.c(mean_s, 5.0);
    let mean = b.bin(Div, mean_s, five);
    let mk = b.index(mean, &[full(3), full(4)], &[2]);
    let mb = b.bcast(mk, &[3, 4, 5]);
    let c = b.bin(Sub, x, mb);
    let c2 = b.bin(Mul, c, c);
    let var = b.reduce(ReduceOp::Sum, c2, &[0, 2]);
    let sched = check(&b.g, &[var], 29);
    assert_eq!(n_kernels(&sched), 2, "{}", describe(&sched));
    // Sum of a reduction result, and products, minima and boolean reductions.
    let inner = b.reduce(ReduceOp::Min, x, &[2]);
    let sq = b.un(UnaryOp::Square, inner);
    let outer = b.reduce(ReduceOp::Prod, sq, &[0]);
    let zero = b.c(x, 0.0);
    let pos = b.bin(BinaryOp::Gt, x, zero);
    let any = b.reduce(ReduceOp::Any, pos, &[0, 1]);
    let all = b.reduce(ReduceOp::All, pos, &[2]);
    check(&b.g, &[outer, any, all, s], 30);
}

#[test]
fn reductions_of_one_domain_share_a_kernel() {
    let mut b = B::new();
    let x = b.input(0, &[6, 7]);
    let y = b.input(1, &[6, 7]);
    // A shifted variance: sum(d) and sum(d * d) over one axis, combined in the epilogue.
    let x0 = b.index(x, &[full(6), AxisIndex::At(0)], &[1]);
    let xb = b.bcast(x0, &[6, 7]);
    let d = b.bin(Sub, x, xb);
    let dd = b.bin(Mul, d, d);
    let s1 = b.reduce(ReduceOp::Sum, d, &[1]);
    let s2 = b.reduce(ReduceOp::Sum, dd, &[1]);
    let s11 = b.bin(Mul, s1, s1);
    let var = b.bin(Sub, s2, s11);
    let sched = check(&b.g, &[var], 60);
    assert_eq!(n_kernels(&sched), 1, "{}", describe(&sched));
    let k = sched.kernel_steps().next().unwrap();
    assert_eq!(k.kernel.reduces.len(), 2, "{}", describe(&sched));
    assert_eq!(
        k.label,
        "subtract, multiply -> sum + sum -> multiply, subtract"
    );
    // An epilogue that reads a value twice and meets again (s2 - s1 * s1 over s1 + s2): one kernel;
    // a reduction whose readers end in two kernels is stored once instead of computed twice.
    let e1 = b.bin(Add, s1, s2);
    let both = b.bin(Div, var, e1);
    let sched = check(&b.g, &[both], 67);
    assert_eq!(n_kernels(&sched), 1, "{}", describe(&sched));
    let sched = check(&b.g, &[var, e1], 68);
    assert_eq!(n_kernels(&sched), 3, "{}", describe(&sched));
    // Different ops and inputs over one domain: max(x) - min(y) along axis 0, one kernel.
    let mx = b.reduce(ReduceOp::Max, x, &[0]);
    let mn = b.reduce(ReduceOp::Min, y, &[0]);
    let range = b.bin(Sub, mx, mn);
    let sched = check(&b.g, &[range], 61);
    assert_eq!(n_kernels(&sched), 1, "{}", describe(&sched));
    // An operand of another shape: another domain, so one of them gets a kernel of its own.
    let z = b.input(2, &[6, 3]);
    let other = b.reduce(ReduceOp::Max, z, &[1]);
    let mixed = b.bin(Add, s1, other);
    let sched = check(&b.g, &[mixed], 62);
    assert_eq!(n_kernels(&sched), 2, "{}", describe(&sched));
    // At most four reductions per kernel.
    let sums: Vec<_> = (0..6)
        .map(|k| {
            let c = b.c(x, k as f64);
            let v = b.bin(Mul, x, c);
            b.reduce(ReduceOp::Sum, v, &[1])
        })
        .collect();
    let total = sums[1..].iter().fold(sums[0], |acc, &s| b.bin(Add, acc, s));
    let sched = check(&b.g, &[total], 63);
    assert!(n_kernels(&sched) >= 2, "{}", describe(&sched));
    for k in sched.kernel_steps() {
        assert!(k.kernel.reduces.len() <= 4, "{}", describe(&sched));
    }
}

#[test]
fn materialised_reductions_of_one_domain_are_one_multi_output_kernel() {
    let mut b = B::new();
    let x = b.input(0, &[40]);
    let y = b.input(1, &[40]);
    // Full reductions keep their own buffers (no epilogue), but one pass computes all of them.
    let s = b.reduce(ReduceOp::Sum, x, &[0]);
    let xx = b.bin(Mul, x, x);
    let ss = b.reduce(ReduceOp::Sum, xx, &[0]);
    let m = b.reduce(ReduceOp::Max, y, &[0]);
    let sched = check(&b.g, &[s, ss, m], 64);
    assert_eq!(n_kernels(&sched), 1, "{}", describe(&sched));
    let k = sched.kernel_steps().next().unwrap();
    assert_eq!(
        (k.kernel.reduces.len(), k.outputs.len()),
        (3, 3),
        "{}",
        describe(&sched)
    );
    // A reduction that reads another one's result cannot run in its kernel.
    let sb = b.bcast(s, &[40]);
    let centred = b.bin(Sub, x, sb);
    let dep = b.reduce(ReduceOp::Sum, centred, &[0]);
    let sched = check(&b.g, &[s, dep], 65);
    assert_eq!(n_kernels(&sched), 2, "{}", describe(&sched));
    // Other axes, other domains: a kernel each.
    let z = b.input(2, &[5, 8]);
    let r0 = b.reduce(ReduceOp::Sum, z, &[0]);
    let r1 = b.reduce(ReduceOp::Sum, z, &[1]);
    let sched = check(&b.g, &[r0, r1], 66);
    assert_eq!(n_kernels(&sched), 2, "{}", describe(&sched));
}

#[test]
fn zero_size_shapes() {
    let mut b = B::new();
    let x = b.input(0, &[3, 0]);
    let s = b.reduce(ReduceOp::Sum, x, &[1]);
    let p = b.reduce(ReduceOp::Prod, x, &[1]);
    let e = b.un(UnaryOp::Exp, x);
    let sched = check(&b.g, &[s, p, e], 31);
    assert_eq!(sched.temps.iter().map(|t| t.len).sum::<usize>(), 6);
    let y = b.input(1, &[0, 4]);
    let m = b.reduce(ReduceOp::Max, y, &[1]); // empty output: fine
    check(&b.g, &[m], 32);
    let bad = b.reduce(ReduceOp::Max, x, &[1]);
    let err = plan(&b.g, &[bad]).unwrap_err();
    assert_eq!(err.kind, lazulite_ir::ErrorKind::Value);
    assert!(err.message.contains("max"), "{}", err.message);
}

#[test]
fn scalars_and_size_one_dims() {
    let mut b = B::new();
    let x = b.input(0, &[]);
    let y = b.input(1, &[1, 4, 1]);
    let xs = b.index(x, &[], &[0, 1, 2]);
    let xb = b.bcast(xs, &[1, 4, 1]);
    let s = b.bin(Add, xb, y);
    let t = b.reduce(ReduceOp::Sum, s, &[0, 2]); // reduces size-1 axes only
    let u = b.un(UnaryOp::Neg, x);
    let sched = check(&b.g, &[t, u], 33);
    for k in sched.kernel_steps() {
        assert!(k.kernel.ndim <= 2, "{}", describe(&sched));
    }
}

#[test]
fn bad_requests_are_errors() {
    let mut b = B::new();
    let x = b.input(0, &[3]);
    let err = plan(&b.g, &[lazulite_ir::NodeId(x.0 + 5)]).unwrap_err();
    assert_eq!(err.kind, lazulite_ir::ErrorKind::Internal);
    assert!(err.message.contains("root"));
}

#[test]
fn random_expressions_agree_with_the_reference() {
    // Random elementwise/movement/reduce graphs over a few inputs, checked under every config.
    let unary = [
        UnaryOp::Sin,
        UnaryOp::Abs,
        UnaryOp::Neg,
        UnaryOp::Exp,
        UnaryOp::Square,
    ];
    let binary = [Add, Sub, Mul, BinaryOp::Maximum, BinaryOp::Hypot];
    for seed in 0..40u64 {
        let mut rng = Rng(seed * 7919 + 1);
        let mut pick = |n: usize| ((rng.next() + 2.0) / 4.0 * n as f64) as usize % n;
        let mut b = B::new();
        let x = b.input(0, &[3, 4]);
        let y = b.input_strided(1, DType::F64, &[3, 4], &[1, -3]);
        let mut pool = vec![x, y];
        for _ in 0..12 {
            let a = pool[pick(pool.len())];
            let c = pool[pick(pool.len())];
            let node = match pick(6) {
                0 => b.un(unary[pick(unary.len())], a),
                1 | 2 => b.bin(binary[pick(binary.len())], a, c),
                3 => {
                    let t = b.permute(a, &[1, 0]);
                    let r = b.reshape(t, &[4, 3]);
                    b.reshape(r, &[3, 4])
                }
                4 => {
                    let s = b.reduce(ReduceOp::Sum, a, &[pick(2) as u32]);
                    let sh = b.shape(s);
                    let (k, other) = if sh[0] == 3 { (1, 3) } else { (0, 4) };
                    let v = b.index(s, &[full(other)], &[k]);
                    b.bcast(v, &[3, 4])
                }
                _ => {
                    let f = b.index(
                        a,
                        &[
                            AxisIndex::Range {
                                start: 2,
                                step: -1,
                                len: 3,
                            },
                            full(4),
                        ],
                        &[],
                    );
                    b.bin(Mul, f, c)
                }
            };
            pool.push(node);
        }
        let last = *pool.last().unwrap();
        let mid = pool[pool.len() / 2];
        check(&b.g, &[last, mid], seed);
    }
}
