//! Compile times and throughput of the Cranelift backend.
//! `cargo run --release -p lazulite-codegen-cpu --example codegen_bench`

use lazulite_codegen_cpu::compile;
use lazulite_ir::*;
use std::time::{Duration, Instant};
use StrideClass::*;

fn instr(inst: Inst, dtype: DType) -> Instr {
    Instr { inst, dtype }
}

fn chain(n_ops: u32) -> Kernel {
    let f = DType::F64;
    let mut body = vec![
        instr(Inst::Load { input: 0 }, f),
        instr(Inst::Load { input: 1 }, f),
    ];
    let ops = [
        BinaryOp::Add,
        BinaryOp::Mul,
        BinaryOp::Sub,
        BinaryOp::Maximum,
    ];
    for j in 0..n_ops {
        let last = body.len() as u32 - 1;
        body.push(instr(Inst::Binary(ops[j as usize % 4], last, j % 2), f));
    }
    Kernel {
        ndim: 1,
        n_reduce: 0,
        inputs: vec![
            KernelInput {
                dtype: f,
                inner: Contiguous,
            },
            KernelInput {
                dtype: f,
                inner: Contiguous,
            },
        ],
        outputs: vec![KernelOutput {
            value: body.len() as u32 - 1,
            dtype: f,
            inner: Contiguous,
        }],
        body,
        reduces: vec![],
        epilogue: vec![],
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs `entry` over `[0, n)` split across `threads`; returns the best of `reps` wall times.
fn run(entry: KernelFn, args: &KernelArgs, n: i64, threads: i64, reps: usize) -> Duration {
    let addr = args as *const KernelArgs as usize;
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            std::thread::scope(|s| {
                for p in 0..threads {
                    s.spawn(move || {
                        // SAFETY: args and the arrays it points to outlive the scope; ranges are disjoint.
                        unsafe {
                            entry(
                                addr as *const KernelArgs,
                                n * p / threads,
                                n * (p + 1) / threads,
                            )
                        }
                    });
                }
            });
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    // Compile times.
    let k20 = chain(20);
    let first = compile(&k20).unwrap().compile_time();
    let warm20 = median(
        (0..50)
            .map(|_| compile(&k20).unwrap().compile_time())
            .collect(),
    );
    let k100 = chain(100);
    let warm100 = median(
        (0..20)
            .map(|_| compile(&k100).unwrap().compile_time())
            .collect(),
    );
    println!("compile 20-op chain: first in process {first:?}, warm median {warm20:?}; 100-op warm median {warm100:?}");

    // Triad a*b+c on 2^24 f64.
    let n = 1i64 << 24;
    let f = DType::F64;
    let triad = Kernel {
        ndim: 1,
        n_reduce: 0,
        inputs: (0..3)
            .map(|_| KernelInput {
                dtype: f,
                inner: Contiguous,
            })
            .collect(),
        body: vec![
            instr(Inst::Load { input: 0 }, f),
            instr(Inst::Load { input: 1 }, f),
            instr(Inst::Load { input: 2 }, f),
            instr(Inst::Binary(BinaryOp::Mul, 0, 1), f),
            instr(Inst::Binary(BinaryOp::Add, 3, 2), f),
        ],
        reduces: vec![],
        epilogue: vec![],
        outputs: vec![KernelOutput {
            value: 4,
            dtype: f,
            inner: Contiguous,
        }],
    };
    let ck = compile(&triad).unwrap();
    let a: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let b = vec![2.0f64; n as usize];
    let c = vec![1.0f64; n as usize];
    let mut out = vec![0.0f64; n as usize];
    let shape = [n];
    let ins = [
        a.as_ptr() as *const u8,
        b.as_ptr() as *const u8,
        c.as_ptr() as *const u8,
    ];
    let strides = [1i64, 1, 1];
    let outs = [out.as_mut_ptr() as *mut u8];
    let args = KernelArgs {
        shape: shape.as_ptr(),
        inputs: ins.as_ptr(),
        in_strides: strides.as_ptr(),
        outputs: outs.as_ptr(),
        out_strides: strides.as_ptr(),
    };
    for threads in [1, 2] {
        let t = run(ck.entry(), &args, n, threads, 10);
        let gbs = (4 * 8 * n) as f64 / t.as_secs_f64() / 1e9;
        println!("triad a*b+c 2^24 f64, {threads} thread(s): {t:?} = {gbs:.1} GB/s");
    }
    assert!(out
        .iter()
        .enumerate()
        .all(|(i, &v)| v == 2.0 * i as f64 + 1.0));

    // Sum of 2^24 f64 (4 vector accumulators), partial sums per thread.
    let sum = Kernel {
        ndim: 1,
        n_reduce: 1,
        inputs: vec![KernelInput {
            dtype: f,
            inner: Contiguous,
        }],
        body: vec![instr(Inst::Load { input: 0 }, f)],
        reduces: vec![KernelReduce {
            op: ReduceOp::Sum,
            value: 0,
        }],
        epilogue: vec![instr(Inst::Reduced(0), f)],
        outputs: vec![KernelOutput {
            value: 0,
            dtype: f,
            inner: Contiguous,
        }],
    };
    let ck = compile(&sum).unwrap();
    let mut partial = [0.0f64; 1];
    let outs = [partial.as_mut_ptr() as *mut u8];
    let args = KernelArgs {
        shape: shape.as_ptr(),
        inputs: ins.as_ptr(),
        in_strides: strides.as_ptr(),
        outputs: outs.as_ptr(),
        out_strides: strides.as_ptr(),
    };
    // One thread (the output is one scalar; two threads would race on it).
    let t = run(ck.entry(), &args, n, 1, 10);
    let gbs = (8 * n) as f64 / t.as_secs_f64() / 1e9;
    let want = (n as f64 - 1.0) * n as f64 / 2.0;
    println!(
        "sum 2^24 f64, 1 thread: {t:?} = {gbs:.1} GB/s (result {} vs {want})",
        partial[0]
    );
}
