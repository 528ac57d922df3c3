//! The executor with hand-built schedules: temporaries released after their last use, results that are
//! views of inputs, validation errors.

mod common;
use common::*;
use lazulite_ir::shape::contiguous_strides;
use lazulite_ir::{
    BinaryOp, BufferRef, DType, ErrorKind, Inst, Kernel, KernelStep, Operand, ResultRef, Scalar,
    Schedule, Step, TempBuffer,
};
use std::sync::Arc;

fn add_one() -> Arc<Kernel> {
    let d = DType::F64;
    Arc::new(Kernel {
        ndim: 1,
        n_reduce: 0,
        inputs: vec![input(d, 1)],
        body: vec![
            ins(Inst::Load { input: 0 }, d),
            ins(Inst::Const(Scalar::Float(1.0)), d),
            ins(Inst::Binary(BinaryOp::Add, 0, 1), d),
        ],
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![output(2, d)],
    })
}

fn contiguous(b: BufferRef, n: usize) -> Operand {
    Operand {
        buffer: b,
        offset: 0,
        strides: contiguous_strides(&[n]),
    }
}

/// `steps` kernels in a chain: step i reads the previous result and writes temp i.
fn chain(steps: usize, n: usize) -> Schedule {
    let k = add_one();
    Schedule {
        device: lazulite_ir::Device::Cpu,
        temps: vec![
            TempBuffer {
                dtype: DType::F64,
                len: n,
                device: lazulite_ir::Device::Cpu,
            };
            steps
        ],
        steps: (0..steps)
            .map(|i| {
                let src = if i == 0 {
                    BufferRef::Input(0)
                } else {
                    BufferRef::Temp(i as u32 - 1)
                };
                Step::Kernel(KernelStep {
                    kernel: k.clone(),
                    shape: [n].into_iter().collect(),
                    inputs: vec![contiguous(src, n)],
                    outputs: vec![contiguous(BufferRef::Temp(i as u32), n)],
                    label: format!("add#{i}"),
                    end: "",
                })
            })
            .collect(),
        results: vec![ResultRef {
            buffer: BufferRef::Temp(steps as u32 - 1),
            offset: 0,
            strides: contiguous_strides(&[n]),
            shape: [n].into_iter().collect(),
            dtype: DType::F64,
        }],
    }
}

#[test]
fn temps_are_released_after_their_last_use() {
    interpret_only();
    let n = 10_000;
    let x: Vec<Scalar> = (0..n).map(|i| Scalar::Float(i as f64)).collect();
    let xa = array(&x, DType::F64, &[n]);
    let (out, report) = lazulite_runtime::execute_traced(&chain(10, n), &[xa]).unwrap();
    let want: Vec<Scalar> = (0..n).map(|i| Scalar::Float(i as f64 + 10.0)).collect();
    assert_same(&elements(&out[0]), &want, "x + 10");
    assert_eq!(report.temps_allocated, 10);
    assert_eq!(
        report.temps_freed_early, 9,
        "every temp but the result is freed early"
    );
    assert!(
        report.peak_temp_bytes <= 2 * n * 8,
        "peak {} bytes: more than an input and an output of one step",
        report.peak_temp_bytes
    );
    assert_eq!(report.steps.len(), 10);
}

#[test]
fn results_may_be_views_of_inputs_and_temps() {
    interpret_only();
    let n = 6;
    let x: Vec<Scalar> = (0..n).map(|i| Scalar::Float(i as f64)).collect();
    let xa = array(&x, DType::F64, &[n]);
    let mut s = chain(1, n);
    // reversed view of the input, and every other element of the temp
    s.results.push(ResultRef {
        buffer: BufferRef::Input(0),
        offset: n as isize - 1,
        strides: [-1isize].into_iter().collect(),
        shape: [n].into_iter().collect(),
        dtype: DType::F64,
    });
    s.results.push(ResultRef {
        buffer: BufferRef::Temp(0),
        offset: 1,
        strides: [2isize].into_iter().collect(),
        shape: [3].into_iter().collect(),
        dtype: DType::F64,
    });
    let out = lazulite_runtime::execute(&s, std::slice::from_ref(&xa)).unwrap();
    assert!(
        Arc::ptr_eq(&out[1].buffer, &xa.buffer),
        "no copy of the input"
    );
    let rev: Vec<Scalar> = x.iter().rev().copied().collect();
    assert_same(&elements(&out[1]), &rev, "reversed input");
    let odd: Vec<Scalar> = [2.0, 4.0, 6.0].iter().map(|&v| Scalar::Float(v)).collect();
    assert_same(&elements(&out[2]), &odd, "strided temp");
}

#[test]
fn bad_schedules_and_inputs_are_errors_not_crashes() {
    interpret_only();
    let n = 8;
    let x: Vec<Scalar> = (0..n).map(|i| Scalar::Float(i as f64)).collect();
    let xa = array(&x, DType::F64, &[n]);
    // no inputs given
    let e = lazulite_runtime::execute(&chain(2, n), &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Value);
    assert!(e.message.contains("input slot 0"), "{}", e.message);
    // an input too short for the loop
    let short = array(&x[..4], DType::F64, &[4]);
    let e = lazulite_runtime::execute(&chain(2, n), &[short]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Internal);
    // wrong dtype
    let xi = array(&x, DType::I64, &[n]);
    assert!(lazulite_runtime::execute(&chain(2, n), &[xi]).is_err());
    // a step that reads a temp nobody wrote
    let mut s = chain(2, n);
    s.steps.swap(0, 1);
    let e = lazulite_runtime::execute(&s, &[xa]).unwrap_err();
    assert!(
        e.message.contains("before any step wrote it"),
        "{}",
        e.message
    );
}
