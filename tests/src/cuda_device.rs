//! The emulated CUDA device for tests: builds `codegen/cuda/tests/emu/emu_driver.cpp` into a shared
//! library with g++ (once per build folder; concurrent builders rename atomically) and registers it as
//! `cuda:0` with the runtime. A test tool, not part of the product.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn emu_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/cuda/tests/emu")
}

/// Builds the emulator library into `out` (a `.so` path). `Err` carries g++'s diagnostics.
pub fn build_emulator(out: &Path) -> Result<(), String> {
    let dir = emu_dir()
        .canonicalize()
        .map_err(|e| format!("{}: {e}", emu_dir().display()))?;
    let src = dir.join("emu_driver.cpp");
    let fresh = |p: &Path| -> Option<std::time::SystemTime> { p.metadata().ok()?.modified().ok() };
    let newest_src = [src.clone(), dir.join("cuda_host_shim.h")]
        .iter()
        .filter_map(|p| fresh(p))
        .max();
    if let (Some(o), Some(s)) = (fresh(out), newest_src) {
        if o >= s {
            return Ok(());
        }
    }
    if let Some(p) = out.parent() {
        std::fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    let tmp = out.with_extension(format!("{}.tmp", std::process::id()));
    let r = Command::new(std::env::var("CXX").unwrap_or_else(|_| "g++".into()))
        .args(["-std=c++20", "-O1", "-fPIC", "-shared", "-pthread"])
        .arg(format!("-DLZ_EMU_SHIM_DIR=\"{}\"", dir.display()))
        .arg(&src)
        .arg("-ldl")
        .arg("-o")
        .arg(&tmp)
        .output()
        .map_err(|e| format!("cannot run g++: {e}"))?;
    if !r.status.success() {
        return Err(format!(
            "g++ failed on {}:\n{}",
            src.display(),
            String::from_utf8_lossy(&r.stderr)
        ));
    }
    std::fs::rename(&tmp, out).map_err(|e| format!("{}: {e}", out.display()))
}

/// Registers the emulated device as `cuda:0`; `false` (after printing why) when g++ is missing or the
/// build fails, so that callers can skip.
pub fn enable() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    *OK.get_or_init(|| {
        let out = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../target/cuda-emu/liblazulite_cuda_emu.so");
        match build_emulator(&out) {
            Ok(()) => {
                let out = out.canonicalize().unwrap_or(out);
                lazulite_runtime::backend::driver::use_emulator(&out)
            }
            Err(e) => {
                eprintln!("SKIPPED: no emulated CUDA device ({e})");
                false
            }
        }
    })
}

/// `graph` with every input moved to `device` (node ids are kept: nodes are added in order).
pub fn on_device(graph: &lazulite_ir::Graph, device: lazulite_ir::Device) -> lazulite_ir::Graph {
    let mut g = lazulite_ir::Graph::new();
    for (_, n) in graph.nodes() {
        let mut n = n.clone();
        if let lazulite_ir::Op::Input { device: d, .. } = &mut n.op {
            *d = device;
        }
        g.add(n);
    }
    g
}

/// `inputs` copied to `device` (`lazulite_runtime::to_device`; a CUDA schedule takes device data
/// only), scalar parameters (one element, all strides 0) excepted: they stay on the host and the
/// backend uploads them, as for arrays the frontend built. A graph from [`on_device`] computes over
/// these.
pub fn inputs_on(
    inputs: &[lazulite_runtime::ArrayData],
    device: lazulite_ir::Device,
) -> Vec<lazulite_runtime::ArrayData> {
    inputs
        .iter()
        .map(|a| match a.is_scalar_parameter() {
            true => a.clone(),
            false => lazulite_runtime::to_device(a, device).expect("input to the device"),
        })
        .collect()
}

/// The elements of `a` in row-major order, as `(re, im)` (a device array is copied to the host
/// once first).
pub fn values(a: &lazulite_runtime::ArrayData) -> Vec<(f64, f64)> {
    let a = &lazulite_runtime::to_device(a, lazulite_ir::Device::Cpu).expect("to the host");
    let n: usize = a.shape.iter().product();
    let mut out = Vec::with_capacity(n);
    let mut idx = vec![0usize; a.shape.len()];
    for _ in 0..n {
        out.push(a.get(&idx).as_complex());
        for d in (0..idx.len()).rev() {
            idx[d] += 1;
            if idx[d] < a.shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    out
}

/// Deterministic values in [-10, 10] (steps of 0.01) from `seed`.
pub fn vals(n: usize, seed: u64) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let h = (i as u64 ^ seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
            (h % 2001) as f64 / 100.0 - 10.0
        })
        .collect()
}
