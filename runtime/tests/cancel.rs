//! Cancellation and impossible sizes in the executor (its own test process: it changes the
//! configuration and reads the global pool).

mod common;
use common::*;
use lazulite_ir::cancel::{current, with_cancel};
use lazulite_ir::{
    BufferRef, DType, ErrorKind, ExternOp, ExternOperand, ExternOutput, ExternStep, ResultRef,
    Scalar, Schedule, Step, TempBuffer, UnaryOp,
};
use lazulite_runtime::{execute, ArrayData, ExecPolicy, Pool};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn sin_schedule(n: usize) -> (Schedule, Vec<ArrayData>) {
    let vals: Vec<Scalar> = (0..n).map(|i| Scalar::Float(i as f64 * 1e-3)).collect();
    let x = array(&vals, DType::F64, &[n]);
    one_step(
        unary_kernel(UnaryOp::Sin, DType::F64, 1, 1),
        &[n],
        &[contiguous_in(x)],
    )
}

#[test]
fn cancellation_stops_kernels_and_extern_ops() {
    for policy in [ExecPolicy::InterpretOnly, ExecPolicy::CompileAlways] {
        let mut c = lazulite_runtime::config();
        c.policy = policy;
        c.threads = 2;
        lazulite_runtime::set_config(c);
        let n = 1 << 20;
        let (s, data) = sin_schedule(n);

        // not cancelled: the values of sin
        let flag = Arc::new(AtomicBool::new(false));
        let out = with_cancel(flag.clone(), || execute(&s, &data)).unwrap();
        for i in [0, 1, 12345, n - 1] {
            assert_eq!(out[0].get(&[i]), Scalar::Float((i as f64 * 1e-3).sin()));
        }
        drop(out);

        // cancelled before it starts: Interrupted, and the output temp went back to the pool
        Pool::global().trim();
        flag.store(true, Ordering::Relaxed);
        let e = with_cancel(flag.clone(), || execute(&s, &data)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Interrupted, "{}", e.message);
        assert!(
            Pool::global().stats().cached_bytes >= n * 8,
            "temp returned"
        );

        // cancelled while it runs (a big interpreted or compiled kernel): it stops early
        let n = 1 << 22;
        let (s, data) = sin_schedule(n);
        let t0 = Instant::now();
        let whole = {
            with_cancel(Arc::new(AtomicBool::new(false)), || execute(&s, &data)).unwrap();
            t0.elapsed()
        };
        let flag = Arc::new(AtomicBool::new(false));
        let raiser = {
            let flag = flag.clone();
            std::thread::spawn(move || {
                std::thread::sleep(whole / 10);
                flag.store(true, Ordering::Relaxed);
                Instant::now()
            })
        };
        let got = with_cancel(flag, || execute(&s, &data));
        let done = Instant::now();
        let raised = raiser.join().unwrap();
        assert_eq!(got.unwrap_err().kind, ErrorKind::Interrupted);
        let latency = done.saturating_duration_since(raised);
        assert!(
            latency < whole / 2 + Duration::from_millis(50),
            "{policy:?}: stopped {latency:?} after the flag; the whole run takes {whole:?}"
        );
    }
}

#[test]
fn outside_a_cancellable_call_nothing_is_cancelled() {
    assert!(!current().is_cancelled());
    let (s, data) = sin_schedule(1000);
    assert!(execute(&s, &data).is_ok());
}

/// A result that cannot exist is a `Memory` error before any step runs (here: before the kernel that
/// would compute the matmul's operand).
#[test]
fn impossible_temps_fail_before_anything_runs() {
    let big = 1usize << 31;
    let (mut s, data) = sin_schedule(1000);
    s.temps.push(TempBuffer {
        dtype: DType::F64,
        len: big * big,
        device: lazulite_ir::Device::Cpu,
    });
    s.steps.push(Step::Extern(ExternStep {
        op: ExternOp::MatMul,
        inputs: vec![
            ExternOperand {
                buffer: BufferRef::Temp(0),
                offset: 0,
                strides: [1, 1].into_iter().collect(),
                shape: [big, 1].into_iter().collect(),
                dtype: DType::F64,
            },
            ExternOperand {
                buffer: BufferRef::Temp(0),
                offset: 0,
                strides: [1, 1].into_iter().collect(),
                shape: [1, big].into_iter().collect(),
                dtype: DType::F64,
            },
        ],
        outputs: vec![ExternOutput {
            temp: 1,
            shape: [big, big].into_iter().collect(),
            dtype: DType::F64,
        }],
    }));
    s.results.push(ResultRef {
        buffer: BufferRef::Temp(1),
        offset: 0,
        strides: [big as isize, 1].into_iter().collect(),
        shape: [big, big].into_iter().collect(),
        dtype: DType::F64,
    });
    let before = lazulite_runtime::stats();
    let e = execute(&s, &data).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Memory, "{}", e.message);
    assert!(e.message.starts_with("matmul"), "{}", e.message);
    let after = lazulite_runtime::stats();
    assert_eq!(
        after.interpreted_runs + after.compiled_runs,
        before.interpreted_runs + before.compiled_runs,
        "no kernel ran"
    );
}
