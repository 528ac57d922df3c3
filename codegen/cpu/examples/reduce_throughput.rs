//! One core's throughput of compiled full reductions (`sum`, `prod`, `max`, `min`, `any`, `all`, a
//! row sum and a column mean), float32 and float64, best of many calls: on an array that stays in L2
//! (`--small`, the code's own cost per byte) or on 64 MiB (DRAM); then the broadcast-reduce
//! `sum(abs(u[:, None] - v[None, :]))` of `bench/run.py` (u, v of 4096; 2^24 points, compute-bound),
//! in points per nanosecond. Compare the DRAM figure with a one-thread read
//! probe (`bench/run.py` prints one) and the L2 figure with it to see how far the code is from being
//! the limit.
//! `cargo run --release -p lazulite-codegen-cpu --example reduce_throughput [-- --small]`

use lazulite_codegen_cpu::{compile, KernelArgs};
use lazulite_ir::*;
use std::time::Instant;
use StrideClass::Contiguous;

fn instr(inst: Inst, dtype: DType) -> Instr {
    Instr { inst, dtype }
}

/// `op` over all of a 1-D (or, `rows`, 2-D, reduced along its rows) array; `any`/`all` of `x != 0`.
fn kernel(op: ReduceOp, d: DType, rows: bool) -> Kernel {
    let logical = matches!(op, ReduceOp::Any | ReduceOp::All);
    let mut body = vec![instr(Inst::Load { input: 0 }, d)];
    let r = if logical {
        body.push(instr(Inst::Const(Scalar::Float(0.0)), d));
        body.push(instr(Inst::Binary(BinaryOp::Ne, 0, 1), DType::Bool));
        DType::Bool
    } else {
        d
    };
    Kernel {
        ndim: 1 + rows as u32,
        n_reduce: 1,
        inputs: vec![KernelInput {
            dtype: d,
            inner: Contiguous,
        }],
        reduces: vec![KernelReduce {
            op,
            value: body.len() as u32 - 1,
        }],
        body,
        epilogue: vec![instr(Inst::Reduced(0), r)],
        outputs: vec![KernelOutput {
            value: 0,
            dtype: r,
            inner: Contiguous,
        }],
    }
}

/// `mean(m, axis=0)` of a C-order matrix as the frontend lowers it: dim 0 the columns (outer, stride
/// 1), dim 1 the rows (reduced, stride of a row), the division in the epilogue.
fn column_mean(d: DType, rows: i64) -> Kernel {
    Kernel {
        ndim: 2,
        n_reduce: 1,
        inputs: vec![KernelInput {
            dtype: d,
            inner: StrideClass::Strided,
        }],
        body: vec![instr(Inst::Load { input: 0 }, d)],
        reduces: vec![KernelReduce {
            op: ReduceOp::Sum,
            value: 0,
        }],
        epilogue: vec![
            instr(Inst::Reduced(0), d),
            instr(Inst::Const(Scalar::Float(rows as f64)), d),
            instr(Inst::Binary(BinaryOp::Div, 0, 1), d),
        ],
        outputs: vec![KernelOutput {
            value: 2,
            dtype: d,
            inner: Contiguous,
        }],
    }
}

/// `sum(abs(u[:, None] - v[None, :]))`: both dims reduced, `u` broadcast along the inner one.
fn broadcast_reduce(d: DType) -> Kernel {
    Kernel {
        ndim: 2,
        n_reduce: 2,
        inputs: vec![
            KernelInput {
                dtype: d,
                inner: StrideClass::Broadcast,
            },
            KernelInput {
                dtype: d,
                inner: Contiguous,
            },
        ],
        body: vec![
            instr(Inst::Load { input: 0 }, d),
            instr(Inst::Load { input: 1 }, d),
            instr(Inst::Binary(BinaryOp::Sub, 0, 1), d),
            instr(Inst::Unary(UnaryOp::Abs, 2), d),
        ],
        reduces: vec![KernelReduce {
            op: ReduceOp::Sum,
            value: 3,
        }],
        epilogue: vec![instr(Inst::Reduced(0), d)],
        outputs: vec![KernelOutput {
            value: 0,
            dtype: d,
            inner: Contiguous,
        }],
    }
}

fn main() {
    let small = std::env::args().any(|a| a == "--small");
    let bytes: usize = if small { 1 << 17 } else { 1 << 26 };
    let calls = if small { 4000 } else { 30 };
    println!(
        "one core, {} KiB per call, best of {calls} calls, GB/s",
        bytes >> 10
    );
    for d in [DType::F32, DType::F64] {
        let n = bytes / d.size();
        // Finite values in [1, 2) with varied mantissas: no NaN, zero or overflow on any path.
        let data: Vec<u8> = (0..n)
            .flat_map(|i| {
                let x = 1.0 + (i.wrapping_mul(2_654_435_761) % 1000) as f64 / 1000.0;
                Scalar::Float(x).to_bytes(d)
            })
            .collect();
        let mut out = vec![0u8; (bytes / 4096 + 1) * 8 + 4096 * 8];
        let ops = [
            ReduceOp::Sum,
            ReduceOp::Prod,
            ReduceOp::Max,
            ReduceOp::Min,
            ReduceOp::Any,
            ReduceOp::All,
        ];
        let cols = (4096 / d.size()) as i64;
        // `mean(m, axis=0)`: `bench/run.py`'s 4096 columns (1024 in L2), in pieces of 2048 columns
        // as the runtime calls it (one piece per thread on two threads).
        let mcols: i64 = if small { 1024 } else { 4096 };
        let cases = ops
            .iter()
            .map(|&op| (format!("{op:?}"), kernel(op, d, false)))
            .chain([
                (
                    "Sum of 4 KiB rows".to_string(),
                    kernel(ReduceOp::Sum, d, true),
                ),
                (
                    "Mean of columns".to_string(),
                    column_mean(d, n as i64 / mcols),
                ),
            ]);
        for (name, k) in cases {
            let ck = compile(&k).expect("compiles");
            let columns = k.inputs[0].inner == StrideClass::Strided;
            let piece = if columns { 2048 } else { i64::MAX };
            let (shape, strides): (Vec<i64>, Vec<i64>) = if columns {
                // Columns of a matrix with 4 KiB rows: dim 0 the columns, dim 1 the rows.
                (vec![mcols, n as i64 / mcols], vec![1, mcols])
            } else if k.ndim == 2 {
                (vec![n as i64 / cols, cols], vec![cols, 1])
            } else {
                (vec![n as i64], vec![1])
            };
            let ins = [data.as_ptr()];
            let outs = [out.as_mut_ptr()];
            let out_strides = [1i64];
            let args = KernelArgs {
                shape: shape.as_ptr(),
                inputs: ins.as_ptr(),
                in_strides: strides.as_ptr(),
                outputs: outs.as_ptr(),
                out_strides: out_strides.as_ptr(),
            };
            let f = ck.entry();
            let mut best = f64::MAX;
            for _ in 0..calls {
                let t = Instant::now();
                // SAFETY: `data` holds `n` contiguous elements of `d` laid out as `shape` with
                // `strides`; `out` has room for every output element (one per 4 KiB row or column).
                unsafe {
                    let mut s = 0;
                    while s < shape[0] {
                        let e = s.saturating_add(piece).min(shape[0]);
                        f(&args, s, e);
                        s = e;
                    }
                }
                best = best.min(t.elapsed().as_secs_f64());
            }
            println!("{d} {name:18} {:6.1}", bytes as f64 / best / 1e9);
        }
    }
    let side = 4096i64;
    println!("broadcast-reduce {side}^2, one core, best of 20 calls, points per ns");
    for d in [DType::F32, DType::F64] {
        let vals = |seed: usize| -> Vec<u8> {
            (0..side as usize)
                .flat_map(|i| {
                    let x = ((i * 7 + seed).wrapping_mul(2_654_435_761) % 2000) as f64 / 1000.0;
                    Scalar::Float(x - 1.0).to_bytes(d)
                })
                .collect()
        };
        let (u, v) = (vals(1), vals(2));
        let mut out = [0u8; 16];
        let ck = compile(&broadcast_reduce(d)).expect("compiles");
        let shape = [side, side];
        let strides = [1i64, 0, 0, 1];
        let ins = [u.as_ptr(), v.as_ptr()];
        let outs = [out.as_mut_ptr()];
        let out_strides = [0i64];
        let args = KernelArgs {
            shape: shape.as_ptr(),
            inputs: ins.as_ptr(),
            in_strides: strides.as_ptr(),
            outputs: outs.as_ptr(),
            out_strides: out_strides.as_ptr(),
        };
        let f = ck.entry();
        let mut best = f64::MAX;
        for _ in 0..20 {
            let t = Instant::now();
            // SAFETY: `u` and `v` hold `side` elements of `d` each, `u` read along dim 0 and `v`
            // along dim 1 (the strides above); `out` has room for the one output element.
            unsafe { f(&args, 0, side) };
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{d} {:.3} ms, {:.2} points/ns",
            best * 1e3,
            (side * side) as f64 / best / 1e9
        );
    }
}
