//! The CUDA backend's driver interface: the few device calls the backend makes (allocate, free,
//! copies, load a module, launch, synchronise, memory info), behind one trait with two
//! implementations:
//! - [`CudarcDriver`]: the NVIDIA driver through `cudarc` (loaded at run time; `libcuda` is probed
//!   first, so nothing panics without a driver). Modules are PTX or CUBIN from NVRTC.
//! - [`EmulatorDriver`]: a test tool. When `LAZULITE_CUDA_EMULATOR` names the shared library built
//!   from `codegen/cuda/tests/emu/emu_driver.cpp`, device `cuda:0` is that emulated device: memory is
//!   host memory, modules are the CUDA C source (compiled by g++ with the host shim), launches run the
//!   generated kernels on the host. Everything above this trait (pool, copies, launch shapes, extern
//!   routing, caches) is the code a real GPU runs.
//!
//! Device pointers are `u64` (`CUdeviceptr`); a module and a function are opaque `u64` handles.
//!
//! Matmul's device side is one more call, [`Driver::gemm_strided_batched`]: cuBLAS's
//! `cublas{S,D,C,Z}gemmStridedBatched` (column-major, `alpha = 1`, `beta = 0`) on NVIDIA's driver, a
//! reference loop with the same argument rules on the emulator.

pub use super::emu_driver::EmulatorDriver;
use lazulite_ir::{DType, Error, ErrorKind, Result};
use std::sync::{Arc, Mutex, OnceLock};

/// A device address.
pub type DevPtr = u64;

/// What a device is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    pub name: String,
    /// The architecture kernels are compiled for (`sm_90`).
    pub arch: String,
    pub multiprocessors: u32,
    pub total_bytes: usize,
    /// Whether modules are CUDA C source (the emulator) rather than an NVRTC image.
    pub loads_source: bool,
}

/// One strided-batched matrix product in cuBLAS's terms (column-major):
/// `C[i] = op(A[i]) * op(B[i])` for `i < batch`, `op(A[i])` an `m x k` matrix, `op(B[i])` `k x n`,
/// `C[i]` `m x n` with leading dimension `ldc`; `op(X)` is `X` or, with `trans_*`, its transpose (no
/// conjugate). `X[i]` starts `i * stride_x` elements after `x`. `alpha = 1`, `beta = 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gemm {
    /// float32, float64, complex64 or complex128.
    pub dtype: DType,
    pub trans_a: bool,
    pub trans_b: bool,
    pub m: i32,
    pub n: i32,
    pub k: i32,
    pub a: DevPtr,
    pub lda: i32,
    pub stride_a: i64,
    pub b: DevPtr,
    pub ldb: i32,
    pub stride_b: i64,
    pub c: DevPtr,
    pub ldc: i32,
    pub stride_c: i64,
    pub batch: i32,
}

impl Gemm {
    /// cuBLAS's argument rules (`CUBLAS_STATUS_INVALID_VALUE` otherwise): sizes not negative, each
    /// leading dimension at least the rows of its stored matrix (and 1).
    pub fn check(&self) -> std::result::Result<(), String> {
        let (ra, rb) = (
            if self.trans_a { self.k } else { self.m },
            if self.trans_b { self.n } else { self.k },
        );
        if self.m < 0 || self.n < 0 || self.k < 0 || self.batch < 0 {
            return Err(format!("negative size in {self:?}"));
        }
        for (what, ld, rows) in [
            ("lda", self.lda, ra),
            ("ldb", self.ldb, rb),
            ("ldc", self.ldc, self.m),
        ] {
            if ld < rows.max(1) {
                return Err(format!("{what} {ld} < max(1, {rows}) in {self:?}"));
            }
        }
        if !matches!(
            self.dtype,
            DType::F32 | DType::F64 | DType::C64 | DType::C128
        ) {
            return Err(format!(
                "gemm of dtype {} (float and complex only)",
                self.dtype
            ));
        }
        Ok(())
    }
}

/// The device calls the CUDA backend makes. Every call is ordered on the device's one stream; copies to
/// the host return when the bytes are there.
pub trait Driver: Send + Sync {
    fn info(&self) -> &DeviceInfo;
    /// `bytes` of device memory; a `Memory` error when the device has no room.
    fn alloc(&self, bytes: usize) -> Result<DevPtr>;
    fn free(&self, ptr: DevPtr);
    fn copy_htod(&self, src: &[u8], dst: DevPtr) -> Result<()>;
    fn copy_dtoh(&self, src: DevPtr, dst: &mut [u8]) -> Result<()>;
    fn copy_dtod(&self, src: DevPtr, dst: DevPtr, bytes: usize) -> Result<()>;
    /// Loads a module: an NVRTC image (PTX with a trailing NUL, or CUBIN), or CUDA C source when
    /// [`DeviceInfo::loads_source`].
    fn load_module(&self, image: &[u8]) -> Result<u64>;
    fn function(&self, module: u64, name: &str) -> Result<u64>;
    /// Launches `func` on a 1-D grid; `params[i]` are the bytes of its by-value parameter `i` (the
    /// argument struct, then, for the passes of a grid-wide reduction, the partials pointer and the
    /// slice count).
    fn launch(
        &self,
        func: u64,
        grid: u32,
        block: u32,
        shared_bytes: u32,
        params: &[&[u8]],
    ) -> Result<()>;
    fn synchronize(&self) -> Result<()>;
    /// `(free, total)` bytes.
    fn mem_info(&self) -> Result<(usize, usize)>;
    /// Whether [`Driver::gemm_strided_batched`] can run: `Err` says why not (cuBLAS not found, and how
    /// to install it); matmul then runs as an explicit host round trip.
    fn gemm_available(&self) -> std::result::Result<(), String>;
    /// One strided-batched gemm (see [`Gemm`]), ordered on the device's stream.
    fn gemm_strided_batched(&self, g: &Gemm) -> Result<()>;
}

/// Drivers by ordinal.
type Opened = Mutex<Vec<Option<Arc<dyn Driver>>>>;

/// The drivers opened so far, by ordinal (a device is opened once per process).
fn opened() -> &'static Opened {
    static OPENED: OnceLock<Opened> = OnceLock::new();
    OPENED.get_or_init(|| Mutex::new(Vec::new()))
}

static EMULATOR: OnceLock<std::path::PathBuf> = OnceLock::new();

/// Makes `cuda:0` the emulated device of the library at `path` (what Rust tests do instead of setting
/// `LAZULITE_CUDA_EMULATOR`); must come before the first use of a CUDA device. `false` when another
/// path was set first.
pub fn use_emulator(path: &std::path::Path) -> bool {
    EMULATOR.get_or_init(|| path.to_path_buf()) == path
}

/// The path of the emulator library, when the emulated device is enabled.
pub fn emulator_path() -> Option<std::path::PathBuf> {
    if let Some(p) = EMULATOR.get() {
        return Some(p.clone());
    }
    std::env::var_os("LAZULITE_CUDA_EMULATOR")
        .filter(|p| !p.is_empty())
        .map(Into::into)
}

/// The driver of CUDA device `ordinal`: the emulator's (ordinal 0 only) when `LAZULITE_CUDA_EMULATOR`
/// is set, else NVIDIA's. A `Value` error naming the device when it is not there.
pub fn open(ordinal: u16) -> Result<Arc<dyn Driver>> {
    let mut g = opened().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(Some(d)) = g.get(ordinal as usize) {
        return Ok(d.clone());
    }
    let d: Arc<dyn Driver> = match emulator_path() {
        Some(path) if ordinal == 0 => Arc::new(EmulatorDriver::load(&path)?),
        Some(_) => {
            return Err(Error::new(
                ErrorKind::Value,
                format!(
                    "device cuda:{ordinal} is not available: the emulated CUDA device \
                     (LAZULITE_CUDA_EMULATOR) is cuda:0 only"
                ),
            ))
        }
        None => Arc::new(CudarcDriver::open(ordinal)?),
    };
    if g.len() <= ordinal as usize {
        g.resize(ordinal as usize + 1, None);
    }
    g[ordinal as usize] = Some(d.clone());
    Ok(d)
}

/// How many CUDA devices are present (0 without a driver); the emulated device counts as one.
pub fn device_count() -> usize {
    if emulator_path().is_some() {
        return usize::from(open(0).is_ok());
    }
    CudarcDriver::count()
}

// ---------------------------------------------------------------------------------------------------
// NVIDIA's driver

/// CUDA device `ordinal` through `cudarc`'s driver API, on the context's default stream.
pub struct CudarcDriver {
    ctx: Arc<cudarc::driver::CudaContext>,
    ordinal: u16,
    info: DeviceInfo,
    /// The cuBLAS handle, made on the first gemm (`Err`: why cuBLAS cannot be used).
    cublas: OnceLock<std::result::Result<CublasHandle, String>>,
}

/// A cuBLAS handle of one device's context, used under the driver's lock-free calls: cuBLAS handles
/// may be used from any thread bound to their context, one call at a time (`CudarcDriver` serialises
/// gemms with `gemm_lock`).
struct CublasHandle {
    handle: cudarc::cublas::sys::cublasHandle_t,
    gemm_lock: Mutex<()>,
}

// SAFETY: the handle is an opaque pointer owned by cuBLAS; it is used only with its context bound to
// the calling thread and one call at a time (`gemm_lock`), which cuBLAS allows from any thread.
unsafe impl Send for CublasHandle {}
// SAFETY: as above.
unsafe impl Sync for CublasHandle {}

impl CudarcDriver {
    pub fn open(ordinal: u16) -> Result<CudarcDriver> {
        use cudarc::driver::sys::CUdevice_attribute as A;
        let ctx = crate::cuda::open_device(ordinal as usize)?;
        let arch = match ctx.compute_capability() {
            Ok((major, minor)) => format!("sm_{major}{minor}"),
            Err(_) => crate::cuda::DEFAULT_ARCH.to_string(),
        };
        let multiprocessors = ctx
            .attribute(A::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)
            .unwrap_or(1)
            .max(1) as u32;
        let name = ctx.name().unwrap_or_else(|_| "NVIDIA GPU".into());
        let total_bytes = ctx.total_mem().unwrap_or(0);
        Ok(CudarcDriver {
            ctx,
            ordinal,
            info: DeviceInfo {
                name,
                arch,
                multiprocessors,
                total_bytes,
                loads_source: false,
            },
            cublas: OnceLock::new(),
        })
    }

    /// The cuBLAS handle of this device, on the context's default stream (made once).
    fn cublas(&self) -> std::result::Result<&CublasHandle, String> {
        self.cublas
            .get_or_init(|| {
                crate::cuda::cublas_ready()?;
                self.bind().map_err(|e| e.message)?;
                let mut h: cudarc::cublas::sys::cublasHandle_t = std::ptr::null_mut();
                // SAFETY: cuBLAS is loaded (checked above) and the context is current; `h` is valid
                // for one write. The handle lives as long as the process (drivers are never dropped).
                let st = unsafe { cudarc::cublas::sys::cublasCreate_v2(&mut h) };
                if st != cudarc::cublas::sys::cublasStatus_t::CUBLAS_STATUS_SUCCESS {
                    return Err(format!("cublasCreate failed: {st:?}"));
                }
                Ok(CublasHandle {
                    handle: h,
                    gemm_lock: Mutex::new(()),
                })
            })
            .as_ref()
            .map_err(|e| format!("cuda:{}: {e}", self.ordinal))
    }

    fn count() -> usize {
        // SAFETY: `is_culib_present` only dlopens and dlcloses candidate names.
        if !unsafe { cudarc::driver::sys::is_culib_present() } {
            return 0;
        }
        std::panic::catch_unwind(|| {
            cudarc::driver::result::init()
                .and_then(|_| cudarc::driver::result::device::get_count())
                .map(|n| n.max(0) as usize)
                .unwrap_or(0)
        })
        .unwrap_or(0)
    }

    fn err(&self, what: &str, e: cudarc::driver::DriverError) -> Error {
        let kind = if e.0 == cudarc::driver::sys::cudaError_enum::CUDA_ERROR_OUT_OF_MEMORY {
            ErrorKind::Memory
        } else {
            ErrorKind::Internal
        };
        Error::new(kind, format!("cuda:{}: {what} failed: {e:?}", self.ordinal))
    }

    fn bind(&self) -> Result<()> {
        self.ctx
            .bind_to_thread()
            .map_err(|e| self.err("binding the context", e))
    }
}

impl Driver for CudarcDriver {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn alloc(&self, bytes: usize) -> Result<DevPtr> {
        self.bind()?;
        // SAFETY: the context is current; the allocation is freed by `free`.
        unsafe { cudarc::driver::result::malloc_sync(bytes.max(1)) }
            .map_err(|e| self.err(&format!("allocating {bytes} bytes"), e))
    }

    fn free(&self, ptr: DevPtr) {
        if self.bind().is_ok() {
            // SAFETY: `ptr` came from `alloc` and is freed once (the pool owns it).
            let _ = unsafe { cudarc::driver::result::free_sync(ptr) };
        }
    }

    fn copy_htod(&self, src: &[u8], dst: DevPtr) -> Result<()> {
        self.bind()?;
        // SAFETY: `dst` is device memory of at least `src.len()` bytes (the backend checks lengths).
        unsafe { cudarc::driver::result::memcpy_htod_sync(dst, src) }
            .map_err(|e| self.err("copy to the device", e))
    }

    fn copy_dtoh(&self, src: DevPtr, dst: &mut [u8]) -> Result<()> {
        self.bind()?;
        // SAFETY: `src` is device memory of at least `dst.len()` bytes (the backend checks lengths).
        unsafe { cudarc::driver::result::memcpy_dtoh_sync(dst, src) }
            .map_err(|e| self.err("copy to the host", e))
    }

    fn copy_dtod(&self, src: DevPtr, dst: DevPtr, bytes: usize) -> Result<()> {
        self.bind()?;
        // SAFETY: both ranges are device memory of at least `bytes` bytes (checked by the backend).
        unsafe { cudarc::driver::result::memcpy_dtod_sync(dst, src, bytes) }
            .map_err(|e| self.err("device-to-device copy", e))
    }

    fn load_module(&self, image: &[u8]) -> Result<u64> {
        self.bind()?;
        // SAFETY: `image` is a whole PTX (NUL-terminated) or CUBIN image from NVRTC, alive for the call.
        unsafe { cudarc::driver::result::module::load_data(image.as_ptr().cast()) }
            .map(|m| m as u64)
            .map_err(|e| self.err("loading a module", e))
    }

    fn function(&self, module: u64, name: &str) -> Result<u64> {
        self.bind()?;
        let cname = std::ffi::CString::new(name)
            .map_err(|_| Error::new(ErrorKind::Internal, "kernel name with a NUL byte"))?;
        // SAFETY: `module` is a handle from `load_module`, never unloaded.
        unsafe {
            cudarc::driver::result::module::get_function(
                module as cudarc::driver::sys::CUmodule,
                cname,
            )
        }
        .map(|f| f as u64)
        .map_err(|e| self.err(&format!("finding kernel {name}"), e))
    }

    fn launch(
        &self,
        func: u64,
        grid: u32,
        block: u32,
        shared_bytes: u32,
        params: &[&[u8]],
    ) -> Result<()> {
        self.bind()?;
        let mut ptrs: Vec<*mut std::ffi::c_void> = params
            .iter()
            .map(|p| p.as_ptr() as *mut std::ffi::c_void)
            .collect();
        // SAFETY: `func` is a function handle from `function`; `ptrs[i]` points at the bytes of its
        // by-value parameter `i` (built by the backend from the kernel's `ArgsLayout` and the
        // reduction plan), alive for the call; the driver copies the parameters at launch.
        unsafe {
            cudarc::driver::result::launch_kernel(
                func as cudarc::driver::sys::CUfunction,
                (grid, 1, 1),
                (block, 1, 1),
                shared_bytes,
                std::ptr::null_mut(),
                &mut ptrs,
            )
        }
        .map_err(|e| self.err("launch", e))
    }

    fn synchronize(&self) -> Result<()> {
        self.bind()?;
        cudarc::driver::result::ctx::synchronize().map_err(|e| self.err("synchronize", e))
    }

    fn mem_info(&self) -> Result<(usize, usize)> {
        self.bind()?;
        cudarc::driver::result::mem_get_info().map_err(|e| self.err("memory info", e))
    }

    fn gemm_available(&self) -> std::result::Result<(), String> {
        self.cublas().map(|_| ())
    }

    fn gemm_strided_batched(&self, g: &Gemm) -> Result<()> {
        use cudarc::cublas::sys::{self as cb, cublasOperation_t as Op};
        g.check()
            .map_err(|e| Error::new(ErrorKind::Internal, format!("cuBLAS gemm: {e}")))?;
        let h = self
            .cublas()
            .map_err(|e| Error::new(ErrorKind::NotImplemented, e))?;
        self.bind()?;
        let _one_at_a_time = h.gemm_lock.lock().unwrap_or_else(|e| e.into_inner());
        let op = |t: bool| if t { Op::CUBLAS_OP_T } else { Op::CUBLAS_OP_N };
        let (ta, tb) = (op(g.trans_a), op(g.trans_b));
        // One call per element type: the same arguments, typed.
        macro_rules! gemm {
            ($f:ident, $t:ty, $one:expr, $zero:expr) => {
                cb::$f(
                    h.handle,
                    ta,
                    tb,
                    g.m,
                    g.n,
                    g.k,
                    &$one,
                    g.a as *const $t,
                    g.lda,
                    g.stride_a,
                    g.b as *const $t,
                    g.ldb,
                    g.stride_b,
                    &$zero,
                    g.c as *mut $t,
                    g.ldc,
                    g.stride_c,
                    g.batch,
                )
            };
        }
        // SAFETY (each arm): the handle is live and its context current; `g.check()` holds, and the
        // backend made `a`, `b`, `c` device memory that holds every element the batched product reads
        // (`batch` matrices `stride_*` apart with these leading dimensions) or writes, alive until the
        // device's stream passes this call; alpha and beta point at values of the element type that
        // live for the call (cuBLAS reads them before it returns, host pointer mode).
        let st = unsafe {
            match g.dtype {
                DType::F32 => gemm!(cublasSgemmStridedBatched, f32, 1.0f32, 0.0f32),
                DType::F64 => gemm!(cublasDgemmStridedBatched, f64, 1.0f64, 0.0f64),
                DType::C64 => gemm!(
                    cublasCgemmStridedBatched,
                    cb::cuComplex,
                    cb::cuComplex { x: 1.0, y: 0.0 },
                    cb::cuComplex { x: 0.0, y: 0.0 }
                ),
                _ => gemm!(
                    cublasZgemmStridedBatched,
                    cb::cuDoubleComplex,
                    cb::cuDoubleComplex { x: 1.0, y: 0.0 },
                    cb::cuDoubleComplex { x: 0.0, y: 0.0 }
                ),
            }
        };
        if st != cb::cublasStatus_t::CUBLAS_STATUS_SUCCESS {
            let kind = if st == cb::cublasStatus_t::CUBLAS_STATUS_ALLOC_FAILED {
                ErrorKind::Memory
            } else {
                ErrorKind::Internal
            };
            return Err(Error::new(
                kind,
                format!(
                    "cuda:{}: cuBLAS gemm ({}, batch {}, {}x{}x{}) failed: {st:?}",
                    self.ordinal, g.dtype, g.batch, g.m, g.n, g.k
                ),
            ));
        }
        Ok(())
    }
}
