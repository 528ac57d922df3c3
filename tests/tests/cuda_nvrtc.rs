//! Every CUDA kernel lazulite generates compiles for the H100/H200, checked without a GPU: NVRTC 13.0
//! (through `lazulite_runtime::cuda`, loaded at run time) compiles it to `compute_90` PTX, and ptxas
//! 13.0 (the assembler of the GPU host's driver, CUDA 13.0) assembles that PTX for `sm_90`. Zero
//! failures, PTX ISA at most 9.0 (what driver 580 accepts), and no local-memory spills in elementwise
//! kernels (`ptxas -v`).
//!
//! The corpus: three thousand random kernels of the property-test generator (`LAZULITE_CUDA_RANDOM_KERNELS`
//! sets how many), every op on every dtype
//! at ranks 0 to 4, the reduction kernels of the emulator test, and every kernel the test suites and
//! benchmarks produced when run with `LAZULITE_CUDA_CORPUS=<dir>` (one `.cu` file per kernel structure,
//! written by the runtime; see `make cuda-corpus`).
//!
//! Without the NVIDIA wheels (`make cuda-tools`) the test prints why it is skipped; with
//! `REQUIRE_NVRTC=1` (set by `make test`) it fails instead.

use lazulite_codegen_cuda::{kernel_name, render, translation_unit, MAX_INSTRUCTIONS};
use lazulite_ir::{DType, ErrorKind, Kernel, ReduceOp};
use lazulite_runtime::cuda::{self, Output, DEFAULT_ARCH};
use lazulite_tests::cuda_emu::{long_chain_kernel, reduction_kernel, sweep_kernel};
use lazulite_tests::kernel_cases::case_strategy;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The highest PTX ISA driver 580 (CUDA 13.0) JIT-compiles.
const MAX_PTX_ISA: (u32, u32) = (9, 0);
/// Kernels per NVRTC translation unit (one NVRTC and one ptxas run each).
const BATCH: usize = 200;
/// Dumped kernels with more helper functions than this (split bodies) are left out of the dumped
/// corpus for compile time.
const MAX_DUMPED_SEGMENTS: usize = 8;

fn required() -> bool {
    std::env::var("REQUIRE_NVRTC").is_ok_and(|v| v == "1")
}

fn skip(why: &str) {
    assert!(!required(), "REQUIRE_NVRTC=1 but {why}");
    eprintln!("SKIPPED cuda nvrtc test: {why} (run `make cuda-tools`)");
}

fn ptxas() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PTXAS") {
        return Some(PathBuf::from(p));
    }
    let wheels = std::env::var_os("LAZULITE_CUDA_WHEELS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| Path::new(&h).join(".cache/lazulite/cuda-wheels-13.0.88"))
        })?;
    let p = wheels.join("nvidia/cu13/bin/ptxas");
    p.is_file().then_some(p)
}

/// `.version X.Y` of a PTX text.
fn ptx_isa(ptx: &str) -> Option<(u32, u32)> {
    let v = ptx
        .lines()
        .find_map(|l| l.trim().strip_prefix(".version "))?;
    let (a, b) = v.trim().split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// `ptxas -v` stderr -> per function: spill store bytes.
fn spills(log: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in log.lines() {
        if let Some(rest) = line.split("Function properties for ").nth(1) {
            current = Some(rest.trim().to_string());
        } else if let (Some(name), Some(i)) = (&current, line.find(" bytes spill stores")) {
            let n = line[..i]
                .rsplit(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap_or("0");
            out.insert(name.clone(), n.parse().unwrap_or(u64::MAX));
            current = None;
        }
    }
    out
}

fn corpus() -> Vec<Kernel> {
    let mut kernels = Vec::new();
    // 3000 by default (the "a few thousand"; about 5 minutes of NVRTC + ptxas on the 2-core CI
    // machine, both cores busy); LAZULITE_CUDA_RANDOM_KERNELS sets another count
    let n = std::env::var("LAZULITE_CUDA_RANDOM_KERNELS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let mut runner = TestRunner::deterministic();
    let strategy = case_strategy();
    for _ in 0..n {
        kernels.push(
            strategy
                .new_tree(&mut runner)
                .expect("a case")
                .current()
                .kernel,
        );
    }
    for d in DType::ALL {
        for ndim in 0..=4 {
            kernels.push(sweep_kernel(d, ndim));
        }
    }
    use ReduceOp::*;
    for (d, ops) in [
        (DType::I32, &[Sum, Min, Max][..]),
        (DType::U8, &[Prod, Max, Min]),
        (DType::F64, &[Sum, Min, Max, Prod]),
        (DType::F32, &[Sum, Min, Prod]),
        (DType::Bool, &[Any, All]),
        (DType::C64, &[Sum, Prod]),
        (DType::C128, &[Sum, Prod]),
    ] {
        for (nd, nr) in [(1, 1), (2, 1), (3, 2), (4, 1), (4, 3)] {
            kernels.push(reduction_kernel(d, nd, nr, ops));
        }
    }
    // kernels past MAX_INSTRUCTIONS, split into __device__ helpers (kept short of the 20,000
    // instructions of a deep chain: those take minutes of NVRTC on the loaded CI machine)
    kernels.push(long_chain_kernel(
        DType::F64,
        2 * MAX_INSTRUCTIONS + 100,
        2,
        0,
    ));
    kernels.push(long_chain_kernel(DType::I32, MAX_INSTRUCTIONS + 100, 2, 1));
    let mut seen = HashSet::new();
    kernels.retain(|k| seen.insert(k.clone()));
    kernels
}

/// `.cu` files dumped by the test suites (`LAZULITE_CUDA_CORPUS`): each a rendered kernel, no prelude.
fn dumped() -> Vec<(String, String)> {
    let Some(dir) = std::env::var_os("LAZULITE_CUDA_CORPUS") else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "cu"))
        .filter_map(|p| {
            let name = p.file_stem()?.to_string_lossy().into_owned();
            Some((name, std::fs::read_to_string(&p).ok()?))
        })
        .collect();
    out.sort();
    out
}

/// NVRTC + ptxas over `(name, source, elementwise)` units; `None` when the tools are absent (skipped).
fn check_units(units: &[(String, String, bool)], what: &str) {
    let Some(ptxas) = ptxas() else {
        return skip("ptxas not found (PTXAS or the nvidia-cuda-nvcc wheel)");
    };
    let version = cuda::nvrtc_version().expect("nvrtc version");
    eprintln!(
        "NVRTC {}.{}, ptxas {}",
        version.0,
        version.1,
        ptxas.display()
    );
    let t0 = Instant::now();
    let work =
        std::env::temp_dir().join(format!("lazulite-cuda-nvrtc-{what}-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();

    let batches: Vec<&[(String, String, bool)]> = units.chunks(BATCH).collect();
    let failures = std::sync::Mutex::new(Vec::<String>::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let max_spill = std::sync::atomic::AtomicU64::new(0);
    let (nvrtc_ms, ptxas_ms) = (
        std::sync::atomic::AtomicU64::new(0),
        std::sync::atomic::AtomicU64::new(0),
    );
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let b = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(batch) = batches.get(b) else { break };
                let tu = translation_unit(batch.iter().map(|(_, s, _)| s.as_str()));
                let t = Instant::now();
                let compiled = cuda::compile(&tu, DEFAULT_ARCH, Output::Ptx);
                nvrtc_ms.fetch_add(t.elapsed().as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
                let ptx = match compiled {
                    Ok(p) => String::from_utf8(p).expect("PTX is text"),
                    Err(e) => {
                        failures.lock().unwrap().push(format!("batch {b}: {}", e.message));
                        continue;
                    }
                };
                let isa = ptx_isa(&ptx);
                if isa.is_none_or(|v| v > MAX_PTX_ISA) {
                    failures.lock().unwrap().push(format!(
                        "batch {b}: PTX ISA {isa:?} is newer than {MAX_PTX_ISA:?} (driver 580): pin NVRTC 13.0"
                    ));
                }
                for (name, _, elementwise) in batch.iter() {
                    // reductions: the single pass and the two passes of the grid-wide form
                    let entries = if *elementwise {
                        vec![name.clone()]
                    } else {
                        vec![name.clone(), format!("{name}_partial"), format!("{name}_final")]
                    };
                    for e in entries {
                        if !ptx.contains(&format!(".entry {e}(")) {
                            failures.lock().unwrap().push(format!("batch {b}: no .entry {e}"));
                        }
                    }
                }
                let file = work.join(format!("b{b}.ptx"));
                std::fs::write(&file, &ptx).unwrap();
                let t = Instant::now();
                let out = Command::new(&ptxas)
                    .args(["-arch=sm_90", "-v"])
                    .arg(&file)
                    .arg("-o")
                    .arg(work.join(format!("b{b}.cubin")))
                    .output()
                    .expect("run ptxas");
                ptxas_ms.fetch_add(t.elapsed().as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
                let log = String::from_utf8_lossy(&out.stderr).into_owned();
                if !out.status.success() {
                    failures.lock().unwrap().push(format!("batch {b}: ptxas failed ({}):\n{log}", file.display()));
                    continue;
                }
                let sp = spills(&log);
                for (name, _, elementwise) in batch.iter() {
                    match sp.get(name) {
                        None => failures.lock().unwrap().push(format!("batch {b}: ptxas reported nothing for {name}")),
                        Some(&n) => {
                            max_spill.fetch_max(n, std::sync::atomic::Ordering::Relaxed);
                            if *elementwise && n > 0 {
                                failures.lock().unwrap().push(format!("{name}: {n} bytes spilled to local memory"));
                            }
                        }
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} failures (files in {}):\n{}",
        failures.len(),
        work.display(),
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    let _ = std::fs::remove_dir_all(&work);
    eprintln!(
        "cuda nvrtc: {} {what} kernels in {} units compiled and assembled for sm_90 \
         in {:.1} s (NVRTC {:.1} s, ptxas {:.1} s, summed over 2 threads); max spill in reductions {} bytes",
        units.len(),
        batches.len(),
        t0.elapsed().as_secs_f64(),
        nvrtc_ms.into_inner() as f64 / 1e3,
        ptxas_ms.into_inner() as f64 / 1e3,
        max_spill.load(std::sync::atomic::Ordering::Relaxed)
    );
}

#[test]
fn every_generated_kernel_compiles_for_sm_90() {
    if let Err(e) = cuda::nvrtc_ready() {
        return skip(&e.message);
    }
    let kernels = corpus();
    let mut units: Vec<(String, String, bool)> = Vec::new();
    let mut declined = 0usize;
    for k in &kernels {
        let name = kernel_name(k);
        match render(k, &name) {
            Ok(src) => units.push((name, src, k.n_reduce == 0)),
            Err(e) if e.kind == ErrorKind::NotImplemented => declined += 1,
            Err(e) => panic!("render failed: {e}\n{}", k.pretty()),
        }
    }
    // the random corpus uses only real dtypes and the sweeps only ops with a CUDA definition
    assert_eq!(
        declined, 0,
        "the renderer declined {declined} corpus kernels"
    );
    check_units(&units, "generated");
}

/// The kernels the test suites met (`make cuda-corpus` runs them with `LAZULITE_CUDA_CORPUS`, then this
/// test with `--ignored`).
#[test]
#[ignore = "run by `make test` after the suites have dumped their kernels"]
fn every_dumped_kernel_compiles_for_sm_90() {
    if let Err(e) = cuda::nvrtc_ready() {
        return skip(&e.message);
    }
    // deep chains (the suites' 100,000-op kernels) render as hundreds of helper functions and take
    // NVRTC many minutes: past MAX_DUMPED_SEGMENTS helpers they are counted and left out (the split
    // path itself is compiled by every_generated_kernel_compiles_for_sm_90)
    let all = dumped();
    let n_all = all.len();
    let units: Vec<(String, String, bool)> = all
        .into_iter()
        .filter(|(_, src)| {
            src.matches("static __device__ __noinline__ void").count() <= MAX_DUMPED_SEGMENTS
        })
        .map(|(name, src)| {
            let elementwise = !src.contains("__shared__");
            (name, src, elementwise)
        })
        .collect();
    if units.len() < n_all {
        eprintln!(
            "cuda nvrtc: left out {} dumped kernels of more than {MAX_DUMPED_SEGMENTS} helper \
             functions (over {} instructions each)",
            n_all - units.len(),
            MAX_DUMPED_SEGMENTS * lazulite_codegen_cuda::SEGMENT
        );
    }
    assert!(
        !units.is_empty() || std::env::var_os("LAZULITE_CUDA_CORPUS").is_none(),
        "LAZULITE_CUDA_CORPUS names a folder with no .cu files"
    );
    check_units(&units, "dumped");
}

#[test]
fn nvrtc_errors_carry_the_log_and_the_source() {
    if let Err(e) = cuda::nvrtc_ready() {
        return skip(&e.message);
    }
    let e = cuda::compile(
        "extern \"C\" __global__ void k() { undefined_fn(); }",
        DEFAULT_ARCH,
        Output::Ptx,
    )
    .unwrap_err();
    assert!(e.message.contains("undefined_fn"), "{}", e.message);
    assert!(e.message.contains("--- source ---"), "{}", e.message);
    let cubin = cuda::compile(
        "extern \"C\" __global__ void k() {}",
        DEFAULT_ARCH,
        Output::Cubin,
    )
    .unwrap();
    assert_eq!(&cubin[..4], b"\x7fELF", "a CUBIN is an ELF image");
}

/// The extern-op kernels (`lazulite_codegen_cuda::extern_kernels`): each family's module, with every
/// dtype's entry, compiles with NVRTC to PTX of ISA at most 9.0 that names every entry, and ptxas
/// assembles it for sm_90.
#[test]
fn every_extern_kernel_family_compiles_for_sm_90() {
    use lazulite_codegen_cuda::extern_kernels::Family;
    if let Err(e) = cuda::nvrtc_ready() {
        return skip(&e.message);
    }
    let Some(ptxas) = ptxas() else {
        return skip("ptxas not found (PTXAS or the nvidia-cuda-nvcc wheel)");
    };
    let work =
        std::env::temp_dir().join(format!("lazulite-cuda-nvrtc-extern-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    for f in Family::ALL {
        let ptx = cuda::compile(&f.source(), DEFAULT_ARCH, Output::Ptx)
            .unwrap_or_else(|e| panic!("{}: {}", f.name(), e.message));
        let ptx = String::from_utf8(ptx).expect("PTX is text");
        let isa = ptx_isa(&ptx);
        assert!(
            isa.is_some_and(|v| v <= MAX_PTX_ISA),
            "{}: PTX ISA {isa:?} is newer than {MAX_PTX_ISA:?}",
            f.name()
        );
        for e in f.entries() {
            assert!(
                ptx.contains(&format!(".entry {e}(")),
                "{}: no .entry {e}",
                f.name()
            );
        }
        let file = work.join(format!("{}.ptx", f.name()));
        std::fs::write(&file, &ptx).unwrap();
        let out = Command::new(&ptxas)
            .args(["-arch=sm_90"])
            .arg(&file)
            .arg("-o")
            .arg(work.join(format!("{}.cubin", f.name())))
            .output()
            .expect("run ptxas");
        assert!(
            out.status.success(),
            "{}: ptxas failed:\n{}",
            f.name(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&work);
}
