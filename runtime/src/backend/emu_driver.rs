//! The emulated CUDA device behind the [`Driver`] trait: a test tool, loaded only when
//! `LAZULITE_CUDA_EMULATOR` names the shared library built from `codegen/cuda/tests/emu/emu_driver.cpp`
//! (see [`super::driver`]).

use super::driver::{DevPtr, DeviceInfo, Driver, Gemm};
use lazulite_ir::{DType, Error, ErrorKind, Result};
use std::sync::Mutex;

type AllocFn = unsafe extern "C" fn(usize, *mut u64) -> i32;
type FreeFn = unsafe extern "C" fn(u64) -> i32;
type MemcpyFn = unsafe extern "C" fn(u64, u64, usize) -> i32;
type LoadFn = unsafe extern "C" fn(*const u8, usize, *mut u64, *mut u8, usize) -> i32;
type FunctionFn =
    unsafe extern "C" fn(u64, *const std::ffi::c_char, *mut u64, *mut u32, u32, *mut u32) -> i32;
type LaunchFn = unsafe extern "C" fn(u64, u32, u32, u32, *const *const u8, u32) -> i32;
/// The most parameters of an emulated kernel.
const EMU_MAX_PARAMS: usize = 8;
type CountFn = unsafe extern "C" fn() -> u64;
/// `lzemu_gemm_strided_batched(dtype, trans_a, trans_b, m, n, k, a, lda, stride_a, b, ldb, stride_b,
/// c, ldc, stride_c, batch)`; `dtype` 0..=3 is float32, float64, complex64, complex128.
type GemmFn = unsafe extern "C" fn(
    i32,
    i32,
    i32,
    i32,
    i32,
    i32,
    u64,
    i32,
    i64,
    u64,
    i32,
    i64,
    u64,
    i32,
    i64,
    i32,
) -> i32;

/// The emulated device of `emu_driver.cpp` (see the module documentation).
pub struct EmulatorDriver {
    _lib: libloading::Library,
    alloc: AllocFn,
    free: FreeFn,
    memcpy: MemcpyFn,
    load: LoadFn,
    function: FunctionFn,
    launch: LaunchFn,
    used: CountFn,
    gemm: GemmFn,
    /// Parameter sizes of each function handle.
    arg_bytes: Mutex<std::collections::HashMap<u64, Vec<u32>>>,
    info: DeviceInfo,
}

impl EmulatorDriver {
    pub fn load(path: &std::path::Path) -> Result<EmulatorDriver> {
        let fail = |e: String| {
            Error::new(
                ErrorKind::Value,
                format!(
                    "device cuda:0 is not available: LAZULITE_CUDA_EMULATOR={}: {e}; build it with \
                     `make emu-driver` or unset the variable",
                    path.display()
                ),
            )
        };
        // SAFETY: the library is lazulite's emulator (named by the user for tests); loading it runs
        // only C++ static initialisers that have no preconditions.
        let lib = unsafe { libloading::Library::new(path) }.map_err(|e| fail(e.to_string()))?;
        macro_rules! sym {
            ($name:literal, $ty:ty) => {
                // SAFETY: the symbol is defined by emu_driver.cpp with exactly this C signature.
                *unsafe { lib.get::<$ty>($name) }.map_err(|e| fail(e.to_string()))?
            };
        }
        let total: CountFn = sym!(b"lzemu_total_bytes", CountFn);
        let d = EmulatorDriver {
            alloc: sym!(b"lzemu_alloc", AllocFn),
            free: sym!(b"lzemu_free", FreeFn),
            memcpy: sym!(b"lzemu_memcpy", MemcpyFn),
            load: sym!(b"lzemu_load", LoadFn),
            function: sym!(b"lzemu_function", FunctionFn),
            launch: sym!(b"lzemu_launch", LaunchFn),
            used: sym!(b"lzemu_used_bytes", CountFn),
            gemm: sym!(b"lzemu_gemm_strided_batched", GemmFn),
            arg_bytes: Mutex::new(Default::default()),
            info: DeviceInfo {
                name: "lazulite emulated CUDA device".into(),
                arch: crate::cuda::DEFAULT_ARCH.into(),
                multiprocessors: 2,
                // SAFETY: a C function with no arguments.
                total_bytes: unsafe { total() } as usize,
                loads_source: true,
            },
            _lib: lib,
        };
        Ok(d)
    }
}

impl Driver for EmulatorDriver {
    fn info(&self) -> &DeviceInfo {
        &self.info
    }

    fn alloc(&self, bytes: usize) -> Result<DevPtr> {
        let mut p = 0u64;
        // SAFETY: `p` is valid for one write.
        match unsafe { (self.alloc)(bytes, &mut p) } {
            0 => Ok(p),
            _ => Err(Error::new(
                ErrorKind::Memory,
                format!(
                    "cuda:0 (emulated): allocating {bytes} bytes failed: CUDA_ERROR_OUT_OF_MEMORY"
                ),
            )),
        }
    }

    fn free(&self, ptr: DevPtr) {
        // SAFETY: `ptr` came from `alloc` and is freed once.
        unsafe { (self.free)(ptr) };
    }

    fn copy_htod(&self, src: &[u8], dst: DevPtr) -> Result<()> {
        // SAFETY: emulated device memory is host memory; `dst` holds at least `src.len()` bytes.
        unsafe { (self.memcpy)(dst, src.as_ptr() as u64, src.len()) };
        Ok(())
    }

    fn copy_dtoh(&self, src: DevPtr, dst: &mut [u8]) -> Result<()> {
        // SAFETY: as above, `src` holds at least `dst.len()` bytes.
        unsafe { (self.memcpy)(dst.as_mut_ptr() as u64, src, dst.len()) };
        Ok(())
    }

    fn copy_dtod(&self, src: DevPtr, dst: DevPtr, bytes: usize) -> Result<()> {
        // SAFETY: as above.
        unsafe { (self.memcpy)(dst, src, bytes) };
        Ok(())
    }

    fn load_module(&self, image: &[u8]) -> Result<u64> {
        let mut m = 0u64;
        let mut err = vec![0u8; 8192];
        // SAFETY: every pointer is valid for the lengths passed.
        let rc = unsafe {
            (self.load)(
                image.as_ptr(),
                image.len(),
                &mut m,
                err.as_mut_ptr(),
                err.len(),
            )
        };
        if rc != 0 {
            let n = err.iter().position(|&b| b == 0).unwrap_or(err.len());
            return Err(Error::new(
                ErrorKind::Internal,
                format!(
                    "cuda:0 (emulated): loading a module failed: {}",
                    String::from_utf8_lossy(&err[..n])
                ),
            ));
        }
        Ok(m)
    }

    fn function(&self, module: u64, name: &str) -> Result<u64> {
        let cname = std::ffi::CString::new(name)
            .map_err(|_| Error::new(ErrorKind::Internal, "kernel name with a NUL byte"))?;
        let (mut f, mut sizes, mut n) = (0u64, [0u32; EMU_MAX_PARAMS], 0u32);
        // SAFETY: `cname` is NUL-terminated; `f` and `n` are valid for one write, `sizes` for
        // `EMU_MAX_PARAMS` (the capacity passed).
        let rc = unsafe {
            (self.function)(
                module,
                cname.as_ptr(),
                &mut f,
                sizes.as_mut_ptr(),
                EMU_MAX_PARAMS as u32,
                &mut n,
            )
        };
        if rc != 0 {
            return Err(Error::new(
                ErrorKind::Internal,
                format!("cuda:0 (emulated): no kernel {name} in module {module}"),
            ));
        }
        self.arg_bytes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(f, sizes[..(n as usize).min(EMU_MAX_PARAMS)].to_vec());
        Ok(f)
    }

    fn launch(
        &self,
        func: u64,
        grid: u32,
        block: u32,
        shared_bytes: u32,
        params: &[&[u8]],
    ) -> Result<()> {
        let want = self
            .arg_bytes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&func)
            .cloned();
        let got: Vec<u32> = params.iter().map(|p| p.len() as u32).collect();
        if want.as_ref() != Some(&got) {
            return Err(Error::new(
                ErrorKind::Internal,
                format!(
                    "cuda:0 (emulated): launch with parameters of {got:?} bytes, the kernel takes \
                     {want:?}"
                ),
            ));
        }
        let ptrs: Vec<*const u8> = params.iter().map(|p| p.as_ptr()).collect();
        // SAFETY: `func` is a launcher from `function` whose parameters have exactly the sizes of
        // `params` (checked above), each pointed at by `ptrs` for the call; every device pointer
        // inside them is emulated device memory the backend allocated.
        let rc = unsafe {
            (self.launch)(
                func,
                grid,
                block,
                shared_bytes,
                ptrs.as_ptr(),
                ptrs.len() as u32,
            )
        };
        if rc != 0 {
            let what = match rc {
                719 => "CUDA_ERROR_LAUNCH_FAILED",
                _ => "CUDA_ERROR_INVALID_VALUE",
            };
            return Err(Error::new(
                ErrorKind::Internal,
                format!("cuda:0 (emulated): launch of grid {grid} x block {block} failed: {what}"),
            ));
        }
        Ok(())
    }

    fn synchronize(&self) -> Result<()> {
        Ok(())
    }

    fn mem_info(&self) -> Result<(usize, usize)> {
        // SAFETY: a C function with no arguments.
        let used = unsafe { (self.used)() } as usize;
        Ok((
            self.info.total_bytes.saturating_sub(used),
            self.info.total_bytes,
        ))
    }

    fn gemm_available(&self) -> std::result::Result<(), String> {
        Ok(())
    }

    fn gemm_strided_batched(&self, g: &Gemm) -> Result<()> {
        g.check().map_err(|e| {
            Error::new(ErrorKind::Internal, format!("cuda:0 (emulated): gemm: {e}"))
        })?;
        let dtype = match g.dtype {
            DType::F32 => 0,
            DType::F64 => 1,
            DType::C64 => 2,
            _ => 3,
        };
        // SAFETY: `g.check()` holds; the emulator checks that every matrix the batched product reads
        // or writes lies inside one live emulated allocation before it touches memory (status 7, as
        // cuBLAS's CUBLAS_STATUS_INVALID_VALUE, otherwise).
        let rc = unsafe {
            (self.gemm)(
                dtype,
                g.trans_a as i32,
                g.trans_b as i32,
                g.m,
                g.n,
                g.k,
                g.a,
                g.lda,
                g.stride_a,
                g.b,
                g.ldb,
                g.stride_b,
                g.c,
                g.ldc,
                g.stride_c,
                g.batch,
            )
        };
        if rc != 0 {
            return Err(Error::new(
                ErrorKind::Internal,
                format!(
                    "cuda:0 (emulated): gemm ({}, batch {}, {}x{}x{}) failed: status {rc} \
                     (an operand outside device memory, or an invalid argument): {g:?}",
                    g.dtype, g.batch, g.m, g.n, g.k
                ),
            ));
        }
        Ok(())
    }
}
