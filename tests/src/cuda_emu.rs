//! Runs CUDA C from `lazulite-codegen-cuda` on the host: the source NVRTC compiles, built by g++ with the
//! test shim `codegen/cuda/tests/emu/cuda_host_shim.h` (blocks in turn, threads as OS threads, barriers,
//! emulated warp shuffles). A test tool, not part of the product.
//!
//! Many kernels go into one translation unit and one g++ run (compile time dominates); a generated
//! `main` reads the cases from a file (kernel index, launch shape, the `LzArgs` bytes with operand
//! pointers as offsets into one data blob, the blob), launches each and writes the blob back.

use crate::kernel_cases::{operands, Case};
use lazulite_codegen_cuda::{render, translation_unit, ArgsLayout};
use lazulite_ir::ops::Returns;
use lazulite_ir::{
    BinaryOp, DType, Inst, Instr, Kernel, KernelInput, KernelOutput, KernelReduce, ReduceOp,
    Scalar, StrideClass, UnaryOp,
};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One launch: which kernel, the case (sizes, layouts, data seed), grid and block. `chunks: Some(n)`
/// (reduction kernels only) runs the two-pass form instead of the single pass: `<name>_partial` with
/// `n` slices per outer point, then `<name>_final`, both with `grid` and `block`, through a partials
/// buffer of `partials_bytes` filled with garbage first.
pub struct Launch {
    pub kernel: usize,
    pub case: Case,
    pub grid: u32,
    pub block: u32,
    pub chunks: Option<u64>,
}

fn shim_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/cuda/tests/emu")
}

/// Whether every operand walks the loop nest C-contiguously (the kernels' fast path).
fn all_contiguous(case: &Case) -> bool {
    let k = &case.kernel;
    if k.n_reduce > 0 {
        return false;
    }
    let want = lazulite_ir::shape::contiguous_strides(&case.shape);
    let same = |s: &[isize]| {
        s.iter()
            .zip(&want)
            .zip(&case.shape)
            .all(|((&a, &b), &n)| n <= 1 || a == b)
    };
    case.in_strides.iter().all(|s| same(s))
}

fn push_u32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
}
fn push_u64(b: &mut Vec<u8>, v: u64) {
    b.extend_from_slice(&v.to_le_bytes());
}

/// The emulated results of each launch: per launch, per output, the bytes (empty for 0-size outputs).
/// `Err` carries the g++ diagnostics or the run failure, with the source path.
pub fn run_emulated(
    kernels: &[Kernel],
    launches: &[Launch],
    work: &Path,
) -> Result<Vec<Vec<Vec<u8>>>, String> {
    std::fs::create_dir_all(work).map_err(|e| format!("{}: {e}", work.display()))?;
    let names: Vec<String> = (0..kernels.len()).map(|i| format!("lz_emu_k{i}")).collect();
    let mut sources = Vec::new();
    for (k, n) in kernels.iter().zip(&names) {
        sources.push(render(k, n).map_err(|e| format!("render {n}: {e}\n{}", k.pretty()))?);
    }
    let mut main = String::new();
    main.push_str("#include \"cuda_host_shim.h\"\n");
    main.push_str(&translation_unit(sources.iter().map(String::as_str)));
    main.push_str(
        r#"
#include <cstdio>
#include <cstdint>
#include <type_traits>
template <class A>
static int lz_run(void (*k)(A), std::type_identity_t<void (*)(A, unsigned char*, long long)> kp,
                  std::type_identity_t<void (*)(A, const unsigned char*, long long)> kf, FILE* in,
                  FILE* out) {
  unsigned hdr[3];
  if (fread(hdr, 4, 3, in) != 3) return 3;
  unsigned long long chunks = 0, pbytes = 0;
  if (fread(&chunks, 8, 1, in) != 1 || fread(&pbytes, 8, 1, in) != 1) return 3;
  if (hdr[2] != sizeof(A)) { fprintf(stderr, "args size %u != %zu\n", hdr[2], sizeof(A)); return 2; }
  A a;
  if (fread(&a, sizeof(A), 1, in) != 1) return 3;
  unsigned long long n = 0;
  if (fread(&n, 8, 1, in) != 1) return 3;
  std::vector<unsigned char> blob(n + 16);
  if (n && fread(blob.data(), 1, n, in) != n) return 3;
  for (auto& p : a.in) p = blob.data() + (uintptr_t)p;
  for (auto& p : a.out) p = blob.data() + (uintptr_t)p;
  if (chunks == 0) {
    lz_emu_launch(k, hdr[0], hdr[1], a);
  } else {
    if (!kp || !kf) return 5;
    // garbage first: pass 2 must read only what pass 1 wrote
    std::vector<unsigned char> part(pbytes + 16, 0xa5);
    unsigned char* pp = part.data();
    lz_emu_launch_fn(hdr[0], hdr[1], [&] { kp(a, pp, (long long)chunks); });
    lz_emu_launch_fn(hdr[0], hdr[1], [&] { kf(a, pp, (long long)chunks); });
  }
  fwrite(&n, 8, 1, out);
  fwrite(blob.data(), 1, n, out);
  return 0;
}
int main(int argc, char** argv) {
  if (argc != 3) return 1;
  FILE* in = fopen(argv[1], "rb");
  FILE* out = fopen(argv[2], "wb");
  if (!in || !out) return 1;
  unsigned idx;
  while (fread(&idx, 4, 1, in) == 1) {
    int rc = 0;
    switch (idx) {
"#,
    );
    for (i, (n, k)) in names.iter().zip(kernels).enumerate() {
        let (p, f) = if k.n_reduce > 0 {
            (format!("{n}_partial"), format!("{n}_final"))
        } else {
            ("nullptr".into(), "nullptr".into())
        };
        let _ = writeln!(
            main,
            "      case {i}: rc = lz_run({n}, {p}, {f}, in, out); break;"
        );
    }
    main.push_str("      default: return 4;\n    }\n    if (rc) return rc;\n  }\n  fclose(out);\n  return 0;\n}\n");
    let src = work.join("emu.cpp");
    std::fs::write(&src, &main).map_err(|e| e.to_string())?;
    let exe = work.join("emu");
    let t0 = std::time::Instant::now();
    let out = Command::new(std::env::var("CXX").unwrap_or_else(|_| "g++".into()))
        .args(["-std=c++20", "-O0", "-pthread", "-ffp-contract=off", "-w"])
        .arg(format!("-I{}", shim_dir().display()))
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .map_err(|e| format!("cannot run g++: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "g++ failed on {}:\n{}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .take(60)
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }

    let compile_s = t0.elapsed().as_secs_f64();
    // the cases
    let mut input = Vec::new();
    let mut layouts = Vec::new();
    for l in launches {
        let k = &kernels[l.kernel];
        let lay = ArgsLayout::of(k);
        let ops = operands(&l.case);
        // blob: inputs then outputs, each 16-byte aligned
        let mut blob: Vec<u8> = Vec::new();
        let mut in_ptr = Vec::new();
        for (b, &off) in ops.inputs.iter().zip(&ops.in_offsets) {
            blob.resize(blob.len().next_multiple_of(16), 0);
            in_ptr.push((blob.len() + off) as u64);
            blob.extend_from_slice(b);
        }
        let mut out_at = Vec::new();
        for o in &ops.outputs {
            blob.resize(blob.len().next_multiple_of(16), 0);
            out_at.push((blob.len(), o.len()));
            blob.extend_from_slice(o);
        }
        let lens = lay.field_lens();
        let mut args = Vec::new();
        let mut field = |vals: &[u64], len: usize| {
            for i in 0..len {
                push_u64(&mut args, vals.get(i).copied().unwrap_or(0));
            }
        };
        field(&in_ptr, lens[0]);
        let out_ptr: Vec<u64> = out_at.iter().map(|&(a, _)| a as u64).collect();
        field(&out_ptr, lens[1]);
        let shape: Vec<u64> = l.case.shape.iter().map(|&s| s as u64).collect();
        field(&shape, lens[2]);
        let ins: Vec<u64> = ops.in_strides.iter().map(|&s| s as u64).collect();
        field(&ins, lens[3]);
        let outs: Vec<u64> = ops.out_strides.iter().map(|&s| s as u64).collect();
        field(&outs, lens[4]);
        field(&[all_contiguous(&l.case) as u64], lens[5]);
        assert_eq!(args.len(), lay.size_bytes());
        push_u32(&mut input, l.kernel as u32);
        push_u32(&mut input, l.grid);
        push_u32(&mut input, l.block);
        push_u32(&mut input, args.len() as u32);
        let chunks = l.chunks.unwrap_or(0);
        let n_outer: usize = l.case.shape[..k.n_outer()].iter().product();
        push_u64(&mut input, chunks);
        push_u64(
            &mut input,
            lazulite_codegen_cuda::partials_bytes(k, n_outer as u64, chunks) as u64,
        );
        input.extend_from_slice(&args);
        push_u64(&mut input, blob.len() as u64);
        input.extend_from_slice(&blob);
        layouts.push((out_at, ops.out_len));
    }
    let t1 = std::time::Instant::now();
    let cases = work.join("cases.bin");
    let results = work.join("results.bin");
    std::fs::write(&cases, &input).map_err(|e| e.to_string())?;
    let run = Command::new(&exe)
        .arg(&cases)
        .arg(&results)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    if !run.status.success() {
        return Err(format!(
            "emulator {} failed ({}): {}",
            exe.display(),
            run.status,
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    eprintln!(
        "cuda emulator: {} kernels, {} launches: g++ {compile_s:.1} s, run {:.1} s",
        kernels.len(),
        launches.len(),
        t1.elapsed().as_secs_f64()
    );
    let mut bytes = Vec::new();
    std::fs::File::open(&results)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    let mut at = 0usize;
    let mut all = Vec::new();
    for (out_at, out_len) in layouts {
        let n = u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes")) as usize;
        at += 8;
        let blob = &bytes[at..at + n];
        at += n;
        all.push(
            out_at
                .iter()
                .map(|&(off, len)| {
                    if out_len == 0 {
                        Vec::new()
                    } else {
                        blob[off..off + len].to_vec()
                    }
                })
                .collect(),
        );
    }
    let _ = std::io::stdout().flush();
    Ok(all)
}

/// Distance in units in the last place between two floats of the same sign class (`u64::MAX` when
/// one is NaN and the other not, or the signs differ on nonzero values).
fn ulps(d: DType, x: f64, y: f64) -> u64 {
    if x.is_nan() || y.is_nan() {
        return if x.is_nan() && y.is_nan() {
            0
        } else {
            u64::MAX
        };
    }
    if x == y {
        // signed zeros must agree
        return if x.is_sign_negative() == y.is_sign_negative() {
            0
        } else {
            u64::MAX
        };
    }
    if x.is_sign_negative() != y.is_sign_negative() {
        return u64::MAX;
    }
    if d.real_part() == DType::F32 {
        (x as f32).to_bits().abs_diff((y as f32).to_bits()) as u64
    } else {
        x.to_bits().abs_diff(y.to_bits())
    }
}

/// Compares one output. Integers and bools: equal bytes. Floats: within `max_ulps` (NaN == NaN, signed
/// zeros exact, infinities exact); `loose: Some(rel)` (sums, products: another association order)
/// allows a relative `rel` and anything once values pass 1e200 (where the order decides overflow).
pub fn agree(
    d: DType,
    a: &[u8],
    b: &[u8],
    max_ulps: u64,
    loose: Option<f64>,
) -> Result<(), String> {
    if a.len() != b.len() {
        return Err(format!("lengths {} and {}", a.len(), b.len()));
    }
    if !d.is_float() {
        return if a == b {
            Ok(())
        } else {
            let i = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(0) / d.size();
            Err(format!("element {i} differs"))
        };
    }
    for (i, (x, y)) in a.chunks(d.size()).zip(b.chunks(d.size())).enumerate() {
        let (x, y) = (Scalar::from_bytes(d, x), Scalar::from_bytes(d, y));
        let (xs, ys) = (x.as_complex(), y.as_complex());
        for (p, q) in [(xs.0, ys.0), (xs.1, ys.1)] {
            let u = ulps(d, p, q);
            let ok = u <= max_ulps
                || loose.is_some_and(|rel| {
                    (p - q).abs() <= rel * (1.0 + p.abs().max(q.abs()))
                        || p.abs().max(q.abs()) > 1e200
                        || (p.is_nan() && q.abs() > 1e200)
                        || (q.is_nan() && p.abs() > 1e200)
                        || (p == q)
                });
            if !ok {
                return Err(format!("element {i}: {x:?} vs {y:?} ({u} ulps)"));
            }
        }
    }
    Ok(())
}

fn complex_supported(d: DType, inst: &Inst) -> bool {
    match inst {
        _ if !d.is_complex() => true,
        Inst::Unary(op, _) => lazulite_codegen_cuda::complex_unary_supported(*op),
        Inst::Binary(op, _, _) => lazulite_codegen_cuda::complex_binary_supported(*op),
        _ => true,
    }
}

/// One kernel per dtype: every unary and binary op the dtype takes, every cast, a select.
pub fn sweep_kernel(d: DType, ndim: u32) -> Kernel {
    let mut body = vec![
        Instr {
            inst: Inst::Load { input: 0 },
            dtype: d,
        },
        Instr {
            inst: Inst::Load { input: 1 },
            dtype: d,
        },
    ];
    for &op in UnaryOp::ALL {
        if let Ok(od) = op.result_dtype(d) {
            let inst = Inst::Unary(op, 0);
            if complex_supported(d, &inst) {
                body.push(Instr { inst, dtype: od });
            }
        }
    }
    for &op in BinaryOp::ALL {
        if let Ok(od) = op.result_dtype_promoted(d) {
            let inst = Inst::Binary(op, 0, 1);
            if complex_supported(d, &inst) {
                body.push(Instr { inst, dtype: od });
            }
        }
    }
    for t in DType::ALL {
        if t != d {
            body.push(Instr {
                inst: Inst::Cast(0),
                dtype: t,
            });
        }
    }
    body.push(Instr {
        inst: Inst::Binary(BinaryOp::Eq, 0, 1),
        dtype: DType::Bool,
    });
    let c = body.len() as u32 - 1;
    body.push(Instr {
        inst: Inst::Select {
            cond: c,
            a: 0,
            b: 1,
        },
        dtype: d,
    });
    let outputs = (2..body.len() as u32)
        .map(|v| KernelOutput {
            value: v,
            dtype: body[v as usize].dtype,
            inner: StrideClass::Contiguous,
        })
        .collect();
    assert!(body.iter().all(|i| match &i.inst {
        Inst::Unary(op, _) => op.returns() != Returns::Bool || i.dtype == DType::Bool,
        _ => true,
    }));
    Kernel {
        ndim,
        n_reduce: 0,
        inputs: vec![
            KernelInput {
                dtype: d,
                inner: StrideClass::Strided,
            },
            KernelInput {
                dtype: d,
                inner: StrideClass::Strided,
            },
        ],
        body,
        reduces: vec![],
        epilogue: vec![],
        outputs,
    }
}

/// `reduces` over `v = isfinite(x) ? x : 0` (so sums stay finite) and `max` over raw `x` (NaN propagates).
pub fn reduction_kernel(d: DType, ndim: u32, n_reduce: u32, ops: &[ReduceOp]) -> Kernel {
    let ins = |inst, dtype| Instr { inst, dtype };
    let mut body = vec![ins(Inst::Load { input: 0 }, d)];
    let value = if d.is_float() {
        body.push(ins(Inst::Unary(UnaryOp::IsFinite, 0), DType::Bool));
        body.push(ins(Inst::Const(Scalar::Int(0).cast(d)), d));
        body.push(ins(
            Inst::Select {
                cond: 1,
                a: 0,
                b: 2,
            },
            d,
        ));
        3
    } else {
        0
    };
    let mut reduces: Vec<KernelReduce> = ops.iter().map(|&op| KernelReduce { op, value }).collect();
    if d.is_real_float() {
        reduces.push(KernelReduce {
            op: ReduceOp::Max,
            value: 0,
        });
    }
    let epilogue: Vec<Instr> = (0..reduces.len() as u32)
        .map(|r| ins(Inst::Reduced(r), d))
        .collect();
    let outputs = (0..reduces.len() as u32)
        .map(|r| KernelOutput {
            value: r,
            dtype: d,
            inner: StrideClass::Contiguous,
        })
        .collect();
    Kernel {
        ndim,
        n_reduce,
        inputs: vec![KernelInput {
            dtype: d,
            inner: StrideClass::Contiguous,
        }],
        body,
        reduces,
        epilogue,
        outputs,
    }
}

/// A fused chain of `n` instructions over two inputs of dtype `d` (integer or real float): `+ x0`,
/// `* 0.5` (floats; `^ x1` for integers), `- x1`, and every 97th step `max` with the value 1500 steps
/// back (a use across the helper functions of a split body). Outputs: the value a third of the way
/// and the last one; with `n_reduce > 0`, the sum and max of the last one instead.
pub fn long_chain_kernel(d: DType, n: usize, ndim: u32, n_reduce: u32) -> Kernel {
    let ins = |inst| Instr { inst, dtype: d };
    let mut body = vec![ins(Inst::Load { input: 0 }), ins(Inst::Load { input: 1 })];
    let half = body.len() as u32;
    body.push(ins(Inst::Const(if d.is_float() {
        Scalar::Float(0.5)
    } else {
        Scalar::Int(0)
    })));
    while body.len() < n {
        let i = body.len();
        let last = i as u32 - 1;
        let inst = match i % 3 {
            _ if i % 97 == 0 && i > 1600 => {
                Inst::Binary(BinaryOp::Maximum, last, (i - 1500) as u32)
            }
            0 => Inst::Binary(BinaryOp::Add, last, 0),
            1 if d.is_float() => Inst::Binary(BinaryOp::Mul, last, half),
            1 => Inst::Binary(BinaryOp::BitXor, last, 1),
            _ => Inst::Binary(BinaryOp::Sub, last, 1),
        };
        body.push(ins(inst));
    }
    let last = body.len() as u32 - 1;
    let out = |value| KernelOutput {
        value,
        dtype: d,
        inner: StrideClass::Contiguous,
    };
    let input = KernelInput {
        dtype: d,
        inner: StrideClass::Contiguous,
    };
    if n_reduce == 0 {
        return Kernel {
            ndim,
            n_reduce,
            inputs: vec![input; 2],
            body,
            reduces: vec![],
            epilogue: vec![],
            outputs: vec![out(n as u32 / 3), out(last)],
        };
    }
    Kernel {
        ndim,
        n_reduce,
        inputs: vec![input; 2],
        body,
        reduces: vec![
            KernelReduce {
                op: ReduceOp::Sum,
                value: last,
            },
            KernelReduce {
                op: ReduceOp::Max,
                value: n as u32 / 3,
            },
        ],
        epilogue: vec![ins(Inst::Reduced(0)), ins(Inst::Reduced(1))],
        outputs: vec![out(0), out(1)],
    }
}
