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
    if want("compile") {
        compile_bench();
    }
    let n = 1i64 << 24;
    let a: Vec<f64> = (0..n).map(|i| i as f64).collect();
    if want("triad") {
        triad_bench(&a, n);
    }

    if want("sum") {
        sum_bench(&a, n);
    }
    if want("axis") {
        axis_bench();
    }
    if want("exp") {
        transcendental_bench(UnaryOp::Exp, 1e-3);
    }
    if want("log") {
        transcendental_bench(UnaryOp::Log, 1.0);
    }
}

fn compile_bench() {
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
    let sum = |ndim| {
        median(
            (0..50)
                .map(|_| {
                    compile(&reduce_kernel(ndim, Contiguous, DType::F64))
                        .unwrap()
                        .compile_time()
                })
                .collect(),
        )
    };
    println!("compile sum kernels: full {:?}, inner {:?}", sum(1), sum(2));
}

/// Triad a*b+c on 2^24 f64.
fn triad_bench(a: &[f64], n: i64) {
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
}
/// Whether the section `name` runs: all of them without arguments, else the ones named.
fn want(name: &str) -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    args.is_empty() || args.iter().any(|a| a == name)
}

fn reduce_kernel(ndim: u32, inner: StrideClass, f: DType) -> Kernel {
    Kernel {
        ndim,
        n_reduce: 1,
        inputs: vec![KernelInput { dtype: f, inner }],
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
    }
}

/// Full sum of 2^24 f64: one partial result per thread.
fn sum_bench(a: &[f64], n: i64) {
    let ck = compile(&reduce_kernel(1, Contiguous, DType::F64)).unwrap();
    let shape = [n];
    let ins = [a.as_ptr() as *const u8];
    let strides = [1i64];
    let want = (n as f64 - 1.0) * n as f64 / 2.0;
    for threads in [1i64, 2] {
        let mut partial = vec![0.0f64; threads as usize];
        let outs: Vec<[*mut u8; 1]> = (0..threads as usize)
            .map(|p| [partial[p..].as_mut_ptr() as *mut u8])
            .collect();
        let args: Vec<KernelArgs> = outs
            .iter()
            .map(|o| KernelArgs {
                shape: shape.as_ptr(),
                inputs: ins.as_ptr(),
                in_strides: strides.as_ptr(),
                outputs: o.as_ptr(),
                out_strides: strides.as_ptr(),
            })
            .collect();
        let t = run_each(ck.entry(), &args, n, 10);
        let gbs = (8 * n) as f64 / t.as_secs_f64() / 1e9;
        let got: f64 = partial.iter().sum();
        println!(
            "sum 2^24 f64, {threads} thread(s): {t:?} = {gbs:.1} GB/s (result {got} vs {want})"
        );
    }
}

/// Like [`run`], with one `KernelArgs` per thread (thread `p` gets `args[p]`).
fn run_each(entry: KernelFn, args: &[KernelArgs], n: i64, reps: usize) -> Duration {
    let threads = args.len() as i64;
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            std::thread::scope(|s| {
                for (p, a) in args.iter().enumerate() {
                    let addr = a as *const KernelArgs as usize;
                    let p = p as i64;
                    s.spawn(move || {
                        // SAFETY: args and the arrays it points to outlive the scope; ranges and
                        // outputs are disjoint.
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

/// `sum(x, axis=1)` and `sum(x, axis=0)` of a C-order 4096x4096 f64 array, 1 and 2 threads.
fn axis_bench() {
    let (r, c) = (4096i64, 4096i64);
    let x: Vec<f64> = (0..r * c).map(|i| (i % 1000) as f64 * 0.5).collect();
    let ins = [x.as_ptr() as *const u8];
    for axis in [1, 0] {
        // Loop dims: [kept, reduced]; the reduced dim is innermost in the loop nest.
        let (shape, in_strides, class) = if axis == 1 {
            ([r, c], [c, 1], Contiguous)
        } else {
            ([c, r], [1, c], Strided)
        };
        let ck = compile(&reduce_kernel(2, class, DType::F64)).unwrap();
        let mut out = vec![0.0f64; shape[0] as usize];
        let outs = [out.as_mut_ptr() as *mut u8];
        let out_strides = [1i64];
        let args = KernelArgs {
            shape: shape.as_ptr(),
            inputs: ins.as_ptr(),
            in_strides: in_strides.as_ptr(),
            outputs: outs.as_ptr(),
            out_strides: out_strides.as_ptr(),
        };
        for threads in [1, 2] {
            let t = run(ck.entry(), &args, shape[0], threads, 10);
            let gbs = (8 * r * c) as f64 / t.as_secs_f64() / 1e9;
            println!(
                "sum(x, axis={axis}) 4096x4096 f64, {threads} thread(s): {t:?} = {gbs:.1} GB/s (lanes {})",
                ck.vector_lanes()
            );
        }
        // Check against a plain loop.
        for (j, &v) in out.iter().enumerate().step_by(97) {
            let want: f64 = if axis == 1 {
                (0..c).map(|k| x[(j as i64 * c + k) as usize]).sum()
            } else {
                (0..r).map(|k| x[(k * c + j as i64) as usize]).sum()
            };
            assert!((v - want).abs() <= 1e-9 * want.abs(), "{v} vs {want}");
        }
    }
}

/// An elementwise unary transcendental on 2^22 elements of f64 and f32 (values `i % 1000 * scale`).
fn transcendental_bench(op: UnaryOp, scale: f64) {
    let n = 1i64 << 22;
    for f in [DType::F64, DType::F32] {
        let k = Kernel {
            ndim: 1,
            n_reduce: 0,
            inputs: vec![KernelInput {
                dtype: f,
                inner: Contiguous,
            }],
            body: vec![
                instr(Inst::Load { input: 0 }, f),
                instr(Inst::Unary(op, 0), f),
            ],
            reduces: vec![],
            epilogue: vec![],
            outputs: vec![KernelOutput {
                value: 1,
                dtype: f,
                inner: Contiguous,
            }],
        };
        let ck = compile(&k).unwrap();
        let vals: Vec<f64> = (0..n).map(|i| (i % 1000) as f64 * scale + 0.25).collect();
        let bytes: Vec<u8> = if f == DType::F64 {
            vals.iter().flat_map(|v| v.to_le_bytes()).collect()
        } else {
            vals.iter()
                .flat_map(|&v| (v as f32).to_le_bytes())
                .collect()
        };
        let mut out = vec![0u8; bytes.len()];
        let shape = [n];
        let ins = [bytes.as_ptr()];
        let strides = [1i64];
        let outs = [out.as_mut_ptr()];
        let args = KernelArgs {
            shape: shape.as_ptr(),
            inputs: ins.as_ptr(),
            in_strides: strides.as_ptr(),
            outputs: outs.as_ptr(),
            out_strides: strides.as_ptr(),
        };
        for threads in [1, 2] {
            let t = run(ck.entry(), &args, n, threads, 5);
            println!(
                "{} {f} 2^22, {threads} thread(s): {:.2} ns/element",
                op.name(),
                t.as_secs_f64() * 1e9 / n as f64
            );
        }
    }
}
