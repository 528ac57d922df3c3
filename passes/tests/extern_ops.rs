//! Extern ops in the planner: each is a barrier with buffers for operands (copies where an operand is
//! a computed value or a strided view the op cannot read), and elementwise work around it still fuses.
//! Values are checked by the naive graph and schedule evaluators (see `common`).

mod common;

use common::*;
use lazulite_ir::{
    AxisIndex, BinaryOp, BufferRef, DType, ExternOp, LinalgOp, ReduceOp, Schedule, Step, UnaryOp,
};

use BinaryOp::{Add, Mul};

fn step_kinds(s: &Schedule) -> Vec<String> {
    s.steps
        .iter()
        .map(|st| match st {
            Step::Kernel(k) => format!("kernel({})", k.label),
            Step::Extern(e) => format!("extern({})", e.op.name()),
        })
        .collect()
}

#[test]
fn sum_of_scaled_matmul_is_matmul_then_one_fused_kernel() {
    let mut b = B::new();
    let x = b.input(0, &[3, 4]);
    let y = b.input(1, &[4, 5]);
    let m = b.ext(ExternOp::MatMul, &[x, y]);
    let two = b.c(m, 2.0);
    let one = b.c(m, 1.0);
    let t = b.bin(Mul, m, two);
    let u = b.bin(Add, t, one);
    let total = b.reduce(ReduceOp::Sum, u, &[0, 1]);
    let sched = check(&b.g, &[total], 11);
    assert_eq!(
        step_kinds(&sched),
        vec!["extern(matmul)", "kernel(multiply, add -> sum)"],
        "{}",
        describe(&sched)
    );
    // The matmul reads the caller's buffers directly and writes a temp the kernel reads.
    let e = sched.extern_steps().next().unwrap();
    assert_eq!(e.inputs[0].buffer, BufferRef::Input(0));
    assert_eq!(e.inputs[1].buffer, BufferRef::Input(1));
    let k = sched.kernel_steps().next().unwrap();
    assert_eq!(k.inputs[0].buffer, BufferRef::Temp(e.outputs[0].temp));
}

#[test]
fn computed_operands_get_one_kernel_each_and_views_are_read_in_place() {
    let mut b = B::new();
    let x = b.input(0, &[4, 3]);
    let y = b.input(1, &[4, 5]);
    // x.T (a strided view: gemm reads it as it is) @ exp(y) + y (computed: one kernel).
    let xt = b.permute(x, &[1, 0]);
    let ey = b.un(UnaryOp::Exp, y);
    let s = b.bin(Add, ey, y);
    let m = b.ext(ExternOp::MatMul, &[xt, s]);
    let sched = check(&b.g, &[m], 12);
    assert_eq!(
        step_kinds(&sched),
        vec!["kernel(exp, add)", "extern(matmul)"],
        "{}",
        describe(&sched)
    );
    let e = sched.extern_steps().next().unwrap();
    assert_eq!(e.inputs[0].buffer, BufferRef::Input(0));
    assert_eq!(e.inputs[0].strides.as_slice(), &[1, 3]);
    // The result is the extern's temp itself.
    assert_eq!(sched.results[0].buffer, BufferRef::Temp(e.outputs[0].temp));
}

#[test]
fn broadcast_batch_operand_is_not_copied_for_matmul() {
    let mut b = B::new();
    let x = b.input(0, &[2, 3, 4]);
    let w = b.input(1, &[4, 5]);
    let wb = b.bcast(w, &[2, 4, 5]);
    let m = b.ext(ExternOp::MatMul, &[x, wb]);
    let sched = check(&b.g, &[m], 13);
    assert_eq!(n_kernels(&sched), 0, "{}", describe(&sched));
    let e = sched.extern_steps().next().unwrap();
    assert_eq!(e.inputs[1].strides.as_slice(), &[0, 5, 1]);
}

#[test]
fn strided_operands_of_contiguous_ops_are_copied() {
    let mut b = B::new();
    let x = b.input(0, &[4, 3]);
    let xt = b.permute(x, &[1, 0]); // (3, 4), strided
    let c = b.ext(
        ExternOp::CumSum {
            axis: 1,
            include_initial: true,
        },
        &[xt],
    );
    let sched = check(&b.g, &[c], 14);
    assert_eq!(
        step_kinds(&sched),
        vec!["kernel(copy)", "extern(cumulative_sum)"],
        "{}",
        describe(&sched)
    );
    // A contiguous slice (rows 1..3 of a C-order input) is read in place, at an offset.
    let mut b = B::new();
    let x = b.input(0, &[4, 3]);
    let rows = b.index(
        x,
        &[
            AxisIndex::Range {
                start: 1,
                step: 1,
                len: 2,
            },
            full(3),
        ],
        &[],
    );
    let c = b.ext(
        ExternOp::CumSum {
            axis: 0,
            include_initial: false,
        },
        &[rows],
    );
    let sched = check(&b.g, &[c], 15);
    assert_eq!(n_kernels(&sched), 0, "{}", describe(&sched));
    let e = sched.extern_steps().next().unwrap();
    assert_eq!(
        (e.inputs[0].buffer, e.inputs[0].offset),
        (BufferRef::Input(0), 3)
    );
}

#[test]
fn strided_caller_inputs_and_constants_are_copied() {
    let mut b = B::new();
    // A caller array laid out transposed (column-major).
    let x = b.input_strided(0, DType::F64, &[3, 4], &[1, 3]);
    let z = b.fill(lazulite_ir::Scalar::Float(0.5), DType::F64, &[3, 2]);
    let c = b.ext(ExternOp::Concat { axis: 1 }, &[x, z, x]);
    let sched = check(&b.g, &[c], 16);
    assert_eq!(
        step_kinds(&sched),
        vec!["kernel(copy)", "kernel(fill)", "extern(concat)"],
        "{}",
        describe(&sched)
    );
}

#[test]
fn reductions_and_externs_chain() {
    // cumsum(sum(x, axis 2)) * matmul(a, b) + 1, summed over axis 0.
    let mut b = B::new();
    let x = b.input(0, &[3, 4, 5]);
    let s = b.reduce(ReduceOp::Sum, x, &[2]);
    let c = b.ext(
        ExternOp::CumSum {
            axis: 0,
            include_initial: false,
        },
        &[s],
    );
    let p = b.input(1, &[3, 2]);
    let q = b.input(2, &[2, 4]);
    let m = b.ext(ExternOp::MatMul, &[p, q]);
    let cm = b.bin(Mul, c, m);
    let one = b.c(cm, 1.0);
    let r = b.bin(Add, cm, one);
    let out = b.reduce(ReduceOp::Sum, r, &[0]);
    let sched = check(&b.g, &[out], 17);
    assert_eq!(
        step_kinds(&sched),
        vec![
            "kernel(sum)",
            "extern(cumulative_sum)",
            "extern(matmul)",
            "kernel(multiply, add -> sum)"
        ],
        "{}",
        describe(&sched)
    );
}

#[test]
fn extern_results_as_roots_and_views() {
    let mut b = B::new();
    let x = b.input(0, &[2, 3]);
    let y = b.input(1, &[3, 2]);
    let m = b.ext(ExternOp::MatMul, &[x, y]);
    let mt = b.permute(m, &[1, 0]);
    let sched = check(&b.g, &[m, mt], 18);
    assert_eq!(sched.extern_steps().count(), 1);
    assert_eq!(n_kernels(&sched), 0, "{}", describe(&sched));
    assert_eq!(sched.results[1].strides.as_slice(), &[1, 2]);
}

#[test]
fn outputs_of_one_call_share_one_step_and_unasked_outputs_get_scratch_temps() {
    let mut b = B::new();
    let x = b.input(0, &[4, 5, 3]);
    let op = ExternOp::Linalg(LinalgOp::Svd {
        full_matrices: false,
    });
    let outs = b.ext_outputs(op, &[x]);
    assert_eq!(outs.len(), 3);
    // U and 2 * S are asked for, Vh is not; the scaling of S fuses into one kernel after the step.
    let two = b.c(outs[1], 2.0);
    let s2 = b.bin(Mul, outs[1], two);
    let sched = lazulite_passes::plan(&b.g, &[outs[0], s2]).unwrap();
    assert_eq!(
        step_kinds(&sched),
        vec!["extern(svd)", "kernel(multiply)"],
        "{}",
        describe(&sched)
    );
    let e = sched.extern_steps().next().unwrap();
    let shapes: Vec<&[usize]> = e.outputs.iter().map(|o| o.shape.as_slice()).collect();
    assert_eq!(shapes, vec![&[4, 5, 3][..], &[4, 3], &[4, 3, 3]]);
    let temps: Vec<u32> = e.outputs.iter().map(|o| o.temp).collect();
    assert!(temps[0] != temps[1] && temps[1] != temps[2] && temps[0] != temps[2]);
    // U is a result read straight from its output temp; the kernel reads S's temp.
    assert_eq!(sched.results[0].buffer, BufferRef::Temp(temps[0]));
    let k = sched.kernel_steps().next().unwrap();
    assert_eq!(k.inputs[0].buffer, BufferRef::Temp(temps[1]));
    assert_eq!(sched.temps[temps[2] as usize].len, 4 * 3 * 3);
}

#[test]
fn two_calls_with_other_operands_are_two_steps() {
    let mut b = B::new();
    let x = b.input(0, &[3, 3]);
    let y = b.input(1, &[3, 3]);
    let op = ExternOp::Linalg(LinalgOp::Eigh);
    let ox = b.ext_outputs(op, &[x]);
    let oy = b.ext_outputs(op, &[y]);
    let sched = lazulite_passes::plan(&b.g, &[ox[0], ox[1], oy[0]]).unwrap();
    assert_eq!(
        step_kinds(&sched),
        vec!["extern(eigh)", "extern(eigh)"],
        "{}",
        describe(&sched)
    );
}
