//! The CUDA backend: kernels rendered by `lazulite_codegen_cuda` and compiled by NVRTC to PTX
//! (works with no GPU and no driver: NVRTC is a library), memory and copies through the CUDA driver
//! (`cudarc`, loaded at run time). Without a driver, every call that needs one is a `Value` error that
//! names the device and says to use the CPU; nothing panics.
//!
//! Launching kernels and running extern ops on the device come with arrays on the GPU (issue 9):
//! until then [`CudaBackend::launch`] and [`CudaBackend::run_extern`] say so (`NotImplemented`).

use super::{Backend, BackendKind, KernelKey};
use crate::buffer::{ArrayData, Buffer};
use crate::cache::Lru;
use crate::cuda::{self as nvrtc, Output};
use crate::exec::StepReport;
use cudarc::driver::{CudaContext, CudaSlice, CudaStream};
use lazulite_ir::cancel::Cancel;
use lazulite_ir::{bail, ensure, Device, Error, ErrorKind, ExternStep, Kernel, KernelStep, Result};
use std::sync::{Arc, Mutex, OnceLock};

/// Compiled modules kept per process.
const CODE_CACHE_CAPACITY: usize = 1024;

/// A kernel compiled for one GPU architecture: its PTX and entry name.
#[derive(Debug)]
pub struct CudaCode {
    pub name: String,
    pub ptx: Vec<u8>,
}

/// Device memory: `len` bytes on the backend's device.
pub struct CudaMem {
    slice: CudaSlice<u8>,
}

impl CudaMem {
    pub fn len(&self) -> usize {
        self.slice.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slice.len() == 0
    }
}

/// CUDA device `ordinal`, compiling for `arch`.
pub struct CudaBackend {
    ordinal: u16,
    arch: Arc<str>,
    /// `None` for a compile-only backend ([`CudaBackend::offline`]).
    stream: Option<Arc<CudaStream>>,
}

impl CudaBackend {
    /// Opens CUDA device `ordinal`: a `Value` error (no panic) when there is no driver or no such device.
    pub fn open(ordinal: u16) -> Result<CudaBackend> {
        let ctx: Arc<CudaContext> = nvrtc::open_device(ordinal as usize)?;
        let arch = match ctx.compute_capability() {
            Ok((major, minor)) => format!("sm_{major}{minor}"),
            Err(_) => nvrtc::DEFAULT_ARCH.to_string(),
        };
        Ok(CudaBackend {
            ordinal,
            arch: arch.into(),
            stream: Some(ctx.default_stream()),
        })
    }

    /// A backend that only compiles, for `arch` (`sm_90`), with no device: what CI checks without a GPU.
    /// Its memory and launch calls are errors.
    pub fn offline(arch: &str) -> CudaBackend {
        CudaBackend {
            ordinal: 0,
            arch: arch.into(),
            stream: None,
        }
    }

    fn stream(&self) -> Result<&Arc<CudaStream>> {
        match &self.stream {
            Some(s) => Ok(s),
            None => bail!(
                Value,
                "device cuda:{} is not available: this CUDA backend compiles only (no NVIDIA driver \
                 was opened); use the CPU device",
                self.ordinal
            ),
        }
    }

    /// [`Backend::compile`] through a process-wide cache keyed by (kernel, backend, target).
    pub fn compile_cached(&self, kernel: &Arc<Kernel>) -> Result<Arc<CudaCode>> {
        static CACHE: OnceLock<Mutex<Lru<KernelKey, Arc<CudaCode>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(Lru::new()));
        let key = self.key(kernel);
        if let Some(c) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(c);
        }
        let code = Arc::new(self.compile(kernel)?);
        cache.lock().unwrap_or_else(|e| e.into_inner()).insert(
            key,
            code.clone(),
            CODE_CACHE_CAPACITY,
        );
        Ok(code)
    }

    fn driver_error(&self, what: &str, e: impl std::fmt::Debug) -> Error {
        Error::new(
            ErrorKind::Internal,
            format!("cuda:{}: {what} failed: {e:?}", self.ordinal),
        )
    }
}

impl Backend for CudaBackend {
    type Mem = CudaMem;
    type Code = CudaCode;

    fn device(&self) -> Device {
        Device::Cuda(self.ordinal)
    }

    fn kind(&self) -> BackendKind {
        BackendKind::Cuda
    }

    fn target(&self) -> Arc<str> {
        self.arch.clone()
    }

    fn compile(&self, kernel: &Kernel) -> Result<CudaCode> {
        let name = lazulite_codegen_cuda::kernel_name(kernel);
        let src = lazulite_codegen_cuda::render(kernel, &name)?;
        let unit = lazulite_codegen_cuda::translation_unit([src.as_str()]);
        let ptx = nvrtc::compile(&unit, &self.arch, Output::Ptx)?;
        Ok(CudaCode { name, ptx })
    }

    fn allocate(&self, what: &str, bytes: usize) -> Result<CudaMem> {
        let stream = self.stream()?;
        // zeroed: a fresh buffer never shows another computation's bytes
        let slice = stream.alloc_zeros::<u8>(bytes.max(1)).map_err(|e| {
            Error::new(
                ErrorKind::Memory,
                format!(
                    "{what}: cuda:{} cannot allocate {bytes} bytes ({e:?}); free some arrays or use \
                     smaller ones",
                    self.ordinal
                ),
            )
        })?;
        Ok(CudaMem { slice })
    }

    fn copy_from_host(&self, src: &[u8], dst: &mut CudaMem) -> Result<()> {
        let stream = self.stream()?;
        ensure!(
            src.len() <= dst.len(),
            Internal,
            "cuda backend: copying {} bytes into a buffer of {}",
            src.len(),
            dst.len()
        );
        if src.is_empty() {
            return Ok(());
        }
        let mut view = dst.slice.slice_mut(..src.len());
        stream
            .memcpy_htod(src, &mut view)
            .map_err(|e| self.driver_error("copy to the device", e))
    }

    fn copy_to_host(&self, src: &CudaMem) -> Result<Arc<Buffer>> {
        let stream = self.stream()?;
        let bytes = stream
            .clone_dtoh(&src.slice)
            .map_err(|e| self.driver_error("copy to the host", e))?;
        Buffer::from_bytes(&bytes).map(Arc::new)
    }

    fn launch(
        &self,
        si: usize,
        step: &KernelStep,
        _inputs: &[ArrayData],
        _temps: &[Option<CudaMem>],
        _cancel: &Cancel,
    ) -> Result<StepReport> {
        self.stream()?;
        bail!(
            NotImplemented,
            "execute: step {si} ({}) on cuda:{}: launching kernels on a GPU is not implemented yet \
             (arrays live on the CPU); use the CPU device",
            step.label,
            self.ordinal
        )
    }

    fn run_extern(
        &self,
        si: usize,
        step: &ExternStep,
        _inputs: &[ArrayData],
        _temps: &[Option<CudaMem>],
        _cancel: &Cancel,
    ) -> Result<StepReport> {
        self.stream()?;
        bail!(
            NotImplemented,
            "execute: step {si} ({}) on cuda:{}: extern ops on a GPU are not implemented yet; use the \
             CPU device",
            step.op.name(),
            self.ordinal
        )
    }
}
