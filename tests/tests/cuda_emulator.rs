//! CUDA C from `lazulite-codegen-cuda` computes what the interpreter computes, checked without a GPU:
//! the generated source runs on the host under g++ and a shim header (`tests/src/cuda_emu.rs`), on the
//! same inputs the interpreter gets.
//!
//! - random kernels of the property-test generator (`kernel_cases`: op chains, selects, casts,
//!   reductions with prologue and epilogue, ranks 0..=3, strided, broadcast, reversed, 0-size);
//! - every op on every dtype (one kernel per dtype whose outputs are every unary op, binary op and cast
//!   of its two inputs), ranks 0 to 4, strided, broadcast, reversed and contiguous (the fast path);
//! - every complex op on a special-value grid (NaN, infinities, signed zeros, huge and tiny parts);
//! - kernels past `MAX_INSTRUCTIONS`, split into `__device__` helpers;
//! - reductions of 1, 31, 32, 33, 1023, 1025 and 2^20 + 3 elements (across warps, blocks, and the grid
//!   when rows outnumber blocks) for sum, prod, min, max, any, all, each in the single pass and the
//!   two-pass grid-wide form (the plan's slice count and a forced small one, so slices cross warps and
//!   some are empty), the random kernels' reductions in both forms too.
//!
//! Integers and bools: equal bytes. Floats: bit for bit up to NaN payloads (signed zeros and the spec's
//! special cases exact), transcendental functions within 2 ULP (host libm against Rust's), sums and
//! products within a relative 1e-6 (the tree's association order differs from the interpreter's).

use lazulite_codegen_cuda::reduction_plan;
use lazulite_ir::{DType, Inst, Kernel, ReduceOp, Scalar, UnaryOp};
use lazulite_tests::cuda_emu::{
    agree, long_chain_kernel, reduction_kernel, run_emulated, sweep_kernel, Launch,
};
use lazulite_tests::kernel_cases::{case_strategy, run_case, Case};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use std::path::PathBuf;

fn work_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lazulite-cuda-emu-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn have_gxx() -> bool {
    std::process::Command::new(std::env::var("CXX").unwrap_or_else(|_| "g++".into()))
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn interpret(case: &Case) -> Vec<Vec<u8>> {
    run_case(case, &|args, s, e| {
        lazulite_runtime::interpret(&case.kernel, args, s, e).expect("interpreter")
    })
}

/// Max ULPs allowed for each output of `k`: 2 for a transcendental op's result, else 0.
fn output_ulps(k: &Kernel) -> Vec<u64> {
    let block = if k.n_reduce > 0 { &k.epilogue } else { &k.body };
    k.outputs
        .iter()
        .map(|o| match block[o.value as usize].inst {
            Inst::Unary(op, _) if op.is_transcendental() => 2,
            Inst::Binary(op, _, _) if op.is_transcendental() => 2,
            _ => 0,
        })
        .collect()
}

/// Runs every launch both ways and reports every disagreement.
fn check_all(
    kernels: &[Kernel],
    launches: &[Launch],
    name: &str,
    ulps: &dyn Fn(&Kernel) -> Vec<u64>,
) {
    let dir = work_dir(name);
    let emu = run_emulated(kernels, launches, &dir).unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    for (l, got) in launches.iter().zip(&emu) {
        let k = &kernels[l.kernel];
        let want = interpret(&l.case);
        // float sums and products: another association order; float32 sequential sums drift with
        // the square root of the length (the interpreter's order, not the tree's)
        let n_red: usize = l.case.shape[k.n_outer()..].iter().product();
        let loose = k
            .reduces
            .iter()
            .filter(|r| matches!(r.op, ReduceOp::Sum | ReduceOp::Prod))
            .map(|r| k.body[r.value as usize].dtype)
            .filter(|d| d.is_float())
            .map(|d| {
                if d.real_part() == DType::F32 {
                    1e-6 * (n_red as f64).sqrt().max(1.0)
                } else {
                    1e-6
                }
            })
            .reduce(f64::max);
        let max_ulps = ulps(k);
        for (j, o) in k.outputs.iter().enumerate() {
            if let Err(e) = agree(o.dtype, &want[j], &got[j], max_ulps[j], loose) {
                failures.push(format!(
                    "kernel {} output {j} ({}): {e}\nshape {:?} strides {:?} grid {} block {}\n{}",
                    l.kernel,
                    o.dtype,
                    l.case.shape,
                    l.case.in_strides,
                    l.grid,
                    l.block,
                    k.pretty()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} launches differ from the interpreter (source in {}):\n{}",
        failures.len(),
        launches.len(),
        dir.display(),
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn random_kernels_match_the_interpreter() {
    if !have_gxx() {
        panic!("g++ (or $CXX) is required for the CUDA emulator tests");
    }
    let n = if std::env::var("CI").is_ok() {
        150
    } else {
        250
    };
    let mut runner = TestRunner::deterministic();
    let strategy = case_strategy();
    let mut kernels = Vec::new();
    let mut launches = Vec::new();
    for i in 0..n {
        let case = strategy.new_tree(&mut runner).expect("a case").current();
        kernels.push(case.kernel.clone());
        // elementwise: a small grid, so the grid-stride loop wraps; reductions: one warp per block (the
        // reduction test crosses warps and blocks)
        let (grid, block) = if case.kernel.n_reduce > 0 {
            (3, 32)
        } else {
            (2 + i as u32 % 3, 32)
        };
        // reductions: every second one in the two-pass form, 2 to 4 slices per row
        let chunks = (case.kernel.n_reduce > 0 && i % 2 == 1).then_some(2 + i as u64 % 3);
        launches.push(Launch {
            kernel: i,
            case,
            grid,
            block,
            chunks,
        });
    }
    check_all(&kernels, &launches, "random", &|k| {
        // the generator's chains end with exp or log at times (2 ulp in the CPU JIT's documentation)
        let mut u = output_ulps(k);
        for (j, o) in k.outputs.iter().enumerate() {
            if k.n_reduce == 0
                && matches!(
                    k.body[o.value as usize].inst,
                    Inst::Unary(UnaryOp::Exp | UnaryOp::Log, _)
                )
            {
                u[j] = 2;
            }
        }
        u
    });
}

fn c_strides(shape: &[usize], inner: isize) -> Vec<isize> {
    let mut s = vec![0isize; shape.len()];
    let mut acc = inner;
    for k in (0..shape.len()).rev() {
        s[k] = acc;
        acc *= shape[k].max(1) as isize;
    }
    s
}

#[test]
fn every_op_on_every_dtype_matches_the_interpreter() {
    if !have_gxx() {
        panic!("g++ (or $CXX) is required for the CUDA emulator tests");
    }
    const FULL: [usize; 4] = [2, 3, 1, 5];
    let mut kernels = Vec::new();
    let mut launches = Vec::new();
    for (di, d) in DType::ALL.into_iter().enumerate() {
        for ndim in 0..=4u32 {
            let shape: Vec<usize> = FULL[4 - ndim as usize..].to_vec();
            kernels.push(sweep_kernel(d, ndim));
            let ki = kernels.len() - 1;
            let seed = 1000 + di as u64 * 31 + ndim as u64;
            // strided (every second element) and broadcast-along-dim-0 + reversed-last
            let a = c_strides(&shape, 2);
            let mut b = c_strides(&shape, 1);
            if let Some(l) = b.last_mut() {
                *l = -*l;
            }
            if !b.is_empty() {
                b[0] = 0;
            }
            let case = |shape: Vec<usize>, strides: Vec<Vec<isize>>, seed| Case {
                kernel: kernels[ki].clone(),
                shape,
                in_strides: strides,
                seed,
                data: None,
            };
            launches.push(Launch {
                kernel: ki,
                case: case(shape.clone(), vec![a, b], seed),
                grid: 2,
                block: 32,
                chunks: None,
            });
            let c = c_strides(&shape, 1);
            launches.push(Launch {
                kernel: ki,
                case: case(shape.clone(), vec![c.clone(), c], seed + 7),
                grid: 1,
                block: 64,
                chunks: None,
            });
            if ndim == 3 {
                // 0-size: nothing is written
                let z = vec![3usize, 0, 2];
                let s = c_strides(&z, 1);
                launches.push(Launch {
                    kernel: ki,
                    case: case(z, vec![s.clone(), s], seed),
                    grid: 2,
                    block: 32,
                    chunks: None,
                });
            }
        }
    }
    check_all(&kernels, &launches, "sweep", &output_ulps);
}

#[test]
fn reductions_across_warp_block_and_grid_boundaries() {
    if !have_gxx() {
        panic!("g++ (or $CXX) is required for the CUDA emulator tests");
    }
    use ReduceOp::*;
    let families: [(DType, &[ReduceOp]); 9] = [
        (DType::I32, &[Sum, Min, Max]),
        (DType::I64, &[Prod]),
        (DType::U8, &[Prod, Max, Min]),
        (DType::F64, &[Sum, Min, Max]),
        (DType::F32, &[Sum, Min]),
        (DType::Bool, &[Any, All]),
        (DType::C128, &[Sum]),
        (DType::C64, &[Sum]),
        (DType::I8, &[Sum, Prod, Max]),
    ];
    // float products are left to the random kernels' small sizes: over thousands of elements they
    // overflow, and where `inf * 0` happens (NaN or 0) depends on the order
    let sizes = [1usize, 31, 32, 33, 1023, 1025, (1 << 20) + 3];
    let mut kernels = Vec::new();
    let mut launches = Vec::new();
    for (fi, (d, ops)) in families.iter().enumerate() {
        // full reduction (one output), rows (3 outputs over 2 blocks: the grid loop wraps), and a
        // two-axis reduction of a transposed view
        kernels.push(reduction_kernel(*d, 1, 1, ops));
        let full = kernels.len() - 1;
        kernels.push(reduction_kernel(*d, 2, 1, ops));
        let rows = kernels.len() - 1;
        kernels.push(reduction_kernel(*d, 3, 2, ops));
        let two_axes = kernels.len() - 1;
        for (si, &n) in sizes.iter().enumerate() {
            let seed = 77 + fi as u64 * 101 + si as u64;
            let mk = |k: usize, shape: Vec<usize>, strides: Vec<isize>| Case {
                kernel: kernels[k].clone(),
                shape,
                in_strides: vec![strides],
                seed,
                data: None,
            };
            let block = if n == 1025 { 1024 } else { 256 };
            // the single pass, then the two-pass form with the plan's slice count (the grid-wide
            // form for 2^20 + 3) and with 3 slices (small rows cut across warps, empty slices of a
            // 1-element row)
            let plan = reduction_plan(&kernels[full], "k", &[n]).expect("plan");
            assert_eq!(plan.n_chunks > 1, n > (1 << 20), "n = {n}: {plan:?}");
            let mut forms = vec![None, Some(plan.n_chunks)];
            if n < (1 << 20) {
                forms.push(Some(3));
            }
            for chunks in forms {
                launches.push(Launch {
                    kernel: full,
                    case: mk(full, vec![n], vec![1]),
                    grid: if chunks.is_some() { 7 } else { 2 },
                    block,
                    chunks,
                });
            }
            if n < (1 << 20) {
                for chunks in [None, Some(4)] {
                    launches.push(Launch {
                        kernel: rows,
                        case: mk(rows, vec![3, n], vec![n as isize, 1]),
                        grid: 2,
                        block: 64,
                        chunks,
                    });
                    // reduce dims (n, 2) of a (3, 2, n) array read as [outer 3][n][2]: strides
                    // (2n, 1, n)
                    launches.push(Launch {
                        kernel: two_axes,
                        case: mk(two_axes, vec![3, n, 2], vec![2 * n as isize, 1, n as isize]),
                        grid: 2,
                        block: 96,
                        chunks,
                    });
                }
            }
        }
    }
    check_all(&kernels, &launches, "reductions", &|k| {
        vec![0; k.outputs.len()]
    });
}

/// Every complex op (the transcendental functions included) on a grid of special and ordinary values:
/// each pair of parts from `PARTS` as `x1`, against each as `x2` (for `pow`, `+`, `/`, ...): C99
/// Annex G's cases (signed zeros, infinities, NaN) exactly as `semantics_complex` computes them, the
/// finite values within the transcendental bound of 2 ULP per part (on the host the formulas and libm
/// are the interpreter's, so this holds; a GPU's libdevice may need a looser bound on parts that
/// cancel to nearly 0).
#[test]
fn complex_special_value_grid_matches_the_interpreter() {
    if !have_gxx() {
        panic!("g++ (or $CXX) is required for the CUDA emulator tests");
    }
    const PARTS: [f64; 14] = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -2.0,
        1e300,
        -1e-300,
        3.5,
        710.0,
        -25.0,
    ];
    let values: Vec<(f64, f64)> = PARTS
        .iter()
        .flat_map(|&re| PARTS.iter().map(move |&im| (re, im)))
        .collect();
    let n = values.len();
    let mut kernels = Vec::new();
    let mut launches = Vec::new();
    for d in [DType::C64, DType::C128] {
        let bytes: Vec<u8> = values
            .iter()
            .flat_map(|&(re, im)| Scalar::Complex(re, im).cast(d).to_bytes(d))
            .collect();
        kernels.push(sweep_kernel(d, 2));
        let ki = kernels.len() - 1;
        // x1 varies along dim 0, x2 along dim 1: every pair
        launches.push(Launch {
            kernel: ki,
            case: Case {
                kernel: kernels[ki].clone(),
                shape: vec![n, n],
                in_strides: vec![vec![1, 0], vec![0, 1]],
                seed: 0,
                data: Some(vec![bytes.clone(), bytes]),
            },
            grid: 4,
            block: 256,
            chunks: None,
        });
    }
    check_all(&kernels, &launches, "complex-grid", &output_ulps);
}

/// Kernels past `MAX_INSTRUCTIONS` render as a chain of `__device__` helpers (`split.rs`) and compute
/// exactly what the interpreter computes: elementwise (contiguous and strided) and reductions (single
/// pass and two-pass), float and integer.
#[test]
fn long_kernels_split_into_helpers_match_the_interpreter() {
    if !have_gxx() {
        panic!("g++ (or $CXX) is required for the CUDA emulator tests");
    }
    let n = 3 * lazulite_codegen_cuda::MAX_INSTRUCTIONS;
    let mut kernels = Vec::new();
    let mut launches = Vec::new();
    for (di, d) in [DType::F64, DType::I32].into_iter().enumerate() {
        kernels.push(long_chain_kernel(d, n, 2, 0));
        let ew = kernels.len() - 1;
        kernels.push(long_chain_kernel(d, n, 2, 1));
        let red = kernels.len() - 1;
        let shape = vec![3usize, 40];
        let case = |k: usize, strides: Vec<Vec<isize>>| Case {
            kernel: kernels[k].clone(),
            shape: shape.clone(),
            in_strides: strides,
            seed: 5 + di as u64,
            data: None,
        };
        let c = c_strides(&shape, 1);
        for (k, chunks) in [(ew, None), (red, None), (red, Some(3))] {
            launches.push(Launch {
                kernel: k,
                case: case(k, vec![c.clone(), c.clone()]),
                grid: 2,
                block: 32,
                chunks,
            });
        }
        launches.push(Launch {
            kernel: ew,
            case: case(ew, vec![c_strides(&shape, 2), vec![0, 1]]),
            grid: 2,
            block: 32,
            chunks: None,
        });
    }
    check_all(&kernels, &launches, "long", &|k| vec![0; k.outputs.len()]);
}
