//! Splitting kernels across threads gives the same results as one thread: exactly for elementwise
//! kernels and reductions over inner axes, within rounding for full sums combined from partials.
//! One test function, because it changes the process-wide configuration.

mod common;
use common::*;
use lazulite_ir::{BinaryOp, DType, Inst, Kernel, ReduceOp, Scalar, UnaryOp};
use lazulite_runtime::{config, execute_traced, set_config, ExecPolicy};

fn with_threads(threads: usize, policy: ExecPolicy) {
    let mut c = config();
    c.threads = threads;
    c.parallel_threshold = 1024;
    c.policy = policy;
    set_config(c);
}

fn run_traced(
    k: &Kernel,
    shape: &[usize],
    x: &lazulite_runtime::ArrayData,
    strides: Vec<isize>,
) -> (Vec<Vec<Scalar>>, usize) {
    let (s, data) = one_step(
        k.clone(),
        shape,
        &[In {
            data: x.clone(),
            offset: 0,
            strides,
        }],
    );
    let (out, rep) = execute_traced(&s, &data).unwrap();
    (out.iter().map(elements).collect(), rep.steps[0].chunks)
}

#[test]
fn thread_split_matches_single_thread() {
    let d = DType::F64;
    let (rows, cols) = (300usize, 257usize);
    let mut rng = Rng(31337);
    let vals: Vec<Scalar> = (0..rows * cols)
        .map(|_| Scalar::Float(rng.f() * 1e3))
        .collect();
    let x = array(&vals, d, &[rows, cols]);
    let ew = unary_kernel(UnaryOp::Sin, d, 2, 1);
    let row_sum = Kernel {
        ndim: 2,
        n_reduce: 1,
        inputs: vec![input(d, 1)],
        body: vec![ins(Inst::Load { input: 0 }, d)],
        reduces: vec![reduce(ReduceOp::Sum, 0)],
        epilogue: vec![ins(Inst::Reduced(0), d)],
        outputs: vec![output(0, d)],
    };
    let total = Kernel {
        ndim: 2,
        n_reduce: 2,
        inputs: vec![input(d, 1)],
        body: vec![
            ins(Inst::Load { input: 0 }, d),
            ins(Inst::Binary(BinaryOp::Mul, 0, 0), d),
        ],
        reduces: vec![reduce(ReduceOp::Sum, 1), reduce(ReduceOp::Max, 0)],
        epilogue: vec![ins(Inst::Reduced(0), d), ins(Inst::Reduced(1), d)],
        outputs: vec![output(0, d), output(1, d)],
    };
    let strides = vec![cols as isize, 1];
    for policy in [ExecPolicy::InterpretOnly, ExecPolicy::Auto] {
        with_threads(1, policy);
        let (e1, c1) = run_traced(&ew, &[rows, cols], &x, strides.clone());
        let (r1, _) = run_traced(&row_sum, &[rows, cols], &x, strides.clone());
        let (t1, _) = run_traced(&total, &[rows, cols], &x, strides.clone());
        assert_eq!(c1, 1);
        with_threads(2, policy);
        let (e2, c2) = run_traced(&ew, &[rows, cols], &x, strides.clone());
        let (r2, _) = run_traced(&row_sum, &[rows, cols], &x, strides.clone());
        let (t2, ct) = run_traced(&total, &[rows, cols], &x, strides.clone());
        assert_eq!(c2, 2, "elementwise kernel split in two");
        assert_eq!(ct, 2, "full reduction split into two partials");
        assert_same(&e2[0], &e1[0], "elementwise");
        assert_same(&r2[0], &r1[0], "row sums");
        let (a, b) = (t1[0][0].as_f64(), t2[0][0].as_f64());
        assert!(
            (a - b).abs() <= 1e-12 * a.abs(),
            "sum of squares {a} vs {b}"
        );
        assert_eq!(t1[1][0], t2[1][0], "max combined exactly");
        // and against a plain loop
        let want: f64 = vals.iter().map(|v| v.as_f64() * v.as_f64()).sum();
        assert!((a - want).abs() <= 1e-10 * want, "{a} vs loop {want}");
    }
    column_reductions_split_by_rows_match_single_thread();
}

/// Column reductions (loop `[cols, rows]` over a C-order matrix, the shape of `sum(m, axis=0)`) with
/// an epilogue that reads another input: split by rows into partials on two and three threads, the
/// same results as one thread (max exactly, NaN and signed zeros included; the sum within rounding).
fn column_reductions_split_by_rows_match_single_thread() {
    let d = DType::F64;
    let (rows, cols) = (300usize, 257usize);
    let mut rng = Rng(4242);
    let mut vals: Vec<Scalar> = (0..rows * cols)
        .map(|_| Scalar::Float(rng.f() * 1e3 - 500.0))
        .collect();
    vals[7 * cols + 3] = Scalar::Float(f64::NAN);
    for r in 0..rows {
        vals[r * cols + 5] = Scalar::Float(if r % 2 == 0 { -0.0 } else { 0.0 });
        vals[r * cols + 6] = Scalar::Float(-0.0);
    }
    let x = array(&vals, d, &[rows, cols]);
    let vv: Vec<Scalar> = (0..cols).map(|c| Scalar::Float(c as f64 - 9.5)).collect();
    let v = array(&vv, d, &[cols]);
    let k = Kernel {
        ndim: 2,
        n_reduce: 1,
        inputs: vec![input(d, cols as isize), input(d, 0)],
        body: vec![
            ins(Inst::Load { input: 0 }, d),
            ins(Inst::Binary(BinaryOp::Mul, 0, 0), d),
        ],
        reduces: vec![reduce(ReduceOp::Sum, 1), reduce(ReduceOp::Max, 0)],
        epilogue: vec![
            ins(Inst::Reduced(0), d),
            ins(Inst::Reduced(1), d),
            ins(Inst::Load { input: 1 }, d),
            ins(Inst::Binary(BinaryOp::Mul, 0, 2), d),
            ins(Inst::Binary(BinaryOp::Add, 3, 1), d),
        ],
        outputs: vec![output(4, d), output(1, d)],
    };
    let run = || {
        let (s, data) = one_step(
            k.clone(),
            &[cols, rows],
            &[
                In {
                    data: x.clone(),
                    offset: 0,
                    strides: vec![1, cols as isize],
                },
                In {
                    data: v.clone(),
                    offset: 0,
                    strides: vec![1, 0],
                },
            ],
        );
        let (out, rep) = execute_traced(&s, &data).unwrap();
        (
            out.iter().map(elements).collect::<Vec<_>>(),
            rep.steps[0].chunks,
        )
    };
    for policy in [ExecPolicy::InterpretOnly, ExecPolicy::Auto] {
        with_threads(1, policy);
        let (one, _) = run();
        for threads in [2, 3] {
            with_threads(threads, policy);
            let (many, chunks) = run();
            assert_eq!(chunks, threads, "rows split into one piece per thread");
            assert_same(&many[1], &one[1], "column max");
            for (c, (g, w)) in many[0].iter().zip(&one[0]).enumerate() {
                let (g, w) = (g.as_f64(), w.as_f64());
                assert!(
                    (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-12 * w.abs().max(1.0),
                    "column {c}: {g} vs {w} on one thread ({threads} threads, {policy:?})"
                );
            }
            // and against a plain loop
            for c in [0, 3, 5, 6, 100, cols - 1] {
                let col = (0..rows).map(|r| vals[r * cols + c].as_f64());
                let sq: f64 = col.clone().map(|e| e * e).sum();
                let mx = col.fold(f64::NEG_INFINITY, |m, e| {
                    if m.is_nan() || e.is_nan() {
                        f64::NAN
                    } else {
                        m.max(e)
                    }
                });
                let want = sq * vv[c].as_f64() + mx;
                let got = many[0][c].as_f64();
                assert!(
                    (want.is_nan() && got.is_nan())
                        || (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "column {c}: {got} vs loop {want}"
                );
            }
        }
    }
}
