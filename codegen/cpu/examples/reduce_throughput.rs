//! One core's throughput of compiled full reductions (`sum`, `prod`, `max`, `min`, `any`, `all`, and a
//! row sum), float32 and float64, best of many calls: on an array that stays in L2 (`--small`, the
//! code's own cost per byte) or on 64 MiB (DRAM). Compare the DRAM figure with a one-thread read
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
        let mut out = vec![0u8; (bytes / 4096 + 1) * 8];
        let ops = [
            ReduceOp::Sum,
            ReduceOp::Prod,
            ReduceOp::Max,
            ReduceOp::Min,
            ReduceOp::Any,
            ReduceOp::All,
        ];
        let cases = ops
            .iter()
            .map(|&op| (format!("{op:?}"), kernel(op, d, false)))
            .chain([(
                "Sum of 4 KiB rows".to_string(),
                kernel(ReduceOp::Sum, d, true),
            )]);
        for (name, k) in cases {
            let ck = compile(&k).expect("compiles");
            let cols = (4096 / d.size()) as i64;
            let (shape, strides): (Vec<i64>, Vec<i64>) = if k.ndim == 2 {
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
                // `strides`; `out` has room for every output element (one per 4 KiB row at most).
                unsafe { f(&args, 0, shape[0]) };
                best = best.min(t.elapsed().as_secs_f64());
            }
            println!("{d} {name:18} {:6.1}", bytes as f64 / best / 1e9);
        }
    }
}
