//! The CUDA side of the runtime: NVRTC turns the CUDA C of `lazulite_codegen_cuda` into PTX or a CUBIN
//! for a target architecture, and the driver is probed before any call to it.
//!
//! Both libraries are loaded at run time through `cudarc` (`dynamic-loading`), so lazulite builds and
//! runs with no CUDA installed. NVRTC is found, in this order: already on the loader path
//! (`LD_LIBRARY_PATH`, the ld.so cache), `NVRTC_LIB_DIR`, `$CUDA_PATH/lib64`, `$CUDA_HOME/lib64`,
//! `/usr/local/cuda/lib64`, NVIDIA's `nvidia-cuda-nvrtc` wheel (`nvidia/cu13/lib` in the active virtual
//! environment, or in the folder `make cuda-tools` installs: `LAZULITE_CUDA_WHEELS`, default
//! `~/.cache/lazulite/cuda-wheels-13.0.88`). A folder found so is preloaded by absolute path (builtins
//! first), which makes cudarc's later `dlopen("libnvrtc.so.13")` resolve to it.
//!
//! cuBLAS (matmul on the device, `backend::cuda_matmul`) is found the same way, with `CUBLAS_LIB_DIR`
//! in place of `NVRTC_LIB_DIR` and NVIDIA's `nvidia-cublas` wheel (same `nvidia/cu13/lib` folder);
//! `libcublasLt` is preloaded before `libcublas`, which needs it ([`cublas_ready`]).
//!
//! Nothing here panics when a library is missing: cudarc panics on the first call into a library it
//! cannot load, so every entry point checks `is_culib_present()` first and returns an error that says
//! what is missing and how to get it.

use lazulite_ir::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The architecture lazulite compiles for by default: the H100/H200 (compute capability 9.0).
pub const DEFAULT_ARCH: &str = "sm_90";

/// What NVRTC produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// PTX text for a virtual architecture (`compute_90`); the driver JIT-compiles it.
    Ptx,
    /// SASS for a real architecture (`sm_90`): loads without a JIT, on any driver of the same major.
    Cubin,
}

fn unavailable(what: &str) -> Error {
    Error::new(
        ErrorKind::NotImplemented,
        format!(
            "CUDA backend: {what}; the CPU backend is unaffected. Install NVRTC with \
             `pip install lazulite[cuda]` (or `make cuda-tools`), or point NVRTC_LIB_DIR at the folder \
             that holds libnvrtc.so.13"
        ),
    )
}

/// Where to look for one of NVIDIA's libraries: `lib_dir_var` (`NVRTC_LIB_DIR`, `CUBLAS_LIB_DIR`)
/// first, then the CUDA toolkit folders and NVIDIA's wheels.
fn candidate_dirs(lib_dir_var: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os(lib_dir_var) {
        dirs.push(PathBuf::from(d));
    }
    for var in ["CUDA_PATH", "CUDA_HOME"] {
        if let Some(d) = std::env::var_os(var) {
            dirs.push(Path::new(&d).join("lib64"));
        }
    }
    dirs.push(PathBuf::from("/usr/local/cuda/lib64"));
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV") {
        if let Ok(entries) = std::fs::read_dir(Path::new(&venv).join("lib")) {
            for e in entries.flatten() {
                dirs.push(e.path().join("site-packages/nvidia/cu13/lib"));
            }
        }
    }
    let wheels = std::env::var_os("LAZULITE_CUDA_WHEELS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| Path::new(&h).join(".cache/lazulite/cuda-wheels-13.0.88"))
        });
    if let Some(w) = wheels {
        dirs.push(w.join("nvidia/cu13/lib"));
    }
    dirs
}

/// Preloads the `<prefix>*.so.*` files of `dir` (not the `.alt` variants), those whose name holds
/// `first` before the others (NVRTC's builtins, cuBLAS's `Lt`).
fn preload(dir: &Path, prefix: &str, first: &str) -> std::result::Result<(), String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            n.starts_with(prefix) && n.contains(".so.") && !n.contains(".alt.")
        })
        .collect();
    if files.is_empty() {
        return Err(format!("no {prefix} in {}", dir.display()));
    }
    files.sort_by_key(|p| {
        !p.file_name()
            .is_some_and(|n| n.to_string_lossy().contains(first))
    });
    for f in &files {
        // SAFETY: loading NVIDIA's NVRTC or cuBLAS runs its initialisers, which have no
        // preconditions; the handle is leaked on purpose so the library stays loaded for cudarc's own
        // lookups.
        let lib =
            unsafe { libloading::Library::new(f) }.map_err(|e| format!("{}: {e}", f.display()))?;
        std::mem::forget(lib);
    }
    Ok(())
}

/// Makes a CUDA library loadable: already `present` on the loader path, or preloaded (`prefix`, with
/// its companion `first`) from the first of the [`candidate_dirs`] of `lib_dir_var` after which it is.
/// `Err` says what was searched, naming `wheel` (the NVIDIA wheel that ships the library), or what
/// each existing folder gave.
fn locate(
    wheel: &str,
    lib_dir_var: &str,
    prefix: &str,
    first: &str,
    present: fn() -> bool,
) -> std::result::Result<(), String> {
    if present() {
        return Ok(());
    }
    let mut tried = Vec::new();
    for dir in candidate_dirs(lib_dir_var) {
        if !dir.is_dir() {
            continue;
        }
        match preload(&dir, prefix, first) {
            Ok(()) if present() => return Ok(()),
            Ok(()) => tried.push(format!("{} (loaded but not usable)", dir.display())),
            Err(e) => tried.push(e),
        }
    }
    Err(if tried.is_empty() {
        format!(
            "{prefix} not found on the loader path, {lib_dir_var}, CUDA_PATH, /usr/local/cuda or \
             the {wheel} wheel"
        )
    } else {
        format!("{prefix} not usable ({})", tried.join("; "))
    })
}

/// Makes NVRTC loadable (once per process). `Err` says what was searched.
pub fn nvrtc_ready() -> Result<()> {
    static READY: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    // SAFETY: `is_culib_present` only dlopens and dlcloses candidate names.
    let present = || unsafe { cudarc::nvrtc::sys::is_culib_present() };
    READY
        .get_or_init(|| {
            locate(
                "nvidia-cuda-nvrtc",
                "NVRTC_LIB_DIR",
                "libnvrtc",
                "builtins",
                present,
            )
        })
        .clone()
        .map_err(|e| unavailable(&e))
}

/// Makes cuBLAS loadable (once per process), searching as [`nvrtc_ready`] does with `CUBLAS_LIB_DIR`
/// and NVIDIA's `nvidia-cublas` wheel. `Err` says what was searched and how to install it.
pub fn cublas_ready() -> std::result::Result<(), String> {
    static READY: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    // SAFETY: `is_culib_present` only dlopens and dlcloses candidate names.
    let present = || unsafe { cudarc::cublas::sys::is_culib_present() };
    READY
        .get_or_init(|| {
            locate(
                "nvidia-cublas",
                "CUBLAS_LIB_DIR",
                "libcublas",
                "cublasLt",
                present,
            )
            .map_err(|what| {
                format!(
                    "{what}; install it with `pip install lazulite[cuda]` or point CUBLAS_LIB_DIR \
                         at the folder that holds libcublas.so.13"
                )
            })
        })
        .clone()
}

/// The version of the NVRTC in use, `(major, minor)`.
pub fn nvrtc_version() -> Result<(i32, i32)> {
    nvrtc_ready()?;
    let (mut major, mut minor) = (0, 0);
    // SAFETY: NVRTC is loaded (checked above); both pointers are valid for one write.
    let rc = unsafe { cudarc::nvrtc::sys::nvrtcVersion(&mut major, &mut minor) };
    if rc != cudarc::nvrtc::sys::nvrtcResult::NVRTC_SUCCESS {
        return Err(Error::new(
            ErrorKind::Internal,
            format!("nvrtcVersion failed: {rc:?}"),
        ));
    }
    Ok((major, minor))
}

/// Compiles one translation unit (see `lazulite_codegen_cuda::translation_unit`) for `arch`
/// (`sm_90`; PTX is produced for the matching virtual architecture, `compute_90`), with
/// `lazulite_codegen_cuda::NVRTC_OPTIONS` (no fast math). A compile error carries NVRTC's log and
/// the source with line numbers.
pub fn compile(source: &str, arch: &str, output: Output) -> Result<Vec<u8>> {
    use cudarc::nvrtc::{result, sys};
    nvrtc_ready()?;
    let Some(num) = arch.strip_prefix("sm_") else {
        return Err(Error::new(
            ErrorKind::Value,
            format!("CUDA compile: arch must look like \"sm_90\", got {arch:?}"),
        ));
    };
    let target = match output {
        Output::Ptx => format!("--gpu-architecture=compute_{num}"),
        Output::Cubin => format!("--gpu-architecture=sm_{num}"),
    };
    let mut options: Vec<String> = lazulite_codegen_cuda::NVRTC_OPTIONS
        .iter()
        .map(|s| s.to_string())
        .collect();
    options.push(target);
    let src = std::ffi::CString::new(source).map_err(|_| {
        Error::new(
            ErrorKind::Internal,
            "CUDA compile: the source contains a NUL byte",
        )
    })?;
    let prog = result::create_program(&src, Some(c"lazulite.cu")).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("nvrtcCreateProgram failed: {e:?}"),
        )
    })?;
    // SAFETY (every block below): `prog` was created above and is destroyed once, at the end.
    let compiled = unsafe { result::compile_program(prog, &options) };
    let out = match compiled {
        Err(e) => {
            // SAFETY: see above.
            let log = unsafe { result::get_program_log(prog) }
                .map(|l| {
                    let bytes: Vec<u8> = l
                        .iter()
                        .take_while(|&&c| c != 0)
                        .map(|&c| c as u8)
                        .collect();
                    String::from_utf8_lossy(&bytes).into_owned()
                })
                .unwrap_or_default();
            let numbered: String = source
                .lines()
                .enumerate()
                .map(|(i, l)| format!("{:5} {l}\n", i + 1))
                .collect();
            Err(Error::new(
                ErrorKind::Internal,
                format!(
                    "NVRTC failed to compile a lazulite kernel ({e:?}, options {options:?}):\n{log}\n\
                     --- source ---\n{numbered}"
                ),
            ))
        }
        Ok(()) => match output {
            // SAFETY: see above.
            Output::Ptx => unsafe { result::get_ptx(prog) }
                .map(|p| {
                    p.iter()
                        .take_while(|&&c| c != 0)
                        .map(|&c| c as u8)
                        .collect()
                })
                .map_err(|e| Error::new(ErrorKind::Internal, format!("nvrtcGetPTX: {e:?}"))),
            Output::Cubin => {
                let mut size = 0usize;
                // SAFETY: see above; `size` is valid for one write.
                let rc = unsafe { sys::nvrtcGetCUBINSize(prog, &mut size) };
                let mut bin = vec![0u8; size];
                // SAFETY: see above; `bin` has the size NVRTC reported.
                let rc2 = unsafe { sys::nvrtcGetCUBIN(prog, bin.as_mut_ptr().cast()) };
                if rc != sys::nvrtcResult::NVRTC_SUCCESS || rc2 != sys::nvrtcResult::NVRTC_SUCCESS {
                    Err(Error::new(
                        ErrorKind::Internal,
                        format!("nvrtcGetCUBIN: {rc:?} / {rc2:?}"),
                    ))
                } else {
                    Ok(bin)
                }
            }
        },
    };
    // SAFETY: see above.
    let _ = unsafe { result::destroy_program(prog) };
    out
}

/// Opens CUDA device `ordinal`. Without an NVIDIA driver (no `libcuda`), or without a device, this is
/// an error that says so; it never panics and leaves the CPU backend untouched.
pub fn open_device(ordinal: usize) -> Result<Arc<cudarc::driver::CudaContext>> {
    static DRIVER: OnceLock<bool> = OnceLock::new();
    // SAFETY: `is_culib_present` only dlopens and dlcloses candidate names.
    let present = *DRIVER.get_or_init(|| unsafe { cudarc::driver::sys::is_culib_present() });
    if !present {
        return Err(Error::new(
            ErrorKind::Value,
            format!(
                "device cuda:{ordinal} is not available: no NVIDIA driver (libcuda.so) on this machine; \
                 use the CPU device"
            ),
        ));
    }
    // cudarc may still panic on a symbol an older driver lacks: keep that from crossing into callers
    match std::panic::catch_unwind(|| cudarc::driver::CudaContext::new(ordinal)) {
        Ok(Ok(ctx)) => Ok(ctx),
        Ok(Err(e)) => Err(Error::new(
            ErrorKind::Value,
            format!("device cuda:{ordinal} is not available: {e:?}; use the CPU device"),
        )),
        Err(_) => Err(Error::new(
            ErrorKind::Value,
            format!(
                "device cuda:{ordinal} is not available: the driver lacks an entry point of CUDA 13.0; \
                 update the NVIDIA driver (580 or newer) or use the CPU device"
            ),
        )),
    }
}
